/*
 * The byte-level prefilter: which records of a large input can be left
 * unparsed because no policy of the set can decide anything about them.
 *
 * A record can produce a decision only if it names an event a cloudtrail
 * policy listens to (extract_ids compares eventName exactly) or is a
 * describe record (it has a VpcPeeringConnectionId key).  Either way those
 * bytes appear literally in the record, unless a \u escape spells them, at
 * any level of JSON nested in strings.  So a record that the scanner can
 * delimit, that contains none of the needles and no backslash followed by
 * 'u' (directly or after escaped backslashes) is skipped unparsed, as long
 * as it has the "eventName" or "eventSource" key that marks a CloudTrail
 * record: anything else is parsed, so that it gets input_parse's error or
 * note.
 */
#ifndef PEERGUARD_CORE_PREFILTER_H
#define PEERGUARD_CORE_PREFILTER_H

#include <stddef.h>

#include "peerguard/peerguard.h"

/** The byte strings whose presence makes a record a candidate for full parsing. */
typedef struct prefilter {
	char **needles;
	size_t *lengths;
	size_t count;
	int active;      /* 0: every record must be parsed (an event name the scan cannot search for) */
} prefilter;

/**
 * Collects the needles of a policy set: every event name of its cloudtrail
 * policies, and VpcPeeringConnectionId for describe records.  A set with an
 * event name outside [A-Za-z0-9_.:-] leaves the prefilter inactive.
 * Returns 0, or -1 when out of memory.
 */
int prefilter_init(prefilter *pf, const peerguard_policy_set *set);

/** Frees the needles of pf. */
void prefilter_clear(prefilter *pf);

/** Outcome of json_scan_value. */
typedef enum scan_result {
	SCAN_DONE = 0,     /* the value ends inside the buffer */
	SCAN_MORE = 1,     /* the buffer ends before the value does */
	SCAN_INVALID = 2   /* mismatched brackets, a stray byte, or nesting deeper than allowed */
} scan_result;

/** What json_scan_value saw in the value. */
typedef struct scan_info {
	size_t end;          /* offset just past the value, for SCAN_DONE */
	int unicode_escape;  /* a backslash followed by 'u', possibly after escaped backslashes */
	int newline;         /* a newline between tokens */
} scan_info;

/**
 * Finds the end of the JSON value that starts at data[0] (not whitespace)
 * by tracking strings and brackets, without validating tokens: the caller
 * parses whatever it keeps.  A scalar ends at the first delimiter; when the
 * buffer ends first the result is SCAN_MORE, and a caller at the end of its
 * input takes the whole buffer.  max_depth bounds the nesting inside the
 * value.
 */
scan_result json_scan_value(scan_info *info, const char *data, size_t len, unsigned int max_depth);

/**
 * Marks which of n records (byte ranges [starts[i], ends[i]) of data, in
 * increasing order and not overlapping) contain a needle: hit[i] is set to
 * 1 for those and left alone for the others.
 */
void prefilter_mark(const prefilter *pf, const char *data, const size_t *starts, const size_t *ends, size_t n,
	unsigned char *hit);

/** Returns 1 when data[0..len) contains the key "eventName" or "eventSource" unescaped. */
int prefilter_is_event(const char *data, size_t len);

/**
 * Returns 1 when the object data[0..len) is a bare CloudTrail record at
 * its top level: it has an eventName or eventSource key, and none of the
 * keys that make input_parse read it as something else (detail, Records,
 * data, VpcPeeringConnections, VpcPeeringConnection,
 * VpcPeeringConnectionId).  Any key with an escape gives 0.
 */
int prefilter_is_bare_event(const char *data, size_t len);

#endif
