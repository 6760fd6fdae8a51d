/* Options, setup, logging and output shared by the remediate, sweep, watch and canary commands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_remediate_common.h"
#include "tool_common.h"

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rcli_init(rcli *cli, const char *command)
{
	peerguard_client_options client_opts = PEERGUARD_CLIENT_OPTIONS_INIT;
	peerguard_remediate_options rem_opts = PEERGUARD_REMEDIATE_OPTIONS_INIT;

	memset(cli, 0, sizeof(*cli));
	cli->command = command;
	cli->client_opts = client_opts;
	cli->rem_opts = rem_opts;
	tool_remote_init(&cli->remote, command);
	cli->start_monotonic = monotonic_seconds();
}

void rcli_error(const rcli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "peerguard %s: ", cli->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void rcli_log(peerguard_log_level level, const char *message, void *userdata)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	const rcli *cli = userdata;

	if (level <= PEERGUARD_LOG_WARN || (cli->verbose && level == PEERGUARD_LOG_INFO) || cli->verbose > 1)
		fprintf(stderr, "peerguard %s: %s: %s\n", cli->command, names[level], message);
}

/*
 * Log callback for the AWS client.  The client logs every failed call as an error, but
 * the remediation expects some (NotFound right after creation, InvalidStateTransition
 * after the peer accepted) and reports the failures that matter itself, so only
 * retries are shown without --verbose.
 */
static void rcli_client_log(peerguard_log_level level, const char *message, void *userdata)
{
	const rcli *cli = userdata;

	if (level == PEERGUARD_LOG_WARN || cli->verbose)
		rcli_log(level == PEERGUARD_LOG_ERROR ? PEERGUARD_LOG_INFO : level, message, userdata);
}

double rcli_now(void *userdata)
{
	const rcli *cli = userdata;
	struct timespec ts;

	if (cli->start_time > 0)
		return cli->start_time + (monotonic_seconds() - cli->start_monotonic);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rcli_parse_seconds(const char *text, double max, double *out)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *text, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (end == text || *end || *text == '-' || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int rcli_option(rcli *cli, int opt, const char *arg)
{
	peerguard_remediate_options *o = &cli->rem_opts;
	double seconds;

	switch (opt) {
	case RCLI_POLICY: cli->policy_path = arg; return 1;
	case RCLI_EXECUTE: o->execute = 1; return 1;
	case RCLI_ACCOUNT_ID: o->account_id = arg; return 1;
	case RCLI_REGION: o->region = arg; cli->client_opts.region = arg; return 1;
	case RCLI_ROLE_ARN: o->role_arn_template = arg; cli->client_opts.role_arn_template = arg; return 1;
	case RCLI_CLIENT_ACCOUNT_ID: o->client_account_id = arg; return 1;
	case RCLI_ENDPOINT_URL: cli->client_opts.endpoint_url = arg; return 1;
	case RCLI_PROFILE: cli->client_opts.profile = arg; return 1;
	case RCLI_CA_BUNDLE: cli->client_opts.ca_bundle = arg; return 1;
	case RCLI_STATE_FILE: o->state_file = arg; return 1;
	case RCLI_AUDIT_LOG: o->audit_log = arg; return 1;
	case RCLI_SNS_TOPIC_ARN: o->sns_topic_arn = arg; return 1;
	case RCLI_WEBHOOK_URL: o->webhook_url = arg; return 1;
	case RCLI_METRICS_FILE: cli->metrics_file = arg; return 1;
	case RCLI_VERBOSE: cli->verbose++; return 1;
	case RCLI_HEADER:
		if (cli->n_headers == RCLI_MAX_HEADERS || !strchr(arg, ':') || *arg == ':') {
			rcli_error(cli, "invalid --header '%s': write 'Name: value' (at most %d headers)", arg, RCLI_MAX_HEADERS);
			return -1;
		}
		cli->headers[cli->n_headers++] = arg;
		cli->client_opts.extra_headers = cli->headers;
		return 1;
	case RCLI_DEADLINE:
		if (rcli_parse_seconds(arg, 86400, &o->deadline_seconds) < 0 || o->deadline_seconds == 0) {
			rcli_error(cli, "invalid --deadline '%s': use seconds from 1 to 86400, such as 300", arg);
			return -1;
		}
		return 1;
	case RCLI_VISIBILITY_WINDOW:
		if (rcli_parse_seconds(arg, 86400, &o->visibility_window_seconds) < 0 || o->visibility_window_seconds == 0) {
			rcli_error(cli, "invalid --visibility-window '%s': use seconds from 1 to 86400, such as 120", arg);
			return -1;
		}
		return 1;
	case RCLI_MAX_QUIET:
		if (rcli_parse_seconds(arg, 30 * 86400, &o->max_quiet_seconds) < 0 || o->max_quiet_seconds == 0) {
			rcli_error(cli, "invalid --max-quiet '%s': use seconds, such as 3600", arg);
			return -1;
		}
		return 1;
	case RCLI_TIMEOUT:
		if (rcli_parse_seconds(arg, 3600, &seconds) < 0 || seconds < 0.1) {
			rcli_error(cli, "invalid --timeout '%s': use seconds from 0.1 to 3600, such as 30", arg);
			return -1;
		}
		cli->client_opts.deadline_ms = (unsigned int)(seconds * 1000.0);
		return 1;
	case RCLI_POLL_MS:
		if (parse_uint(arg, 1, 600000, &o->poll_ms) < 0) {
			rcli_error(cli, "invalid --poll-ms '%s': use milliseconds from 1 to 600000, such as 500", arg);
			return -1;
		}
		if (o->poll_max_ms < o->poll_ms * 10)
			o->poll_max_ms = o->poll_ms * 10;
		return 1;
	case RCLI_MAX_CALLS:
		if (parse_uint(arg, 1, 100, &o->max_calls) < 0) {
			rcli_error(cli, "invalid --max-calls '%s': use a whole number from 1 to 100", arg);
			return -1;
		}
		return 1;
	case RCLI_NOW:
		if (tool_parse_time(arg, &cli->start_time) < 0) {
			rcli_error(cli, "invalid --now '%s': use RFC 3339, such as 2026-01-15T12:00:00Z", arg);
			return -1;
		}
		return 1;
	default:
		return tool_remote_option(&cli->remote, opt, arg);
	}
}

int rcli_open(rcli *cli, int need_policy)
{
	peerguard_load_options load = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_aws_error aerr;
	peerguard_error err;
	const char *policy_text = "policies: []\n";

	if (need_policy && !cli->policy_path) {
		rcli_error(cli, "--policy FILE is required");
		return -1;
	}
	load.log = rcli_log;
	load.log_userdata = cli;
	cli->client_opts.log = rcli_client_log;
	cli->client_opts.log_userdata = cli;
	if (tool_remote_setup(&cli->remote, &load, &cli->client_opts) < 0)
		return -1;
	if (cli->policy_path ? peerguard_policy_set_load_file(&cli->set, cli->policy_path, &load, &err) < 0 :
	    peerguard_policy_set_load_string(&cli->set, policy_text, strlen(policy_text), "<none>", &load, &err) < 0) {
		tool_print_error(cli->command, &err);
		return -1;
	}

	if (peerguard_client_new(&cli->client, &cli->client_opts, &aerr) < 0) {
		rcli_error(cli, "%s", aerr.error.message);
		return -1;
	}

	cli->rem_opts.clock = rcli_now;
	cli->rem_opts.clock_userdata = cli;
	cli->rem_opts.log = rcli_log;
	cli->rem_opts.log_userdata = cli;
	if (peerguard_remediator_new(&cli->r, cli->set, cli->client, &cli->rem_opts, &err) < 0) {
		tool_print_error(cli->command, &err);
		return -1;
	}
	return 0;
}

void rcli_close(rcli *cli)
{
	peerguard_remediator_free(cli->r);
	peerguard_client_free(cli->client);
	peerguard_policy_set_free(cli->set);
	tool_remote_free(&cli->remote);
	cli->r = NULL;
	cli->client = NULL;
	cli->set = NULL;
}

void rcli_print_reports(const peerguard_remediation_list *list, size_t counts[9])
{
	for (size_t i = 0; i < peerguard_remediation_list_count(list); i++) {
		const peerguard_remediation *rem = peerguard_remediation_list_get(list, i);
		char *json = NULL;

		if (peerguard_remediation_to_json(&json, rem, 0) == 0)
			printf("%s\n", json);
		peerguard_free(json);
		if ((unsigned int)peerguard_remediation_outcome(rem) < 9)
			counts[peerguard_remediation_outcome(rem)]++;
	}
	fflush(stdout);
}

int rcli_any_unsafe(const size_t counts[9])
{
	return counts[PEERGUARD_OUTCOME_UNSAFE] || counts[PEERGUARD_OUTCOME_NOT_FOUND] ||
		counts[PEERGUARD_OUTCOME_DENIED] || counts[PEERGUARD_OUTCOME_FAILED];
}

void rcli_print_counts(const rcli *cli, const size_t counts[9])
{
	char line[512];
	size_t len = 0;

	line[0] = '\0';
	for (int i = 0; i < 9; i++)
		if (counts[i])
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%zu %s", len ? ", " : "", counts[i],
				peerguard_outcome_name((peerguard_outcome)i));
	fprintf(stderr, "peerguard %s: %s\n", cli->command, len ? line : "nothing to remediate");
}
