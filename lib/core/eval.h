/* Evaluating one policy's filters against one resource. */
#ifndef PEERGUARD_CORE_EVAL_H
#define PEERGUARD_CORE_EVAL_H

#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/policy.h"
#include "core/vars.h"

typedef struct eval_env {
	const policy *policy;
	const peerguard_limits *limits;
	vars vars;                 /* account_id, region, now, policy name */
	json_t *envelope;          /* EventBridge envelope for event filters, NULL in pull mode */
	size_t resource_count;     /* for value_type resource_count */
	json_t **value_cache;      /* per filter slot: expanded value or fetched value_from */
	value_regex **regex_cache; /* per filter slot: regex compiled from an expanded value */
	json_t *violations;        /* cross-account findings for the current resource */
	json_t *explain;           /* array of explain entries, or NULL */
	peerguard_error *err;      /* first evaluation failure */
	int failed;
} eval_env;

/** Prepares per-evaluation caches for a policy. Returns 0 or -1 when out of memory. */
int eval_env_init(eval_env *env, const policy *p, const peerguard_limits *limits);

/** Releases the caches of an env. */
void eval_env_clear(eval_env *env);

/**
 * Evaluates filter f against resource (borrowed) and stores 1 or 0 in
 * *matched.  Returns 0, or -1 when evaluation failed (env->err says why);
 * a failed filter never matches.
 */
int filter_eval(int *matched, const filter *f, json_t *resource, eval_env *env);

/** Resolves a value filter key on a record: tag:NAME, a literal top-level key, then JMESPath. Borrowed or new? New reference, NULL when missing. */
json_t *key_resolve(const value_key *key, json_t *record, eval_env *env);

#endif
