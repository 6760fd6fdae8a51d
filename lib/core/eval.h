/*
 * Evaluating one policy's filters on a batch of resources.
 *
 * Cloud Custodian runs each filter on the list of resources the previous
 * filter let through: and is sequential, or is a union, not is the set
 * difference, and value_type resource_count and reduce see that list.
 * A batch is an ordered list of indices into the resources, so reduce can
 * reorder it as c7n does.
 */
#ifndef PEERGUARD_CORE_EVAL_H
#define PEERGUARD_CORE_EVAL_H

#include <stddef.h>
#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/policy.h"
#include "core/vars.h"

/** The findings and failure of one resource of a batch. */
typedef struct eval_record {
	json_t *violations;        /* cross-account findings (an array), or NULL to skip them */
	json_t *explain;           /* explain entries (an array), or NULL */
	peerguard_error err;       /* the first failure */
	int failed;                /* the resource could not be evaluated: it never matches */
} eval_record;

typedef struct eval_env {
	const policy *policy;
	const peerguard_limits *limits;
	vars vars;                 /* account_id, region, now, policy name */
	json_t *envelope;          /* EventBridge envelope for event filters, NULL in pull mode */
	json_t **value_cache;      /* per filter slot: expanded value or fetched value_from */
	value_regex **regex_cache; /* per filter slot: regex compiled from an expanded value */

	/* The resource being evaluated, set by the batch functions. */
	size_t resource_count;     /* resources in the current batch, for value_type resource_count */
	json_t *violations;
	json_t *explain;
	peerguard_error *err;
	int failed;
} eval_env;

/** Prepares per-evaluation caches for a policy. Returns 0 or -1 when out of memory. */
int eval_env_init(eval_env *env, const policy *p, const peerguard_limits *limits);

/** Releases the caches of an env. */
void eval_env_clear(eval_env *env);

/**
 * Narrows the batch idx[0..*n) of resources to those that pass filter f,
 * in c7n's order.  records[k] belongs to resources[k]; a resource whose
 * evaluation fails is marked there and dropped.  Returns 0, or -1 when out
 * of memory.
 */
int filter_eval_batch(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env);

/**
 * Evaluates filter f against one resource (borrowed) and stores 1 or 0 in
 * *matched.  Returns 0, or -1 when evaluation failed (rec->err holds the
 * reason).
 */
int filter_eval(int *matched, const filter *f, json_t *resource, eval_record *rec, eval_env *env);

/**
 * Resolves a value filter key on a record: tag:NAME, a literal top-level
 * key, then JMESPath.  Stores a new reference in *out, NULL when missing.
 * Returns 0, or -1 when the JMESPath search failed (env->err holds the
 * reason).
 */
int key_resolve(json_t **out, const value_key *key, json_t *record, eval_env *env);

/** Makes rec the resource whose findings and failures env records. */
void eval_bind(eval_env *env, eval_record *rec);

/**
 * Replaces *v (a new reference) with group 1 of value_regex matched at its
 * start, or NULL when *v is not a string or does not match, as c7n's
 * ValueRegex does.  Returns 0, or -1 when a PCRE2 limit was hit (env->err
 * holds the reason).
 */
int eval_value_regex(json_t **v, const value_regex *re, const filter *f, eval_env *env);

/** Records an evaluation failure of filter f in env (the first one wins); returns -1. */
int eval_fail(eval_env *env, const filter *f, int code, const char *message);

/**
 * Applies reduce filter f to the batch idx[0..*n): groups, sorts, discards
 * and limits as c7n's ReduceFilter does.  Returns 0, or -1 when out of
 * memory; resources whose sort value cannot be read are marked failed.
 */
int reduce_apply(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env);

#endif
