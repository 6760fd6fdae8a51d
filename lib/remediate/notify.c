/* SNS and webhook notifications. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "remediate/notify.h"
#include "remediate/util.h"
#include "remediate/webhook.h"

/* Adds {"type": type, key: value} to targets unless an equal target is there. */
static void add_target(json_t *targets, const char *type, const char *key, const char *value)
{
	json_t *target;
	size_t i;
	json_t *have;

	if (!value || !*value)
		return;
	target = json_pack("{s:s,s:s}", "type", type, key, value);
	json_array_foreach(targets, i, have) {
		if (json_equal(have, target)) {
			json_decref(target);
			return;
		}
	}
	json_array_append_new(targets, target);
}

static void add_expanded(json_t *targets, const char *type, const char *key, const char *value, const rem_target *t)
{
	char *expanded;

	if (!value)
		return;
	expanded = rem_expand(value, t->account_id, t->region);
	add_target(targets, type, key, expanded);
	free(expanded);
}

json_t *notify_targets(peerguard_remediator *r, const rem_target *t)
{
	json_t *targets = json_array();
	json_t *actions = json_object_get(t->decision, "actions");
	size_t i;
	json_t *action;

	if (!targets)
		return NULL;
	add_expanded(targets, "sns", "topic", r->sns_topic_arn, t);
	add_expanded(targets, "webhook", "url", r->webhook_url, t);
	json_array_foreach(actions, i, action) {
		const char *type = json_string_at(action, "type");
		json_t *transport = json_object_get(action, "transport");

		if (!type)
			continue;
		if (strcmp(type, "webhook") == 0)
			add_expanded(targets, "webhook", "url", json_string_at(action, "url"), t);
		else if (strcmp(type, "notify") == 0 && json_string_at(transport, "type") &&
			 strcmp(json_string_at(transport, "type"), "sns") == 0)
			add_expanded(targets, "sns", "topic", json_string_at(transport, "topic"), t);
	}
	return targets;
}

/* The SNS subject: at most 100 printable ASCII characters, as SNS requires. */
static void make_subject(char *out, size_t size, const peerguard_remediation *rem, const rem_target *t)
{
	int unsafe = !outcome_is_safe(rem->outcome);

	snprintf(out, size < 101 ? size : 101, "%speerguard %s %s in %s %s", unsafe ? "ESCALATION: " : "",
		peerguard_outcome_name(rem->outcome), t->resource_id, t->account_id, t->region);
}

int notify_send(rem_run *run, json_t *targets)
{
	peerguard_remediation *rem = run->rem;
	char subject[128];
	char *body;
	size_t i;
	json_t *target;
	int failures = 0;

	json_object_set_new(rem->report, "severity", json_string(outcome_is_safe(rem->outcome) ? "info" : "critical"));
	body = json_dumps(rem->report, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_object_set_new(rem->report, "notifications", json_array());
	if (!body)
		return (int)json_array_size(targets);
	make_subject(subject, sizeof(subject), rem, run->t);

	json_array_foreach(targets, i, target) {
		const char *type = json_string_at(target, "type");
		peerguard_aws_error aerr;
		peerguard_error err;
		char *message_id = NULL, *shown = NULL;
		json_t *f;
		int rc;

		peerguard_error_clear(&err);
		if (strcmp(type, "sns") == 0) {
			rc = peerguard_sns_publish(&message_id, run->r->client, json_string_at(target, "topic"), subject, body,
				&aerr);
			if (rc < 0)
				err = aerr.error;
			f = json_pack("{s:s,s:s,s:s}", "channel", "sns", "target", json_string_at(target, "topic"),
				"result", rc == 0 ? "sent" : "failed");
			if (f && message_id)
				json_object_set_new(f, "message_id", json_string(message_id));
		} else {
			long status = 0;

			rc = webhook_post(&status, json_string_at(target, "url"), body, run->r->webhook_timeout_ms, &err);
			shown = rem_url_for_log(json_string_at(target, "url"));
			f = json_pack("{s:s,s:s?,s:s,s:i}", "channel", "webhook", "target", shown, "result",
				rc == 0 ? "sent" : "failed", "http_status", (int)status);
		}
		if (f && rc < 0)
			json_object_set_new(f, "error", json_string(err.message));
		if (rc < 0) {
			failures++;
			remediator_log(run->r, PEERGUARD_LOG_ERROR, "notification of %s failed: %s", run->t->resource_id,
				err.message);
		}
		metrics_notification(&run->r->metrics, rc == 0);
		/* The report was sent before this result existed, so it is kept beside the steps. */
		run_audit(run, "notified", f);
		json_array_append_new(json_object_get(rem->report, "notifications"), f);
		peerguard_free(message_id);
		free(shown);
	}
	free(body);
	return failures;
}

int peerguard_notify(peerguard_client *client, const char *sns_topic_arn, const char *webhook_url,
	const char *subject, const char *json, unsigned int timeout_ms, peerguard_error *err)
{
	peerguard_error webhook_err;
	int rc = 0;

	peerguard_error_clear(err);
	if (!json || (sns_topic_arn && !client))
		return error_set(err, PEERGUARD_EINVAL, NULL, "a document, and a client for SNS, are required");
	if (sns_topic_arn) {
		peerguard_aws_error aerr;

		if (peerguard_sns_publish(NULL, client, sns_topic_arn, subject, json, &aerr) < 0)
			rc = error_set(err, PEERGUARD_ENOTIFY, NULL, "SNS Publish to %s failed: %s", sns_topic_arn,
				aerr.error.message);
	}
	if (webhook_url) {
		long status;

		if (webhook_post(&status, webhook_url, json, timeout_ms ? timeout_ms : DEFAULT_WEBHOOK_TIMEOUT_MS,
			&webhook_err) < 0) {
			if (rc == 0 && err)
				*err = webhook_err;
			rc = PEERGUARD_ENOTIFY;
		}
	}
	return rc;
}
