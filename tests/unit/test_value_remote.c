/*
 * Unit tests of remote value_from and whitelist_from URLs in the core: the
 * fetch callback of peerguard_load_options, its cache, gzip bodies,
 * variables in the url and headers, and failures that fail closed.  The
 * fetcher here is a fake in memory, because these tests check the core's
 * use of the callback; the network fetcher is tested in tests/transport.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "peerguard/peerguard.h"

#define NOW 1768478400.0 /* 2026-01-15T12:00:00Z */
#define OURS "111111111111"
#define PARTNER "222222222222"
#define STRANGER "333333333333"
#define SECRET_TOKEN "tok-SECRET-4f9a"

/* A fake fetcher: serves bodies by URL and records each request. */
typedef struct fake_server {
	pthread_mutex_t lock;
	int calls;
	char last_url[512];
	char last_headers[512];
	int fail;                 /* return this code for every URL when non-zero */
	const char *fail_message; /* written to errbuf on failure */
} fake_server;

/* gzip-compresses text into a new buffer. */
static char *gzip_text(const char *text, size_t *out_len)
{
	z_stream zs;
	size_t cap = strlen(text) + 64;
	char *out = malloc(cap);

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static char *copy_body(const char *text, size_t *len)
{
	*len = strlen(text);
	return strdup(text);
}

static int fake_fetch(char **body, size_t *len, const char *url, const char *const *headers, size_t max_bytes,
	char *errbuf, size_t errbuf_size, void *userdata)
{
	fake_server *srv = userdata;
	size_t used = 0;

	pthread_mutex_lock(&srv->lock);
	srv->calls++;
	snprintf(srv->last_url, sizeof(srv->last_url), "%s", url);
	srv->last_headers[0] = '\0';
	for (const char *const *h = headers; *h; h++)
		used += (size_t)snprintf(srv->last_headers + used, sizeof(srv->last_headers) - used, "%s|", *h);
	pthread_mutex_unlock(&srv->lock);

	*body = NULL;
	if (srv->fail) {
		/* A careless fetcher that repeats the URL and a header value: the core must mask both. */
		snprintf(errbuf, errbuf_size, "%s for %s with %s", srv->fail_message, url,
			headers[0] ? headers[0] : "no headers");
		return srv->fail;
	}
	if (strstr(url, "/allow.json"))
		*body = copy_body("{\"partners\": [\"" PARTNER "\"]}", len);
	else if (strstr(url, "/allow.txt.gz"))
		*body = gzip_text(PARTNER "\n", len);
	else if (strstr(url, "/accounts/" OURS ".csv"))
		*body = copy_body("account,name\n" PARTNER ",partner\n", len);
	else if (strstr(url, "/big.txt")) {
		*len = max_bytes + 1;
		*body = malloc(*len);
		memset(*body, 'a', *len);
	} else {
		snprintf(errbuf, errbuf_size, "HTTP 404 Not Found");
		return PEERGUARD_EIO;
	}
	return 0;
}

static void fake_init(fake_server *srv)
{
	memset(srv, 0, sizeof(*srv));
	pthread_mutex_init(&srv->lock, NULL);
}

static int load(peerguard_policy_set **set, const char *yaml, fake_server *srv, peerguard_error *err)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;

	if (srv) {
		opts.fetch = fake_fetch;
		opts.fetch_userdata = srv;
	}
	return peerguard_policy_set_load_string(set, yaml, strlen(yaml), "remote.yml", &opts, err);
}

/* A cross-account policy whose whitelist_from is the given mapping body (indented 10 spaces). */
static char *cross_account_policy(const char *whitelist_from)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		"policies:\n"
		"  - name: foreign-peers\n"
		"    resource: aws.peering-connection\n"
		"    filters:\n"
		"      - type: cross-account\n"
		"        whitelist_from:\n"
		"%s"
		"    actions: [delete]\n", whitelist_from);
	return buf;
}

/* Evaluates one active connection between OURS and peer; returns the number of matched decisions. */
static size_t matched_with_peer(const peerguard_policy_set *set, const char *account, const char *peer,
	double now, size_t *errors, peerguard_error *first_error)
{
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;
	peerguard_error err;
	char json[512];
	size_t matched;

	snprintf(json, sizeof(json),
		"{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"},"
		" \"RequesterVpcInfo\": {\"OwnerId\": \"%s\", \"Region\": \"us-east-1\"},"
		" \"AccepterVpcInfo\": {\"OwnerId\": \"%s\", \"Region\": \"us-east-1\"}}", account, peer);
	ctx.account_id = account;
	ctx.region = "us-east-1";
	ctx.now = now;
	ck_assert_int_eq(peerguard_evaluate_resources(&result, set, &ctx, json, strlen(json), &err), 0);
	matched = peerguard_result_matched_count(result);
	*errors = peerguard_result_error_count(result);
	if (*errors && first_error)
		peerguard_result_error(result, 0, first_error);
	peerguard_result_free(result);
	return matched;
}

START_TEST(remote_without_fetcher_fails_load)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	const char *yaml = cross_account_policy("          url: https://user:pw@example.com/allow.json?token=" SECRET_TOKEN "\n"
		"          expr: partners\n");

	ck_assert_int_eq(load(&set, yaml, NULL, &err), PEERGUARD_EPOLICY);
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err.message, "https://***@example.com/allow.json?***"), "message: %s", err.message);
	ck_assert_msg(strstr(err.message, "peerguard_load_options.fetch"), "message: %s", err.message);
	ck_assert_msg(strstr(err.message, "--no-remote-values"), "message: %s", err.message);
	ck_assert_ptr_null(strstr(err.message, SECRET_TOKEN));
	ck_assert_ptr_null(strstr(err.message, "pw@"));
}
END_TEST

START_TEST(remote_version1_options_ignore_fetch)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	const char *yaml = cross_account_policy("          url: https://example.com/allow.json\n"
		"          expr: partners\n");

	fake_init(&srv);
	opts.version = 1;
	opts.fetch = fake_fetch;
	opts.fetch_userdata = &srv;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "v1.yml", &opts, &err),
		PEERGUARD_EPOLICY);
	ck_assert_int_eq(srv.calls, 0);

	/* Version 1 still loads local policies. */
	yaml = "policies:\n  - name: p\n    resource: aws.peering-connection\n";
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "v1.yml", &opts, &err), 0);
	peerguard_policy_set_free(set);

	opts.version = 3;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "v3.yml", &opts, &err),
		PEERGUARD_EINVAL);
}
END_TEST

START_TEST(remote_static_fetched_once_at_load)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	size_t errors;
	const char *yaml =
		"policies:\n"
		"  - name: a\n"
		"    resource: aws.peering-connection\n"
		"    filters:\n"
		"      - type: cross-account\n"
		"        whitelist_from: {url: 'https://example.com/allow.json', expr: partners}\n"
		"  - name: b\n"
		"    resource: aws.peering-connection\n"
		"    filters:\n"
		"      - type: cross-account\n"
		"        whitelist_from: {url: 'https://example.com/allow.json', expr: partners}\n";

	fake_init(&srv);
	ck_assert_msg(load(&set, yaml, &srv, &err) == 0, "load: %s", err.message);
	ck_assert_int_eq(srv.calls, 1);
	ck_assert_str_eq(srv.last_url, "https://example.com/allow.json");
	ck_assert_str_eq(srv.last_headers, "");

	ck_assert_uint_eq(matched_with_peer(set, OURS, PARTNER, NOW, &errors, NULL), 0);
	ck_assert_uint_eq(errors, 0);
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW, &errors, NULL), 2);
	ck_assert_uint_eq(errors, 0);
	ck_assert_int_eq(srv.calls, 1);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(remote_gzip_body_and_format_from_name)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	size_t errors;
	const char *yaml = cross_account_policy("          url: s3://bucket/lists/allow.txt.gz?versionId=3\n");

	fake_init(&srv);
	ck_assert_msg(load(&set, yaml, &srv, &err) == 0, "load: %s", err.message);
	ck_assert_str_eq(srv.last_url, "s3://bucket/lists/allow.txt.gz?versionId=3");
	ck_assert_uint_eq(matched_with_peer(set, OURS, PARTNER, NOW, &errors, NULL), 0);
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW, &errors, NULL), 1);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(remote_headers_reach_fetcher)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	const char *yaml = cross_account_policy("          url: https://example.com/allow.json\n"
		"          expr: partners\n"
		"          headers:\n"
		"            Authorization: Bearer " SECRET_TOKEN "\n"
		"            X-Team: network\n");

	fake_init(&srv);
	ck_assert_msg(load(&set, yaml, &srv, &err) == 0, "load: %s", err.message);
	ck_assert_str_eq(srv.last_headers, "Authorization: Bearer " SECRET_TOKEN "|X-Team: network|");
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(remote_bad_headers_fail_load)
{
	static const char *const cases[][2] = {
		{ "          headers: [a, b]\n", "headers must be a mapping" },
		{ "          headers: {'Bad Name': x}\n", "header name 'Bad Name'" },
		{ "          headers: {X-A: 5}\n", "header 'X-A' must have a string value" },
		{ "          headers: {X-A: \"a\\r\\nX-B: b\"}\n", "line break" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		peerguard_policy_set *set = NULL;
		peerguard_error err;
		fake_server srv;
		char body[256];

		fake_init(&srv);
		snprintf(body, sizeof(body), "          url: https://example.com/allow.json\n%s", cases[i][0]);
		ck_assert_int_eq(load(&set, cross_account_policy(body), &srv, &err), PEERGUARD_EPOLICY);
		ck_assert_msg(strstr(err.message, cases[i][1]), "case %zu: %s", i, err.message);
		ck_assert_int_eq(srv.calls, 0);
	}
}
END_TEST

START_TEST(remote_load_failure_hides_secrets)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	const char *yaml = cross_account_policy("          url: https://example.com/allow.json?X-Amz-Signature=" SECRET_TOKEN "\n"
		"          headers: {Authorization: 'Bearer " SECRET_TOKEN "'}\n");

	fake_init(&srv);
	srv.fail = PEERGUARD_EIO;
	srv.fail_message = "HTTP 500";
	ck_assert_int_eq(load(&set, yaml, &srv, &err), PEERGUARD_EIO);
	ck_assert_msg(strstr(err.message, "https://example.com/allow.json?***"), "message: %s", err.message);
	ck_assert_msg(strstr(err.message, "HTTP 500"), "message: %s", err.message);
	ck_assert_msg(!strstr(err.message, SECRET_TOKEN), "secret in message: %s", err.message);
	ck_assert_int_gt(err.line, 0);
}
END_TEST

START_TEST(remote_body_over_limit_fails)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	const char *yaml = cross_account_policy("          url: https://example.com/big.txt\n");

	fake_init(&srv);
	opts.fetch = fake_fetch;
	opts.fetch_userdata = &srv;
	opts.limits.max_input_bytes = 1024;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "big.yml", &opts, &err),
		PEERGUARD_ELIMIT);
	ck_assert_msg(strstr(err.message, "max_input_bytes"), "message: %s", err.message);
}
END_TEST

START_TEST(remote_dynamic_url_per_account)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	size_t errors;
	const char *yaml = cross_account_policy("          url: https://example.com/accounts/{account_id}.csv\n"
		"          expr: 0\n"
		"          headers: {X-Account: '{account_id}'}\n");

	fake_init(&srv);
	ck_assert_msg(load(&set, yaml, &srv, &err) == 0, "load: %s", err.message);
	ck_assert_int_eq(srv.calls, 0);

	ck_assert_uint_eq(matched_with_peer(set, OURS, PARTNER, NOW, &errors, NULL), 0);
	ck_assert_uint_eq(errors, 0);
	ck_assert_str_eq(srv.last_url, "https://example.com/accounts/" OURS ".csv");
	ck_assert_str_eq(srv.last_headers, "X-Account: " OURS "|");
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW, &errors, NULL), 1);
	ck_assert_int_eq(srv.calls, 1);

	/* Another account is another URL: its list is missing, so the record fails and does not match. */
	ck_assert_uint_eq(matched_with_peer(set, "444444444444", STRANGER, NOW, &errors, &err), 0);
	ck_assert_uint_eq(errors, 1);
	ck_assert_int_eq(srv.calls, 2);
	ck_assert_msg(strstr(err.message, "accounts/444444444444.csv"), "message: %s", err.message);
	ck_assert_msg(strstr(err.message, "HTTP 404"), "message: %s", err.message);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(remote_dynamic_failure_fails_closed)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	size_t errors;
	const char *yaml = cross_account_policy("          url: https://example.com/{account_id}/allow.json\n"
		"          expr: partners\n"
		"          headers: {Authorization: 'Bearer " SECRET_TOKEN "'}\n");

	fake_init(&srv);
	ck_assert_msg(load(&set, yaml, &srv, &err) == 0, "load: %s", err.message);
	srv.fail = PEERGUARD_EIO;
	srv.fail_message = "connection refused";
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW, &errors, &err), 0);
	ck_assert_uint_eq(errors, 1);
	ck_assert_msg(strstr(err.message, "connection refused"), "message: %s", err.message);
	ck_assert_msg(!strstr(err.message, SECRET_TOKEN), "secret in message: %s", err.message);
	ck_assert_int_eq(srv.calls, 1);

	/* The failure is reported again from the cache, then retried once 60 seconds have passed. */
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW + 30, &errors, NULL), 0);
	ck_assert_uint_eq(errors, 1);
	ck_assert_int_eq(srv.calls, 1);
	srv.fail = 0;
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW + 61, &errors, NULL), 1);
	ck_assert_uint_eq(errors, 0);
	ck_assert_int_eq(srv.calls, 2);
	ck_assert_uint_eq(matched_with_peer(set, OURS, PARTNER, NOW + 62, &errors, NULL), 0);
	ck_assert_int_eq(srv.calls, 2);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(remote_value_from_in_value_filter)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	fake_server srv;
	size_t errors;
	const char *yaml =
		"policies:\n"
		"  - name: unknown-accepter\n"
		"    resource: aws.peering-connection\n"
		"    filters:\n"
		"      - type: value\n"
		"        key: AccepterVpcInfo.OwnerId\n"
		"        op: not-in\n"
		"        value_from:\n"
		"          url: https://example.com/allow.json\n"
		"          expr: partners\n";

	fake_init(&srv);
	ck_assert_msg(load(&set, yaml, &srv, &err) == 0, "load: %s", err.message);
	ck_assert_uint_eq(matched_with_peer(set, OURS, PARTNER, NOW, &errors, NULL), 0);
	ck_assert_uint_eq(matched_with_peer(set, OURS, STRANGER, NOW, &errors, NULL), 1);
	ck_assert_int_eq(srv.calls, 1);
	peerguard_policy_set_free(set);
}
END_TEST

static peerguard_policy_set *shared_set;

static void *evaluate_many(void *arg)
{
	const char *account = arg;

	for (int i = 0; i < 50; i++) {
		size_t errors;

		if (matched_with_peer(shared_set, account, STRANGER, NOW, &errors, NULL) != 1 || errors)
			return (void *)1;
	}
	return NULL;
}

START_TEST(remote_dynamic_shared_across_threads)
{
	static char accounts[4][13] = { OURS, OURS, OURS, OURS };
	const char *yaml = cross_account_policy("          url: https://example.com/accounts/{account_id}.csv\n"
		"          expr: 0\n");
	pthread_t threads[4];
	peerguard_error err;
	fake_server srv;

	fake_init(&srv);
	ck_assert_msg(load(&shared_set, yaml, &srv, &err) == 0, "load: %s", err.message);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, evaluate_many, accounts[i]), 0);
	for (int i = 0; i < 4; i++) {
		void *failed = NULL;

		pthread_join(threads[i], &failed);
		ck_assert_ptr_null(failed);
	}
	/* Threads that missed the cache at the same time fetch once each; never once per record. */
	ck_assert_int_ge(srv.calls, 1);
	ck_assert_int_le(srv.calls, 4);
	peerguard_policy_set_free(shared_set);
}
END_TEST

static Suite *remote_suite(void)
{
	Suite *s = suite_create("value_remote");
	TCase *tc = tcase_create("remote");

	tcase_add_test(tc, remote_without_fetcher_fails_load);
	tcase_add_test(tc, remote_version1_options_ignore_fetch);
	tcase_add_test(tc, remote_static_fetched_once_at_load);
	tcase_add_test(tc, remote_gzip_body_and_format_from_name);
	tcase_add_test(tc, remote_headers_reach_fetcher);
	tcase_add_test(tc, remote_bad_headers_fail_load);
	tcase_add_test(tc, remote_load_failure_hides_secrets);
	tcase_add_test(tc, remote_body_over_limit_fails);
	tcase_add_test(tc, remote_dynamic_url_per_account);
	tcase_add_test(tc, remote_dynamic_failure_fails_closed);
	tcase_add_test(tc, remote_value_from_in_value_filter);
	tcase_add_test(tc, remote_dynamic_shared_across_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(remote_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
