/* Remediating decisions and whole input documents, and the remediator's metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decide.h"
#include "core/decision.h"
#include "core/internal.h"
#include "remediate/internal.h"
#include "remediate/util.h"

static const policy *find_policy(const peerguard_policy_set *set, const char *name)
{
	for (size_t i = 0; name && i < set->count; i++)
		if (strcmp(set->policies[i].name, name) == 0)
			return &set->policies[i];
	return NULL;
}

/* The region of our VPC: where describe and delete go. */
static const char *our_region(peerguard_remediator *r, json_t *obj)
{
	const char *side = json_string_at(obj, "side");
	const char *region = NULL;

	if (side && strcmp(side, "accepter") == 0)
		region = json_string_at(json_object_get(obj, "accepter"), "region");
	else if (side && (strcmp(side, "requester") == 0 || strcmp(side, "both") == 0))
		region = json_string_at(json_object_get(obj, "requester"), "region");
	if (!region || !*region)
		region = json_string_at(obj, "region");
	if (!region || !*region)
		region = r->region;
	if (!region || !*region)
		region = peerguard_client_region(r->client);
	return region;
}

int remediation_skipped(peerguard_remediation **out, peerguard_remediator *r, const rem_target *t, const char *why,
	peerguard_error *err)
{
	char id[33];
	peerguard_remediation *rem;

	rem_random_id(id);
	rem = remediation_new(r, t, id);
	if (!rem)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	json_object_set_new(rem->report, "reason", json_string(why));
	json_object_set_new(rem->report, "safe", json_true());
	*out = rem;
	return 0;
}

int remediator_target(rem_target *t, const char **skip, peerguard_remediator *r, const peerguard_decision *d,
	peerguard_error *err)
{
	json_t *obj = d->obj;
	json_t *event = json_object_get(obj, "event");
	const char *side = json_string_at(obj, "side");
	const char *state = json_string_at(obj, "state");
	const char *event_time = json_string_at(event, "time");

	memset(t, 0, sizeof(*t));
	*skip = NULL;
	t->decision = obj;
	t->policy = find_policy(r->set, json_string_at(obj, "policy"));
	t->resource_id = json_string_at(obj, "resource_id");
	t->account_id = json_string_at(obj, "account_id");
	if (!t->account_id || !*t->account_id)
		t->account_id = r->account_id;
	t->region = our_region(r, obj);
	t->event_id = json_string_at(event, "id") ? json_string_at(event, "id") : "";
	t->event_name = json_string_at(event, "name");
	if (event_time)
		time_parse_rfc3339(event_time, &t->event_time);
	if (!event)
		t->first_seen = d->state_time > 0 ? d->state_time : remediator_now(r);

	if (!t->policy)
		return error_set(err, PEERGUARD_EINVAL, NULL, "decision of policy '%s' was not made with this "
			"remediator's policy set", json_string_at(obj, "policy") ? json_string_at(obj, "policy") : "");
	if (!t->resource_id || !*t->resource_id)
		*skip = "The record names no VPC peering connection id.";
	else if (!d->matched)
		*skip = "The policy did not match.";
	else if (t->policy->removal == REMOVAL_NONE)
		*skip = "The policy has no delete or reject action.";
	else if (side && strcmp(side, "neither") == 0)
		*skip = "Neither side of the connection belongs to the protected account.";
	else if (!event && state && decide_state_is_terminal(state))
		*skip = "The connection is in a terminal state and can carry no traffic.";
	if (*skip)
		return 0;

	if (!t->account_id || !account_id_valid(t->account_id))
		return error_set(err, PEERGUARD_EINVAL, NULL, "no account id for %s: pass the protected account's "
			"12-digit id", t->resource_id);
	if (!t->region || !*t->region)
		return error_set(err, PEERGUARD_EINVAL, NULL, "no region for %s: the record names none; pass a region",
			t->resource_id);
	return 0;
}

int peerguard_remediate_decision(peerguard_remediation **out, peerguard_remediator *r, const peerguard_decision *d,
	peerguard_error *err)
{
	rem_target t;
	const char *skip;
	int rc;

	peerguard_error_clear(err);
	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!r || !d)
		return error_set(err, PEERGUARD_EINVAL, NULL, "a remediator and a decision are required");
	rc = remediator_target(&t, &skip, r, d, err);
	if (rc < 0)
		return rc;
	if (skip)
		return remediation_skipped(out, r, &t, skip, err);
	return remediator_run_target(out, r, &t, err);
}

/* Writes the "received" audit record of an event document: its name and the connections it names. */
static int audit_received(peerguard_remediator *r, const peerguard_result *res, const char *name, peerguard_error *err)
{
	char when[40];
	json_t *rec, *events = json_array();
	int rc;

	for (size_t i = 0; i < peerguard_result_count(res); i++) {
		const peerguard_decision *d = peerguard_result_get(res, i);
		json_t *item = json_pack("{s:s,s:s,s:s,s:b}", "event_id", peerguard_decision_event_id(d),
			"resource_id", peerguard_decision_resource_id(d), "policy", peerguard_decision_policy(d),
			"matched", peerguard_decision_matched(d));

		json_array_append_new(events, item);
	}
	time_format_rfc3339(remediator_now(r), when, sizeof(when));
	rec = json_pack("{s:s,s:s,s:s,s:s,s:o,s:i}", "time", when, "step", "received", "input", name ? name : "<input>",
		"policy_revision", peerguard_policy_set_revision(r->set), "decisions", events,
		"input_errors", (int)peerguard_result_error_count(res));
	rc = rec ? audit_append(r->audit, rec, err) : error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	json_decref(rec);
	return rc;
}

/* Orders decisions so that, for one connection, a policy that can remove it comes before one that cannot. */
static int removal_rank(peerguard_remediator *r, const peerguard_decision *d)
{
	const policy *p = find_policy(r->set, peerguard_decision_policy(d));

	return p && p->removal != REMOVAL_NONE ? 0 : 1;
}

int peerguard_remediate_document(peerguard_remediation_list **out, peerguard_remediator *r, peerguard_input_kind kind,
	const char *data, size_t len, const char *name, peerguard_error *err)
{
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *res = NULL;
	peerguard_remediation_list *list;
	json_t *seen;
	int rc;

	peerguard_error_clear(err);
	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!r || !data)
		return error_set(err, PEERGUARD_EINVAL, NULL, "a remediator and a document are required");
	if (kind != PEERGUARD_INPUT_RESOURCES)
		metrics_event(&r->metrics, remediator_now(r));

	ctx.account_id = r->account_id;
	ctx.region = r->region;
	ctx.now = remediator_now(r);
	ctx.flags = PEERGUARD_MATCHED_ONLY;
	rc = peerguard_evaluate(&res, r->set, &ctx, kind, data, len, name, err);
	if (rc < 0)
		return rc;
	list = calloc(1, sizeof(*list));
	seen = json_object();
	if (!list || !seen) {
		free(list);
		json_decref(seen);
		peerguard_result_free(res);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}
	list->input_errors = peerguard_result_error_count(res);
	if (kind != PEERGUARD_INPUT_RESOURCES && (rc = audit_received(r, res, name, err)) < 0)
		goto fail;

	/* Two passes: policies that can remove a connection first, so they win over notify-only ones. */
	for (int rank = 0; rank < 2; rank++) {
		for (size_t i = 0; i < peerguard_result_count(res); i++) {
			const peerguard_decision *d = peerguard_result_get(res, i);
			peerguard_remediation *rem = NULL;
			char key[512];

			if (!d->matched || removal_rank(r, d) != rank)
				continue;
			snprintf(key, sizeof(key), "%s|%s", peerguard_decision_event_id(d), peerguard_decision_resource_id(d));
			if (json_object_get(seen, key))
				continue;
			json_object_set_new(seen, key, json_true());
			rc = peerguard_remediate_decision(&rem, r, d, err);
			if (rc < 0)
				goto fail;
			rc = remediation_list_add(list, rem);
			if (rc < 0) {
				error_set(err, rc, NULL, "out of memory");
				goto fail;
			}
		}
	}
	json_decref(seen);
	peerguard_result_free(res);
	*out = list;
	return 0;

fail:
	json_decref(seen);
	peerguard_result_free(res);
	peerguard_remediation_list_free(list);
	return rc;
}

int peerguard_remediator_write_metrics(peerguard_remediator *r, const char *path, const char *extra,
	peerguard_error *err)
{
	char *text, *all;
	size_t n;
	int rc;

	peerguard_error_clear(err);
	if (!r || !path)
		return error_set(err, PEERGUARD_EINVAL, NULL, "a remediator and a path are required");
	text = metrics_render(&r->metrics, remediator_now(r), r->max_quiet);
	if (!text)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	n = strlen(text) + (extra ? strlen(extra) : 0) + 1;
	all = malloc(n);
	if (!all) {
		free(text);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}
	snprintf(all, n, "%s%s", text, extra ? extra : "");
	rc = metrics_write_file(path, all, err);
	free(all);
	free(text);
	return rc;
}

double peerguard_remediator_quiet_seconds(peerguard_remediator *r)
{
	return r ? metrics_quiet_seconds(&r->metrics, remediator_now(r)) : 0;
}
