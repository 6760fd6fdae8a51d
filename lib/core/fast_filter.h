/*
 * A policy's filters run record by record with memoised value matches.
 *
 * Most value filters of peering policies compare a key that takes few
 * distinct values (Status.Code, a region, a tag) with a constant.  For such
 * a filter the match depends only on the record's value, so value_match
 * runs once per distinct string and later records reuse the result.  The
 * key is read as key_resolve reads it: tag:NAME from Tags, else the
 * literal top-level key, else the dotted path (which is what JMESPath does
 * with a path of plain identifiers).  A cross-account filter with a
 * constant whitelist looks owners up in a sorted copy of it, as
 * eval_cross_account in filter_eval.c decides them.  Every other filter,
 * and every value that is not a string, goes through filter_eval.
 */
#ifndef PEERGUARD_CORE_FAST_FILTER_H
#define PEERGUARD_CORE_FAST_FILTER_H

#include <stddef.h>
#include <jansson.h>

#include "core/describe_table.h"
#include "core/eval.h"
#include "core/policy.h"

/** Results of one value filter, by the record's string value. */
typedef struct memo_entry {
	char *text;          /* the value (owned), NULL for an empty slot */
	size_t len;
	unsigned char matched;
} memo_entry;

/** One top-level filter of a plan. */
typedef struct fast_step {
	const filter *f;
	int memoised;        /* a value filter whose results are memoised */
	char **segments;     /* the dotted key's identifiers, or NULL for tag:NAME */
	size_t n_segments;
	memo_entry *memo;    /* open addressing, FAST_MEMO_SLOTS entries */
	size_t memo_used;
	int missing;         /* the result for a missing key: -1 not known yet */
	char **trusted;      /* a cross-account filter's whitelist, sorted, when it is constant */
	size_t n_trusted;
	int cross_account;   /* a cross-account filter decided here with trusted */

	/* Reading a describe table's cells (fast_plan_bind). */
	long column;         /* the memoised key's cell, or -1 */
	long owner_columns[2]; /* a cross-account filter's accepter and requester owner cells, or -1 */
	signed char *by_id;  /* per interned string: the match or, for cross-account, trusted; -1 not known */
} fast_step;

/** A policy's top-level filters, for evaluating records one at a time. */
typedef struct fast_plan {
	fast_step *steps;
	size_t count;
	const describe_table *table;  /* the table the steps are bound to, or NULL */
} fast_plan;

/**
 * Prepares a plan for policy p.  Returns 1 when every top-level filter
 * decides each record on its own (value filters other than
 * resource_count, cross-account, list-item), 0 when the policy must run as
 * a batch (the plan is then empty), or -1 when out of memory.
 */
int fast_plan_init(fast_plan *plan, const policy *p);

/** Frees what a plan holds. */
void fast_plan_clear(fast_plan *plan);

/**
 * Runs the plan's filters on one resource (borrowed), in order, stopping
 * at the first that does not match, and stores 1 or 0 in *matched.  rec
 * receives violations and failures as filter_eval_batch gives them; a
 * failed record never matches.  env is bound to rec.
 */
void fast_plan_eval(int *matched, fast_plan *plan, json_t *resource, eval_record *rec, eval_env *env);

/**
 * Binds the plan to table t: finds the cell each step reads and prepares
 * its memo by interned string.  Returns 0, or -1 when out of memory.
 */
int fast_plan_bind(fast_plan *plan, const describe_table *t);

/**
 * Runs the bound plan on record row of t as fast_plan_eval runs it on the
 * record's tree, with the same results, violations and failures.  Steps
 * read the cells.  A slow row, a cell of another type than string, and a
 * step with no cell build the row's tree and use it.
 */
void fast_plan_eval_row(int *matched, fast_plan *plan, describe_table *t, size_t row, eval_record *rec,
	eval_env *env);

#endif
