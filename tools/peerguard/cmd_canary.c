/* peerguard canary: make a peering request to a canary account and time its removal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "peerguard/remediate.h"
#include "cmd_remediate_common.h"
#include "commands.h"

#define DEFAULT_BOUND_SECONDS 900.0
#define DEFAULT_CANARY_POLL_MS 5000u

static void canary_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard canary --canary-vpc VPC --canary-peer-account ID --canary-peer-vpc VPC [OPTIONS]\n"
		"\n"
		"Tests the whole pipeline end to end: creates a peering request from a designated\n"
		"canary VPC to a designated canary account (which the policies must treat as\n"
		"unknown), waits for the remediation run elsewhere by 'peerguard watch' or\n"
		"'peerguard sweep' to reject or delete it, and prints the time that took.  When the\n"
		"bound passes first it alerts (SNS, webhook, exit 1) and deletes its own request.\n"
		"\n"
		"options:\n"
		"  --canary-vpc VPC           requester VPC, in --region, owned by the caller\n"
		"  --canary-peer-account ID   12-digit account of the peer VPC\n"
		"  --canary-peer-vpc VPC      peer VPC; its CIDR must not overlap the canary VPC's\n"
		"  --canary-peer-region R     region of the peer VPC; default: --region\n"
		"  --bound SECONDS            longest acceptable time to removal; default 900\n"
		"  --region R                 region of the canary VPC\n"
		"  --poll-ms MS               pause between describes; default 5000\n"
		"  --endpoint-url, --profile, --header, --ca-bundle, --timeout, --sns-topic-arn,\n"
		"  --webhook-url, --metrics-file, --verbose: as for 'peerguard remediate'\n"
		"  --help                     print this help\n"
		"\n"
		"Exit status: 0 removed within the bound; 1 the bound passed (alert sent);\n"
		"2 usage error, or the request could not be made or watched.\n");
}

static const char *record_state(json_t *doc, const char *id)
{
	json_t *list = json_object_get(doc, "VpcPeeringConnections");

	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *item = json_array_get(list, i);
		const char *have = json_string_value(json_object_get(item, "VpcPeeringConnectionId"));

		if (have && strcmp(have, id) == 0)
			return json_string_value(json_object_get(json_object_get(item, "Status"), "Code"));
	}
	return NULL;
}

/* Describes the canary; *state receives its state, "not-found", or NULL when the call failed. */
static void describe_state(char *state, size_t size, rcli *cli, const char *region, const char *id, int *failed)
{
	const char *ids[1] = { id };
	peerguard_aws_error aerr;
	char *json = NULL;

	*failed = 0;
	if (peerguard_ec2_describe_vpc_peering_connections(&json, cli->client, region, ids, 1, NULL, 0, &aerr) < 0) {
		if (peerguard_aws_error_is(&aerr, "InvalidVpcPeeringConnectionID.NotFound")) {
			snprintf(state, size, "not-found");
		} else {
			rcli_error(cli, "warning: %s", aerr.error.message);
			*failed = 1;
		}
		return;
	}
	json_t *doc = json_loads(json, 0, NULL);
	const char *s = record_state(doc, id);

	snprintf(state, size, "%s", s ? s : "not-found");
	json_decref(doc);
	peerguard_free(json);
}

static void sleep_ms(double ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6) };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

static void write_canary_metrics(rcli *cli, double seconds, int within, double now)
{
	char text[1024];
	peerguard_error err;

	if (!cli->metrics_file)
		return;
	snprintf(text, sizeof(text),
		"# HELP peerguard_canary_removal_seconds Seconds from the canary request to its removal (or to the bound).\n"
		"# TYPE peerguard_canary_removal_seconds gauge\npeerguard_canary_removal_seconds %.3f\n"
		"# HELP peerguard_canary_within_bound 1 when the last canary was removed within its bound.\n"
		"# TYPE peerguard_canary_within_bound gauge\npeerguard_canary_within_bound %d\n"
		"# HELP peerguard_canary_last_run_timestamp_seconds End of the last canary run.\n"
		"# TYPE peerguard_canary_last_run_timestamp_seconds gauge\npeerguard_canary_last_run_timestamp_seconds %.3f\n",
		seconds, within, now);
	if (peerguard_remediator_write_metrics(cli->r, cli->metrics_file, text, &err) < 0)
		rcli_error(cli, "%s", err.message);
}

/* Creates the canary request; returns 0 with its id in id, or -1. */
static int create_canary(char *id, size_t size, rcli *cli, const char *region, peerguard_create_peering_options *create)
{
	peerguard_aws_error aerr;
	char *json = NULL;
	json_t *doc;
	const char *made;

	if (peerguard_ec2_create_vpc_peering_connection(&json, cli->client, region, create, &aerr) < 0) {
		rcli_error(cli, "could not create the canary request: %s", aerr.error.message);
		return -1;
	}
	doc = json_loads(json, 0, NULL);
	made = json_string_value(json_object_get(json_object_get(doc, "VpcPeeringConnection"), "VpcPeeringConnectionId"));
	snprintf(id, size, "%s", made ? made : "");
	json_decref(doc);
	peerguard_free(json);
	if (!*id) {
		rcli_error(cli, "the CreateVpcPeeringConnection answer has no connection id");
		return -1;
	}
	return 0;
}

int peerguard_cmd_canary(int argc, char **argv)
{
	static const struct option options[] = {
		RCLI_LONG_OPTIONS,
		{ "canary-vpc", required_argument, NULL, 'v' },
		{ "canary-peer-account", required_argument, NULL, 'a' },
		{ "canary-peer-vpc", required_argument, NULL, 'p' },
		{ "canary-peer-region", required_argument, NULL, 'r' },
		{ "bound", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	peerguard_create_peering_options create = PEERGUARD_CREATE_PEERING_OPTIONS_INIT;
	double bound = DEFAULT_BOUND_SECONDS, started, elapsed = 0;
	char id[64], state[64] = "", when[40];
	int opt, removed = 0, seen = 0, status;
	const char *region;
	rcli cli;

	rcli_init(&cli, "canary");
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		int handled = rcli_option(&cli, opt, optarg);

		if (handled < 0)
			return 2;
		if (handled)
			continue;
		switch (opt) {
		case 'v': create.vpc_id = optarg; break;
		case 'a': create.peer_owner_id = optarg; break;
		case 'p': create.peer_vpc_id = optarg; break;
		case 'r': create.peer_region = optarg; break;
		case 'b':
			if (rcli_parse_seconds(optarg, 86400, &bound) < 0 || bound == 0) {
				rcli_error(&cli, "invalid --bound '%s': use seconds from 1 to 86400, such as 900", optarg);
				return 2;
			}
			break;
		case 'h':
			canary_usage(stdout);
			return 0;
		default:
			canary_usage(stderr);
			return 2;
		}
	}
	if (!create.vpc_id || !create.peer_owner_id || !create.peer_vpc_id) {
		rcli_error(&cli, "--canary-vpc, --canary-peer-account and --canary-peer-vpc are required");
		return 2;
	}
	if (strlen(create.peer_owner_id) != 12 || strspn(create.peer_owner_id, "0123456789") != 12) {
		rcli_error(&cli, "invalid --canary-peer-account '%s': use the 12-digit account id", create.peer_owner_id);
		return 2;
	}
	if (!cli.rem_opts.poll_ms)
		cli.rem_opts.poll_ms = DEFAULT_CANARY_POLL_MS;
	if (rcli_open(&cli, 0) < 0) {
		rcli_close(&cli);
		return 2;
	}
	region = cli.rem_opts.region ? cli.rem_opts.region : peerguard_client_region(cli.client);

	started = rcli_now(&cli);
	if (create_canary(id, sizeof(id), &cli, region, &create) < 0) {
		rcli_close(&cli);
		return 2;
	}
	rcli_error(&cli, "created canary request %s; waiting up to %.0f s for its removal", id, bound);

	/* Until the bound: describe, and stop at rejected, deleting or deleted (or gone after being seen). */
	for (;;) {
		int failed;

		describe_state(state, sizeof(state), &cli, region, id, &failed);
		elapsed = rcli_now(&cli) - started;
		if (!failed && strcmp(state, "not-found") != 0)
			seen = 1;
		if (!failed && (!strcmp(state, "rejected") || !strcmp(state, "deleting") || !strcmp(state, "deleted") ||
		    (seen && !strcmp(state, "not-found")))) {
			removed = 1;
			break;
		}
		if (!failed && (!strcmp(state, "failed") || !strcmp(state, "expired"))) {
			rcli_error(&cli, "the canary request is %s, so it tests nothing: check that the peer VPC exists in "
				"the peer account and region and that the CIDRs do not overlap", state);
			rcli_close(&cli);
			return 2;
		}
		if (elapsed >= bound)
			break;
		sleep_ms(cli.rem_opts.poll_ms < (bound - elapsed) * 1000 ? cli.rem_opts.poll_ms : (bound - elapsed) * 1000);
	}

	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_t *report = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:f,s:b,s:s}", "type", "peerguard.canary", "time", when,
		"connection", id, "vpc_id", create.vpc_id, "peer_account", create.peer_owner_id,
		"peer_vpc_id", create.peer_vpc_id, "seconds", elapsed, "bound_seconds", bound,
		"within_bound", removed && elapsed <= bound, "final_state", state);
	char *text = json_dumps(report, JSON_COMPACT | JSON_PRESERVE_ORDER);

	printf("%s\n", text ? text : "{}");
	fflush(stdout);

	status = removed && elapsed <= bound ? 0 : 1;
	if (status) {
		peerguard_aws_error aerr;
		peerguard_error err;
		char subject[128];

		rcli_error(&cli, "error: canary %s was not removed within %.0f s (state %s): the remediation pipeline is "
			"not working; deleting the canary request", id, bound, state);
		snprintf(subject, sizeof(subject), "ESCALATION: peerguard canary %s not removed within %.0f s", id, bound);
		if ((cli.rem_opts.sns_topic_arn || cli.rem_opts.webhook_url) &&
		    peerguard_notify(cli.client, cli.rem_opts.sns_topic_arn, cli.rem_opts.webhook_url, subject, text, 0,
				&err) < 0)
			rcli_error(&cli, "error: the alert was not delivered: %s", err.message);
		if ((!strcmp(state, "pending-acceptance") || !strcmp(state, "active")) &&
		    peerguard_ec2_delete_vpc_peering_connection(cli.client, region, id, 0, &aerr) < 0)
			rcli_error(&cli, "error: the canary request %s could not be deleted: %s", id, aerr.error.message);
	}
	write_canary_metrics(&cli, elapsed, !status, rcli_now(&cli));
	free(text);
	json_decref(report);
	rcli_close(&cli);
	return status;
}
