/* Unit tests of the remediation layer's parts: sharding, state file locks, audit log, metrics, URLs, options. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "peerguard/remediate.h"
#include "remediate/audit.h"
#include "remediate/errors.h"
#include "remediate/metrics.h"
#include "remediate/state.h"
#include "remediate/util.h"

static char tmpdir[] = "/tmp/pg-remediate-unit-XXXXXX";

static void path_in_tmp(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(fnv1a_test_vectors)
{
	/* Published FNV-1a 32-bit test vectors. */
	ck_assert_uint_eq(rem_fnv1a32(""), 0x811c9dc5u);
	ck_assert_uint_eq(rem_fnv1a32("a"), 0xe40c292cu);
	ck_assert_uint_eq(rem_fnv1a32("foobar"), 0xbf9cf968u);
}
END_TEST

START_TEST(shard_of_splits_accounts)
{
	unsigned int counts[4] = { 0 };
	char id[16];

	ck_assert_uint_eq(peerguard_shard_of("111111111111", 0), 0);
	ck_assert_uint_eq(peerguard_shard_of("111111111111", 7), rem_fnv1a32("111111111111") % 7);
	for (int i = 0; i < 400; i++) {
		snprintf(id, sizeof(id), "%012d", 100000 + i * 7919);
		counts[peerguard_shard_of(id, 4)]++;
	}
	for (int s = 0; s < 4; s++)
		ck_assert_uint_gt(counts[s], 50);
}
END_TEST

START_TEST(state_lookup_returns_last_record)
{
	char path[256];
	state_file *s = NULL;
	json_t *rec = NULL;
	peerguard_error err;

	path_in_tmp(path, sizeof(path), "state-lookup.jsonl");
	ck_assert_int_eq(state_open(&s, path, &err), 0);
	ck_assert_int_eq(state_lock_key(s, "e1|pcx-1", &err), 0);
	json_t *a = json_pack("{s:s,s:s}", "key", "e1|pcx-1", "status", "in-progress");
	json_t *b = json_pack("{s:s,s:s}", "key", "e2|pcx-2", "status", "remediated");
	json_t *c = json_pack("{s:s,s:s}", "key", "e1|pcx-1", "status", "remediated");
	ck_assert_int_eq(state_append(s, a, &err), 0);
	ck_assert_int_eq(state_append(s, b, &err), 0);
	ck_assert_int_eq(state_append(s, c, &err), 0);
	ck_assert_int_eq(state_lookup(&rec, s, "e1|pcx-1", &err), 0);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "status")), "remediated");
	json_decref(rec);
	ck_assert_int_eq(state_lookup(&rec, s, "e3|pcx-3", &err), 0);
	ck_assert_ptr_null(rec);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	state_close(s);
}
END_TEST

START_TEST(state_key_lock_excludes_other_process)
{
	char path[256];
	state_file *s = NULL;
	peerguard_error err;
	int ready[2];
	char byte;
	pid_t child;
	double started;

	path_in_tmp(path, sizeof(path), "state-lock.jsonl");
	ck_assert_int_eq(pipe(ready), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		state_file *mine = NULL;

		if (state_open(&mine, path, NULL) < 0 || state_lock_key(mine, "e|pcx", NULL) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep(300000);
		state_close(mine);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &byte, 1), 1);
	ck_assert_int_eq(state_open(&s, path, &err), 0);

	/* Another key is free at once; the same key waits for the child's handle to close. */
	started = now_seconds();
	ck_assert_int_eq(state_lock_key(s, "other|pcx", &err), 0);
	ck_assert_double_lt(now_seconds() - started, 0.2);
	started = now_seconds();
	ck_assert_int_eq(state_lock_key(s, "e|pcx", &err), 0);
	ck_assert_double_ge(now_seconds() - started, 0.2);
	state_close(s);

	int status = 0;
	waitpid(child, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
	close(ready[1]);
}
END_TEST

START_TEST(audit_appends_json_lines)
{
	char path[256], line[512];
	audit_log *a = NULL;
	peerguard_error err;
	FILE *f;
	int n = 0;

	path_in_tmp(path, sizeof(path), "audit.jsonl");
	ck_assert_int_eq(audit_open(&a, path, &err), 0);
	for (int i = 0; i < 3; i++) {
		json_t *rec = json_pack("{s:s,s:i}", "step", "planned", "i", i);

		ck_assert_int_eq(audit_append(a, rec, &err), 0);
		json_decref(rec);
	}
	audit_close(a);
	ck_assert_int_eq(audit_append(NULL, NULL, &err), 0);

	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		json_t *rec = json_loads(line, 0, NULL);

		ck_assert_ptr_nonnull(rec);
		ck_assert_int_eq(json_integer_value(json_object_get(rec, "i")), n);
		json_decref(rec);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(audit_open_reports_missing_directory)
{
	audit_log *a = NULL;
	peerguard_error err;

	ck_assert_int_eq(audit_open(&a, "/nonexistent-dir/audit.jsonl", &err), PEERGUARD_EAUDIT);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir/audit.jsonl"));
}
END_TEST

START_TEST(metrics_render_histograms)
{
	metrics m;
	char *text;

	metrics_init(&m, 1000.0);
	metrics_event(&m, 1010.0);
	metrics_outcome(&m, PEERGUARD_OUTCOME_REMEDIATED, 3.0, 20.0, 20.0);
	metrics_outcome(&m, PEERGUARD_OUTCOME_REMEDIATED, 400.0, -1, -1);
	text = metrics_render(&m, 1100.0, 60.0);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "peerguard_events_received_total 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_remediations_total{outcome=\"remediated\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_event_to_decision_seconds_bucket{le=\"5\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_event_to_decision_seconds_bucket{le=\"600\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_event_to_decision_seconds_count 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_event_to_verified_seconds_count 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_seconds_since_last_event 90.000\n"));
	ck_assert_ptr_nonnull(strstr(text, "peerguard_pipeline_quiet 1\n"));
	free(text);
	metrics_destroy(&m);
}
END_TEST

START_TEST(metrics_file_is_replaced)
{
	char path[256], buf[64];
	peerguard_error err;
	FILE *f;

	path_in_tmp(path, sizeof(path), "m.prom");
	ck_assert_int_eq(metrics_write_file(path, "a 1\n", &err), 0);
	ck_assert_int_eq(metrics_write_file(path, "b 2\n", &err), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "b 2\n");
}
END_TEST

START_TEST(url_for_log_drops_secrets)
{
	char *shown = rem_url_for_log("https://user:pass@hooks.example.com/x/y?token=abc#frag");

	ck_assert_ptr_nonnull(shown);
	ck_assert_ptr_null(strstr(shown, "token"));
	ck_assert_ptr_null(strstr(shown, "pass"));
	ck_assert_ptr_nonnull(strstr(shown, "hooks.example.com/x/y"));
	free(shown);
}
END_TEST

START_TEST(expand_fills_fields)
{
	char *s = rem_expand("arn:aws:sns:{region}:{account_id}:alerts", "111111111111", "eu-west-1");

	ck_assert_str_eq(s, "arn:aws:sns:eu-west-1:111111111111:alerts");
	free(s);
	s = rem_expand("{account_id}-{other}", NULL, "r");
	ck_assert_str_eq(s, "{account_id}-{other}");
	free(s);
}
END_TEST

START_TEST(outcome_names_and_codes)
{
	ck_assert_str_eq(peerguard_outcome_name(PEERGUARD_OUTCOME_ALREADY_REMEDIATED), "already-remediated");
	ck_assert_str_eq(peerguard_outcome_name((peerguard_outcome)99), "unknown");
	for (int code = -40; code >= -48; code--)
		ck_assert_ptr_nonnull(remediate_strerror(code));
	ck_assert_ptr_null(remediate_strerror(-20));
	ck_assert_ptr_null(remediate_strerror(-49));
}
END_TEST

START_TEST(remediator_rejects_bad_options)
{
	peerguard_remediate_options opts = PEERGUARD_REMEDIATE_OPTIONS_INIT;
	peerguard_remediator *r = NULL;
	peerguard_policy_set *set = NULL;
	peerguard_client *client = NULL;
	peerguard_client_options copts = PEERGUARD_CLIENT_OPTIONS_INIT;
	peerguard_credentials creds = { "AKIDEXAMPLE", "test-secret", NULL };
	peerguard_aws_error aerr;
	peerguard_error err;
	const char *text = "policies: []\n";

	copts.credentials = &creds;
	copts.region = "us-east-1";
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, text, strlen(text), NULL, NULL, &err), 0);
	ck_assert_int_eq(peerguard_client_new(&client, &copts, &aerr), 0);

	opts.account_id = "12345";
	ck_assert_int_eq(peerguard_remediator_new(&r, set, client, &opts, &err), PEERGUARD_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "12345"));
	opts.account_id = NULL;
	opts.role_arn_template = "arn:aws:iam::111111111111:role/fixed";
	ck_assert_int_eq(peerguard_remediator_new(&r, set, client, &opts, &err), PEERGUARD_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "{account_id}"));
	opts.role_arn_template = NULL;
	opts.version = 99;
	ck_assert_int_eq(peerguard_remediator_new(&r, set, client, &opts, &err), PEERGUARD_EINVAL);
	opts.version = PEERGUARD_REMEDIATE_OPTIONS_VERSION;
	ck_assert_int_eq(peerguard_remediator_new(&r, set, client, &opts, &err), 0);
	ck_assert_double_lt(peerguard_remediator_quiet_seconds(r), 5.0);
	peerguard_remediator_free(r);
	peerguard_remediator_free(NULL);
	peerguard_client_free(client);
	peerguard_policy_set_free(set);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("remediate");
	TCase *tc = tcase_create("parts");
	SRunner *sr;
	int failed;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fnv1a_test_vectors);
	tcase_add_test(tc, shard_of_splits_accounts);
	tcase_add_test(tc, state_lookup_returns_last_record);
	tcase_add_test(tc, state_key_lock_excludes_other_process);
	tcase_add_test(tc, audit_appends_json_lines);
	tcase_add_test(tc, audit_open_reports_missing_directory);
	tcase_add_test(tc, metrics_render_histograms);
	tcase_add_test(tc, metrics_file_is_replaced);
	tcase_add_test(tc, url_for_log_drops_secrets);
	tcase_add_test(tc, expand_fills_fields);
	tcase_add_test(tc, outcome_names_and_codes);
	tcase_add_test(tc, remediator_rejects_bad_options);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return failed ? 1 : 0;
}
