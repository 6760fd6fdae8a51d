/* Decision accessors, result lists and the decision's JSON form. */
#include <stdlib.h>
#include <string.h>

#include "core/decision.h"
#include "core/internal.h"

peerguard_decision *result_add(peerguard_result *result, json_t *obj)
{
	peerguard_decision *d;

	if (!obj)
		return NULL;
	if (result->count == result->cap) {
		size_t cap = result->cap ? result->cap * 2 : 16;
		peerguard_decision *grown = realloc(result->decisions, cap * sizeof(*grown));

		if (!grown) {
			json_decref(obj);
			return NULL;
		}
		result->decisions = grown;
		result->cap = cap;
	}
	d = &result->decisions[result->count++];
	memset(d, 0, sizeof(*d));
	d->obj = obj;
	return d;
}

void result_add_error(peerguard_result *result, const peerguard_error *err)
{
	error_list_add(&result->errors, &result->n_errors, &result->errors_cap, &result->errors_dropped, err);
}

void peerguard_result_free(peerguard_result *result)
{
	if (!result)
		return;
	for (size_t i = 0; i < result->count; i++)
		json_decref(result->decisions[i].obj);
	free(result->decisions);
	free(result->errors);
	free(result);
}

size_t peerguard_result_count(const peerguard_result *result)
{
	return result ? result->count : 0;
}

const peerguard_decision *peerguard_result_get(const peerguard_result *result, size_t i)
{
	return result && i < result->count ? &result->decisions[i] : NULL;
}

size_t peerguard_result_matched_count(const peerguard_result *result)
{
	return result ? result->matched : 0;
}

size_t peerguard_result_error_count(const peerguard_result *result)
{
	return result ? result->n_errors : 0;
}

int peerguard_result_error(const peerguard_result *result, size_t i, peerguard_error *err)
{
	if (!result || i >= result->n_errors)
		return PEERGUARD_ENOTFOUND;
	if (err)
		*err = result->errors[i];
	return 0;
}

const char *peerguard_side_name(peerguard_side side)
{
	switch (side) {
	case PEERGUARD_SIDE_NEITHER: return "neither";
	case PEERGUARD_SIDE_REQUESTER: return "requester";
	case PEERGUARD_SIDE_ACCEPTER: return "accepter";
	case PEERGUARD_SIDE_BOTH: return "both";
	default: return "unknown";
	}
}

const char *peerguard_action_name(peerguard_action action)
{
	switch (action) {
	case PEERGUARD_ACTION_REJECT: return "reject";
	case PEERGUARD_ACTION_DELETE: return "delete";
	case PEERGUARD_ACTION_WAIT: return "wait";
	default: return "none";
	}
}

static const char *field(const peerguard_decision *d, const char *key)
{
	const char *s = d ? json_string_at(d->obj, key) : NULL;

	return s ? s : "";
}

const char *peerguard_decision_policy(const peerguard_decision *d) { return field(d, "policy"); }
const char *peerguard_decision_resource_id(const peerguard_decision *d) { return field(d, "resource_id"); }
int peerguard_decision_matched(const peerguard_decision *d) { return d ? d->matched : 0; }
peerguard_side peerguard_decision_side(const peerguard_decision *d) { return d ? d->side : PEERGUARD_SIDE_UNKNOWN; }
const char *peerguard_decision_state(const peerguard_decision *d) { return field(d, "state"); }
peerguard_action peerguard_decision_action(const peerguard_decision *d) { return d ? d->action : PEERGUARD_ACTION_NONE; }
const char *peerguard_decision_api_call(const peerguard_decision *d) { return field(d, "api_call"); }
const char *peerguard_decision_region(const peerguard_decision *d) { return field(d, "region"); }
const char *peerguard_decision_reason(const peerguard_decision *d) { return field(d, "reason"); }

peerguard_state_source peerguard_decision_state_source(const peerguard_decision *d)
{
	return d ? d->source : PEERGUARD_SOURCE_DESCRIBE;
}

double peerguard_decision_state_time(const peerguard_decision *d)
{
	return d ? d->state_time : 0;
}

size_t peerguard_decision_violation_count(const peerguard_decision *d)
{
	return d ? json_array_size(json_object_get(d->obj, "violations")) : 0;
}

const char *peerguard_decision_violation(const peerguard_decision *d, size_t i)
{
	json_t *v = d ? json_array_get(json_object_get(d->obj, "violations"), i) : NULL;

	return v ? json_string_value(v) : NULL;
}

const char *peerguard_decision_event_id(const peerguard_decision *d)
{
	json_t *event = d ? json_object_get(d->obj, "event") : NULL;
	const char *id = json_string_at(event, "id");

	return id ? id : "";
}

int peerguard_decision_to_json(char **out, const peerguard_decision *d, unsigned int flags)
{
	if (!out)
		return PEERGUARD_EINVAL;
	*out = NULL;
	if (!d)
		return PEERGUARD_EINVAL;
	*out = json_dumps(d->obj, JSON_PRESERVE_ORDER |
		((flags & PEERGUARD_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT));
	return *out ? 0 : PEERGUARD_ENOMEM;
}
