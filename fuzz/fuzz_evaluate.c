/*
 * Evaluation of hostile input.  The bytes are an input document (CloudTrail
 * record, EventBridge event, SNS or SQS message, S3 log file, JSON lines,
 * describe output, gzip of any of these).  It is evaluated against a fixed
 * policy set that uses every kind of filter.  Every decision is serialised, so the
 * accessors and the JSON writer see what the evaluator produced.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peerguard/peerguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char policy_text[] =
	"policies:\n"
	"  - name: real-time\n"
	"    resource: peering-connection\n"
	"    mode:\n"
	"      type: cloudtrail\n"
	"      events:\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: CreateVpcPeeringConnection\n"
	"          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: AcceptVpcPeeringConnection\n"
	"          ids: detail.requestParameters.vpcPeeringConnectionId\n"
	"    filters:\n"
	"      - type: event\n"
	"        key: detail.responseElements.vpcPeeringConnection.accepterVpcInfo.ownerId\n"
	"        op: ne\n"
	"        value: \"{account_id}\"\n"
	"      - or:\n"
	"          - type: cross-account\n"
	"            whitelist: [\"222222222222\", \"{account_id}\"]\n"
	"          - {\"tag:Owner\": absent}\n"
	"    actions:\n"
	"      - type: delete\n"
	"  - name: sweep\n"
	"    resource: aws.peering-connection\n"
	"    mode:\n"
	"      type: periodic\n"
	"      schedule: rate(15 minutes)\n"
	"    conditions:\n"
	"      - type: value\n"
	"        key: region\n"
	"        op: regex\n"
	"        value: \"^(us|eu)-.*\"\n"
	"    filters:\n"
	"      - type: value\n"
	"        key: Status.Code\n"
	"        op: in\n"
	"        value: [initiating-request, pending-acceptance, provisioning, active]\n"
	"      - not:\n"
	"          - type: value\n"
	"            key: RequesterVpcInfo.CidrBlock\n"
	"            value_type: cidr\n"
	"            op: in\n"
	"            value: 10.0.0.0/8\n"
	"      - type: value\n"
	"        key: ExpirationTime\n"
	"        value_type: expiration\n"
	"        op: lt\n"
	"        value: 30\n"
	"      - type: value\n"
	"        key: AccepterVpcInfo.OwnerId\n"
	"        op: regex\n"
	"        value: \"(\\\\d+)+$\"\n"
	"      - type: value\n"
	"        key: length(Tags[?Key == 'Name'])\n"
	"        op: le\n"
	"        value: 1\n"
	"      - type: cross-account\n"
	"    actions:\n"
	"      - type: reject\n"
	"        fallback: delete\n"
	"  - name: pull\n"
	"    resource: peering-connection\n"
	"    filters:\n"
	"      - type: value\n"
	"        key: RequesterVpcInfo.CidrBlockSet[].CidrBlock\n"
	"        op: intersect\n"
	"        value: [10.1.0.0/16, 192.168.0.0/24]\n"
	"      - type: value\n"
	"        key: Tags[].Value\n"
	"        value_type: normalize\n"
	"        op: contains\n"
	"        value: prod\n"
	"      - type: value\n"
	"        key: Status.Message\n"
	"        op: glob\n"
	"        value: \"*Act?ve*\"\n";

static peerguard_policy_set *set;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	peerguard_error err;

	(void)argc;
	(void)argv;
	if (peerguard_policy_set_load_string(&set, policy_text, sizeof(policy_text) - 1, "fixed.yml", NULL, &err) < 0) {
		fprintf(stderr, "fuzz_evaluate: the fixed policy does not load: %s\n", err.message);
		abort();
	}
	return 0;
}

static void check_result(const peerguard_result *result)
{
	size_t matched = 0;

	for (size_t i = 0; i < peerguard_result_count(result); i++) {
		const peerguard_decision *d = peerguard_result_get(result, i);
		char *json = NULL;

		if (!d || !peerguard_decision_policy(d) || !peerguard_decision_resource_id(d) ||
		    !peerguard_decision_reason(d) || !peerguard_decision_api_call(d))
			abort();
		matched += peerguard_decision_matched(d) ? 1 : 0;
		for (size_t v = 0; v < peerguard_decision_violation_count(d); v++)
			if (!peerguard_decision_violation(d, v))
				abort();
		if (peerguard_decision_to_json(&json, d, (unsigned int)i & PEERGUARD_JSON_PRETTY) == 0)
			peerguard_free(json);
	}
	if (matched != peerguard_result_matched_count(result))
		abort();
	for (size_t i = 0; i < peerguard_result_error_count(result); i++) {
		peerguard_error e;

		if (peerguard_result_error(result, i, &e) < 0 || e.message[0] == '\0')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;
	peerguard_error err;
	int rc;

	ctx.account_id = "111111111111";
	ctx.region = "us-east-1";
	ctx.now = 1768478400.0; /* 2026-01-15T12:00:00Z */
	ctx.flags = PEERGUARD_EXPLAIN;
	rc = peerguard_evaluate(&result, set, &ctx, PEERGUARD_INPUT_AUTO, (const char *)data, size, "fuzz.json", &err);
	if (rc < 0) {
		if (result || err.message[0] == '\0')
			abort();
		return 0;
	}
	check_result(result);
	peerguard_result_free(result);

	/*
	 * Without an account id or region the record's own fields are used.
	 * PARSE_ALL parses the records that the first run's prefilter skipped.
	 */
	ctx.account_id = NULL;
	ctx.region = NULL;
	ctx.flags = PEERGUARD_MATCHED_ONLY | PEERGUARD_PARSE_ALL;
	if (peerguard_evaluate(&result, set, &ctx, PEERGUARD_INPUT_AUTO, (const char *)data, size, NULL, &err) == 0) {
		check_result(result);
		peerguard_result_free(result);
	}
	return 0;
}
