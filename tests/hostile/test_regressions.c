/*
 * Regressions found by fuzzing and by hostile-input review.  Each test
 * replays the input that crashed or hung the library, built here from a
 * few bytes or generated, and checks the outcome and a time bound.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peerguard/peerguard.h"
#ifdef PEERGUARD_TEST_TRANSPORT
#include "transport/credentials.h"
#endif

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A growing text buffer for generated documents. */
typedef struct text {
	char *data;
	size_t len;
	size_t cap;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->data = realloc(t->data, t->cap);
		ck_assert_ptr_nonnull(t->data);
	}
	t->len += (size_t)n;
}

static peerguard_policy_set *load_ok(const char *yaml, size_t len, const char *base_dir)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	int rc;

	opts.base_dir = base_dir;
	rc = peerguard_policy_set_load_string(&set, yaml, len, "regression.yml", &opts, &err);
	ck_assert_msg(rc == 0, "load failed: %s", err.message);
	return set;
}

/*
 * A mapping of 200,000 keys took more than a minute: each key was compared
 * with every earlier one to find duplicates.
 */
START_TEST(yaml_many_keys_load_quickly)
{
	text t = { NULL, 0, 0 };
	peerguard_policy_set *set;
	double start;

	text_add(&t, "vars: {");
	for (int i = 0; i < 200000; i++)
		text_add(&t, "%sk%d: %d", i ? ", " : "", i, i);
	text_add(&t, "}\npolicies: []\n");

	start = seconds_now();
	set = load_ok(t.data, t.len, NULL);
	ck_assert_msg(seconds_now() - start < 30, "took %.1f s", seconds_now() - start);
	peerguard_policy_set_free(set);

	/* The index still finds a repeated key past the first 16. */
	t.len = 0;
	text_add(&t, "vars: {");
	for (int i = 0; i < 100; i++)
		text_add(&t, "k%d: 1, ", i);
	text_add(&t, "k57: 2}\npolicies: []\n");
	{
		peerguard_error err;

		set = NULL;
		ck_assert_int_eq(peerguard_policy_set_load_string(&set, t.data, t.len, "dup.yml", NULL, &err),
			PEERGUARD_EPOLICY);
		ck_assert_msg(strstr(err.message, "duplicate key 'k57'"), "%s", err.message);
	}
	free(t.data);
}
END_TEST

/*
 * A whitelist_from file of 200,000 lines took 160 seconds: each value was
 * compared with every earlier one.
 */
START_TEST(value_from_many_lines_load_quickly)
{
	char dir[] = "/tmp/peerguard-regression-XXXXXX";
	char path[sizeof(dir) + 16];
	const char *yaml =
		"policies:\n"
		"  - name: allow\n"
		"    resource: peering-connection\n"
		"    filters:\n"
		"      - type: cross-account\n"
		"        whitelist_from: {url: allow.txt, format: txt}\n";
	const char *record =
		"{\"VpcPeeringConnectionId\": \"pcx-1\", \"RequesterVpcInfo\": {\"OwnerId\": \"111111111111\"},"
		" \"AccepterVpcInfo\": {\"OwnerId\": \"000000123456\"}}";
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_policy_set *set;
	peerguard_result *result = NULL;
	peerguard_error err;
	double start;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/allow.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 200000; i++)
		fprintf(f, "%012d\n%012d\n", i, i);
	fclose(f);

	start = seconds_now();
	set = load_ok(yaml, strlen(yaml), dir);
	ck_assert_msg(seconds_now() - start < 10, "took %.1f s", seconds_now() - start);

	/* 000000123456 is in the file, so the connection is trusted. */
	ctx.account_id = "111111111111";
	ctx.now = 1768478400;
	ck_assert_int_eq(peerguard_evaluate_resources(&result, set, &ctx, record, strlen(record), &err), 0);
	ck_assert_uint_eq(peerguard_result_count(result), 1);
	ck_assert_uint_eq(peerguard_result_matched_count(result), 0);
	peerguard_result_free(result);
	peerguard_policy_set_free(set);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A value_from url naming a device or FIFO blocked loading (reading /dev/stdin waits for input). */
START_TEST(value_from_device_is_an_error)
{
	const char *yaml =
		"policies:\n"
		"  - name: allow\n"
		"    resource: peering-connection\n"
		"    filters:\n"
		"      - type: cross-account\n"
		"        whitelist_from: {url: /dev/zero, format: txt}\n";
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	double start = seconds_now();

	ck_assert_int_lt(peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "dev.yml", NULL, &err), 0);
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err.message, "not a regular file"), "%s", err.message);
	ck_assert_msg(seconds_now() - start < 5, "took %.1f s", seconds_now() - start);
}
END_TEST

/*
 * A CloudTrail event whose ids expression found 100,000 ids took 96
 * seconds: each id was compared with every earlier one.
 */
START_TEST(cloudtrail_many_ids_evaluate_quickly)
{
	const char *yaml =
		"policies:\n"
		"  - name: ids\n"
		"    resource: peering-connection\n"
		"    mode:\n"
		"      type: cloudtrail\n"
		"      events:\n"
		"        - source: ec2.amazonaws.com\n"
		"          event: CreateVpcPeeringConnection\n"
		"          ids: requestParameters.ids\n";
	text t = { NULL, 0, 0 };
	peerguard_policy_set *set = load_ok(yaml, strlen(yaml), NULL);
	peerguard_result *result = NULL;
	peerguard_error err;
	double start;

	text_add(&t, "{\"eventSource\": \"ec2.amazonaws.com\", \"eventName\": \"CreateVpcPeeringConnection\","
		" \"recipientAccountId\": \"111111111111\", \"requestParameters\": {\"ids\": [");
	for (int i = 0; i < 50000; i++)
		text_add(&t, "%s\"pcx-%d\", \"pcx-%d\"", i ? ", " : "", i, i);
	text_add(&t, "]}}");

	start = seconds_now();
	ck_assert_int_eq(peerguard_evaluate_event(&result, set, NULL, t.data, t.len, &err), 0);
	ck_assert_msg(seconds_now() - start < 30, "took %.1f s", seconds_now() - start);
	ck_assert_uint_eq(peerguard_result_count(result), 50000);
	peerguard_result_free(result);
	peerguard_policy_set_free(set);
	free(t.data);
}
END_TEST

/*
 * fuzz_evaluate: an ExpirationTime of 1e300 seconds was converted to
 * time_t, which is undefined for a double past its range (UBSan:
 * float-cast-overflow), and gmtime_r then failed, leaving the date
 * uninitialised.  Out-of-range times are now written as the nearest time
 * RFC 3339 can express.
 */
START_TEST(describe_expiration_out_of_range)
{
	const char *yaml =
		"policies:\n"
		"  - name: far\n"
		"    resource: peering-connection\n"
		"    filters:\n"
		"      - {ExpirationTime: \"9999-12-31T23:59:59.000Z\"}\n"
		"  - name: near\n"
		"    resource: peering-connection\n"
		"    filters:\n"
		"      - {ExpirationTime: \"0001-01-01T00:00:00.000Z\"}\n";
	const char *records =
		"[{\"VpcPeeringConnectionId\": \"pcx-far\", \"ExpirationTime\": 1e300},"
		" {\"VpcPeeringConnectionId\": \"pcx-near\", \"ExpirationTime\": -1e300}]";
	peerguard_policy_set *set = load_ok(yaml, strlen(yaml), NULL);
	peerguard_result *result = NULL;
	peerguard_error err;

	ck_assert_int_eq(peerguard_evaluate_resources(&result, set, NULL, records, strlen(records), &err), 0);
	ck_assert_uint_eq(peerguard_result_count(result), 4);
	for (size_t i = 0; i < peerguard_result_count(result); i++) {
		const peerguard_decision *d = peerguard_result_get(result, i);
		int same = strcmp(peerguard_decision_policy(d), "far") == 0 ?
			strcmp(peerguard_decision_resource_id(d), "pcx-far") == 0 :
			strcmp(peerguard_decision_resource_id(d), "pcx-near") == 0;

		ck_assert_msg(peerguard_decision_matched(d) == same, "%s on %s", peerguard_decision_policy(d),
			peerguard_decision_resource_id(d));
	}
	peerguard_result_free(result);
	peerguard_policy_set_free(set);
}
END_TEST

#ifdef PEERGUARD_TEST_TRANSPORT
/*
 * fuzz_credentials: an expiration whose UTC offset lost its last digit
 * ("+00:0") made parse_iso8601 step six bytes past the offset sign, past
 * the end of the string.  The bytes are copied to a buffer of their exact
 * length so that AddressSanitizer detects any read beyond it.
 */
START_TEST(credentials_expiration_short_offset)
{
	static const char *const inputs[] = {
		"2026-01-15T23:50:00.000+00:0", "2026-01-15T23:50:00+0", "2026-01-15T23:50:00-", "2026-01-15T23:50:00+00:",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
		size_t len = strlen(inputs[i]) + 1;
		char *exact = malloc(len);
		double when = 0;

		ck_assert_ptr_nonnull(exact);
		memcpy(exact, inputs[i], len);
		ck_assert_msg(parse_iso8601(exact, &when) < 0, "'%s' was accepted", inputs[i]);
		free(exact);
	}
}
END_TEST
#endif

static Suite *regressions_suite(void)
{
	Suite *s = suite_create("regressions");
	TCase *tc = tcase_create("regressions");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, yaml_many_keys_load_quickly);
	tcase_add_test(tc, value_from_many_lines_load_quickly);
	tcase_add_test(tc, value_from_device_is_an_error);
	tcase_add_test(tc, cloudtrail_many_ids_evaluate_quickly);
	tcase_add_test(tc, describe_expiration_out_of_range);
#ifdef PEERGUARD_TEST_TRANSPORT
	tcase_add_test(tc, credentials_expiration_short_offset);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(regressions_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
