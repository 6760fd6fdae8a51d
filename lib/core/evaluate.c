/*
 * Evaluating an input against a policy set: records to resources, resources
 * through conditions and filters, matches to decisions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core/decide.h"
#include "core/decision.h"
#include "core/describe_table.h"
#include "core/eval.h"
#include "core/fast_filter.h"
#include "core/evaluate.h"
#include "core/input.h"
#include "core/internal.h"
#include "core/policy.h"
#include "core/prefilter.h"
#include "core/split.h"

typedef struct run {
	const peerguard_policy_set *set;
	const peerguard_context *ctx;
	double now;
	eval_env *envs;            /* one per policy */
	peerguard_result *result;
	const char *input_name;
	fast_plan *plans;          /* one per policy, prepared on first use */
	signed char *plan_state;   /* per policy: 0 not prepared, 1 usable, -1 run as a batch */
} run;

static double clock_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void add_eval_error(run *r, const peerguard_error *e, size_t index)
{
	peerguard_error copy = *e;
	char where[64];

	if (!copy.file[0])
		copy_truncated(copy.file, sizeof(copy.file), r->input_name);
	snprintf(where, sizeof(where), "record %zu", index);
	if (!copy.path[0])
		copy_truncated(copy.path, sizeof(copy.path), where);
	result_add_error(r->result, &copy);
}

/* The pseudo-resource conditions are evaluated on, as Cloud Custodian builds it. */
static json_t *condition_resource(const policy *p, const eval_env *env)
{
	char now[40];

	time_format_rfc3339(env->vars.now, now, sizeof(now));
	return json_pack("{s:s,s:s?,s:s,s:s,s:s?,s:s,s:{s:s}}", "name", p->name, "region", env->vars.region,
		"resource", "aws.peering-connection", "provider", "aws", "account_id", env->vars.account_id,
		"now", now, "policy", "name", p->name);
}

static json_t *side_info(json_t *resource, const char *key)
{
	json_t *info = json_object_get(resource, key);
	char buf[32];
	const char *owner = account_id_text(json_object_get(info, "OwnerId"), buf, sizeof(buf));

	return json_pack("{s:s?,s:s?,s:s?}", "owner_id", owner, "vpc_id", json_string_at(info, "VpcId"),
		"region", json_string_at(info, "Region"));
}

static json_t *event_info(json_t *record, json_t *envelope)
{
	json_t *identity = json_object_get(record, "userIdentity");

	return json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "id", json_string_at(record, "eventID"),
		"name", json_string_at(record, "eventName"), "time", json_string_at(record, "eventTime"),
		"source", json_string_at(record, "eventSource"), "region", json_string_at(record, "awsRegion"),
		"account", json_string_at(record, "recipientAccountId"), "caller", json_string_at(identity, "arn"),
		"envelope_id", json_string_at(envelope, "id"));
}

/* What one policy decided about a batch of resources. */
typedef struct batch_result {
	eval_record *records;       /* per resource, or NULL for the results of a table */
	eval_record **failed;       /* per table row: the findings of a row that failed, else NULL */
	json_t **violations;        /* per table row: the violations of a row that matched, else NULL */
	unsigned char *matched;     /* per resource */
	size_t count;
	int cond;                   /* the policy's conditions held */
} batch_result;

static void batch_result_clear(batch_result *b)
{
	for (size_t i = 0; b->records && i < b->count; i++) {
		json_decref(b->records[i].violations);
		json_decref(b->records[i].explain);
	}
	for (size_t i = 0; b->failed && i < b->count; i++) {
		if (!b->failed[i])
			continue;
		json_decref(b->failed[i]->violations);
		json_decref(b->failed[i]->explain);
		free(b->failed[i]);
	}
	for (size_t i = 0; b->violations && i < b->count; i++)
		json_decref(b->violations[i]);
	free(b->records);
	free(b->failed);
	free(b->violations);
	free(b->matched);
	memset(b, 0, sizeof(*b));
}

/*
 * Returns the findings of resource k (borrowed): its record, or for a
 * table row tmp filled with the row's violations.  Returns NULL for a
 * table row that neither matched nor failed.
 */
static eval_record *batch_record(const batch_result *b, size_t k, eval_record *tmp)
{
	if (b->records)
		return &b->records[k];
	if (b->failed && b->failed[k])
		return b->failed[k];
	if (!b->matched[k])
		return NULL;
	tmp->violations = b->violations[k];
	tmp->explain = NULL;
	tmp->failed = 0;
	tmp->err.code = 0;
	tmp->err.message[0] = '\0';
	return tmp;
}

static int matched_only(const run *r)
{
	return r->ctx && (r->ctx->flags & PEERGUARD_MATCHED_ONLY);
}

/* Returns policy pi's record-by-record plan, preparing it on first use, or NULL when the policy runs as a batch. */
static fast_plan *run_plan(run *r, size_t pi)
{
	if (!r->plans) {
		r->plans = calloc(r->set->count ? r->set->count : 1, sizeof(*r->plans));
		r->plan_state = calloc(r->set->count ? r->set->count : 1, sizeof(*r->plan_state));
		if (!r->plans || !r->plan_state) {
			free(r->plans);
			free(r->plan_state);
			r->plans = NULL;
			r->plan_state = NULL;
			return NULL;
		}
	}
	if (r->plan_state[pi] == 0)
		r->plan_state[pi] = fast_plan_init(&r->plans[pi], &r->set->policies[pi]) == 1 ? 1 : -1;
	return r->plan_state[pi] == 1 ? &r->plans[pi] : NULL;
}

/* Frees the run's filter environments and plans; the result stays. */
static void run_clear(run *r)
{
	for (size_t pi = 0; r->envs && pi < r->set->count; pi++)
		eval_env_clear(&r->envs[pi]);
	free(r->envs);
	for (size_t pi = 0; r->plans && pi < r->set->count; pi++)
		fast_plan_clear(&r->plans[pi]);
	free(r->plans);
	free(r->plan_state);
	r->envs = NULL;
	r->plans = NULL;
	r->plan_state = NULL;
}

/*
 * Evaluates policy pi's conditions on the pseudo-resource Cloud Custodian
 * builds and stores whether they held in *conditions_held.  cond_rec
 * receives the explain entries and the failure.  A policy without
 * conditions holds.
 */
static void run_conditions(int *conditions_held, eval_record *cond_rec, run *r, size_t pi, int explain)
{
	const policy *p = &r->set->policies[pi];
	json_t *pseudo;

	*conditions_held = 1;
	memset(cond_rec, 0, sizeof(*cond_rec));
	if (!p->conditions || !p->conditions->n_children)
		return;
	*conditions_held = 0;
	cond_rec->explain = explain ? json_array() : NULL;
	pseudo = condition_resource(p, &r->envs[pi]);
	filter_eval(conditions_held, p->conditions, pseudo, cond_rec, &r->envs[pi]);
	json_decref(pseudo);
}

/*
 * Runs policy pi's conditions and filters over resources[0..n), as Cloud
 * Custodian runs a policy over the resources of one describe call or one
 * event.  Returns 0, or -1 when out of memory.
 */
static int select_batch(batch_result *out, run *r, size_t pi, json_t **resources, size_t n,
	const char *account_id, const char *region, json_t *envelope)
{
	const policy *p = &r->set->policies[pi];
	eval_env *env = &r->envs[pi];
	int explain = r->ctx && (r->ctx->flags & PEERGUARD_EXPLAIN);
	eval_record cond_rec;
	fast_plan *plan;
	size_t *idx, k = n;

	memset(out, 0, sizeof(*out));
	out->records = calloc(n ? n : 1, sizeof(*out->records));
	out->matched = calloc(n ? n : 1, sizeof(*out->matched));
	idx = malloc((n ? n : 1) * sizeof(*idx));
	out->count = n;
	if (!out->records || !out->matched || !idx) {
		free(idx);
		batch_result_clear(out);
		return -1;
	}
	env->vars.account_id = account_id;
	env->vars.region = region;
	env->envelope = envelope;

	/*
	 * A record-by-record plan creates violations arrays only for records
	 * that reach a cross-account filter.  decide_resource gives the others
	 * an empty one.
	 */
	plan = explain ? NULL : run_plan(r, pi);
	for (size_t i = 0; i < n; i++) {
		idx[i] = i;
		out->records[i].violations = plan ? NULL : json_array();
		out->records[i].explain = explain ? json_array() : NULL;
	}

	run_conditions(&out->cond, &cond_rec, r, pi, explain);
	for (size_t i = 0; (cond_rec.explain || cond_rec.failed) && i < n; i++) {
		if (cond_rec.explain)
			json_array_extend(out->records[i].explain, cond_rec.explain);
		if (cond_rec.failed) {
			out->records[i].failed = 1;
			out->records[i].err = cond_rec.err;
		}
	}
	json_decref(cond_rec.explain);

	if (plan) {
		/* Every filter decides each record alone, so records run one at a time with memoised matches. */
		for (size_t i = 0; out->cond && !cond_rec.failed && i < n; i++) {
			int matched = 0;

			fast_plan_eval(&matched, plan, resources[i], &out->records[i], env);
			out->matched[i] = (unsigned char)(matched && !out->records[i].failed);
		}
		free(idx);
		return 0;
	}
	if (out->cond && !cond_rec.failed && filter_eval_batch(idx, &k, p->filters, resources, out->records, env) < 0) {
		free(idx);
		batch_result_clear(out);
		return -1;
	}
	for (size_t i = 0; out->cond && !cond_rec.failed && i < k; i++)
		if (!out->records[idx[i]].failed)
			out->matched[idx[i]] = 1;
	free(idx);
	return 0;
}

/*
 * Runs policy pi over the rows of table t with its plan bound to the
 * table, keeping findings only for rows that matched or failed.  Returns
 * 0, or -1 when out of memory.  Returns 1 when the policy must run on the
 * records' trees instead: with explain, without a record-by-record plan,
 * or when its conditions failed.
 */
static int select_table(batch_result *out, run *r, size_t pi, describe_table *t, const char *account_id,
	const char *region)
{
	eval_env *env = &r->envs[pi];
	fast_plan *plan = r->ctx && (r->ctx->flags & PEERGUARD_EXPLAIN) ? NULL : run_plan(r, pi);
	eval_record cond_rec, scratch;
	int conditions_held;

	memset(out, 0, sizeof(*out));
	if (!plan)
		return 1;
	env->vars.account_id = account_id;
	env->vars.region = region;
	env->envelope = NULL;
	run_conditions(&conditions_held, &cond_rec, r, pi, 0);
	if (cond_rec.failed)
		return 1;
	if (plan->table != t && fast_plan_bind(plan, t) < 0)
		return -1;

	out->failed = calloc(t->rows ? t->rows : 1, sizeof(*out->failed));
	out->violations = calloc(t->rows ? t->rows : 1, sizeof(*out->violations));
	out->matched = calloc(t->rows ? t->rows : 1, sizeof(*out->matched));
	out->count = t->rows;
	out->cond = conditions_held;
	if (!out->failed || !out->violations || !out->matched) {
		batch_result_clear(out);
		return -1;
	}
	if (!conditions_held)
		return 0;

	memset(&scratch, 0, sizeof(scratch));
	for (size_t row = 0; row < t->rows; row++) {
		int matched = 0;

		fast_plan_eval_row(&matched, plan, t, row, &scratch, env);

		/* A row that matched keeps its violations; one that failed keeps its findings. */
		if (scratch.failed) {
			if (!(out->failed[row] = malloc(sizeof(scratch)))) {
				json_decref(scratch.violations);
				batch_result_clear(out);
				return -1;
			}
			*out->failed[row] = scratch;
			memset(&scratch, 0, sizeof(scratch));
		} else if (matched) {
			out->matched[row] = 1;
			out->violations[row] = scratch.violations;
			scratch.violations = NULL;
		} else if (scratch.violations) {
			json_decref(scratch.violations);
			scratch.violations = NULL;
		}
	}
	return 0;
}

/* Appends the decision of policy pi about one resource, from what select_batch found. */
static void decide_resource(run *r, size_t pi, json_t *resource, json_t *record, json_t *envelope,
	const char *account_id, const char *region, double state_time, size_t index, const batch_result *batch,
	size_t k)
{
	const policy *p = &r->set->policies[pi];
	eval_record tmp, *rec = batch_record(batch, k, &tmp);
	int matched = batch->matched[k];
	json_t *obj, *violations;
	decide_out d;
	char time_text[40];
	peerguard_decision *dec;

	/* A table row without findings did not match and has no violations. */
	if (!rec) {
		memset(&tmp, 0, sizeof(tmp));
		rec = &tmp;
	}

	if (rec->failed) {
		if (!rec->err.message[0])
			error_set(&rec->err, PEERGUARD_EEVAL, NULL, "policy '%s' could not be evaluated", p->name);
		add_eval_error(r, &rec->err, index);
		matched = 0;
	}

	if (!matched && r->ctx && (r->ctx->flags & PEERGUARD_MATCHED_ONLY))
		return;

	if (matched) {
		decide_action(&d, resource, account_id, p->removal, p->reject_fallback_delete, region);
	} else {
		decide_action(&d, resource, account_id, REMOVAL_NONE, 0, region);
		snprintf(d.reason, sizeof(d.reason), "%s",
			rec->failed ? "The policy could not be evaluated; see the errors." :
			!batch->cond ? "The policy's conditions did not hold." : "The policy's filters did not match.");
	}

	time_format_rfc3339(state_time, time_text, sizeof(time_text));
	violations = rec->violations ? json_incref(rec->violations) : json_array();
	obj = json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:o,s:o,s:o,s:s}",
		"policy", p->name,
		"resource_id", json_string_at(resource, "VpcPeeringConnectionId") ? json_string_at(resource, "VpcPeeringConnectionId") : "",
		"matched", matched,
		"side", peerguard_side_name(d.side),
		"state", json_string_at(json_object_get(resource, "Status"), "Code") ? json_string_at(json_object_get(resource, "Status"), "Code") : "",
		"state_source", envelope ? "event" : "describe",
		"state_time", time_text,
		"action", peerguard_action_name(d.action),
		"api_call", d.api_call,
		"region", d.region ? d.region : "",
		"reason", d.reason,
		"account_id", account_id,
		"requester", side_info(resource, "RequesterVpcInfo"),
		"accepter", side_info(resource, "AccepterVpcInfo"),
		"violations", violations,
		"policy_revision", r->set->revision);
	if (obj && matched && json_array_size(p->passthrough))
		json_object_set(obj, "actions", p->passthrough);
	if (obj && envelope)
		json_object_set_new(obj, "event", event_info(record, envelope));
	if (obj && rec->explain)
		json_object_set(obj, "explain", rec->explain);

	dec = result_add(r->result, obj);
	if (dec) {
		dec->matched = matched;
		dec->side = d.side;
		dec->action = d.action;
		dec->source = envelope ? PEERGUARD_SOURCE_EVENT : PEERGUARD_SOURCE_DESCRIBE;
		dec->state_time = state_time;
		if (matched)
			r->result->matched++;
	}
}

/*
 * Adds id to ids when it is a pcx- string not yet there (c7n's match_ids
 * keeps pcx- ids only).  seen indexes ids, so that an event listing many
 * ids is read in linear time.
 */
static void collect_id(json_t *ids, json_t *seen, json_t *id)
{
	const char *text = json_string_value(id);
	size_t len = json_string_length(id);

	if (!json_is_string(id) || strncmp(text, "pcx-", 4) != 0 || json_object_getn(seen, text, len))
		return;
	if (json_object_setn_new_nocheck(seen, text, len, json_true()) == 0)
		json_array_append(ids, id);
}

/*
 * Extracts resource ids from a CloudTrail record for one policy: the first
 * matching event with ids wins.  An ids expression that fails (a JMESPath
 * limit) is reported in *failure, so the event is not passed over in silence.
 */
static json_t *extract_ids(const policy *p, const peerguard_limits *limits, json_t *record, json_t *envelope,
	peerguard_error *failure)
{
	const char *source = json_string_at(record, "eventSource");
	const char *name = json_string_at(record, "eventName");
	jmespath_limits jl = { limits->jmespath_max_steps, limits->jmespath_max_length };
	const trail_event *listened = NULL;

	if (!source || !name)
		return NULL;
	for (size_t i = 0; i < p->n_events; i++) {
		const trail_event *te = &p->events[i];
		jmespath_error jerr;
		json_t *found = NULL, *ids, *seen;

		if (strcmp(te->source, source) != 0 || strcmp(te->event, name) != 0)
			continue;
		listened = te;
		if (jmespath_search(&found, te->ids, te->ids_on_envelope ? envelope : record, &jl, &jerr) < 0) {
			error_site site = { NULL, 0, 0, p->name, NULL };

			error_set(failure, jerr.kind == JMESPATH_ERR_LIMIT ? PEERGUARD_ELIMIT : PEERGUARD_EEVAL, &site,
				"policy '%s': ids '%s' failed on the %s event: %s", p->name, te->ids_text, name, jerr.message);
			continue;
		}
		ids = json_array();
		seen = json_object();
		if (json_is_array(found)) {
			size_t k;
			json_t *id;

			json_array_foreach(found, k, id)
				collect_id(ids, seen, id);
		} else {
			collect_id(ids, seen, found);
		}
		json_decref(seen);
		json_decref(found);
		if (json_array_size(ids) > 0)
			return ids;
		json_decref(ids);
	}

	/* A successful call the policy listens to that names no connection would be dropped silently. */
	if (listened && !failure->code) {
		error_site site = { NULL, 0, 0, p->name, NULL };

		error_set(failure, PEERGUARD_EINPUT, &site,
			"policy '%s': ids '%s' found no pcx- connection id in the %s event %s; check the ids expression against the record",
			p->name, listened->ids_text, name,
			json_string_at(record, "eventID") ? json_string_at(record, "eventID") : "(no eventID)");
	}
	return NULL;
}

static int event_is_skipped(json_t *record)
{
	json_t *code = json_object_get(record, "errorCode");

	/* Failed calls and DryRun calls (errorCode Client.DryRunOperation) change nothing. */
	return code && !json_is_null(code);
}

static void evaluate_event(run *r, const input_item *item)
{
	json_t *record = item->record, *envelope = item->envelope;
	const char *account = r->ctx && r->ctx->account_id ? r->ctx->account_id : NULL;
	const char *region = r->ctx && r->ctx->region ? r->ctx->region : json_string_at(record, "awsRegion");
	const char *event_time = json_string_at(record, "eventTime");
	json_t *element = json_object_get(json_object_get(record, "responseElements"), "vpcPeeringConnection");
	double state_time = r->now;
	char account_buf[32];

	if (!account) {
		account = account_id_text(json_object_get(record, "recipientAccountId"), account_buf, sizeof(account_buf));
		if (!account || !account_id_valid(account))
			account = json_string_at(envelope, "account");
		/* The record is attacker-influenced: only a well-formed id may decide our side. */
		if (account && !account_id_valid(account))
			account = NULL;
	}
	if (event_time)
		time_parse_rfc3339(event_time, &state_time);
	if (event_is_skipped(record))
		return;

	for (size_t pi = 0; pi < r->set->count; pi++) {
		const policy *p = &r->set->policies[pi];
		peerguard_error failure;
		json_t *ids, *id, **resources;
		batch_result batch;
		size_t k, n;

		if (p->mode != MODE_CLOUDTRAIL)
			continue;
		failure.code = 0;
		ids = extract_ids(p, &r->set->limits, record, envelope, &failure);
		if (failure.code)
			add_eval_error(r, &failure, item->index);
		if (!ids)
			continue;

		/* The event's resources are one batch, as c7n filters what one event resolves to. */
		n = json_array_size(ids);
		resources = calloc(n, sizeof(*resources));
		if (!resources) {
			json_decref(ids);
			continue;
		}
		json_array_foreach(ids, k, id) {
			if (element && json_is_string(json_object_get(element, "vpcPeeringConnectionId")) &&
			    json_equal(json_object_get(element, "vpcPeeringConnectionId"), id))
				resources[k] = input_describe_from_event(element);
			else
				resources[k] = json_pack("{s:O}", "VpcPeeringConnectionId", id);
		}
		for (k = 0; k < n && resources[k]; k++)
			;
		if (k == n && select_batch(&batch, r, pi, resources, n, account, region, envelope) == 0) {
			for (k = 0; k < n; k++)
				decide_resource(r, pi, resources[k], record, envelope, account, region, state_time,
					item->index, &batch, k);
			batch_result_clear(&batch);
		}
		for (k = 0; k < n; k++)
			json_decref(resources[k]);
		free(resources);
		json_decref(ids);
	}
}

/*
 * Runs every pull and periodic policy over all describe records of the
 * input at once, as c7n runs a policy over one describe call.  A policy
 * runs over the batch's table when there is one and the policy can, else
 * over the records' trees.  Returns an array of count batch results, one
 * per policy (empty for cloudtrail ones), or NULL when out of memory.
 * *index_out receives the position of each item among the describe
 * records.
 */
static batch_result *select_describe(run *r, input_batch *batch, size_t **index_out)
{
	const char *account = r->ctx ? r->ctx->account_id : NULL;
	const char *region = r->ctx ? r->ctx->region : NULL;
	batch_result *results = calloc(r->set->count ? r->set->count : 1, sizeof(*results));
	size_t *index = calloc(batch->count ? batch->count : 1, sizeof(*index));
	json_t **records = NULL;
	size_t n = 0;

	if (!results || !index)
		goto fail;
	for (size_t i = 0; i < batch->count; i++)
		if (!batch->items[i].is_event)
			index[i] = n++;
	for (size_t pi = 0; pi < r->set->count; pi++) {
		int rc = 1;

		if (r->set->policies[pi].mode == MODE_CLOUDTRAIL)
			continue;
		if (batch->table && (rc = select_table(&results[pi], r, pi, batch->table, account, region)) < 0)
			goto fail;
		if (rc == 0)
			continue;

		/* This policy reads whole records: build every tree once. */
		if (!records) {
			if (!(records = calloc(n ? n : 1, sizeof(*records))))
				goto fail;
			for (size_t i = 0; i < batch->count; i++)
				if (!batch->items[i].is_event &&
				    !(records[index[i]] = input_item_record(batch, &batch->items[i])))
					goto fail;
		}
		if (select_batch(&results[pi], r, pi, records, n, account, region, NULL) < 0)
			goto fail;
	}
	free(records);
	*index_out = index;
	return results;

fail:
	for (size_t pi = 0; results && pi < r->set->count; pi++)
		batch_result_clear(&results[pi]);
	free(results);
	free(records);
	free(index);
	return NULL;
}

/* Appends the decisions about describe record item, building its tree only when one is due. */
static void evaluate_describe(run *r, input_batch *batch, const input_item *item, const batch_result *results,
	size_t k)
{
	const char *account = r->ctx ? r->ctx->account_id : NULL;
	const char *region = r->ctx ? r->ctx->region : NULL;

	for (size_t pi = 0; pi < r->set->count; pi++) {
		eval_record tmp;
		const eval_record *rec;
		json_t *resource;

		if (r->set->policies[pi].mode == MODE_CLOUDTRAIL)
			continue;
		rec = batch_record(&results[pi], k, &tmp);
		if (matched_only(r) && !results[pi].matched[k] && !(rec && rec->failed))
			continue;
		if (!(resource = input_item_record(batch, item))) {
			peerguard_error e;

			error_set(&e, PEERGUARD_ENOMEM, NULL, "out of memory");
			add_eval_error(r, &e, item->index);
			return;
		}
		decide_resource(r, pi, resource, NULL, NULL, account, region, r->now, item->index, &results[pi], k);
	}
}

/* Stops a policy that matched more resources than its max-resources from acting on any of them. */
static void enforce_max_resources(run *r)
{
	for (size_t pi = 0; pi < r->set->count; pi++) {
		const policy *p = &r->set->policies[pi];
		size_t matched = 0;

		if (!p->max_resources)
			continue;
		for (size_t i = 0; i < r->result->count; i++)
			if (r->result->decisions[i].matched &&
			    strcmp(json_string_at(r->result->decisions[i].obj, "policy"), p->name) == 0)
				matched++;
		if (matched <= (size_t)p->max_resources)
			continue;
		for (size_t i = 0; i < r->result->count; i++) {
			peerguard_decision *d = &r->result->decisions[i];
			char reason[256];

			if (!d->matched || strcmp(json_string_at(d->obj, "policy"), p->name) != 0)
				continue;
			snprintf(reason, sizeof(reason),
				"The policy matched %zu resources, more than its max-resources of %ld, so no action is taken.",
				matched, p->max_resources);
			d->action = PEERGUARD_ACTION_NONE;
			json_object_set_new(d->obj, "action", json_string("none"));
			json_object_set_new(d->obj, "api_call", json_string(""));
			json_object_set_new(d->obj, "reason", json_string(reason));
		}
		{
			peerguard_error e;
			error_site site = { r->input_name, 0, 0, p->name, NULL };

			error_set(&e, PEERGUARD_ELIMIT, &site,
				"policy '%s' matched %zu resources, more than max-resources %ld; no action taken",
				p->name, matched, p->max_resources);
			result_add_error(r->result, &e);
		}
	}
}

/*
 * Reads data[0..len), or the file at path when path is set, into batch,
 * leaving unparsed the records the prefilter shows no policy can match
 * unless ctx sets PEERGUARD_PARSE_ALL.
 */
static int read_input(input_batch *batch, const peerguard_policy_set *set, const peerguard_context *ctx,
	peerguard_input_kind kind, const char *data, size_t len, const char *path, const char *name,
	peerguard_error *err)
{
	prefilter pf;
	projection proj;
	const prefilter *use = NULL;
	const projection *table = NULL;
	int rc;

	if (!(ctx && (ctx->flags & PEERGUARD_PARSE_ALL))) {
		if (prefilter_init(&pf, set) < 0)
			return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		use = &pf;
	}

	/* Describe records stay text when only matches are reported and every pull policy reads them in part. */
	if (use && ctx && kind != PEERGUARD_INPUT_EVENTS && (ctx->flags & PEERGUARD_MATCHED_ONLY) &&
	    !(ctx->flags & PEERGUARD_EXPLAIN)) {
		if ((rc = projection_init(&proj, set)) < 0) {
			prefilter_clear(&pf);
			return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		}
		if (rc == 1)
			table = &proj;
	}
	if (path)
		rc = input_read_file(batch, use, table, path, name, kind, &set->limits, err);
	else
		rc = input_read_memory(batch, use, table, data, len, name, kind, &set->limits, err);
	if (table)
		projection_clear(&proj);
	if (use)
		prefilter_clear(&pf);
	return rc;
}

/* Prepares a run: the result and one filter environment per policy.  Returns 0, or -1 when out of memory. */
static int run_start(run *r, const peerguard_policy_set *set, const peerguard_context *ctx, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->set = set;
	r->ctx = ctx;
	r->now = ctx && ctx->now > 0 ? ctx->now : clock_now();
	r->input_name = name ? name : "<input>";

	r->result = calloc(1, sizeof(*r->result));
	r->envs = calloc(set->count ? set->count : 1, sizeof(*r->envs));
	if (!r->result || !r->envs)
		return -1;
	for (size_t pi = 0; pi < set->count; pi++) {
		if (eval_env_init(&r->envs[pi], &set->policies[pi], &set->limits) < 0)
			return -1;
		r->envs[pi].vars.now = r->now;
		r->envs[pi].vars.policy = set->policies[pi].name;
	}
	return 0;
}

int evaluate_select(unsigned char *matched, const peerguard_policy_set *set, const peerguard_context *ctx,
	json_t **resources, size_t n)
{
	const char *account = ctx ? ctx->account_id : NULL;
	const char *region = ctx ? ctx->region : NULL;
	run r;
	int rc = 0;

	memset(matched, 0, n);
	if (run_start(&r, set, ctx, NULL) < 0)
		rc = -1;
	for (size_t pi = 0; rc == 0 && pi < set->count; pi++) {
		batch_result b;

		if (set->policies[pi].mode == MODE_CLOUDTRAIL)
			continue;
		if (select_batch(&b, &r, pi, resources, n, account, region, NULL) < 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < n; k++)
			matched[k] |= b.matched[k];
		batch_result_clear(&b);
	}
	run_clear(&r);
	peerguard_result_free(r.result);
	return rc;
}

int evaluate_batch(peerguard_result **out, const peerguard_policy_set *set, const peerguard_context *ctx,
	input_batch *batch, const char *name, peerguard_error *err)
{
	run r;
	batch_result *describe;
	size_t *describe_index = NULL;
	int rc;

	if (run_start(&r, set, ctx, name) < 0) {
		rc = error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		goto fail;
	}

	for (size_t i = 0; i < batch->n_errors; i++)
		result_add_error(r.result, &batch->errors[i]);
	describe = select_describe(&r, batch, &describe_index);
	if (!describe) {
		rc = error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < batch->count; i++) {
		if (batch->items[i].is_event)
			evaluate_event(&r, &batch->items[i]);
		else
			evaluate_describe(&r, batch, &batch->items[i], describe, describe_index[i]);
	}
	for (size_t pi = 0; pi < set->count; pi++)
		batch_result_clear(&describe[pi]);
	free(describe);
	free(describe_index);
	enforce_max_resources(&r);

	if (batch->count == 0 && batch->n_errors > 0 && batch->n_notes == 0) {
		rc = batch->errors[0].code;
		if (err)
			*err = batch->errors[0];
		goto fail;
	}

	run_clear(&r);
	*out = r.result;
	return 0;

fail:
	run_clear(&r);
	peerguard_result_free(r.result);
	return rc;
}

/* Evaluates data[0..len), or the file at path when path is set. */
static int evaluate_input(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, peerguard_input_kind kind, const char *data, size_t len,
	const char *path, const char *name, peerguard_error *err)
{
	input_batch batch;
	int rc;

	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!set || (!data && !path))
		return error_set(err, PEERGUARD_EINVAL, NULL, "set and data must not be NULL");
	if (ctx && ctx->version != PEERGUARD_CONTEXT_VERSION)
		return error_set(err, PEERGUARD_EINVAL, NULL, "peerguard_context.version is %u, expected %u; initialise it with PEERGUARD_CONTEXT_INIT",
			ctx->version, PEERGUARD_CONTEXT_VERSION);
	if (ctx && ctx->account_id && !account_id_valid(ctx->account_id))
		return error_set(err, PEERGUARD_EINVAL, NULL, "account id '%s' is not 12 digits", ctx->account_id);
	if (kind != PEERGUARD_INPUT_AUTO && kind != PEERGUARD_INPUT_EVENTS && kind != PEERGUARD_INPUT_RESOURCES)
		return error_set(err, PEERGUARD_EINVAL, NULL,
			"input kind %d is invalid; use PEERGUARD_INPUT_AUTO, _EVENTS or _RESOURCES", (int)kind);
	peerguard_error_clear(err);

	memset(&batch, 0, sizeof(batch));
	name = name ? name : "<input>";
	rc = read_input(&batch, set, ctx, kind, data, len, path, name, err);
	if (rc == 0)
		rc = evaluate_batch(out, set, ctx, &batch, name, err);
	input_batch_clear(&batch);
	return rc;
}

int peerguard_evaluate(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, peerguard_input_kind kind, const char *data, size_t len,
	const char *name, peerguard_error *err)
{
	return evaluate_input(out, set, ctx, kind, data, len, NULL, name, err);
}

int peerguard_evaluate_event(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, const char *json, size_t len, peerguard_error *err)
{
	return peerguard_evaluate(out, set, ctx, PEERGUARD_INPUT_EVENTS, json, len, NULL, err);
}

int peerguard_evaluate_resources(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, const char *json, size_t len, peerguard_error *err)
{
	return peerguard_evaluate(out, set, ctx, PEERGUARD_INPUT_RESOURCES, json, len, NULL, err);
}

int peerguard_evaluate_file(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, peerguard_input_kind kind, const char *path, peerguard_error *err)
{
	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!set || !path)
		return error_set(err, PEERGUARD_EINVAL, NULL, "set and path must not be NULL");
	return evaluate_input(out, set, ctx, kind, NULL, 0, path, strcmp(path, "-") == 0 ? "<stdin>" : path, err);
}

int evaluate_select_batch(unsigned char *matched, const peerguard_policy_set *set, const peerguard_context *ctx,
	input_batch *batch)
{
	batch_result *results;
	size_t *index = NULL;
	run r;

	memset(matched, 0, batch->count);
	if (run_start(&r, set, ctx, NULL) < 0 || !(results = select_describe(&r, batch, &index))) {
		run_clear(&r);
		peerguard_result_free(r.result);
		return -1;
	}
	for (size_t pi = 0; pi < set->count; pi++) {
		for (size_t i = 0; results[pi].matched && i < batch->count; i++)
			if (!batch->items[i].is_event)
				matched[i] |= results[pi].matched[index[i]];
		batch_result_clear(&results[pi]);
	}
	free(results);
	free(index);
	run_clear(&r);
	peerguard_result_free(r.result);
	return 0;
}
