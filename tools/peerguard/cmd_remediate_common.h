/*
 * Options and setup shared by the remediate, sweep, watch and canary
 * commands: policy, AWS client, remediator, logging and the clock.
 */
#ifndef PEERGUARD_TOOL_REMEDIATE_COMMON_H
#define PEERGUARD_TOOL_REMEDIATE_COMMON_H

#include <getopt.h>
#include <stdio.h>

#include "peerguard/peerguard.h"
#include "peerguard/remediate.h"
#include "peerguard/transport.h"
#include "tool_remote.h"

#define RCLI_MAX_HEADERS 16

/* getopt_long codes of the shared options; command-specific ones use letters or codes below 1000. */
enum rcli_option {
	RCLI_POLICY = 1000, RCLI_EXECUTE, RCLI_ACCOUNT_ID, RCLI_REGION, RCLI_ROLE_ARN, RCLI_ENDPOINT_URL,
	RCLI_PROFILE, RCLI_HEADER, RCLI_CA_BUNDLE, RCLI_STATE_FILE, RCLI_AUDIT_LOG, RCLI_DEADLINE,
	RCLI_VISIBILITY_WINDOW, RCLI_POLL_MS, RCLI_MAX_CALLS, RCLI_SNS_TOPIC_ARN, RCLI_WEBHOOK_URL, RCLI_NOW,
	RCLI_VERBOSE, RCLI_METRICS_FILE, RCLI_MAX_QUIET, RCLI_CLIENT_ACCOUNT_ID, RCLI_TIMEOUT
};

/* The shared entries of a getopt_long table. */
#define RCLI_LONG_OPTIONS \
	{ "policy", required_argument, NULL, RCLI_POLICY }, \
	{ "execute", no_argument, NULL, RCLI_EXECUTE }, \
	{ "account-id", required_argument, NULL, RCLI_ACCOUNT_ID }, \
	{ "region", required_argument, NULL, RCLI_REGION }, \
	{ "role-arn", required_argument, NULL, RCLI_ROLE_ARN }, \
	{ "endpoint-url", required_argument, NULL, RCLI_ENDPOINT_URL }, \
	{ "profile", required_argument, NULL, RCLI_PROFILE }, \
	{ "header", required_argument, NULL, RCLI_HEADER }, \
	{ "ca-bundle", required_argument, NULL, RCLI_CA_BUNDLE }, \
	{ "state-file", required_argument, NULL, RCLI_STATE_FILE }, \
	{ "audit-log", required_argument, NULL, RCLI_AUDIT_LOG }, \
	{ "deadline", required_argument, NULL, RCLI_DEADLINE }, \
	{ "visibility-window", required_argument, NULL, RCLI_VISIBILITY_WINDOW }, \
	{ "poll-ms", required_argument, NULL, RCLI_POLL_MS }, \
	{ "max-calls", required_argument, NULL, RCLI_MAX_CALLS }, \
	{ "sns-topic-arn", required_argument, NULL, RCLI_SNS_TOPIC_ARN }, \
	{ "webhook-url", required_argument, NULL, RCLI_WEBHOOK_URL }, \
	{ "now", required_argument, NULL, RCLI_NOW }, \
	{ "verbose", no_argument, NULL, RCLI_VERBOSE }, \
	{ "metrics-file", required_argument, NULL, RCLI_METRICS_FILE }, \
	{ "max-quiet", required_argument, NULL, RCLI_MAX_QUIET }, \
	{ "client-account-id", required_argument, NULL, RCLI_CLIENT_ACCOUNT_ID }, \
	{ "timeout", required_argument, NULL, RCLI_TIMEOUT }, \
	TOOL_REMOTE_LONG_OPTIONS

/* Help text of the shared options. */
#define RCLI_HELP \
	"  --policy FILE          Cloud Custodian policy file, YAML or JSON (required)\n" \
	"  --execute              send reject and delete; without it, plan and run each call\n" \
	"                         with EC2's DryRun to show missing permissions\n" \
	"  --account-id ID        12-digit account the policies protect (default: each\n" \
	"                         CloudTrail record's recipientAccountId)\n" \
	"  --region R             region of calls when a record names none; default: AWS_REGION,\n" \
	"                         AWS_DEFAULT_REGION, then the profile's region\n" \
	"  --role-arn TEMPLATE    role assumed to act in another account, with {account_id},\n" \
	"                         such as arn:aws:iam::{account_id}:role/peerguard\n" \
	"  --client-account-id ID account of the base credentials (default: GetCallerIdentity,\n" \
	"                         called only with --role-arn)\n" \
	"  --endpoint-url URL     endpoint of EC2, STS and SNS (for test endpoints)\n" \
	"  --profile NAME         profile of the shared AWS config and credentials files\n" \
	"  --header 'NAME: VALUE' extra signed request header, for test endpoints (repeatable)\n" \
	"  --ca-bundle FILE       PEM CA certificates for https\n" \
	"  --timeout SECONDS      deadline of each AWS call, retries included; default 120\n" \
	"  --state-file FILE      remediations by event id and connection, locked, so a repeated\n" \
	"                         event is remediated once (used with --execute)\n" \
	"  --audit-log FILE       JSON Lines audit log, one synced record per step\n" \
	"  --deadline SECONDS     one remediation, first describe to verified state; default 300\n" \
	"  --visibility-window S  retry NotFound until the event time plus S seconds; default 120\n" \
	"  --poll-ms MS           first pause between describes, doubled up to 5000; default 500\n" \
	"  --max-calls N          reject and delete calls per remediation; default 6\n" \
	"  --sns-topic-arn ARN    SNS topic told of every remediation (besides the policy's notify)\n" \
	"  --webhook-url URL      URL sent every remediation as JSON (besides the policy's webhook)\n" \
	"  --metrics-file FILE    Prometheus text file, written atomically (node_exporter textfile)\n" \
	"  --max-quiet SECONDS    report a quiet pipeline when no event came for this long\n" \
	"  --now TIME             start the clock at TIME (RFC 3339), for replaying recorded events\n" \
	TOOL_REMOTE_HELP \
	"                         (s3:// URLs use the client settings above)\n" \
	"  --verbose              log every step to stderr\n"

/* Settings and handles of one command run. */
typedef struct rcli {
	const char *command;
	const char *policy_path;
	peerguard_client_options client_opts;
	const char *headers[RCLI_MAX_HEADERS + 1];
	size_t n_headers;
	peerguard_remediate_options rem_opts;
	const char *metrics_file;
	int verbose;
	double start_time;           /* --now, or 0 */
	double start_monotonic;

	tool_remote remote;          /* fetcher of remote value_from URLs */
	peerguard_policy_set *set;
	peerguard_client *client;
	peerguard_remediator *r;
} rcli;

/* Starts settings for command. */
void rcli_init(rcli *cli, const char *command);

/*
 * Handles one shared option.  Returns 1 when opt was one (value stored),
 * 0 when it was not, -1 when its value is invalid (message printed).
 */
int rcli_option(rcli *cli, int opt, const char *arg);

/* Loads the policy set (when need_policy) and creates the client and remediator; prints errors.  Returns 0 or -1. */
int rcli_open(rcli *cli, int need_policy);

/* Frees everything rcli_open made. */
void rcli_close(rcli *cli);

/* Prints "peerguard COMMAND: message" to stderr. */
void rcli_error(const rcli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log callback for the library: warnings and errors always, info and debug with --verbose. */
void rcli_log(peerguard_log_level level, const char *message, void *userdata);

/* Returns the command's clock: --now plus the time elapsed, or the system clock. */
double rcli_now(void *userdata);

/* Parses a non-negative number of seconds no larger than max; returns 0 or -1. */
int rcli_parse_seconds(const char *text, double max, double *out);

/* Prints each report of list as one JSON line and adds its outcome to counts (indexed by peerguard_outcome). */
void rcli_print_reports(const peerguard_remediation_list *list, size_t counts[9]);

/* Returns 1 when any count in counts is of an outcome that needed escalation or a denied dry run. */
int rcli_any_unsafe(const size_t counts[9]);

/* Prints "N remediated, N unsafe, ..." for the non-zero counts to stderr. */
void rcli_print_counts(const rcli *cli, const size_t counts[9]);

#endif
