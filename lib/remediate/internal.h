/* The remediator, its reports and the engine that runs one remediation. */
#ifndef REMEDIATE_INTERNAL_H
#define REMEDIATE_INTERNAL_H

#include <pthread.h>

#include <jansson.h>

#include "core/policy.h"
#include "peerguard/remediate.h"
#include "remediate/audit.h"
#include "remediate/metrics.h"

/* Defaults of peerguard_remediate_options. */
#define DEFAULT_DEADLINE_SECONDS 300.0
#define DEFAULT_VISIBILITY_WINDOW_SECONDS 120.0
#define DEFAULT_POLL_MS 500u
#define DEFAULT_POLL_MAX_MS 5000u
#define DEFAULT_MAX_CALLS 6u
#define DEFAULT_WEBHOOK_TIMEOUT_MS 10000u

/* A pending request expires seven days after it was made, so ExpirationTime dates its creation. */
#define PENDING_LIFETIME_SECONDS (7.0 * 86400.0)

struct peerguard_remediator {
	const peerguard_policy_set *set;
	peerguard_client *client;
	char *account_id;
	char *region;
	int execute;
	char *role_arn_template;
	char *client_account_id;      /* guarded by lock once learnt */
	peerguard_client_resolver_fn resolve_client;
	void *resolve_userdata;
	double deadline;
	double visibility_window;
	unsigned int poll_ms;
	unsigned int poll_max_ms;
	unsigned int max_calls;
	char *state_file;
	char *sns_topic_arn;
	char *webhook_url;
	unsigned int webhook_timeout_ms;
	double max_quiet;
	peerguard_clock_fn clock;
	void *clock_userdata;
	peerguard_log_fn log;
	void *log_userdata;

	audit_log *audit;
	metrics metrics;
	pthread_mutex_t lock;
};

struct peerguard_remediation {
	json_t *report;               /* every field, as serialised */
	peerguard_outcome outcome;
	int code;
	char resource_id[64];
	char final_state[32];
};

struct peerguard_remediation_list {
	peerguard_remediation **items;
	size_t count;
	size_t cap;
	size_t input_errors;
};

/* What to remediate: one connection, in our account, with the event that showed it. */
typedef struct rem_target {
	const policy *policy;         /* the policy that matched (borrowed from the set) */
	json_t *decision;             /* the decision's JSON (borrowed) */
	const char *resource_id;
	const char *account_id;       /* ours */
	const char *region;           /* our VPC's region, where we describe */
	const char *event_id;         /* "" for sweeps */
	const char *event_name;
	double event_time;            /* 0 when there is no event */
	double first_seen;            /* when the record was read, for sweeps; 0 for events */
	json_t *seen_record;          /* the describe record a sweep evaluated, or NULL */
} rem_target;

/* Returns the remediator's time: its clock, or the system clock. */
double remediator_now(peerguard_remediator *r);

/* Logs through the remediator's callback (printf-style). */
void remediator_log(peerguard_remediator *r, peerguard_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Returns in *out the client that acts in account_id (borrowed).  Returns 0 or a negative code with err filled. */
int remediator_client(peerguard_client **out, peerguard_remediator *r, const char *account_id,
	peerguard_aws_error *err);

/*
 * Runs one remediation of t: idempotency check, engine, escalation,
 * notification and metrics.  *out receives a new report.  Returns 0, or
 * PEERGUARD_ESTATE, PEERGUARD_EAUDIT or PEERGUARD_ENOMEM.
 */
int remediator_run_target(peerguard_remediation **out, peerguard_remediator *r, const rem_target *t,
	peerguard_error *err);

/*
 * Fills t from a decision made with r's policy set.  Strings are borrowed
 * from the decision.  When the decision needs no remediation, *skip
 * receives the reason.  Returns 0, or PEERGUARD_EINVAL when the decision
 * lacks what a remediation needs (account id, region, a known policy).
 */
int remediator_target(rem_target *t, const char **skip, peerguard_remediator *r, const peerguard_decision *d,
	peerguard_error *err);

/* Returns in *out a new skipped report for t with the reason why.  Returns 0 or PEERGUARD_ENOMEM. */
int remediation_skipped(peerguard_remediation **out, peerguard_remediator *r, const rem_target *t, const char *why,
	peerguard_error *err);

/* Appends rem to list (taking it over).  Returns 0 or PEERGUARD_ENOMEM (rem is then freed). */
int remediation_list_add(peerguard_remediation_list *list, peerguard_remediation *rem);

/* Returns a new report object for t with no steps yet, or NULL when memory runs out. */
peerguard_remediation *remediation_new(peerguard_remediator *r, const rem_target *t, const char *decision_id);

/* Returns 1 for the outcomes that leave no unwanted connection alive, else 0. */
int outcome_is_safe(peerguard_outcome outcome);

/* Returns 1 for the outcomes that are escalated: unsafe, not found, denied, failed. */
int outcome_is_failure(peerguard_outcome outcome);

/* State of one run of the engine. */
typedef struct rem_run {
	peerguard_remediator *r;
	const rem_target *t;
	peerguard_remediation *rem;
	peerguard_client *client;
	const char *decision_id;
	json_t *previous;             /* the state file's record of an earlier remediation, or NULL */
	peerguard_error *err;         /* where an audit failure is reported */
	int audit_failed;
	int acted;
	int ever_active;
	unsigned int n_calls;
	double poll_ms;
	double first_describe;        /* remediator time of the first describe; 0 before */
	double decision_time;         /* remediator time of the first plan; 0 before */
	double verified_time;
	double exposure_start;
	const char *exposure_from;
	char reason[512];
} rem_run;

/*
 * Runs the loop describe -> plan -> act -> verify for run->t until a safe
 * state, an outcome that needs escalation, or the deadline.  Sets
 * run->rem's outcome, code, final state and report fields.  Returns 0, or
 * PEERGUARD_EAUDIT when a step could not be recorded (the loop stops).
 */
int engine_run(rem_run *run);

/*
 * Writes one audit record for run: common fields (time, step, decision id,
 * policy, policy revision, event, connection, account, region) followed by
 * the fields of step (borrowed).  Returns 0 or PEERGUARD_EAUDIT.
 */
int run_audit(rem_run *run, const char *step, json_t *fields);

/*
 * Writes one audit record for run like run_audit, and adds the step to the
 * report.  Returns 0 or PEERGUARD_EAUDIT.
 */
int run_record(rem_run *run, const char *step, json_t *fields);

#endif
