/* Evaluating records that are already parsed, for callers inside the library and its benchmarks. */
#ifndef PEERGUARD_CORE_EVALUATE_H
#define PEERGUARD_CORE_EVALUATE_H

#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/input.h"

/**
 * Evaluates the records of batch (borrowed) against every policy of set,
 * as peerguard_evaluate does after parsing.  The trees of table rows are
 * built in the batch when needed, and the batch's errors are copied into
 * the result.  On success *out is a new result, freed with
 * peerguard_result_free.  Returns 0, or a negative code: the
 * first input error when the batch has no record, or PEERGUARD_ENOMEM.
 */
int evaluate_batch(peerguard_result **out, const peerguard_policy_set *set, const peerguard_context *ctx,
	input_batch *batch, const char *name, peerguard_error *err);

/**
 * Runs the filters of every pull and periodic policy of set over
 * resources[0..n) (borrowed) as one batch, the way Cloud Custodian's
 * filter_resources runs them over a list, without building decisions:
 * matched[k] becomes 1 when some policy matched resource k.  Returns 0, or
 * -1 when out of memory.
 */
int evaluate_select(unsigned char *matched, const peerguard_policy_set *set, const peerguard_context *ctx,
	json_t **resources, size_t n);

/**
 * Runs the filters of every pull and periodic policy of set over the
 * describe records of batch (borrowed), as evaluate_batch selects them
 * before building decisions.  A table stays a table where the policies
 * allow.  matched[i] becomes 1 when some policy matched item i.  Returns
 * 0, or -1 when out of memory.
 */
int evaluate_select_batch(unsigned char *matched, const peerguard_policy_set *set, const peerguard_context *ctx,
	input_batch *batch);

#endif
