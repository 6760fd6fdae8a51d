/*
 * Describe records kept as text, with the values the policies read
 * extracted into cells.
 *
 * Building jansson's tree for a DescribeVpcPeeringConnections document of
 * 100,000 records costs far more than running the filters.  When every
 * pull-mode policy of a set runs record by record (fast_plan_init), the
 * keys its memoised value filters and cross-account filters read are
 * known before the input is.  describe_table_scan walks a
 * {"VpcPeeringConnections": [...]} document once, checks it as strictly as
 * jansson would, and keeps for every record the byte range of its text and
 * one cell per projected key: missing or null, a string (an id into the
 * table's interned strings, which point into the text), or another type.
 *
 * Some records contain what the scan leaves to jansson: a \u escape, a
 * byte outside ASCII, a key with an escape, a dotted top-level key, a
 * number jansson might refuse, or an object of many keys.  Such a record
 * is parsed with jansson during the scan and marked slow, and its cells
 * are not used.  The
 * full tree of any other record is built on first use.
 * Anything input_parse would read differently or reject (another document
 * shape, a syntax error, a record without VpcPeeringConnectionId, nesting
 * deeper than max_depth) makes the scan give up, so the caller parses the
 * input as before and reports what input_parse reports.
 */
#ifndef PEERGUARD_CORE_DESCRIBE_TABLE_H
#define PEERGUARD_CORE_DESCRIBE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "peerguard/peerguard.h"

/** Cell values below CELL_STRING; a string's cell is CELL_STRING plus its id. */
#define CELL_MISSING 0u   /* the key is absent or null, or the path crosses a non-object */
#define CELL_OTHER 1u     /* a number, boolean, object or array: the record's tree decides */
#define CELL_STRING 2u

/** One key the policies read: tag:NAME, or a path of plain identifiers. */
typedef struct table_path {
	char *text;          /* the key as a filter writes it ("tag:Team", "Status.Code") */
	char *tag;           /* NAME of tag:NAME, else NULL */
	char **segments;     /* the path's identifiers, for a key that is not a tag */
	size_t n_segments;
} table_path;

/** The keys of a policy set's pull-mode policies, one cell each. */
typedef struct projection {
	table_path *paths;
	size_t count;
} projection;

typedef struct scan_trie scan_trie;

/** Describe records as text and cells. */
typedef struct describe_table {
	char *text;              /* the document (owned); strings and ranges point into it */
	size_t len;
	projection proj;         /* the keys of the cells (owned copy) */
	size_t rows;
	size_t *starts;          /* byte range of each record */
	size_t *ends;
	uint32_t *cells;         /* rows * proj.count */
	unsigned char *slow;     /* per row: the cells are not used, records[row] is set */
	json_t **records;        /* per row: the record's tree (new reference), NULL until built */

	/* Interned strings: offset and length in text, found through an open-addressing index. */
	size_t *str_off;
	uint32_t *str_len;
	size_t n_strings;
	size_t str_cap;
	uint32_t *index;         /* id + 1, or 0 for an empty slot */
	size_t index_mask;
} describe_table;

/**
 * Collects the keys that the record-by-record plans of set's pull-mode
 * policies read: the keys of memoisable value filters, and the owner ids of
 * cross-account filters.  Returns 1 when a table is worth building (the
 * set has a pull-mode policy, each one runs record by record, and some
 * key is read), 0 when it is not (proj is then empty), or -1 when out of
 * memory.
 */
int projection_init(projection *proj, const peerguard_policy_set *set);

/** Frees the keys of proj. */
void projection_clear(projection *proj);

/** Returns the cell index of the key written as text, or -1 when proj does not hold it. */
long projection_find(const projection *proj, const char *text);

/**
 * Scans text[0..len) as a {"VpcPeeringConnections": [...]} document.
 * Returns 1 with a new table in *out that owns text, 0 when the document
 * must go to input_parse instead (text is untouched and still the
 * caller's), or -1 when out of memory.
 */
int describe_table_scan(describe_table **out, char *text, size_t len, const projection *proj,
	const peerguard_limits *limits);

/**
 * Returns the tree of record row (borrowed: the table keeps it).  The
 * first call builds and normalises it as input_parse would.  Returns NULL
 * when out of memory.
 */
json_t *describe_table_record(describe_table *t, size_t row);

/** Returns the cell of key col in record row. */
static inline uint32_t describe_table_cell(const describe_table *t, size_t row, size_t col)
{
	return t->cells[row * t->proj.count + col];
}

/** Returns the text of string cell (not NUL-terminated, borrowed) and stores its length in *len. */
static inline const char *describe_table_string(const describe_table *t, uint32_t cell, size_t *len)
{
	*len = t->str_len[cell - CELL_STRING];
	return t->text + t->str_off[cell - CELL_STRING];
}

/** Frees a table and every tree it built.  t may be NULL. */
void describe_table_free(describe_table *t);

#endif
