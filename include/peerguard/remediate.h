/*
 * libpeerguard remediation: plan, re-check, act, verify and escalate.
 *
 * A decision from the core names the call to make for a connection as it
 * was when the event was recorded.  By the time the event arrives the other
 * side may have accepted, so a remediator never acts on the event's state:
 * for every matched decision it describes the connection afresh, in the
 * account and region of our side, plans again with the decision table,
 * sends the one call valid for the state it saw, and describes again until
 * the connection is rejected, deleting or deleted, or a deadline passes.
 * A reject that fails because the peer accepted meanwhile
 * (InvalidStateTransition) leads to a new describe and a delete.  When the
 * outcome is not safe it escalates, and every remediation is announced on
 * SNS and webhooks.
 *
 * A state file (optional) makes remediation idempotent: the same event
 * delivered twice, or two workers on one event, give one remediation.  An
 * audit log (optional) gets one JSON line per step, flushed and synced to
 * disk before the next step starts.
 *
 * Conventions are those of peerguard.h and peerguard/transport.h.
 *
 * Threads: a remediator may be used by any number of threads at once; the
 * policy set and the client it borrows must outlive it.
 */
#ifndef PEERGUARD_REMEDIATE_H
#define PEERGUARD_REMEDIATE_H

#include <stddef.h>

#include "peerguard/peerguard.h"
#include "peerguard/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/** Return codes of remediation.  Values are never renumbered. */
typedef enum peerguard_remediate_code {
	PEERGUARD_EUNSAFE = -40,     /**< the connection was not brought to a safe state; escalated */
	PEERGUARD_ENOTVISIBLE = -41, /**< the connection was still not found after the visibility window */
	PEERGUARD_ESTATE = -42,      /**< the state file could not be opened, locked, read or written */
	PEERGUARD_EAUDIT = -43,      /**< the audit log could not be written and synced */
	PEERGUARD_ENOTIFY = -44,     /**< a notification could not be delivered */
	PEERGUARD_EDRYRUN = -45,     /**< a dry run found a call the credentials may not make */
	PEERGUARD_EQUIET = -46,      /**< no event arrived within the configured quiet time */
	PEERGUARD_ECANARY = -47,     /**< the canary connection outlived its bound */
	PEERGUARD_ESWEEP = -48       /**< an account and region could not be described */
} peerguard_remediate_code;

/* ------------------------------------------------------------------------
 * Outcomes
 * ------------------------------------------------------------------------ */

/** The end of one remediation. */
typedef enum peerguard_outcome {
	PEERGUARD_OUTCOME_REMEDIATED = 0,         /**< we acted, and a fresh describe shows rejected, deleting or deleted */
	PEERGUARD_OUTCOME_ALREADY_SAFE = 1,       /**< the first describe showed a terminal state; nothing was sent */
	PEERGUARD_OUTCOME_ALREADY_REMEDIATED = 2, /**< a repeat of a finished remediation (state file); described once */
	PEERGUARD_OUTCOME_PLANNED = 3,            /**< dry run: the call was planned and EC2's DryRun accepted it */
	PEERGUARD_OUTCOME_SKIPPED = 4,            /**< the decision needs no remediation: not matched, or no action */
	PEERGUARD_OUTCOME_UNSAFE = 5,             /**< still pending or active at the deadline, or the policy forbids the call that would help */
	PEERGUARD_OUTCOME_NOT_FOUND = 6,          /**< not visible to describe after the visibility window */
	PEERGUARD_OUTCOME_DENIED = 7,             /**< the credentials may not make a call (UnauthorizedOperation) */
	PEERGUARD_OUTCOME_FAILED = 8              /**< a call failed otherwise: network, throttling, unexpected answer */
} peerguard_outcome;

/** Returns "remediated", "already-safe", "already-remediated", "planned", "skipped", "unsafe", "not-found", "denied" or "failed". */
PEERGUARD_EXTERN const char *peerguard_outcome_name(peerguard_outcome outcome);

/* ------------------------------------------------------------------------
 * Remediators
 * ------------------------------------------------------------------------ */

/** Policies, credentials, state file, audit log and notification targets for remediation.  Opaque. */
typedef struct peerguard_remediator peerguard_remediator;

/** The report of one remediation.  Opaque. */
typedef struct peerguard_remediation peerguard_remediation;

/** The reports of every remediation of one input document.  Opaque. */
typedef struct peerguard_remediation_list peerguard_remediation_list;

/**
 * Returns in *out a client that acts in account_id, borrowed: it must stay
 * valid until the remediator is freed.  Returns 0 or a negative code with
 * err filled.
 */
typedef int (*peerguard_client_resolver_fn)(peerguard_client **out, const char *account_id, void *userdata,
	peerguard_aws_error *err);

#define PEERGUARD_REMEDIATE_OPTIONS_VERSION 1

/**
 * Remediation settings.  NULL strings and zero numbers mean the default
 * given beside each field.  Strings are copied by peerguard_remediator_new.
 */
typedef struct peerguard_remediate_options {
	unsigned int version;              /**< PEERGUARD_REMEDIATE_OPTIONS_VERSION */
	/** The 12-digit account the policies protect; NULL: each decision's account_id. */
	const char *account_id;
	/** Region of calls when a record names none; NULL: the client's region. */
	const char *region;
	/** Non-zero: send reject and delete.  Zero: plan, and run each planned call with DryRun. */
	int execute;
	/**
	 * Role ARN with "{account_id}", assumed to act in an account other
	 * than the client's; NULL: the client's own role_arn_template option.
	 */
	const char *role_arn_template;
	/**
	 * Account of the client's credentials.  NULL: learnt once with
	 * GetCallerIdentity, and only when a role template is set.
	 */
	const char *client_account_id;
	/** Replaces the client choice above when set, for callers with their own clients. */
	peerguard_client_resolver_fn resolve_client;
	void *resolve_userdata;
	double deadline_seconds;           /**< one remediation, first describe to verified state; 300 */
	/** NotFound is retried until the event time plus this (eventual consistency); 120 */
	double visibility_window_seconds;
	unsigned int poll_ms;              /**< first wait between describes, doubled per wait; 500 */
	unsigned int poll_max_ms;          /**< longest wait between describes; 5000 */
	unsigned int max_calls;            /**< reject and delete calls in one remediation; 6 */
	/** File of finished remediations keyed by event id and connection id; NULL: no deduplication. */
	const char *state_file;
	const char *audit_log;             /**< JSON Lines audit log, appended; NULL: none */
	const char *sns_topic_arn;         /**< topic told of every remediation, besides the policy's notify actions; NULL: none */
	const char *webhook_url;           /**< URL sent every remediation as JSON, besides the policy's webhook actions; NULL: none */
	unsigned int webhook_timeout_ms;   /**< one webhook POST; 10000 */
	/** Seconds without an event after which the metrics report a quiet pipeline; 0: never. */
	double max_quiet_seconds;
	peerguard_clock_fn clock;          /**< NULL: the system clock */
	void *clock_userdata;
	peerguard_log_fn log;              /**< steps, retries and errors; may be NULL */
	void *log_userdata;
} peerguard_remediate_options;

#define PEERGUARD_REMEDIATE_OPTIONS_INIT { PEERGUARD_REMEDIATE_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, \
	NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL }

/**
 * Creates a remediator.  The audit log is opened (created if missing) here.
 *
 * @param out     receives a new remediator, freed with peerguard_remediator_free
 * @param set     policies (borrowed; must outlive the remediator)
 * @param client  client for our account (borrowed; must outlive the remediator)
 * @param opts    options, or NULL for defaults (which only plan)
 * @param err     error detail, or NULL
 * @return 0, PEERGUARD_EINVAL, PEERGUARD_EAUDIT or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_remediator_new(peerguard_remediator **out, const peerguard_policy_set *set,
	peerguard_client *client, const peerguard_remediate_options *opts, peerguard_error *err);

/** Frees a remediator.  No remediation may be running.  r may be NULL. */
PEERGUARD_EXTERN void peerguard_remediator_free(peerguard_remediator *r);

/**
 * Remediates the connection of one decision: describe, plan, act, verify,
 * escalate and notify.  A decision that did not match, or whose policy has
 * no delete or reject action, is reported as skipped without any call.
 *
 * @param out  receives a new report, freed with peerguard_remediation_free
 * @param r    remediator
 * @param d    a decision made with the remediator's policy set
 * @param err  error detail, or NULL
 * @return 0 whatever the outcome (see peerguard_remediation_code), or
 *         PEERGUARD_ESTATE, PEERGUARD_EAUDIT, PEERGUARD_EINVAL or PEERGUARD_ENOMEM
 *         when the remediation could not be run or recorded
 */
PEERGUARD_EXTERN int peerguard_remediate_decision(peerguard_remediation **out, peerguard_remediator *r,
	const peerguard_decision *d, peerguard_error *err);

/**
 * Evaluates an input document like peerguard_evaluate and remediates every
 * matched decision, one remediation per event id and connection.  Every
 * call counts as one received event for the metrics when kind is not
 * PEERGUARD_INPUT_RESOURCES.
 *
 * @param out   receives a new list, freed with peerguard_remediation_list_free
 * @return 0, a code of peerguard_evaluate, or a code of peerguard_remediate_decision
 */
PEERGUARD_EXTERN int peerguard_remediate_document(peerguard_remediation_list **out, peerguard_remediator *r,
	peerguard_input_kind kind, const char *data, size_t len, const char *name, peerguard_error *err);

/**
 * Writes the remediator's counters and delays in Prometheus text format to
 * path, atomically: a temporary file in the same directory, synced, then
 * renamed over path.
 *
 * @param extra  more metric lines to append (text format, ending in "\n"), or NULL
 * @return 0 or PEERGUARD_EIO
 */
PEERGUARD_EXTERN int peerguard_remediator_write_metrics(peerguard_remediator *r, const char *path,
	const char *extra, peerguard_error *err);

/**
 * Returns the seconds since the last event a remediator received, or since
 * it was created when none has come.
 */
PEERGUARD_EXTERN double peerguard_remediator_quiet_seconds(peerguard_remediator *r);

/* ------------------------------------------------------------------------
 * Reports
 * ------------------------------------------------------------------------ */

/** Returns how the remediation ended. */
PEERGUARD_EXTERN peerguard_outcome peerguard_remediation_outcome(const peerguard_remediation *rem);

/**
 * Returns 0 when the outcome is safe, planned or skipped, else the code
 * of the reason: PEERGUARD_EUNSAFE, PEERGUARD_ENOTVISIBLE,
 * PEERGUARD_EDRYRUN (a dry run was denied), PEERGUARD_EDENIED or the
 * transport's code of the call that failed.
 */
PEERGUARD_EXTERN int peerguard_remediation_code(const peerguard_remediation *rem);

/** Returns the connection id (borrowed). */
PEERGUARD_EXTERN const char *peerguard_remediation_resource_id(const peerguard_remediation *rem);

/** Returns the last state a describe showed, "not-found", or "" when none ran (borrowed). */
PEERGUARD_EXTERN const char *peerguard_remediation_final_state(const peerguard_remediation *rem);

/**
 * Serialises a report: outcome, account, region, event, caller, connection
 * and owners, every step, the final state, the exposure and the delays,
 * as documented in docs/deployment.md.
 *
 * @param out    receives a new string, freed with peerguard_free
 * @param flags  PEERGUARD_JSON_PRETTY or 0
 * @return 0 or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_remediation_to_json(char **out, const peerguard_remediation *rem, unsigned int flags);

/** Frees a report.  rem may be NULL. */
PEERGUARD_EXTERN void peerguard_remediation_free(peerguard_remediation *rem);

/** Returns the number of reports in a list. */
PEERGUARD_EXTERN size_t peerguard_remediation_list_count(const peerguard_remediation_list *list);

/** Returns report i (borrowed), or NULL when i is out of range. */
PEERGUARD_EXTERN const peerguard_remediation *peerguard_remediation_list_get(const peerguard_remediation_list *list,
	size_t i);

/** Returns the number of input records the evaluation could not read (see peerguard_result_error_count). */
PEERGUARD_EXTERN size_t peerguard_remediation_list_input_errors(const peerguard_remediation_list *list);

/** Frees a list and its reports.  list may be NULL. */
PEERGUARD_EXTERN void peerguard_remediation_list_free(peerguard_remediation_list *list);

/**
 * Sends a JSON document the way remediations are announced: SNS Publish to
 * a topic and an HTTP POST to a webhook, each optional.  Both are tried
 * even when the first fails.
 *
 * @param client         client that publishes to SNS; may be NULL without a topic
 * @param sns_topic_arn  topic, or NULL
 * @param webhook_url    URL, or NULL
 * @param subject        SNS subject, at most 100 characters, or NULL
 * @param json           the document
 * @param timeout_ms     webhook timeout per attempt; 0: 10000
 * @param err            on failure, what failed (URLs without their query), or NULL
 * @return 0, PEERGUARD_ENOTIFY or PEERGUARD_EINVAL
 */
PEERGUARD_EXTERN int peerguard_notify(peerguard_client *client, const char *sns_topic_arn, const char *webhook_url,
	const char *subject, const char *json, unsigned int timeout_ms, peerguard_error *err);

/* ------------------------------------------------------------------------
 * Sweeps: periodic reconciliation
 * ------------------------------------------------------------------------ */

/** One account and region of a sweep. */
typedef struct peerguard_sweep_row {
	char account_id[16];
	char region[32];
	size_t seen;         /**< connections described */
	size_t matched;      /**< connections a pull or periodic policy matched with an action */
	size_t remediated;   /**< of those, brought to a safe state by a call */
	size_t failed;       /**< of those, not safe at the end (escalated); plus 1 when describe failed */
	int code;            /**< 0, or the code of the failed describe or client */
	char message[256];   /**< what failed, or "" */
} peerguard_sweep_row;

/** The result of a sweep.  Opaque. */
typedef struct peerguard_sweep_report peerguard_sweep_report;

#define PEERGUARD_SWEEP_OPTIONS_VERSION 1

/** Accounts, regions and workers of a sweep. */
typedef struct peerguard_sweep_options {
	unsigned int version;               /**< PEERGUARD_SWEEP_OPTIONS_VERSION */
	const char *const *accounts;        /**< 12-digit account ids */
	size_t n_accounts;
	const char *const *regions;
	size_t n_regions;
	unsigned int concurrency;           /**< worker threads, each with its own HTTP handle; 4 */
	unsigned int shard_index;           /**< this worker's shard, below shard_count */
	unsigned int shard_count;           /**< 0 or 1: no sharding */
} peerguard_sweep_options;

#define PEERGUARD_SWEEP_OPTIONS_INIT { PEERGUARD_SWEEP_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, 0, 0 }

/**
 * Describes every connection in every account and region of the shard,
 * evaluates them with the pull and periodic policies, and remediates every
 * match, each through a fresh describe.
 *
 * @param out  receives a new report, freed with peerguard_sweep_report_free
 * @return 0 when the sweep ran (rows carry the failures), or PEERGUARD_EINVAL,
 *         PEERGUARD_ENOMEM, PEERGUARD_ESTATE or PEERGUARD_EAUDIT
 */
PEERGUARD_EXTERN int peerguard_sweep(peerguard_sweep_report **out, peerguard_remediator *r,
	const peerguard_sweep_options *opts, peerguard_error *err);

/** Returns the number of rows, one per account and region swept, in the order of the options. */
PEERGUARD_EXTERN size_t peerguard_sweep_report_count(const peerguard_sweep_report *report);

/** Returns row i (borrowed), or NULL when i is out of range. */
PEERGUARD_EXTERN const peerguard_sweep_row *peerguard_sweep_report_row(const peerguard_sweep_report *report, size_t i);

/** Returns the reports of every remediation the sweep ran (borrowed). */
PEERGUARD_EXTERN const peerguard_remediation_list *peerguard_sweep_report_remediations(
	const peerguard_sweep_report *report);

/** Frees a sweep report.  report may be NULL. */
PEERGUARD_EXTERN void peerguard_sweep_report_free(peerguard_sweep_report *report);

/**
 * Returns the shard of an account: the 32-bit FNV-1a hash of its 12-digit
 * id, modulo shard_count (0 when shard_count is 0).  Every worker computes
 * the same split, so N machines with shards 0..N-1 sweep each account once.
 */
PEERGUARD_EXTERN unsigned int peerguard_shard_of(const char *account_id, unsigned int shard_count);

#ifdef __cplusplus
}
#endif

#endif
