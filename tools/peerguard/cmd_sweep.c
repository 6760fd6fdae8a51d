/* peerguard sweep: describe every account and region, evaluate pull and periodic policies, remediate. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "peerguard/remediate.h"
#include "cmd_remediate_common.h"
#include "commands.h"

#define MAX_ACCOUNTS 100000
#define MAX_REGIONS 64
/* The tail of the audit log read to find the last received event. */
#define AUDIT_TAIL_BYTES (4L * 1024 * 1024)

static void sweep_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard sweep --policy FILE --accounts FILE --regions LIST [OPTIONS]\n"
		"\n"
		"The periodic reconciliation that catches what events never show: acceptance in\n"
		"the peer's account, requests that expire.  Describes every VPC peering connection\n"
		"in every account and region (concurrently), evaluates the pull and periodic\n"
		"policies, remediates each match through a fresh describe, and prints a table:\n"
		"account, region, connections seen, matched, remediated, failed.\n"
		"\n"
		"options:\n"
		RCLI_HELP
		"  --accounts FILE        12-digit account ids, one per line ('#' starts a comment;\n"
		"                         a CSV line counts by its first field)\n"
		"  --regions LIST         comma-separated regions, such as us-east-1,eu-west-1\n"
		"  --concurrency N        accounts and regions described at once; default 4\n"
		"  --shard I/N            sweep only the accounts whose FNV-1a hash modulo N is I, so N\n"
		"                         machines (shards 0 to N-1) split an organisation\n"
		"  --format FORMAT        table (default) or json (rows and remediation reports)\n"
		"  --help                 print this help\n"
		"\n"
		"With --max-quiet, the sweep also reads the audit log (--audit-log, shared with\n"
		"'peerguard watch') and reports a quiet event pipeline when its last received\n"
		"event is older than that.\n"
		"\n"
		"Exit status: 0 all swept and safe; 1 an account or region could not be described,\n"
		"or a remediation ended unsafe (escalated); 2 usage or configuration error; 3 the\n"
		"event pipeline is quiet and nothing else failed.\n");
}

/* Reads the accounts file into a new array of new strings; prints errors.  Returns the count or -1. */
static long read_accounts(char ***out, const rcli *cli, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	char **ids = NULL;
	long n = 0, lineno = 0;

	*out = NULL;
	if (!f) {
		rcli_error(cli, "cannot open accounts file %s: check the path", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		if (*p == '"')
			p++;
		end = p;
		while (isdigit((unsigned char)*end))
			end++;
		if (end - p != 12 || (*end && !strchr("\",# \t\r\n", *end))) {
			rcli_error(cli, "%s line %ld: '%.40s' is not a 12-digit account id; write one id per line, "
				"leading zeros kept", path, lineno, p);
			goto fail;
		}
		if (n == MAX_ACCOUNTS) {
			rcli_error(cli, "%s: more than %d accounts; split the file and use --shard", path, MAX_ACCOUNTS);
			goto fail;
		}
		char **grown = realloc(ids, (size_t)(n + 1) * sizeof(*ids));

		if (!grown || !(grown[n] = strndup(p, 12))) {
			ids = grown ? grown : ids;
			rcli_error(cli, "out of memory");
			goto fail;
		}
		ids = grown;
		n++;
	}
	fclose(f);
	if (n == 0) {
		rcli_error(cli, "%s lists no account ids", path);
		free(ids);
		return -1;
	}
	*out = ids;
	return n;

fail:
	fclose(f);
	for (long i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return -1;
}

/* Splits a comma-separated list in place into regions; returns the count or -1. */
static int split_regions(const char **regions, char *list)
{
	int n = 0;

	for (char *save = NULL, *r = strtok_r(list, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r)
			continue;
		if (n == MAX_REGIONS)
			return -1;
		for (const char *c = r; *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
				return -1;
		regions[n++] = r;
	}
	return n;
}

/*
 * Returns the time of the last "received" record in the audit log, or 0
 * when none is in its last AUDIT_TAIL_BYTES; -1 when it cannot be read.
 */
static double last_received(const char *audit_log)
{
	FILE *f = fopen(audit_log, "r");
	char *line = NULL;
	size_t cap = 0;
	double last = 0;
	long size;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > AUDIT_TAIL_BYTES ? size - AUDIT_TAIL_BYTES : 0, SEEK_SET);
	if (size > AUDIT_TAIL_BYTES && getline(&line, &cap, f) < 0) {   /* skip the partial first line */
		fclose(f);
		free(line);
		return 0;
	}
	while (getline(&line, &cap, f) >= 0) {
		json_t *rec;
		const char *step, *when;
		struct tm tm;

		if (!strstr(line, "\"received\""))
			continue;
		rec = json_loads(line, 0, NULL);
		step = json_string_value(json_object_get(rec, "step"));
		when = json_string_value(json_object_get(rec, "time"));
		memset(&tm, 0, sizeof(tm));
		if (step && strcmp(step, "received") == 0 && when && strptime(when, "%Y-%m-%dT%H:%M:%S", &tm)) {
			double t = (double)timegm(&tm);

			if (t > last)
				last = t;
		}
		json_decref(rec);
	}
	free(line);
	fclose(f);
	return last;
}

static void print_table(const peerguard_sweep_report *report)
{
	size_t total[4] = { 0 };

	printf("%-12s  %-16s %6s %8s %11s %7s  %s\n", "ACCOUNT", "REGION", "SEEN", "MATCHED", "REMEDIATED", "FAILED",
		"ERROR");
	for (size_t i = 0; i < peerguard_sweep_report_count(report); i++) {
		const peerguard_sweep_row *row = peerguard_sweep_report_row(report, i);

		printf("%-12s  %-16s %6zu %8zu %11zu %7zu  %s\n", row->account_id, row->region, row->seen, row->matched,
			row->remediated, row->failed, row->message);
		total[0] += row->seen;
		total[1] += row->matched;
		total[2] += row->remediated;
		total[3] += row->failed;
	}
	printf("%-12s  %-16s %6zu %8zu %11zu %7zu\n", "TOTAL", "", total[0], total[1], total[2], total[3]);
}

static void print_json(const peerguard_sweep_report *report, int quiet)
{
	const peerguard_remediation_list *list = peerguard_sweep_report_remediations(report);
	json_t *doc = json_pack("{s:[],s:[],s:b}", "rows", "remediations", "pipeline_quiet", quiet);
	char *text;

	for (size_t i = 0; i < peerguard_sweep_report_count(report); i++) {
		const peerguard_sweep_row *row = peerguard_sweep_report_row(report, i);

		json_array_append_new(json_object_get(doc, "rows"), json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:s}",
			"account_id", row->account_id, "region", row->region, "seen", (json_int_t)row->seen,
			"matched", (json_int_t)row->matched, "remediated", (json_int_t)row->remediated,
			"failed", (json_int_t)row->failed, "error", row->message));
	}
	for (size_t i = 0; i < peerguard_remediation_list_count(list); i++) {
		char *json = NULL;

		if (peerguard_remediation_to_json(&json, peerguard_remediation_list_get(list, i), 0) == 0)
			json_array_append_new(json_object_get(doc, "remediations"), json_loads(json, 0, NULL));
		peerguard_free(json);
	}
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", text ? text : "{}");
	free(text);
	json_decref(doc);
}

/* Metric lines of the sweep itself, for the metrics file. */
static char *sweep_metrics(const peerguard_sweep_report *report, double started, double finished)
{
	static const char *const kinds[] = { "seen", "matched", "remediated", "failed" };
	size_t cap = 1024 + peerguard_sweep_report_count(report) * 4 * 160, len = 0;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	len += (size_t)snprintf(text + len, cap - len,
		"# HELP peerguard_sweep_connections Connections per account and region in the last sweep.\n"
		"# TYPE peerguard_sweep_connections gauge\n");
	for (size_t i = 0; i < peerguard_sweep_report_count(report); i++) {
		const peerguard_sweep_row *row = peerguard_sweep_report_row(report, i);
		size_t values[4] = { row->seen, row->matched, row->remediated, row->failed };

		for (int k = 0; k < 4; k++)
			len += (size_t)snprintf(text + len, cap - len,
				"peerguard_sweep_connections{account=\"%s\",region=\"%s\",kind=\"%s\"} %zu\n",
				row->account_id, row->region, kinds[k], values[k]);
	}
	snprintf(text + len, cap - len,
		"# HELP peerguard_sweep_last_run_timestamp_seconds End of the last sweep.\n"
		"# TYPE peerguard_sweep_last_run_timestamp_seconds gauge\npeerguard_sweep_last_run_timestamp_seconds %.3f\n"
		"# HELP peerguard_sweep_duration_seconds Duration of the last sweep.\n"
		"# TYPE peerguard_sweep_duration_seconds gauge\npeerguard_sweep_duration_seconds %.3f\n",
		finished, finished - started);
	return text;
}

static int parse_shard(const char *text, unsigned int *index, unsigned int *count)
{
	char *end;
	unsigned long i = strtoul(text, &end, 10);
	unsigned long n;

	if (end == text || *end != '/')
		return -1;
	n = strtoul(end + 1, &end, 10);
	if (*end || n == 0 || n > 100000 || i >= n)
		return -1;
	*index = (unsigned int)i;
	*count = (unsigned int)n;
	return 0;
}

int peerguard_cmd_sweep(int argc, char **argv)
{
	static const struct option options[] = {
		RCLI_LONG_OPTIONS,
		{ "accounts", required_argument, NULL, 'a' },
		{ "regions", required_argument, NULL, 'g' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "shard", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	peerguard_sweep_options sweep = PEERGUARD_SWEEP_OPTIONS_INIT;
	peerguard_sweep_report *report = NULL;
	const char *accounts_path = NULL, *regions[MAX_REGIONS];
	char *regions_text = NULL, **accounts = NULL;
	long n_accounts = 0;
	int n_regions = 0, json = 0, opt, status = 0, quiet = 0;
	double started, quiet_seconds = 0, max_quiet = 0;
	peerguard_error err;
	rcli cli;

	rcli_init(&cli, "sweep");
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		int handled = rcli_option(&cli, opt, optarg);
		char *end;

		if (handled < 0)
			return 2;
		if (handled)
			continue;
		switch (opt) {
		case 'a':
			accounts_path = optarg;
			break;
		case 'g':
			regions_text = optarg;
			break;
		case 'c':
			sweep.concurrency = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || sweep.concurrency == 0 || sweep.concurrency > 256) {
				rcli_error(&cli, "invalid --concurrency '%s': use a whole number from 1 to 256", optarg);
				return 2;
			}
			break;
		case 's':
			if (parse_shard(optarg, &sweep.shard_index, &sweep.shard_count) < 0) {
				rcli_error(&cli, "invalid --shard '%s': write I/N with 0 <= I < N, such as 0/4", optarg);
				return 2;
			}
			break;
		case 'f':
			if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0) {
				rcli_error(&cli, "invalid --format '%s': use table or json", optarg);
				return 2;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			sweep_usage(stdout);
			return 0;
		default:
			sweep_usage(stderr);
			return 2;
		}
	}
	if (!accounts_path || !regions_text) {
		rcli_error(&cli, "--accounts FILE and --regions LIST are required");
		return 2;
	}
	if (cli.rem_opts.max_quiet_seconds > 0 && !cli.rem_opts.audit_log) {
		rcli_error(&cli, "--max-quiet needs --audit-log: the sweep finds the last received event there");
		return 2;
	}
	n_regions = split_regions(regions, regions_text);
	if (n_regions <= 0) {
		rcli_error(&cli, "invalid --regions: give region names separated by commas, such as us-east-1,eu-west-1");
		return 2;
	}
	n_accounts = read_accounts(&accounts, &cli, accounts_path);
	if (n_accounts < 0)
		return 2;
	/* The sweep judges quiet from the audit log, and the remediator receives no events here, so it must not. */
	max_quiet = cli.rem_opts.max_quiet_seconds;
	cli.rem_opts.max_quiet_seconds = 0;
	if (rcli_open(&cli, 1) < 0) {
		status = 2;
		goto done;
	}

	sweep.accounts = (const char *const *)accounts;
	sweep.n_accounts = (size_t)n_accounts;
	sweep.regions = regions;
	sweep.n_regions = (size_t)n_regions;
	started = rcli_now(&cli);
	if (peerguard_sweep(&report, cli.r, &sweep, &err) < 0) {
		rcli_error(&cli, "%s", err.message);
		status = 2;
		goto done;
	}

	if (max_quiet > 0) {
		double last = last_received(cli.rem_opts.audit_log);

		quiet_seconds = last > 0 ? rcli_now(&cli) - last : -1;
		quiet = last <= 0 || quiet_seconds > max_quiet;
		if (quiet && last > 0)
			rcli_error(&cli, "error: the event pipeline is quiet: the last event was received %.0f s ago, more "
				"than --max-quiet %.0f s; check the EventBridge rule, the queue and 'peerguard watch'",
				quiet_seconds, max_quiet);
		else if (quiet)
			rcli_error(&cli, "error: the event pipeline is quiet: the audit log %s has no received event; check "
				"the EventBridge rule, the queue and 'peerguard watch'", cli.rem_opts.audit_log);
	}

	if (json)
		print_json(report, quiet);
	else
		print_table(report);
	fflush(stdout);

	for (size_t i = 0; i < peerguard_sweep_report_count(report); i++)
		if (peerguard_sweep_report_row(report, i)->failed)
			status = 1;
	if (!status && quiet)
		status = 3;

	if (cli.metrics_file) {
		char *extra = sweep_metrics(report, started, rcli_now(&cli));
		char quiet_line[256];
		size_t n = extra ? strlen(extra) : 0;
		char *all = malloc(n + sizeof(quiet_line));

		snprintf(quiet_line, sizeof(quiet_line), "# HELP peerguard_sweep_pipeline_quiet 1 when the audit log's last "
			"received event is older than --max-quiet.\n# TYPE peerguard_sweep_pipeline_quiet gauge\n"
			"peerguard_sweep_pipeline_quiet %d\n", quiet);
		if (all) {
			snprintf(all, n + sizeof(quiet_line), "%s%s", extra ? extra : "",
				max_quiet > 0 ? quiet_line : "");
			if (peerguard_remediator_write_metrics(cli.r, cli.metrics_file, all, &err) < 0)
				rcli_error(&cli, "%s", err.message);
		}
		free(all);
		free(extra);
	}

done:
	peerguard_sweep_report_free(report);
	rcli_close(&cli);
	for (long i = 0; i < n_accounts; i++)
		free(accounts[i]);
	free(accounts);
	return status;
}
