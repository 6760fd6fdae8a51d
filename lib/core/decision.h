/* Decisions and results: storage, accessors and JSON. */
#ifndef PEERGUARD_CORE_DECISION_H
#define PEERGUARD_CORE_DECISION_H

#include <jansson.h>

#include "peerguard/peerguard.h"

struct peerguard_decision {
	json_t *obj;                   /* every field, as serialised */
	int matched;
	peerguard_side side;
	peerguard_action action;
	peerguard_state_source source;
	double state_time;
};

struct peerguard_result {
	peerguard_decision *decisions;
	size_t count;
	size_t cap;
	size_t matched;
	peerguard_error *errors;
	size_t n_errors;
	size_t errors_cap;
	size_t errors_dropped;   /* errors counted in the last entry instead of kept */
};

/** Appends a decision built from obj (the reference is stolen). Returns the decision or NULL. */
peerguard_decision *result_add(peerguard_result *result, json_t *obj);

/** Appends a copy of err to the result's errors. */
void result_add_error(peerguard_result *result, const peerguard_error *err);

#endif
