/*
 * Input documents to records: CloudTrail records (bare, in an EventBridge
 * envelope, in an SNS message, in an S3 log file, as JSON lines) and
 * DescribeVpcPeeringConnections records (boto3 or CLI output, a list, or
 * one record), gzip or plain.
 */
#ifndef PEERGUARD_CORE_INPUT_H
#define PEERGUARD_CORE_INPUT_H

#include <stddef.h>
#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/describe_table.h"

typedef struct input_item {
	int is_event;
	json_t *record;      /* the CloudTrail record, or the describe record (new reference); NULL for a table row */
	json_t *envelope;    /* EventBridge envelope around a CloudTrail record (new reference), else NULL */
	size_t index;        /* position in the input, counting every record and line */
	size_t row;          /* the describe record's row in the batch's table, when record is NULL */
} input_item;

typedef struct input_batch {
	input_item *items;
	size_t count;
	size_t cap;
	peerguard_error *errors;
	size_t n_errors;
	size_t errors_cap;
	size_t errors_dropped;
	size_t n_notes;      /* documents skipped on purpose, such as scheduler ticks */
	describe_table *table; /* describe records kept as text and cells, or NULL */
} input_batch;

/** The state of one parse: where records go and the index of the next one. */
typedef struct input_parser {
	input_batch *batch;
	const char *name;
	peerguard_input_kind kind;
	const peerguard_limits *limits;
	size_t next_index;
} input_parser;

/**
 * Parses data into records.  Records that cannot be read become entries in
 * batch->errors naming the input and record index; parsing goes on.
 *
 * With a projection, a describe document becomes a table (see
 * describe_table.h) whose rows are the batch's items.  The table needs the
 * text.  When owned is not NULL and *owned is data, the parse may take
 * that allocation and set *owned to NULL; otherwise it copies the text.  Returns 0, or a negative code when nothing could be done at all.
 */
int input_parse(input_batch *batch, const char *data, size_t len, char **owned, const projection *proj,
	const char *name, peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err);

/** Returns 1 when text, the start of an input, opens a {"VpcPeeringConnections": ...} document. */
int input_opens_describe(const char *text, size_t len);

/**
 * Returns the describe or CloudTrail record of item (borrowed), building a
 * table row's tree on first use, or NULL when out of memory.
 */
json_t *input_item_record(input_batch *batch, const input_item *item);

void input_batch_clear(input_batch *batch);

/** Starts a parse that adds to batch, for the functions below. */
void input_parser_init(input_parser *ps, input_batch *batch, const char *name, peerguard_input_kind kind,
	const peerguard_limits *limits);

/**
 * Parses one document (a line of JSON lines, or a whole input) as
 * input_parse does; the errors of its records go to the batch.  The caller
 * has checked that it nests no deeper than max_depth.  Returns 0, or -1
 * with nothing added when the document is not valid JSON, where
 * input_parse's reading depends on the rest of the input.
 */
int input_parse_document(input_parser *ps, const char *text, size_t len);

/**
 * Parses one item of a {"Records": [...]} list.  Returns 0, or -1 when the
 * item is not valid JSON: input_parse would then reject the whole document,
 * so the caller must hand the input to input_parse.
 */
int input_parse_list_item(input_parser *ps, const char *text, size_t len);

/** Counts one record that is left unparsed, so later records keep their index. */
void input_skip_record(input_parser *ps);

/** Converts a CloudTrail vpcPeeringConnection element into the describe shape. Returns a new reference. */
json_t *input_describe_from_event(json_t *element);

/** Normalises a describe record in place: account ids as 12-digit strings, dates as ISO-8601 text. */
void input_normalise_describe(json_t *record);

#endif
