/*
 * SigV4 conformance: every case of the AWS SigV4 test suite in both of its
 * published layouts (header signing and presigned queries), the AWS
 * documentation's IAM ListUsers example, and the clock-skew retry case in
 * which the corrected time moves the scope date across midnight.
 */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "test_support.h"
#include "transport/sigv4.h"
#include "transport/skew.h"

#define MAX_CASES 128
#define MAX_HEADERS 32

/* The suite's fixed inputs, stated in its documentation. */
#define SUITE_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION "us-east-1"
#define SUITE_SERVICE "service"

typedef struct parsed_request {
	char *method;
	char *path;
	char *query;
	sigv4_header headers[MAX_HEADERS];
	size_t n_headers;
	char *body;
	size_t body_len;
} parsed_request;

static char *classic_cases[MAX_CASES];  /* case directories of the 2015 layout */
static size_t n_classic;
static char *crt_cases[MAX_CASES];      /* case directories of the aws-c-auth layout */
static size_t n_crt;
static int signatures_verified;

static char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	ck_assert_ptr_nonnull(r);
	return r;
}

static void free_request(parsed_request *r)
{
	free(r->method);
	free(r->path);
	free(r->query);
	for (size_t i = 0; i < r->n_headers; i++) {
		free((char *)r->headers[i].name);
		free((char *)r->headers[i].value);
	}
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/*
 * Parses a test request.  The request line is split on its last space
 * because paths hold raw spaces.  A folded header line (starting with
 * blanks) continues the previous header: the 2015 layout counts it as a
 * further value joined with ',', aws-c-auth as more text joined with ' '.
 */
static void parse_request(parsed_request *r, const char *text, int fold_as_value)
{
	const char *line_end = strchr(text, '\n');
	const char *p;

	memset(r, 0, sizeof(*r));
	ck_assert_ptr_nonnull(line_end);

	const char *first_space = memchr(text, ' ', (size_t)(line_end - text));
	const char *last_space = line_end;
	while (last_space > text && *last_space != ' ')
		last_space--;
	ck_assert_ptr_nonnull(first_space);
	r->method = xstrndup(text, (size_t)(first_space - text));

	const char *target = first_space + 1;
	const char *question = memchr(target, '?', (size_t)(last_space - target));
	if (question) {
		r->path = xstrndup(target, (size_t)(question - target));
		r->query = xstrndup(question + 1, (size_t)(last_space - question - 1));
	} else {
		r->path = xstrndup(target, (size_t)(last_space - target));
	}

	p = line_end + 1;
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0) {
			p = end ? end + 1 : p + len;
			break;
		}
		if ((*p == ' ' || *p == '\t') && r->n_headers > 0) {
			sigv4_header *prev = &r->headers[r->n_headers - 1];
			char *more = xstrndup(p, len);

			if (fold_as_value) {
				ck_assert_uint_lt(r->n_headers, MAX_HEADERS);
				r->headers[r->n_headers].name = strdup(prev->name);
				r->headers[r->n_headers].value = more;
				r->n_headers++;
			} else {
				size_t n = strlen(prev->value) + strlen(more) + 2;
				char *joined = malloc(n);

				snprintf(joined, n, "%s %s", prev->value, more);
				free((char *)prev->value);
				free(more);
				prev->value = joined;
			}
		} else {
			const char *colon = memchr(p, ':', len);

			ck_assert_ptr_nonnull(colon);
			ck_assert_uint_lt(r->n_headers, MAX_HEADERS);
			r->headers[r->n_headers].name = xstrndup(p, (size_t)(colon - p));
			r->headers[r->n_headers].value = xstrndup(colon + 1, len - (size_t)(colon - p) - 1);
			r->n_headers++;
		}
		p = end ? end + 1 : p + len;
	}
	r->body_len = strlen(p);
	r->body = xstrndup(p, r->body_len);
}

static sigv4_request as_sigv4(const parsed_request *r)
{
	sigv4_request req = { r->method, r->path, r->query, r->headers, r->n_headers, r->body, r->body_len };

	return req;
}

static time_t suite_time(void)
{
	struct tm tm = { .tm_year = 2015 - 1900, .tm_mon = 7, .tm_mday = 30, .tm_hour = 12, .tm_min = 36 };

	return timegm(&tm);
}

static char *case_file(const char *dir, const char *suffix)
{
	const char *base = strrchr(dir, '/');
	char name[512];
	char *path, *text;

	snprintf(name, sizeof(name), "%s%s", base ? base + 1 : dir, suffix);
	path = test_join(dir, name);
	text = test_read_file(path, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	free(path);
	return text;
}

static char *crt_file(const char *dir, const char *name)
{
	char *path = test_join(dir, name);
	char *text = test_read_file(path, NULL);

	ck_assert_msg(text != NULL, "cannot read %s", path);
	free(path);
	return text;
}

/* Returns the value of header name in a signed request (a new string), or NULL. */
static char *header_in(const char *request, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = request; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			const char *end = strchr(v, '\n');

			while (*v == ' ')
				v++;
			return xstrndup(v, end ? (size_t)(end - v) : strlen(v));
		}
	}
	return NULL;
}

/* ---- 2015 layout: .req .creq .sts .authz .sreq ---- */

START_TEST(classic_case_signs)
{
	const char *dir = classic_cases[_i];
	char *req_text = case_file(dir, ".req");
	char *creq = case_file(dir, ".creq");
	char *sts = case_file(dir, ".sts");
	char *authz = case_file(dir, ".authz");
	char *sreq = case_file(dir, ".sreq");
	char *sent_token = header_in(sreq, "X-Amz-Security-Token");
	char *signed_token = header_in(req_text, "X-Amz-Security-Token");
	parsed_request r;
	sigv4_result out;

	parse_request(&r, req_text, 1);
	sigv4_request req = as_sigv4(&r);
	sigv4_params p = { SUITE_KEY, SUITE_SECRET, NULL, SUITE_REGION, SUITE_SERVICE, suite_time(),
		SIGV4_NORMALIZE_PATH | SIGV4_ENCODE_PATH, 0 };

	/* A token in the signed request but not in the request to sign is added after signing. */
	if (sent_token && !signed_token) {
		p.session_token = sent_token;
		p.flags |= SIGV4_OMIT_TOKEN;
	}
	ck_assert_int_eq(sigv4_sign_headers(&out, &req, &p), 0);
	ck_assert_str_eq(out.canonical_request, creq);
	ck_assert_str_eq(out.string_to_sign, sts);
	ck_assert_str_eq(out.authorization, authz);
	if (sent_token && !signed_token) {
		ck_assert_uint_eq(out.n_added, 1);
		ck_assert_str_eq(out.added[0].name, "X-Amz-Security-Token");
		ck_assert_str_eq(out.added[0].value, sent_token);
	}
	signatures_verified++;

	sigv4_result_free(&out);
	free_request(&r);
	free(req_text);
	free(creq);
	free(sts);
	free(authz);
	free(sreq);
	free(sent_token);
	free(signed_token);
}
END_TEST

/* ---- aws-c-auth layout: context.json, request.txt, header-* and query-* ---- */

typedef struct crt_context {
	char *key, *secret, *token, *region, *service;
	time_t time;
	unsigned int flags;
	unsigned int expires;
} crt_context;

static void load_context(crt_context *c, const char *dir)
{
	char *path = test_join(dir, "context.json");
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	const char *key = NULL, *secret = NULL, *token = NULL, *region = NULL, *service = NULL, *stamp = NULL;
	int normalize = 1, sign_body = 0, omit_token = 0, expires = 0;
	struct tm tm = { 0 };

	ck_assert_msg(root != NULL, "%s: %s", path, jerr.text);
	ck_assert_int_eq(json_unpack_ex(root, &jerr, 0, "{s:{s:s, s:s, s?s}, s:s, s:s, s:s, s?b, s?b, s?b, s?i}",
		"credentials", "access_key_id", &key, "secret_access_key", &secret, "token", &token,
		"region", &region, "service", &service, "timestamp", &stamp,
		"normalize", &normalize, "sign_body", &sign_body, "omit_session_token", &omit_token,
		"expiration_in_seconds", &expires), 0);
	ck_assert_ptr_nonnull(strptime(stamp, "%Y-%m-%dT%H:%M:%SZ", &tm));

	c->key = strdup(key);
	c->secret = strdup(secret);
	c->token = token ? strdup(token) : NULL;
	c->region = strdup(region);
	c->service = strdup(service);
	c->time = timegm(&tm);
	/* The suite's harness always double-encodes the path. */
	c->flags = SIGV4_ENCODE_PATH | (normalize ? SIGV4_NORMALIZE_PATH : 0) |
		(sign_body ? SIGV4_SIGN_BODY : 0) | (omit_token ? SIGV4_OMIT_TOKEN : 0);
	c->expires = (unsigned int)expires;
	json_decref(root);
	free(path);
}

static void free_context(crt_context *c)
{
	free(c->key);
	free(c->secret);
	free(c->token);
	free(c->region);
	free(c->service);
}

START_TEST(crt_header_case_signs)
{
	const char *dir = crt_cases[_i];
	crt_context ctx;
	parsed_request r;
	sigv4_result out;
	char *req_text = crt_file(dir, "request.txt");
	char *creq = crt_file(dir, "header-canonical-request.txt");
	char *sts = crt_file(dir, "header-string-to-sign.txt");
	char *sig = crt_file(dir, "header-signature.txt");
	char *signed_request = crt_file(dir, "header-signed-request.txt");
	char *authz;

	load_context(&ctx, dir);
	parse_request(&r, req_text, 0);
	sigv4_request req = as_sigv4(&r);
	sigv4_params p = { ctx.key, ctx.secret, ctx.token, ctx.region, ctx.service, ctx.time, ctx.flags, ctx.expires };

	ck_assert_int_eq(sigv4_sign_headers(&out, &req, &p), 0);
	ck_assert_str_eq(out.canonical_request, creq);
	ck_assert_str_eq(out.string_to_sign, sts);
	ck_assert_str_eq(out.signature, sig);
	authz = header_in(signed_request, "Authorization");
	ck_assert_ptr_nonnull(authz);
	ck_assert_str_eq(out.authorization, authz);

	/* Every header the signer added is in the expected signed request, with its value. */
	for (size_t i = 0; i < out.n_added; i++) {
		char *v = header_in(signed_request, out.added[i].name);

		ck_assert_msg(v != NULL, "%s: signed request lacks %s", dir, out.added[i].name);
		ck_assert_str_eq(out.added[i].value, v);
		free(v);
	}
	signatures_verified++;

	sigv4_result_free(&out);
	free_request(&r);
	free_context(&ctx);
	free(req_text);
	free(creq);
	free(sts);
	free(sig);
	free(signed_request);
	free(authz);
}
END_TEST

START_TEST(crt_query_case_presigns)
{
	const char *dir = crt_cases[_i];
	crt_context ctx;
	parsed_request r;
	sigv4_result out;
	char *req_text = crt_file(dir, "request.txt");
	char *creq = crt_file(dir, "query-canonical-request.txt");
	char *sts = crt_file(dir, "query-string-to-sign.txt");
	char *sig = crt_file(dir, "query-signature.txt");
	char *signed_request = crt_file(dir, "query-signed-request.txt");

	load_context(&ctx, dir);
	parse_request(&r, req_text, 0);
	sigv4_request req = as_sigv4(&r);
	sigv4_params p = { ctx.key, ctx.secret, ctx.token, ctx.region, ctx.service, ctx.time, ctx.flags, ctx.expires };

	ck_assert_int_eq(sigv4_presign(&out, &req, &p), 0);
	ck_assert_str_eq(out.canonical_request, creq);
	ck_assert_str_eq(out.string_to_sign, sts);
	ck_assert_str_eq(out.signature, sig);

	/* Every signing parameter of our query string is in the expected request line. */
	const char *line_end = strchr(signed_request, '\n');
	char *line = xstrndup(signed_request, line_end ? (size_t)(line_end - signed_request) : strlen(signed_request));
	char *query = strdup(out.query), *save = NULL;
	for (char *param = strtok_r(query, "&", &save); param; param = strtok_r(NULL, "&", &save))
		if (strncmp(param, "X-Amz-", 6) == 0)
			ck_assert_msg(strstr(line, param) != NULL, "%s: %s not in %s", dir, param, line);
	signatures_verified++;

	free(query);
	free(line);
	sigv4_result_free(&out);
	free_request(&r);
	free_context(&ctx);
	free(req_text);
	free(creq);
	free(sts);
	free(sig);
	free(signed_request);
}
END_TEST

/* ---- AWS documentation example: IAM ListUsers ---- */

START_TEST(docs_example_signs)
{
	char *path = test_data_path("sigv4/docs-example-iam-listusers.json");
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	sigv4_result out;

	ck_assert_msg(root != NULL, "%s: %s", path, jerr.text);
	sigv4_header headers[] = {
		{ "Host", json_string_value(json_object_get(json_object_get(root, "headers"), "Host")) },
		{ "Content-Type", json_string_value(json_object_get(json_object_get(root, "headers"), "Content-Type")) },
	};
	sigv4_request req = { "GET", "/", "Action=ListUsers&Version=2010-05-08", headers, 2, NULL, 0 };
	sigv4_params p = { SUITE_KEY, SUITE_SECRET, NULL, "us-east-1", "iam", suite_time(),
		SIGV4_NORMALIZE_PATH | SIGV4_ENCODE_PATH, 0 };

	ck_assert_int_eq(sigv4_sign_headers(&out, &req, &p), 0);
	ck_assert_str_eq(out.canonical_request, json_string_value(json_object_get(root, "canonical_request")));
	ck_assert_str_eq(out.string_to_sign, json_string_value(json_object_get(root, "string_to_sign")));
	ck_assert_str_eq(out.signature, json_string_value(json_object_get(root, "signature")));
	ck_assert_str_eq(out.authorization, json_string_value(json_object_get(root, "authorization")));

	sigv4_result_free(&out);
	json_decref(root);
	free(path);
}
END_TEST

/* ---- Clock skew: temporary credentials, RequestExpired, retry across midnight ---- */

typedef struct skew_case {
	json_t *input, *expected;
	const char *key, *secret, *token, *host, *region, *service, *body, *content_type, *server_date;
	time_t local;
} skew_case;

static void load_skew_case(skew_case *c)
{
	char *in_path = test_data_path("cases/B18/input.json");
	char *exp_path = test_data_path("cases/B18/expected.json");
	json_error_t jerr;
	const char *clock = NULL;
	struct tm tm = { 0 };

	memset(c, 0, sizeof(*c));
	c->input = json_load_file(in_path, 0, &jerr);
	ck_assert_msg(c->input != NULL, "%s: %s", in_path, jerr.text);
	c->expected = json_load_file(exp_path, 0, &jerr);
	ck_assert_msg(c->expected != NULL, "%s: %s", exp_path, jerr.text);
	ck_assert_int_eq(json_unpack_ex(c->input, &jerr, 0,
		"{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:{s:s}, s:s}, s:s, s:{s:{s:s}}}",
		"credentials", "access_key_id", &c->key, "secret_access_key", &c->secret, "session_token", &c->token,
		"request", "host", &c->host, "region", &c->region, "service", &c->service,
		"headers", "Content-Type", &c->content_type, "body", &c->body,
		"local_clock", &clock, "first_response", "headers", "Date", &c->server_date), 0);
	ck_assert_ptr_nonnull(strptime(clock, "%Y-%m-%dT%H:%M:%SZ", &tm));
	c->local = timegm(&tm);
	free(in_path);
	free(exp_path);
}

static void sign_skew_case(sigv4_result *out, const skew_case *c, const char *token, time_t t)
{
	sigv4_header headers[] = { { "Content-Type", c->content_type }, { "Host", c->host } };
	sigv4_request req = { "POST", "/", NULL, headers, 2, c->body, strlen(c->body) };
	sigv4_params p = { c->key, c->secret, token, c->region, c->service, t,
		SIGV4_NORMALIZE_PATH | SIGV4_ENCODE_PATH, 0 };

	ck_assert_int_eq(sigv4_sign_headers(out, &req, &p), 0);
}

static const char *expected_str(const skew_case *c, const char *section, const char *key)
{
	const char *v = json_string_value(json_object_get(json_object_get(c->expected, section), key));

	ck_assert_msg(v != NULL, "expected.json lacks %s.%s", section, key);
	return v;
}

START_TEST(skew_first_attempt_signs_token)
{
	skew_case c;
	sigv4_result out;

	load_skew_case(&c);
	sign_skew_case(&out, &c, c.token, c.local);
	ck_assert_str_eq(out.amz_date, expected_str(&c, "first_attempt", "x_amz_date"));
	ck_assert_str_eq(out.signed_headers, expected_str(&c, "first_attempt", "signed_headers"));
	ck_assert_str_eq(out.canonical_request, expected_str(&c, "first_attempt", "canonical_request"));
	ck_assert_str_eq(out.signature, expected_str(&c, "first_attempt", "signature"));
	ck_assert_str_ne(out.signature, expected_str(&c, "must_not_equal", "token_header_added_after_signing"));
	sigv4_result_free(&out);
	json_decref(c.input);
	json_decref(c.expected);
}
END_TEST

START_TEST(skew_retry_uses_server_time)
{
	skew_case c;
	sigv4_result out;
	double server_time = 0;

	load_skew_case(&c);
	const char *aws_code = json_string_value(json_object_get(json_object_get(
		json_object_get(c.input, "first_response"), "error"), "Code"));
	const char *aws_message = json_string_value(json_object_get(json_object_get(
		json_object_get(c.input, "first_response"), "error"), "Message"));

	/* The error is recognised as skew, and the offset comes from the Date header. */
	ck_assert_int_eq(skew_parse_http_date(c.server_date, &server_time), 0);
	ck_assert_int_eq(skew_is_clock_error(aws_code, aws_message, server_time, (double)c.local), 1);
	double offset = server_time - (double)c.local;
	json_t *want_offset = json_object_get(json_object_get(c.expected, "retry_after_skew_correction"),
		"clock_offset_seconds");
	ck_assert_ptr_nonnull(want_offset);
	ck_assert_double_eq(offset, json_number_value(want_offset));

	sign_skew_case(&out, &c, c.token, c.local + (time_t)offset);
	ck_assert_str_eq(out.amz_date, expected_str(&c, "retry_after_skew_correction", "x_amz_date"));
	ck_assert_str_eq(out.credential_scope, expected_str(&c, "retry_after_skew_correction", "credential_scope"));
	ck_assert_str_eq(out.signed_headers, expected_str(&c, "retry_after_skew_correction", "signed_headers"));
	ck_assert_str_eq(out.signature, expected_str(&c, "retry_after_skew_correction", "signature"));
	ck_assert_str_ne(out.signature, expected_str(&c, "must_not_equal", "corrected_time_but_stale_scope_date"));
	ck_assert_str_ne(out.signature, expected_str(&c, "must_not_equal", "token_header_added_after_signing"));
	sigv4_result_free(&out);
	json_decref(c.input);
	json_decref(c.expected);
}
END_TEST

START_TEST(skew_empty_token_not_sent)
{
	skew_case c;
	sigv4_result out;
	const char *empty;

	load_skew_case(&c);
	empty = json_string_value(json_object_get(json_object_get(c.input, "empty_token_variant"), "session_token"));
	ck_assert_ptr_nonnull(empty);
	ck_assert_str_eq(empty, "");

	sign_skew_case(&out, &c, empty, c.local);
	ck_assert_str_eq(out.signed_headers, "content-type;host;x-amz-date");
	ck_assert_ptr_null(strstr(out.canonical_request, "x-amz-security-token"));
	for (size_t i = 0; i < out.n_added; i++)
		ck_assert_str_ne(out.added[i].name, "X-Amz-Security-Token");
	ck_assert_str_ne(out.signature, expected_str(&c, "first_attempt", "signature"));
	sigv4_result_free(&out);
	json_decref(c.input);
	json_decref(c.expected);
}
END_TEST

START_TEST(skew_detection_rules)
{
	double now = 1768521000.0;

	ck_assert_int_eq(skew_is_clock_error("RequestExpired", "", 0, now), 1);
	ck_assert_int_eq(skew_is_clock_error("requesttimetooskewed", "", 0, now), 1);
	ck_assert_int_eq(skew_is_clock_error("InvalidSignatureException", "Signature expired: 20260115T235000Z is now earlier than ...", 0, now), 1);
	ck_assert_int_eq(skew_is_clock_error("SignatureDoesNotMatch", "Signature not yet current: ...", 0, now), 1);
	ck_assert_int_eq(skew_is_clock_error("AuthFailure", "AWS was not able to validate the provided access credentials", now + 301, now), 1);
	ck_assert_int_eq(skew_is_clock_error("AuthFailure", "AWS was not able to validate the provided access credentials", now + 299, now), 0);
	ck_assert_int_eq(skew_is_clock_error("AuthFailure", "bad signature", 0, now), 0);
	ck_assert_int_eq(skew_is_clock_error("InvalidStateTransition", "", now + 3600, now), 0);
	ck_assert_int_eq(skew_parse_http_date("not a date", &now), -1);
}
END_TEST

/* ---- Our own canonicalisation cases ---- */

START_TEST(path_double_encoded)
{
	sigv4_header headers[] = { { "Host", "example.amazonaws.com" } };
	sigv4_request req = { "GET", "/a%3Ab/c d", NULL, headers, 1, NULL, 0 };
	sigv4_params p = { SUITE_KEY, SUITE_SECRET, NULL, SUITE_REGION, SUITE_SERVICE, suite_time(),
		SIGV4_NORMALIZE_PATH | SIGV4_ENCODE_PATH, 0 };
	sigv4_result out;

	ck_assert_int_eq(sigv4_sign_headers(&out, &req, &p), 0);
	ck_assert_ptr_nonnull(strstr(out.canonical_request, "\n/a%253Ab/c%20d\n"));
	sigv4_result_free(&out);

	/* Without the per-service switch (S3) the path is used as sent. */
	p.flags = 0;
	ck_assert_int_eq(sigv4_sign_headers(&out, &req, &p), 0);
	ck_assert_ptr_nonnull(strstr(out.canonical_request, "\n/a%3Ab/c d\n"));
	sigv4_result_free(&out);
}
END_TEST

START_TEST(query_sorted_by_encoded_name)
{
	char *q = sigv4_canonical_query(
		"VpcPeeringConnectionId.2=pcx-b&VpcPeeringConnectionId.10=pcx-j&VpcPeeringConnectionId.1=pcx-a"
		"&Action=Describe&Filter.1.Value.1=a%20b&Param=z&Param=Y");

	ck_assert_str_eq(q, "Action=Describe&Filter.1.Value.1=a%20b&Param=Y&Param=z&"
		"VpcPeeringConnectionId.1=pcx-a&VpcPeeringConnectionId.10=pcx-j&VpcPeeringConnectionId.2=pcx-b");
	free(q);
}
END_TEST

START_TEST(path_normalization_table)
{
	static const char *cases[][2] = {
		{ "/", "/" }, { "", "/" }, { "//example//", "/example/" }, { "/./", "/" }, { "/example/..", "/" },
		{ "/example1/example2/../..", "/" }, { "/./example", "/example" }, { "/a/b/../c/", "/a/c/" },
		{ "/../x", "/x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = sigv4_normalize_path(cases[i][0]);

		ck_assert_msg(strcmp(n, cases[i][1]) == 0, "normalize(%s) = %s, want %s", cases[i][0], n, cases[i][1]);
		free(n);
	}
}
END_TEST

/* ---- Case discovery ---- */

static int collect_classic(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *dot = strrchr(path, '.');

	(void)st;
	(void)ftw;
	if (type == FTW_F && dot && strcmp(dot, ".req") == 0 && n_classic < MAX_CASES) {
		const char *slash = strrchr(path, '/');
		classic_cases[n_classic++] = strndup(path, (size_t)(slash - path));
	}
	return 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_crt(const char *root)
{
	char *list_cmd = NULL;
	FILE *ls;
	char line[1024];

	if (asprintf(&list_cmd, "ls -1 '%s'", root) < 0)
		return -1;
	ls = popen(list_cmd, "r");
	free(list_cmd);
	if (!ls)
		return -1;
	while (fgets(line, sizeof(line), ls) && n_crt < MAX_CASES) {
		line[strcspn(line, "\n")] = '\0';
		char *dir = test_join(root, line);
		char *ctx = test_join(dir, "context.json");
		FILE *f = fopen(ctx, "r");

		if (f) {
			fclose(f);
			crt_cases[n_crt++] = dir;
		} else {
			free(dir);
		}
		free(ctx);
	}
	pclose(ls);
	return 0;
}

int main(void)
{
	char *classic_root = test_data_path("sigv4/aws-sig-v4-test-suite");
	char *crt_root = test_data_path("sigv4/aws-signing-test-suite/v4");
	Suite *s = suite_create("sigv4");
	SRunner *sr;
	int failed;

	if (!classic_root || !crt_root)
		return 1;
	nftw(classic_root, collect_classic, 16, FTW_PHYS);
	collect_crt(crt_root);
	qsort(classic_cases, n_classic, sizeof(char *), compare_strings);
	if (n_classic == 0 || n_crt == 0) {
		fprintf(stderr, "no SigV4 cases found under %s and %s\n", classic_root, crt_root);
		return 1;
	}

	TCase *tc = tcase_create("suite");
	tcase_add_loop_test(tc, classic_case_signs, 0, (int)n_classic);
	tcase_add_loop_test(tc, crt_header_case_signs, 0, (int)n_crt);
	tcase_add_loop_test(tc, crt_query_case_presigns, 0, (int)n_crt);
	tcase_add_test(tc, docs_example_signs);
	suite_add_tcase(s, tc);

	TCase *skew = tcase_create("skew");
	tcase_add_test(skew, skew_first_attempt_signs_token);
	tcase_add_test(skew, skew_retry_uses_server_time);
	tcase_add_test(skew, skew_empty_token_not_sent);
	tcase_add_test(skew, skew_detection_rules);
	suite_add_tcase(s, skew);

	TCase *own = tcase_create("canonical");
	tcase_add_test(own, path_double_encoded);
	tcase_add_test(own, query_sorted_by_encoded_name);
	tcase_add_test(own, path_normalization_table);
	suite_add_tcase(s, own);

	sr = srunner_create(s);
	/* The signature count is kept in this process, so the tests must not fork. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	int expected = (int)(n_classic + 2 * n_crt);
	printf("SigV4 suite signatures verified: %d of %d (%zu classic header cases, %zu aws-c-auth cases x header and query)\n",
		signatures_verified, expected, n_classic, n_crt);
	for (size_t i = 0; i < n_classic; i++)
		free(classic_cases[i]);
	for (size_t i = 0; i < n_crt; i++)
		free(crt_cases[i]);
	free(classic_root);
	free(crt_root);
	return failed == 0 && signatures_verified == expected ? 0 : 1;
}
