/* Remediation reports: creation, accessors, JSON and lists. */
#include <stdlib.h>
#include <string.h>

#include "core/decision.h"
#include "core/internal.h"
#include "remediate/internal.h"

static const char *const outcome_names[] = { "remediated", "already-safe", "already-remediated", "planned",
	"skipped", "unsafe", "not-found", "denied", "failed" };

const char *peerguard_outcome_name(peerguard_outcome outcome)
{
	if ((int)outcome < 0 || (size_t)outcome >= sizeof(outcome_names) / sizeof(outcome_names[0]))
		return "unknown";
	return outcome_names[outcome];
}

int outcome_is_safe(peerguard_outcome outcome)
{
	return outcome == PEERGUARD_OUTCOME_REMEDIATED || outcome == PEERGUARD_OUTCOME_ALREADY_SAFE ||
		outcome == PEERGUARD_OUTCOME_ALREADY_REMEDIATED;
}

int outcome_is_failure(peerguard_outcome outcome)
{
	return outcome == PEERGUARD_OUTCOME_UNSAFE || outcome == PEERGUARD_OUTCOME_NOT_FOUND ||
		outcome == PEERGUARD_OUTCOME_DENIED || outcome == PEERGUARD_OUTCOME_FAILED;
}

/* Returns a new copy of an owner object of the decision, or an empty object. */
static json_t *side_copy(json_t *decision, const char *key)
{
	json_t *side = json_object_get(decision, key);

	return json_is_object(side) ? json_deep_copy(side) : json_object();
}

peerguard_remediation *remediation_new(peerguard_remediator *r, const rem_target *t, const char *decision_id)
{
	peerguard_remediation *rem = calloc(1, sizeof(*rem));
	json_t *event = json_object_get(t->decision, "event");

	if (!rem)
		return NULL;
	rem->outcome = PEERGUARD_OUTCOME_SKIPPED;
	copy_truncated(rem->resource_id, sizeof(rem->resource_id), t->resource_id);
	rem->report = json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:{s:s,s:o,s:o},s:s?,s:O?,s:s?,s:[]}",
		"decision_id", decision_id,
		"outcome", "skipped",
		"dry_run", !r->execute,
		"policy", t->policy ? t->policy->name : json_string_at(t->decision, "policy"),
		"policy_revision", peerguard_policy_set_revision(r->set),
		"account_id", t->account_id,
		"region", t->region,
		"connection", "id", t->resource_id, "requester", side_copy(t->decision, "requester"),
		"accepter", side_copy(t->decision, "accepter"),
		"side", json_string_at(t->decision, "side"),
		"event", json_is_object(event) ? event : NULL,
		"caller", json_string_at(event, "caller"),
		"steps");
	if (!rem->report) {
		free(rem);
		return NULL;
	}
	return rem;
}

peerguard_outcome peerguard_remediation_outcome(const peerguard_remediation *rem)
{
	return rem ? rem->outcome : PEERGUARD_OUTCOME_FAILED;
}

int peerguard_remediation_code(const peerguard_remediation *rem)
{
	return rem ? rem->code : PEERGUARD_EINVAL;
}

const char *peerguard_remediation_resource_id(const peerguard_remediation *rem)
{
	return rem ? rem->resource_id : "";
}

const char *peerguard_remediation_final_state(const peerguard_remediation *rem)
{
	return rem ? rem->final_state : "";
}

int peerguard_remediation_to_json(char **out, const peerguard_remediation *rem, unsigned int flags)
{
	size_t format = (flags & PEERGUARD_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT;

	if (!out)
		return PEERGUARD_EINVAL;
	*out = NULL;
	if (!rem)
		return PEERGUARD_EINVAL;
	*out = json_dumps(rem->report, JSON_PRESERVE_ORDER | format);
	return *out ? 0 : PEERGUARD_ENOMEM;
}

void peerguard_remediation_free(peerguard_remediation *rem)
{
	if (!rem)
		return;
	json_decref(rem->report);
	free(rem);
}

int remediation_list_add(peerguard_remediation_list *list, peerguard_remediation *rem)
{
	if (list->count == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 8;
		peerguard_remediation **items = realloc(list->items, ncap * sizeof(*items));

		if (!items) {
			peerguard_remediation_free(rem);
			return PEERGUARD_ENOMEM;
		}
		list->items = items;
		list->cap = ncap;
	}
	list->items[list->count++] = rem;
	return 0;
}

size_t peerguard_remediation_list_count(const peerguard_remediation_list *list)
{
	return list ? list->count : 0;
}

const peerguard_remediation *peerguard_remediation_list_get(const peerguard_remediation_list *list, size_t i)
{
	return list && i < list->count ? list->items[i] : NULL;
}

size_t peerguard_remediation_list_input_errors(const peerguard_remediation_list *list)
{
	return list ? list->input_errors : 0;
}

void peerguard_remediation_list_free(peerguard_remediation_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		peerguard_remediation_free(list->items[i]);
	free(list->items);
	free(list);
}
