/* peerguard eval: evaluate inputs against a policy set and print one decision per line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peerguard/peerguard.h"
#include "commands.h"
#include "tool_common.h"
#include "tool_remote.h"

#define MAX_POLICY_NAMES 64

static void eval_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard eval --policy FILE [OPTIONS] INPUT...\n\n"
		"Evaluates CloudTrail events (a record, an EventBridge event, an SNS message, an S3\n"
		"log file plain or gzip, or JSON lines) or DescribeVpcPeeringConnections output\n"
		"against the policies and prints one decision per policy and resource.\n"
		"INPUT '-' reads standard input.\n\n"
		"  --policy FILE        Cloud Custodian policy file, YAML or JSON (required)\n"
		"  -p, --policy-name N  evaluate only the policy named N; repeat for several\n"
		"  --account-id ID      the 12-digit account the policies protect: trusted by\n"
		"                       cross-account, used for {account_id} and to decide our side\n"
		"                       (default: each CloudTrail record's recipientAccountId)\n"
		"  --region R           region for {region} and for calls when a record has none\n"
		"  --now TIME           evaluate as if the time were TIME (RFC 3339, e.g.\n"
		"                       2026-01-15T12:00:00Z); default: the system clock\n"
		"  --input-kind KIND    auto (default), events or resources\n"
		"  --explain            add the filter clauses that decided and the values compared\n"
		"  --matched-only       print only decisions whose policy matched\n"
		"  --format FORMAT      json (JSON Lines, default) or text\n"
		TOOL_REMOTE_HELP
		"  -h, --help           show this help\n\n"
		"http and https value_from URLs are fetched with a GET; s3:// URLs with the AWS\n"
		"credentials, region and endpoint of the environment and shared files\n"
		"(AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for a test endpoint).\n\n"
		"Exit status: 0 nothing matched, 1 something matched, 2 usage, policy or input\n"
		"error (reported after every readable record was evaluated).\n");
}

static void print_text(const peerguard_decision *d)
{
	printf("%s %s %s: side=%s state=%s action=%s", peerguard_decision_matched(d) ? "MATCH" : "-----",
		peerguard_decision_policy(d), peerguard_decision_resource_id(d),
		peerguard_side_name(peerguard_decision_side(d)),
		*peerguard_decision_state(d) ? peerguard_decision_state(d) : "unknown",
		peerguard_action_name(peerguard_decision_action(d)));
	if (*peerguard_decision_api_call(d))
		printf(" call=%s region=%s", peerguard_decision_api_call(d), peerguard_decision_region(d));
	if (peerguard_decision_violation_count(d)) {
		printf(" foreign=");
		for (size_t i = 0; i < peerguard_decision_violation_count(d); i++)
			printf("%s%s", i ? "," : "", peerguard_decision_violation(d, i));
	}
	printf("\n  %s\n", peerguard_decision_reason(d));
}

int peerguard_cmd_eval(int argc, char **argv)
{
	static const struct option options[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ "policy-name", required_argument, NULL, 'p' },
		{ "account-id", required_argument, NULL, 'a' },
		{ "region", required_argument, NULL, 'r' },
		{ "now", required_argument, NULL, 'n' },
		{ "input-kind", required_argument, NULL, 'k' },
		{ "explain", no_argument, NULL, 'e' },
		{ "matched-only", no_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		TOOL_REMOTE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	peerguard_load_options lopts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_input_kind kind = PEERGUARD_INPUT_AUTO;
	const char *policy_path = NULL, *names[MAX_POLICY_NAMES + 1];
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	size_t n_names = 0;
	int text = 0, status = 0, any_matched = 0, opt;
	tool_remote remote;

	tool_remote_init(&remote, "eval");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:h", options, NULL)) != -1) {
		switch (opt) {
		case 'P':
			policy_path = optarg;
			break;
		case 'p':
			if (n_names == MAX_POLICY_NAMES) {
				fprintf(stderr, "peerguard eval: at most %d --policy-name options\n", MAX_POLICY_NAMES);
				return 2;
			}
			names[n_names++] = optarg;
			break;
		case 'a':
			ctx.account_id = optarg;
			break;
		case 'r':
			ctx.region = optarg;
			break;
		case 'n':
			if (tool_parse_time(optarg, &ctx.now) < 0) {
				fprintf(stderr, "peerguard eval: invalid --now '%s'; use RFC 3339 such as 2026-01-15T12:00:00Z\n",
					optarg);
				return 2;
			}
			break;
		case 'k':
			if (strcmp(optarg, "auto") == 0)
				kind = PEERGUARD_INPUT_AUTO;
			else if (strcmp(optarg, "events") == 0)
				kind = PEERGUARD_INPUT_EVENTS;
			else if (strcmp(optarg, "resources") == 0)
				kind = PEERGUARD_INPUT_RESOURCES;
			else {
				fprintf(stderr, "peerguard eval: --input-kind must be auto, events or resources\n");
				return 2;
			}
			break;
		case 'e':
			ctx.flags |= PEERGUARD_EXPLAIN;
			break;
		case 'm':
			ctx.flags |= PEERGUARD_MATCHED_ONLY;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				text = 1;
			else if (strcmp(optarg, "json") != 0) {
				fprintf(stderr, "peerguard eval: --format must be json or text\n");
				return 2;
			}
			break;
		case 'h':
			eval_usage(stdout);
			return 0;
		default:
			switch (tool_remote_option(&remote, opt, optarg)) {
			case 1:
				break;
			case 0:
				eval_usage(stderr);
				return 2;
			default:
				return 2;
			}
		}
	}
	if (!policy_path) {
		fprintf(stderr, "peerguard eval: --policy FILE is required\n");
		eval_usage(stderr);
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "peerguard eval: no INPUT given; pass a file or '-' for standard input\n");
		return 2;
	}
	if (ctx.account_id && (strlen(ctx.account_id) != 12 || strspn(ctx.account_id, "0123456789") != 12)) {
		fprintf(stderr, "peerguard eval: --account-id '%s' is not a 12-digit account id\n", ctx.account_id);
		return 2;
	}

	if (!ctx.account_id)
		fprintf(stderr, "peerguard eval: warning: no --account-id; describe records get no side and action, "
			"and cross-account trusts no account of ours. Pass the protected account's 12-digit id\n");

	names[n_names] = NULL;
	lopts.only = n_names ? names : NULL;
	lopts.log = tool_log;
	if (tool_remote_setup(&remote, &lopts, NULL) < 0)
		return 2;
	if (peerguard_policy_set_load_file(&set, policy_path, &lopts, &err) < 0) {
		tool_print_error("eval", &err);
		tool_remote_free(&remote);
		return 2;
	}
	if (ctx.now == 0)
		ctx.now = (double)time(NULL);

	for (int i = optind; i < argc; i++) {
		peerguard_result *result = NULL;

		if (peerguard_evaluate_file(&result, set, &ctx, kind, argv[i], &err) < 0) {
			tool_print_error("eval", &err);
			status = 2;
			continue;
		}
		for (size_t k = 0; k < peerguard_result_count(result); k++) {
			const peerguard_decision *d = peerguard_result_get(result, k);
			char *json = NULL;

			if (text) {
				print_text(d);
			} else if (peerguard_decision_to_json(&json, d, 0) == 0) {
				puts(json);
				peerguard_free(json);
			}
		}
		for (size_t k = 0; k < peerguard_result_error_count(result); k++) {
			peerguard_result_error(result, k, &err);
			tool_print_error("eval", &err);
			status = 2;
		}
		if (peerguard_result_matched_count(result))
			any_matched = 1;
		peerguard_result_free(result);
	}
	fflush(stdout);
	peerguard_policy_set_free(set);
	tool_remote_free(&remote);
	if (status)
		return status;
	return any_matched ? 1 : 0;
}
