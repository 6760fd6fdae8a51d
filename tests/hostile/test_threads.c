/*
 * One policy set evaluated from 8 threads at once gives each thread the
 * decisions a single thread gets.  Loading policies and JMESPath searches
 * run concurrently too.  Under ThreadSanitizer (scripts/tsan-check.sh) any
 * data race in the library is reported and fails the test.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peerguard/peerguard.h"

#define THREADS 8
#define ROUNDS 40

static const char *POLICY =
	"policies:\n"
	"  - name: real-time\n"
	"    resource: peering-connection\n"
	"    mode:\n"
	"      type: cloudtrail\n"
	"      events:\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: CreateVpcPeeringConnection\n"
	"          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId\n"
	"    filters:\n"
	"      - type: event\n"
	"        key: detail.responseElements.vpcPeeringConnection.accepterVpcInfo.ownerId\n"
	"        op: ne\n"
	"        value: \"{account_id}\"\n"
	"      - type: cross-account\n"
	"        whitelist: [\"222222222222\"]\n"
	"    actions:\n"
	"      - type: delete\n"
	"  - name: sweep\n"
	"    resource: peering-connection\n"
	"    filters:\n"
	"      - type: value\n"
	"        key: Status.Code\n"
	"        op: in\n"
	"        value: [pending-acceptance, provisioning, active]\n"
	"      - type: value\n"
	"        key: \"tag:Name\"\n"
	"        op: regex\n"
	"        value: \"^{region}-.*\"\n"
	"      - type: value\n"
	"        key: ExpirationTime\n"
	"        value_type: expiration\n"
	"        op: lt\n"
	"        value: 30\n"
	"      - type: value\n"
	"        key: RequesterVpcInfo.CidrBlock\n"
	"        value_type: cidr\n"
	"        op: in\n"
	"        value: 10.0.0.0/8\n"
	"      - type: cross-account\n"
	"        whitelist: [\"222222222222\"]\n"
	"    actions:\n"
	"      - type: reject\n"
	"        fallback: delete\n";

static const char *DESCRIBE =
	"{\"VpcPeeringConnections\": ["
	"{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"pending-acceptance\"},"
	" \"ExpirationTime\": \"2026-01-20T12:00:00.000Z\", \"Tags\": [{\"Key\": \"Name\", \"Value\": \"us-east-1-link\"}],"
	" \"RequesterVpcInfo\": {\"OwnerId\": \"999999999999\", \"CidrBlock\": \"10.1.0.0/16\", \"Region\": \"us-east-1\"},"
	" \"AccepterVpcInfo\": {\"OwnerId\": \"111111111111\", \"Region\": \"us-east-1\"}},"
	"{\"VpcPeeringConnectionId\": \"pcx-2\", \"Status\": {\"Code\": \"active\"},"
	" \"ExpirationTime\": \"2026-01-20T12:00:00.000Z\", \"Tags\": [{\"Key\": \"Name\", \"Value\": \"us-east-1-b\"}],"
	" \"RequesterVpcInfo\": {\"OwnerId\": \"111111111111\", \"CidrBlock\": \"10.2.0.0/16\", \"Region\": \"us-east-1\"},"
	" \"AccepterVpcInfo\": {\"OwnerId\": \"222222222222\", \"Region\": \"us-east-1\"}}]}";

static const char *EVENT =
	"{\"detail-type\": \"AWS API Call via CloudTrail\", \"source\": \"aws.ec2\", \"detail\": {"
	"\"eventSource\": \"ec2.amazonaws.com\", \"eventName\": \"CreateVpcPeeringConnection\","
	" \"eventTime\": \"2026-01-15T12:00:00Z\", \"awsRegion\": \"us-east-1\", \"recipientAccountId\": \"111111111111\","
	" \"responseElements\": {\"vpcPeeringConnection\": {\"vpcPeeringConnectionId\": \"pcx-3\","
	"  \"status\": {\"code\": \"initiating-request\"},"
	"  \"requesterVpcInfo\": {\"ownerId\": \"111111111111\", \"vpcId\": \"vpc-1\"},"
	"  \"accepterVpcInfo\": {\"ownerId\": \"999999999999\", \"vpcId\": \"vpc-2\"}}}}}";

/* Returns the decisions of one evaluation with flags as JSON lines (a new string), or NULL on failure. */
static char *evaluate_text(const peerguard_policy_set *set, const char *input, unsigned int flags)
{
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;
	size_t size = 1, used = 0;
	char *all = NULL;

	ctx.account_id = "111111111111";
	ctx.region = "us-east-1";
	ctx.now = 1768478400; /* 2026-01-15T12:00:00Z */
	ctx.flags = flags;
	if (peerguard_evaluate(&result, set, &ctx, PEERGUARD_INPUT_AUTO, input, strlen(input), "threads.json", NULL) < 0)
		return NULL;
	for (size_t i = 0; i < peerguard_result_count(result); i++) {
		char *json = NULL;
		char *grown;

		if (peerguard_decision_to_json(&json, peerguard_result_get(result, i), 0) < 0)
			break;
		size += strlen(json) + 1;
		grown = realloc(all, size);
		if (!grown) {
			peerguard_free(json);
			break;
		}
		all = grown;
		used += (size_t)sprintf(all + used, "%s\n", json);
		peerguard_free(json);
	}
	peerguard_result_free(result);
	return all;
}

typedef struct worker {
	pthread_t thread;
	const peerguard_policy_set *set;
	const char *expected_describe;
	const char *expected_matched;    /* the describe input with PEERGUARD_MATCHED_ONLY, read as a describe table */
	const char *expected_event;
	int mismatches;
	int failures;
} worker;

static void *work(void *arg)
{
	worker *w = arg;

	for (int round = 0; round < ROUNDS; round++) {
		char *describe = evaluate_text(w->set, DESCRIBE, PEERGUARD_EXPLAIN);
		char *matched = evaluate_text(w->set, DESCRIBE, PEERGUARD_MATCHED_ONLY);
		char *event = evaluate_text(w->set, EVENT, PEERGUARD_EXPLAIN);
		peerguard_policy_set *own = NULL;
		char *found = NULL;

		if (!describe || !matched || !event)
			w->failures++;
		else if (strcmp(describe, w->expected_describe) != 0 || strcmp(matched, w->expected_matched) != 0 ||
			 strcmp(event, w->expected_event) != 0)
			w->mismatches++;
		free(describe);
		free(matched);
		free(event);

		/* Loading and one-shot searches share no state between threads either. */
		if (peerguard_policy_set_load_string(&own, POLICY, strlen(POLICY), "own.yml", NULL, NULL) < 0)
			w->failures++;
		peerguard_policy_set_free(own);
		if (peerguard_jmespath_search(&found, "VpcPeeringConnections[?Status.Code=='active'].VpcPeeringConnectionId | [0]",
			DESCRIBE, strlen(DESCRIBE), NULL, NULL) < 0 || strcmp(found, "\"pcx-2\"") != 0)
			w->failures++;
		peerguard_free(found);
	}
	return NULL;
}

START_TEST(shared_set_from_eight_threads)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	worker workers[THREADS];
	char *expected_describe, *expected_matched, *expected_event;

	ck_assert_msg(peerguard_policy_set_load_string(&set, POLICY, strlen(POLICY), "threads.yml", NULL, &err) == 0,
		"%s", err.message);
	expected_describe = evaluate_text(set, DESCRIBE, PEERGUARD_EXPLAIN);
	expected_matched = evaluate_text(set, DESCRIBE, PEERGUARD_MATCHED_ONLY);
	expected_event = evaluate_text(set, EVENT, PEERGUARD_EXPLAIN);
	ck_assert_ptr_nonnull(expected_describe);
	ck_assert_ptr_nonnull(expected_matched);
	ck_assert_ptr_nonnull(expected_event);

	/* The baseline itself must be decisions worth comparing: pcx-1 and pcx-3 match, pcx-2 does not. */
	ck_assert_ptr_nonnull(strstr(expected_describe, "\"resource_id\":\"pcx-1\",\"matched\":true"));
	ck_assert_ptr_nonnull(strstr(expected_describe, "\"resource_id\":\"pcx-2\",\"matched\":false"));
	ck_assert_ptr_nonnull(strstr(expected_event, "\"resource_id\":\"pcx-3\",\"matched\":true"));
	ck_assert_ptr_nonnull(strstr(expected_matched, "\"resource_id\":\"pcx-1\",\"matched\":true"));
	ck_assert_ptr_null(strstr(expected_matched, "\"resource_id\":\"pcx-2\""));

	for (int i = 0; i < THREADS; i++) {
		workers[i] = (worker){ 0 };
		workers[i].set = set;
		workers[i].expected_describe = expected_describe;
		workers[i].expected_matched = expected_matched;
		workers[i].expected_event = expected_event;
		ck_assert_int_eq(pthread_create(&workers[i].thread, NULL, work, &workers[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(workers[i].thread, NULL), 0);
		ck_assert_msg(workers[i].failures == 0, "thread %d: %d calls failed", i, workers[i].failures);
		ck_assert_msg(workers[i].mismatches == 0, "thread %d: %d results differ from one thread's", i,
			workers[i].mismatches);
	}
	free(expected_describe);
	free(expected_matched);
	free(expected_event);
	peerguard_policy_set_free(set);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("threads");
	TCase *tc = tcase_create("threads");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, shared_set_from_eight_threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
