/*
 * The remediator: options, clients per account, and one remediation from
 * a decision through idempotency, engine, escalation and notification.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/decide.h"
#include "core/decision.h"
#include "core/internal.h"
#include "remediate/internal.h"
#include "remediate/notify.h"
#include "remediate/state.h"
#include "remediate/util.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

double remediator_now(peerguard_remediator *r)
{
	return r->clock ? r->clock(r->clock_userdata) : rem_wall_clock();
}

void remediator_log(peerguard_remediator *r, peerguard_log_level level, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	if (!r->log)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	r->log(level, message, r->log_userdata);
}

int peerguard_remediator_new(peerguard_remediator **out, const peerguard_policy_set *set, peerguard_client *client,
	const peerguard_remediate_options *opts, peerguard_error *err)
{
	peerguard_remediate_options defaults = PEERGUARD_REMEDIATE_OPTIONS_INIT;
	const peerguard_remediate_options *o = opts ? opts : &defaults;
	peerguard_remediator *r;
	int rc;

	peerguard_error_clear(err);
	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!set || !client)
		return error_set(err, PEERGUARD_EINVAL, NULL, "a policy set and a client are required");
	if (o->version != PEERGUARD_REMEDIATE_OPTIONS_VERSION)
		return error_set(err, PEERGUARD_EINVAL, NULL, "peerguard_remediate_options.version is %u, expected %u; "
			"initialise it with PEERGUARD_REMEDIATE_OPTIONS_INIT", o->version, PEERGUARD_REMEDIATE_OPTIONS_VERSION);
	if (o->account_id && !account_id_valid(o->account_id))
		return error_set(err, PEERGUARD_EINVAL, NULL, "account id '%.32s' is not 12 digits: write it as a string "
			"with its leading zeros", o->account_id);
	if (o->client_account_id && !account_id_valid(o->client_account_id))
		return error_set(err, PEERGUARD_EINVAL, NULL, "client account id '%.32s' is not 12 digits",
			o->client_account_id);
	if (o->role_arn_template && !strstr(o->role_arn_template, "{account_id}"))
		return error_set(err, PEERGUARD_EINVAL, NULL, "role ARN template '%.200s' has no {account_id}: write it "
			"as arn:aws:iam::{account_id}:role/NAME", o->role_arn_template);
	if (o->deadline_seconds < 0 || o->visibility_window_seconds < 0 || o->max_quiet_seconds < 0)
		return error_set(err, PEERGUARD_EINVAL, NULL, "deadline, visibility window and quiet time must not be negative");

	r = calloc(1, sizeof(*r));
	if (!r)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	r->set = set;
	r->client = client;
	r->account_id = dup_or_null(o->account_id);
	r->region = dup_or_null(o->region);
	r->execute = o->execute != 0;
	r->role_arn_template = dup_or_null(o->role_arn_template);
	r->client_account_id = dup_or_null(o->client_account_id);
	r->resolve_client = o->resolve_client;
	r->resolve_userdata = o->resolve_userdata;
	r->deadline = o->deadline_seconds > 0 ? o->deadline_seconds : DEFAULT_DEADLINE_SECONDS;
	r->visibility_window = o->visibility_window_seconds > 0 ? o->visibility_window_seconds :
		DEFAULT_VISIBILITY_WINDOW_SECONDS;
	r->poll_ms = o->poll_ms ? o->poll_ms : DEFAULT_POLL_MS;
	r->poll_max_ms = o->poll_max_ms ? o->poll_max_ms : DEFAULT_POLL_MAX_MS;
	if (r->poll_max_ms < r->poll_ms)
		r->poll_max_ms = r->poll_ms;
	r->max_calls = o->max_calls ? o->max_calls : DEFAULT_MAX_CALLS;
	r->state_file = dup_or_null(o->state_file);
	r->sns_topic_arn = dup_or_null(o->sns_topic_arn);
	r->webhook_url = dup_or_null(o->webhook_url);
	r->webhook_timeout_ms = o->webhook_timeout_ms ? o->webhook_timeout_ms : DEFAULT_WEBHOOK_TIMEOUT_MS;
	r->max_quiet = o->max_quiet_seconds;
	r->clock = o->clock;
	r->clock_userdata = o->clock_userdata;
	r->log = o->log;
	r->log_userdata = o->log_userdata;
	pthread_mutex_init(&r->lock, NULL);
	metrics_init(&r->metrics, remediator_now(r));

	if (o->audit_log && (rc = audit_open(&r->audit, o->audit_log, err)) < 0) {
		peerguard_remediator_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void peerguard_remediator_free(peerguard_remediator *r)
{
	if (!r)
		return;
	audit_close(r->audit);
	metrics_destroy(&r->metrics);
	pthread_mutex_destroy(&r->lock);
	free(r->account_id);
	free(r->region);
	free(r->role_arn_template);
	free(r->client_account_id);
	free(r->state_file);
	free(r->sns_topic_arn);
	free(r->webhook_url);
	free(r);
}

/* Learns the account of the client's credentials once, with GetCallerIdentity. */
static int client_account(const char **out, peerguard_remediator *r, peerguard_aws_error *err)
{
	char *json = NULL;
	json_t *doc;
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	if (!r->client_account_id) {
		rc = peerguard_sts_get_caller_identity(&json, r->client, err);
		doc = rc == 0 ? json_loads(json, 0, NULL) : NULL;
		if (rc == 0 && json_string_at(doc, "Account"))
			r->client_account_id = strdup(json_string_at(doc, "Account"));
		else if (rc == 0)
			rc = PEERGUARD_ERESPONSE;
		json_decref(doc);
		peerguard_free(json);
	}
	*out = r->client_account_id;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int remediator_client(peerguard_client **out, peerguard_remediator *r, const char *account_id,
	peerguard_aws_error *err)
{
	const char *own = NULL;
	int rc;

	*out = NULL;
	if (r->resolve_client)
		return r->resolve_client(out, account_id, r->resolve_userdata, err);
	if (!r->role_arn_template) {
		*out = r->client;
		return 0;
	}
	rc = client_account(&own, r, err);
	if (rc < 0)
		return rc;
	if (own && strcmp(own, account_id) == 0) {
		*out = r->client;
		return 0;
	}
	return peerguard_client_for_account(out, r->client, account_id, r->role_arn_template, err);
}

/* Outcomes after which a repeat of the same event only needs one describe. */
static int status_is_finished(const char *status)
{
	return status && (strcmp(status, "remediated") == 0 || strcmp(status, "already-safe") == 0 ||
		strcmp(status, "already-remediated") == 0);
}

static json_t *state_entry(const char *key, const char *status, const char *decision_id, peerguard_remediator *r)
{
	char when[40];

	time_format_rfc3339(remediator_now(r), when, sizeof(when));
	return json_pack("{s:s,s:s,s:s,s:s,s:i}", "key", key, "status", status, "decision_id", decision_id,
		"time", when, "pid", (int)getpid());
}

/* Escalates an outcome that is not safe: audit record, error log and a metric. */
static void escalate(rem_run *run)
{
	peerguard_remediation *rem = run->rem;
	json_t *f = json_pack("{s:s,s:s,s:s,s:i,s:b}", "outcome", peerguard_outcome_name(rem->outcome),
		"state", rem->final_state, "reason", run->reason, "code", rem->code, "ever_active", run->ever_active);

	run_record(run, "escalated", f);
	json_decref(f);
	metrics_escalation(&run->r->metrics);
	remediator_log(run->r, PEERGUARD_LOG_ERROR, "ESCALATION: %s in account %s region %s is %s: %s",
		run->t->resource_id, run->t->account_id, run->t->region, peerguard_outcome_name(rem->outcome), run->reason);
}

static int needs_notification(peerguard_outcome outcome)
{
	return outcome == PEERGUARD_OUTCOME_REMEDIATED || outcome == PEERGUARD_OUTCOME_UNSAFE ||
		outcome == PEERGUARD_OUTCOME_NOT_FOUND || outcome == PEERGUARD_OUTCOME_DENIED ||
		outcome == PEERGUARD_OUTCOME_FAILED;
}

/* Opens the state file, locks the key and reads its last record; a finished one marks a repeat. */
static int state_begin(state_file **sf, rem_run *run, const char *key, peerguard_error *err)
{
	json_t *prev = NULL, *entry;
	int rc;

	rc = state_open(sf, run->r->state_file, err);
	if (rc == 0)
		rc = state_lock_key(*sf, key, err);
	if (rc == 0)
		rc = state_lookup(&prev, *sf, key, err);
	if (rc < 0)
		return rc;
	if (prev && status_is_finished(json_string_at(prev, "status"))) {
		run->previous = prev;
		json_object_set_new(run->rem->report, "repeat_of", json_string(json_string_at(prev, "decision_id")));
	}
	entry = state_entry(key, "in-progress", run->decision_id, run->r);
	rc = state_append(*sf, entry, err);
	json_decref(entry);
	return rc;
}

int remediator_run_target(peerguard_remediation **out, peerguard_remediator *r, const rem_target *t,
	peerguard_error *err)
{
	char decision_id[33], key[512];
	peerguard_aws_error aerr;
	state_file *sf = NULL;
	json_t *previous = NULL;
	rem_run run;
	int rc = 0, use_state = r->state_file && r->execute;

	*out = NULL;
	rem_random_id(decision_id);
	memset(&run, 0, sizeof(run));
	run.r = r;
	run.t = t;
	run.decision_id = decision_id;
	run.err = err;
	run.exposure_from = "first-seen";
	run.rem = remediation_new(r, t, decision_id);
	if (!run.rem)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	snprintf(key, sizeof(key), "%s|%s", *t->event_id ? t->event_id : "sweep", t->resource_id);

	if (use_state) {
		rc = state_begin(&sf, &run, key, err);
		previous = run.previous;
		if (rc < 0)
			goto done;
	}

	rc = remediator_client(&run.client, r, t->account_id, &aerr);
	if (rc < 0) {
		snprintf(run.reason, sizeof(run.reason), "No client for account %s: %s", t->account_id, aerr.error.message);
		run.rem->outcome = rc == PEERGUARD_EDENIED ? PEERGUARD_OUTCOME_DENIED : PEERGUARD_OUTCOME_FAILED;
		run.rem->code = rc;
		json_object_set_new(run.rem->report, "reason", json_string(run.reason));
		rc = 0;
	} else {
		rc = engine_run(&run);
		if (rc < 0)
			goto done;
	}
	json_object_set_new(run.rem->report, "outcome", json_string(peerguard_outcome_name(run.rem->outcome)));
	json_object_set_new(run.rem->report, "safe", json_boolean(outcome_is_safe(run.rem->outcome)));

	if (r->execute && outcome_is_failure(run.rem->outcome))
		escalate(&run);
	if (r->execute && needs_notification(run.rem->outcome)) {
		json_t *targets = notify_targets(r, t);

		if (json_array_size(targets) && notify_send(&run, targets) > 0)
			remediator_log(r, PEERGUARD_LOG_WARN, "some notifications about %s were not delivered; the audit "
				"log has the report", t->resource_id);
		json_decref(targets);
	}
	if (run.audit_failed) {
		rc = PEERGUARD_EAUDIT;
		goto done;
	}

	if (sf) {
		json_t *entry = state_entry(key, peerguard_outcome_name(run.rem->outcome), decision_id, r);

		json_object_set_new(entry, "final_state", json_string(run.rem->final_state));
		rc = state_append(sf, entry, err);
		json_decref(entry);
	}
	{
		json_t *delays = json_object_get(run.rem->report, "delays");
		json_t *exposure = json_object_get(run.rem->report, "exposure");
		json_t *d2d = json_object_get(delays, "event_to_decision_seconds");
		json_t *d2v = json_object_get(delays, "event_to_verified_seconds");
		json_t *exp = outcome_is_safe(run.rem->outcome) ? json_object_get(exposure, "seconds") : NULL;

		/* A repeat measured nothing new: its delays were counted by the remediation it repeats. */
		if (run.rem->outcome == PEERGUARD_OUTCOME_ALREADY_REMEDIATED)
			d2d = d2v = exp = NULL;
		metrics_outcome(&r->metrics, run.rem->outcome, d2d ? json_real_value(d2d) : -1,
			d2v ? json_real_value(d2v) : -1, exp ? json_real_value(exp) : -1);
	}

done:
	state_close(sf);
	json_decref(previous);
	if (rc < 0) {
		peerguard_remediation_free(run.rem);
		return rc;
	}
	*out = run.rem;
	return 0;
}
