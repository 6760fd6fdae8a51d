/*
 * Splitting a large input into records without parsing it whole: a
 * CloudTrail log file ({"Records": [...]}) or JSON lines of objects, read
 * through a stream, with the prefilter deciding which records to parse.
 */
#ifndef PEERGUARD_CORE_SPLIT_H
#define PEERGUARD_CORE_SPLIT_H

#include "core/input.h"
#include "core/prefilter.h"
#include "core/stream.h"

/** input_split's return value when the input needs input_parse instead. */
#define SPLIT_FALLBACK 1

/**
 * Reads the stream to its end and adds to batch the records input_parse
 * would add, except those the prefilter shows cannot match, which are only
 * counted.  Candidate records are parsed as they are found, so memory holds
 * one window of the input plus the candidates.
 *
 * Returns 0; SPLIT_FALLBACK when the input is not a shape this reads
 * exactly as input_parse does (not objects, several values on one line, a
 * value spanning lines among JSON lines, a parsed record that is not valid
 * JSON, nesting past max_depth), and the caller must clear the batch and
 * call input_parse on the whole input; or a negative code from the stream.
 */
int input_split(input_batch *batch, stream *s, const prefilter *pf, const char *name, peerguard_input_kind kind,
	const peerguard_limits *limits, peerguard_error *err);

/**
 * Reads an input held in memory into batch: through the splitter when pf
 * is active and kind is not PEERGUARD_INPUT_RESOURCES, else (or when the
 * splitter falls back) with input_parse.  pf may be NULL to parse every
 * record.  proj, when not NULL, lets input_parse keep a describe document
 * as a table (a document that opens with VpcPeeringConnections skips the
 * splitter).  Gzip input is decompressed a window at a time, within
 * max_input_bytes in total.  Returns 0 or a negative code.
 */
int input_read_memory(input_batch *batch, const prefilter *pf, const projection *proj, const char *data,
	size_t len, const char *name, peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err);

/**
 * Reads a file ("-" is standard input, read whole) into batch like
 * input_read_memory.  A regular file is streamed: memory holds one window
 * and the candidate records, max_input_bytes bounds each record or line
 * instead of the file, and the file is read again whole when the splitter
 * falls back.  Returns 0 or a negative code.
 */
int input_read_file(input_batch *batch, const prefilter *pf, const projection *proj, const char *path,
	const char *name, peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err);

#endif
