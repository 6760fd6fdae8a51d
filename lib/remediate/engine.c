/*
 * One remediation: describe -> plan -> act -> verify, until the connection
 * is in a terminal state, the policy cannot help, or the deadline passes.
 *
 * The engine never acts on a state it did not just read.  Every call is
 * chosen by the decision table from a fresh describe, and any refusal
 * (InvalidStateTransition, OperationNotPermitted) leads to a new describe
 * and a new plan: the usual path is a reject that fails because the peer
 * accepted meanwhile, followed by a delete.  Terminal states (failed,
 * rejected, expired, deleting, deleted) are never sent a call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decide.h"
#include "core/internal.h"
#include "remediate/internal.h"
#include "remediate/util.h"

static const char not_found_code[] = "InvalidVpcPeeringConnectionID.NotFound";

int run_audit(rem_run *run, const char *step, json_t *fields)
{
	const rem_target *t = run->t;
	char when[40];
	json_t *rec;
	int rc;

	time_format_rfc3339(remediator_now(run->r), when, sizeof(when));
	rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "time", when, "step", step,
		"decision_id", run->decision_id, "policy", t->policy ? t->policy->name : "",
		"policy_revision", peerguard_policy_set_revision(run->r->set), "event_id", t->event_id,
		"resource_id", t->resource_id, "account_id", t->account_id, "region", t->region);
	if (!rec)
		return error_set(run->err, PEERGUARD_ENOMEM, NULL, "out of memory");
	if (fields)
		json_object_update(rec, fields);
	rc = audit_append(run->r->audit, rec, run->err);
	json_decref(rec);
	if (rc < 0)
		run->audit_failed = 1;
	return rc;
}

int run_record(rem_run *run, const char *step, json_t *fields)
{
	char when[40];
	json_t *copy;

	time_format_rfc3339(remediator_now(run->r), when, sizeof(when));
	copy = json_pack("{s:s,s:s}", "step", step, "time", when);
	if (copy && fields)
		json_object_update(copy, fields);
	if (copy)
		json_array_append_new(json_object_get(run->rem->report, "steps"), copy);
	return run_audit(run, step, fields);
}

/*
 * Describes the target.  *out receives the record (new reference), or NULL
 * when EC2 does not know the id: AWS answers NotFound, moto an empty list.
 */
static int describe_one(json_t **out, rem_run *run, peerguard_aws_error *aerr)
{
	const char *ids[1] = { run->t->resource_id };
	char *json = NULL;
	json_t *doc, *list;
	int rc;

	*out = NULL;
	rc = peerguard_ec2_describe_vpc_peering_connections(&json, run->client, run->t->region, ids, 1, NULL, 0, aerr);
	if (rc < 0)
		return peerguard_aws_error_is(aerr, not_found_code) ? 0 : rc;
	doc = json_loads(json, 0, NULL);
	peerguard_free(json);
	list = json_object_get(doc, "VpcPeeringConnections");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *item = json_array_get(list, i);
		const char *id = json_string_at(item, "VpcPeeringConnectionId");

		if (id && strcmp(id, run->t->resource_id) == 0) {
			*out = json_incref(item);
			break;
		}
	}
	json_decref(doc);
	return 0;
}

static const char *record_state(json_t *record)
{
	const char *s = json_string_at(json_object_get(record, "Status"), "Code");

	return s ? s : "";
}

/* Sleeps before the next describe, never past the deadline; the pause doubles up to poll_max_ms. */
static void wait_next(rem_run *run, double deadline)
{
	double left_ms = (deadline - rem_monotonic()) * 1000.0;
	double ms = run->poll_ms < left_ms ? run->poll_ms : left_ms;

	rem_sleep_ms(ms);
	run->poll_ms *= 2;
	if (run->poll_ms > run->r->poll_max_ms)
		run->poll_ms = run->r->poll_max_ms;
}

/* Dates the start of the exposure: the creation event, ExpirationTime minus 7 days, or first sight. */
static void set_exposure_start(rem_run *run, json_t *record)
{
	const rem_target *t = run->t;
	const char *expiration = json_string_at(record, "ExpirationTime");
	double exp;

	if (t->event_time > 0 && t->event_name && strcmp(t->event_name, "CreateVpcPeeringConnection") == 0) {
		run->exposure_start = t->event_time;
		run->exposure_from = "event-time";
		return;
	}
	if (!expiration && t->seen_record)
		expiration = json_string_at(t->seen_record, "ExpirationTime");
	if (expiration && time_parse_rfc3339(expiration, &exp) == 0 &&
	    exp - PENDING_LIFETIME_SECONDS <= run->first_describe) {
		run->exposure_start = exp - PENDING_LIFETIME_SECONDS;
		run->exposure_from = "expiration-time";
		return;
	}
	run->exposure_start = t->first_seen > 0 ? t->first_seen : run->first_describe;
	run->exposure_from = "first-seen";
}

/* Copies the owners of a fresh record into the report's connection. */
static void note_owners(rem_run *run, json_t *record)
{
	json_t *conn = json_object_get(run->rem->report, "connection");
	static const char *const sides[2][2] = { { "RequesterVpcInfo", "requester" }, { "AccepterVpcInfo", "accepter" } };

	for (int i = 0; i < 2; i++) {
		json_t *info = json_object_get(record, sides[i][0]);
		char buf[32];
		const char *owner = account_id_text(json_object_get(info, "OwnerId"), buf, sizeof(buf));

		if (!info)
			continue;
		json_object_set_new(conn, sides[i][1], json_pack("{s:s?,s:s?,s:s?}", "owner_id", owner,
			"vpc_id", json_string_at(info, "VpcId"), "region", json_string_at(info, "Region")));
	}
}

/* Ends the run with an outcome, a code, the last state and one sentence why. */
static int finish(rem_run *run, peerguard_outcome outcome, int code, const char *state, const char *fmt, ...)
	PG_PRINTF(5, 6);

static int finish(rem_run *run, peerguard_outcome outcome, int code, const char *state, const char *fmt, ...)
{
	peerguard_remediation *rem = run->rem;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(run->reason, sizeof(run->reason), fmt, ap);
	va_end(ap);
	rem->outcome = outcome;
	rem->code = code;
	copy_truncated(rem->final_state, sizeof(rem->final_state), state);
	if (outcome_is_safe(outcome))
		run->verified_time = remediator_now(run->r);
	json_object_set_new(rem->report, "reason", json_string(run->reason));
	return run->audit_failed ? PEERGUARD_EAUDIT : 0;
}

/* Records the verified terminal state and ends the run safely. */
static int verified(rem_run *run, peerguard_outcome outcome, const char *state, const char *why)
{
	json_t *f = json_pack("{s:s,s:s,s:b}", "state", state, "outcome", peerguard_outcome_name(outcome),
		"ever_active", run->ever_active);

	run_record(run, "verified", f);
	json_decref(f);
	return finish(run, outcome, 0, state, "%s", why);
}

/* Returns 1 while NotFound may still mean "not visible yet": within the window after the event or first sight. */
static int within_visibility_window(rem_run *run, double now)
{
	double start = run->t->event_time > 0 ? run->t->event_time :
		run->t->first_seen > 0 ? run->t->first_seen : run->first_describe;

	return now < start + run->r->visibility_window;
}

static int plan_record(rem_run *run, const char *state, const decide_out *d)
{
	json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "state", state, "side", peerguard_side_name(d->side),
		"action", peerguard_action_name(d->action), "api_call", d->api_call, "call_region", d->region ? d->region : "",
		"reason", d->reason, "calls_made", (int)run->n_calls);
	int rc;

	if (f && run->t->event_time > 0 && run->decision_time > 0)
		json_object_set_new(f, "delay_event_to_decision_seconds", json_real(run->decision_time - run->t->event_time));
	rc = run_record(run, "planned", f);
	json_decref(f);
	return rc;
}

/* Sends the planned call; returns its code with aerr filled. */
static int send_call(rem_run *run, const decide_out *d, int dry_run, peerguard_aws_error *aerr)
{
	const char *region = d->region && *d->region ? d->region : run->t->region;

	if (d->action == PEERGUARD_ACTION_REJECT)
		return peerguard_ec2_reject_vpc_peering_connection(run->client, region, run->t->resource_id, dry_run, aerr);
	return peerguard_ec2_delete_vpc_peering_connection(run->client, region, run->t->resource_id, dry_run, aerr);
}

static void act_record(rem_run *run, const decide_out *d, int dry_run, int rc, const peerguard_aws_error *aerr)
{
	json_t *f = json_pack("{s:s,s:s,s:b,s:s}", "call", d->api_call,
		"call_region", d->region && *d->region ? d->region : run->t->region, "dry_run", dry_run,
		"result", rc == 0 ? (dry_run ? "would-succeed" : "ok") : "error");

	if (f && rc < 0) {
		json_object_set_new(f, "aws_code", json_string(aerr->aws_code));
		json_object_set_new(f, "http_status", json_integer(aerr->http_status));
		json_object_set_new(f, "request_id", json_string(aerr->request_id));
		json_object_set_new(f, "message", json_string(aerr->error.message));
	}
	run_record(run, "acted", f);
	json_decref(f);
}

/* The dry-run branch: show the plan and whether the credentials may make the call. */
static int dry_run(rem_run *run, const decide_out *d, const char *state)
{
	peerguard_aws_error aerr;
	int rc = send_call(run, d, 1, &aerr);

	act_record(run, d, 1, rc, &aerr);
	if (rc == 0)
		return finish(run, PEERGUARD_OUTCOME_PLANNED, 0, state, "Would call %s in %s; EC2's DryRun says the call "
			"would succeed.", d->api_call, d->region);
	if (rc == PEERGUARD_EDENIED || peerguard_aws_error_is(&aerr, "UnauthorizedOperation"))
		return finish(run, PEERGUARD_OUTCOME_DENIED, PEERGUARD_EDRYRUN, state, "The credentials may not call %s "
			"(%s): grant ec2:%s before it is needed.", d->api_call, aerr.aws_code, d->api_call);
	if (peerguard_aws_error_is(&aerr, "InvalidStateTransition") || peerguard_aws_error_is(&aerr, "OperationNotPermitted"))
		return finish(run, PEERGUARD_OUTCOME_PLANNED, 0, state, "Would call %s; its DryRun was refused with %s, "
			"so with --execute the engine would describe again and re-plan.", d->api_call, aerr.aws_code);
	return finish(run, PEERGUARD_OUTCOME_FAILED, rc, state, "The DryRun of %s failed: %s", d->api_call,
		aerr.error.message);
}

/* Handles a fresh record; returns 1 to describe again, or 0/negative when the run has finished. */
static int step_record(rem_run *run, json_t *record, double deadline, int *done)
{
	const rem_target *t = run->t;
	const char *state = record_state(record);
	peerguard_aws_error aerr;
	decide_out d;
	int rc;

	*done = 1;
	note_owners(run, record);
	if (strcmp(state, "active") == 0 || strcmp(state, "provisioning") == 0)
		run->ever_active = 1;

	if (run->previous) {
		run->previous = NULL;
		if (decide_state_is_terminal(state))
			return verified(run, PEERGUARD_OUTCOME_ALREADY_REMEDIATED, state,
				"A repeat of a finished remediation: the connection is still in a terminal state.");
	}
	if (decide_state_is_terminal(state))
		return verified(run, run->acted ? PEERGUARD_OUTCOME_REMEDIATED : PEERGUARD_OUTCOME_ALREADY_SAFE, state,
			run->acted ? "A fresh describe shows the connection can carry no traffic." :
			"The connection was already in a terminal state; nothing was sent.");

	decide_action(&d, record, t->account_id, t->policy->removal, t->policy->reject_fallback_delete, t->region);
	if (!run->decision_time)
		run->decision_time = remediator_now(run->r);
	if ((rc = plan_record(run, state, &d)) < 0)
		return finish(run, PEERGUARD_OUTCOME_FAILED, rc, state, "The audit log could not be written.");

	switch (d.action) {
	case PEERGUARD_ACTION_NONE:
		if (d.side == PEERGUARD_SIDE_NEITHER || d.side == PEERGUARD_SIDE_UNKNOWN)
			return finish(run, PEERGUARD_OUTCOME_FAILED, PEERGUARD_EINVAL, state, "%s Check the account id "
				"the remediation runs for.", d.reason);
		return finish(run, PEERGUARD_OUTCOME_UNSAFE, PEERGUARD_EUNSAFE, state, "The connection is %s and the "
			"policy allows no call that removes it: %s", state, d.reason);
	case PEERGUARD_ACTION_WAIT:
		if (rem_monotonic() >= deadline)
			return finish(run, PEERGUARD_OUTCOME_UNSAFE, PEERGUARD_EUNSAFE, state, "The connection was still "
				"%s when the deadline of %.0f s passed.", *state ? state : "in no known state", run->r->deadline);
		wait_next(run, deadline);
		*done = 0;
		return 1;
	default:
		break;
	}

	if (!run->r->execute)
		return dry_run(run, &d, state);
	if (run->n_calls >= run->r->max_calls || rem_monotonic() >= deadline)
		return finish(run, PEERGUARD_OUTCOME_UNSAFE, PEERGUARD_EUNSAFE, state, "The connection is still %s after "
			"%u calls; %s", state, run->n_calls, run->n_calls >= run->r->max_calls ? "the call limit is reached." :
			"the deadline passed.");

	rc = send_call(run, &d, 0, &aerr);
	run->n_calls++;
	act_record(run, &d, 0, rc, &aerr);
	*done = 0;
	if (rc == 0) {
		run->acted = 1;
		remediator_log(run->r, PEERGUARD_LOG_INFO, "%s %s in %s: sent; describing to verify", d.api_call,
			t->resource_id, d.region);
		wait_next(run, deadline);
		return 1;
	}
	if (peerguard_aws_error_is(&aerr, "InvalidStateTransition") || peerguard_aws_error_is(&aerr, "OperationNotPermitted") ||
	    peerguard_aws_error_is(&aerr, not_found_code)) {
		/* The state moved under us (usually: the peer accepted first).  Describe again and re-plan. */
		remediator_log(run->r, PEERGUARD_LOG_INFO, "%s %s: %s; describing again to re-plan", d.api_call,
			t->resource_id, aerr.aws_code);
		return 1;
	}
	*done = 1;
	if (rc == PEERGUARD_EDENIED)
		return finish(run, PEERGUARD_OUTCOME_DENIED, rc, state, "The credentials may not call %s: %s",
			d.api_call, aerr.error.message);
	return finish(run, PEERGUARD_OUTCOME_FAILED, rc, state, "%s failed: %s", d.api_call, aerr.error.message);
}

/* Handles a describe that did not find the connection; returns as step_record. */
static int step_not_found(rem_run *run, double deadline, int *done)
{
	double now = remediator_now(run->r);
	json_t *f;

	*done = 1;
	if (run->previous)
		return verified(run, PEERGUARD_OUTCOME_ALREADY_REMEDIATED, "not-found",
			"A repeat of a finished remediation: the connection is gone.");
	if (run->acted)
		return verified(run, PEERGUARD_OUTCOME_REMEDIATED, "not-found",
			"After our call the connection is no longer visible: it is gone.");
	if (within_visibility_window(run, now) && rem_monotonic() < deadline) {
		f = json_pack("{s:s,s:s,s:s}", "state", "not-found", "action", "wait", "reason",
			"Not visible yet: a connection made moments ago may not show in describe; retrying with backoff.");
		run_record(run, "planned", f);
		json_decref(f);
		wait_next(run, deadline);
		*done = 0;
		return 1;
	}
	return finish(run, PEERGUARD_OUTCOME_NOT_FOUND, PEERGUARD_ENOTVISIBLE, "not-found", "The connection was not "
		"visible to describe in %s %s within %.0f s of the event or first sight; it is gone or not in this "
		"account and region.", run->t->account_id, run->t->region, run->r->visibility_window);
}

static void report_exposure(rem_run *run)
{
	json_t *report = run->rem->report;
	const rem_target *t = run->t;
	double end = run->verified_time > 0 ? run->verified_time : remediator_now(run->r);
	json_t *exposure = json_pack("{s:s?,s:b,s:b}", "from", run->exposure_from, "ever_active", run->ever_active,
		"safe", outcome_is_safe(run->rem->outcome));
	json_t *delays = json_object();

	if (exposure && run->exposure_start > 0)
		json_object_set_new(exposure, "seconds", json_real(end - run->exposure_start));
	if (delays && t->event_time > 0 && run->decision_time > 0)
		json_object_set_new(delays, "event_to_decision_seconds", json_real(run->decision_time - t->event_time));
	if (delays && t->event_time > 0 && run->verified_time > 0)
		json_object_set_new(delays, "event_to_verified_seconds", json_real(run->verified_time - t->event_time));
	json_object_set_new(report, "exposure", exposure);
	json_object_set_new(report, "delays", delays);
	json_object_set_new(report, "final_state", json_string(run->rem->final_state));
	json_object_set_new(report, "calls_made", json_integer(run->n_calls));
}

int engine_run(rem_run *run)
{
	double deadline = rem_monotonic() + run->r->deadline;
	int rc = 0, done = 0;

	run->poll_ms = run->r->poll_ms;
	while (!done) {
		peerguard_aws_error aerr;
		json_t *record = NULL;

		rc = describe_one(&record, run, &aerr);
		if (!run->first_describe) {
			run->first_describe = remediator_now(run->r);
			set_exposure_start(run, record);
		}
		if (rc < 0) {
			rc = finish(run, PEERGUARD_OUTCOME_FAILED, rc, run->rem->final_state, "Describe failed: %s",
				aerr.error.message);
			break;
		}
		if (record) {
			if (!strcmp(run->exposure_from, "first-seen") && json_string_at(record, "ExpirationTime"))
				set_exposure_start(run, record);
			copy_truncated(run->rem->final_state, sizeof(run->rem->final_state), record_state(record));
			rc = step_record(run, record, deadline, &done);
		} else {
			rc = step_not_found(run, deadline, &done);
		}
		json_decref(record);
		if (run->audit_failed) {
			rc = PEERGUARD_EAUDIT;
			break;
		}
		if (rc < 0)
			break;
	}
	report_exposure(run);
	return run->audit_failed ? PEERGUARD_EAUDIT : 0;
}
