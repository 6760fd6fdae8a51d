/*
 * Unit tests of the JMESPath engine beyond the compliance suite: Cloud
 * Custodian's split and from_json, limits against hostile expressions and
 * data, error columns, concurrent searches, number printing and the public
 * peerguard_jmespath_search wrapper.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jmespath.h"
#include "peerguard/peerguard.h"

/* Searches data (JSON text) with expression; returns the compact result or NULL with err set. */
static char *search_text(const char *expression, const char *data, const jmespath_limits *limits,
	jmespath_error *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(data, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	jmespath_expr *expr;
	json_t *result;
	char *text = NULL;

	ck_assert_msg(doc != NULL, "test data is not JSON: %s", jerr.text);
	expr = jmespath_compile(expression, strlen(expression), limits, err);
	if (expr && jmespath_search(&result, expr, doc, limits, err) == 0) {
		text = jmespath_dumps(result, JSON_ENCODE_ANY | JSON_COMPACT);
		json_decref(result);
	}
	jmespath_free(expr);
	json_decref(doc);
	return text;
}

static void assert_result(const char *expression, const char *data, const char *expected)
{
	jmespath_error err;
	char *got = search_text(expression, data, NULL, &err);

	ck_assert_msg(got != NULL, "%s failed: %s", expression, err.message);
	ck_assert_msg(strcmp(got, expected) == 0, "%s: expected %s, got %s", expression, expected, got);
	free(got);
}

static void assert_error(const char *expression, const char *data, const jmespath_limits *limits,
	jmespath_error_kind kind)
{
	jmespath_error err;
	char *got = search_text(expression, data, limits, &err);

	ck_assert_msg(got == NULL, "%s: expected a %s error, got %s", expression,
		jmespath_error_kind_name(kind), got ? got : "");
	ck_assert_msg(err.kind == kind, "%s: expected a %s error, got %s: %s", expression,
		jmespath_error_kind_name(kind), jmespath_error_kind_name(err.kind), err.message);
}

/* Compiles expression, expects a compile error of kind at column. */
static void assert_compile_error(const char *expression, jmespath_error_kind kind, size_t column)
{
	jmespath_error err;
	jmespath_expr *expr = jmespath_compile(expression, strlen(expression), NULL, &err);

	ck_assert_msg(expr == NULL, "%s compiled, expected a %s error", expression,
		jmespath_error_kind_name(kind));
	ck_assert_msg(err.kind == kind, "%s: expected %s, got %s: %s", expression,
		jmespath_error_kind_name(kind), jmespath_error_kind_name(err.kind), err.message);
	ck_assert_msg(err.column == column, "%s: expected column %zu, got %zu (%s)", expression,
		column, err.column, err.message);
}

/* Returns a new expression of count copies of unit between prefix and suffix. */
static char *repeat(const char *prefix, const char *unit, size_t count, const char *suffix)
{
	size_t len = strlen(prefix) + strlen(unit) * count + strlen(suffix) + 1;
	char *s = malloc(len);

	ck_assert_ptr_nonnull(s);
	strcpy(s, prefix);
	for (size_t i = 0; i < count; i++)
		strcat(s, unit);
	strcat(s, suffix);
	return s;
}

/* ---- split ---- */

START_TEST(split_every_separator)
{
	assert_result("split(',', 'a,b,,c')", "null", "[\"a\",\"b\",\"\",\"c\"]");
	assert_result("split('::', 'x::y')", "null", "[\"x\",\"y\"]");
	assert_result("split(',', '')", "null", "[\"\"]");
	assert_result("split(',', 'abc')", "null", "[\"abc\"]");
	assert_result("split(',', ',')", "null", "[\"\",\"\"]");
}
END_TEST

START_TEST(split_arn_last_part)
{
	assert_result("split('/', Arn)[-1]",
		"{\"Arn\": \"arn:aws:iam::123456789012:role/admin\"}", "\"admin\"");
	assert_result("split(':', Arn)[4]",
		"{\"Arn\": \"arn:aws:iam::012345678901:role/admin\"}", "\"012345678901\"");
}
END_TEST

START_TEST(split_bad_arguments)
{
	assert_error("split('', 'abc')", "null", NULL, JMESPATH_ERR_INVALID_VALUE);
	assert_error("split(`1`, 'abc')", "null", NULL, JMESPATH_ERR_INVALID_TYPE);
	assert_error("split(',', missing)", "{}", NULL, JMESPATH_ERR_INVALID_TYPE);
	assert_compile_error("split(',')", JMESPATH_ERR_INVALID_ARITY, 1);
}
END_TEST

/* ---- from_json ---- */

START_TEST(from_json_parses_values)
{
	assert_result("from_json('{\"a\": [1, 2]}').a[1]", "null", "2");
	assert_result("from_json('3.5')", "null", "3.5");
	assert_result("from_json('\"s\"')", "null", "\"s\"");
	assert_result("from_json(policy).Statement[0].Effect",
		"{\"policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\"}]}\"}", "\"Allow\"");
}
END_TEST

START_TEST(from_json_invalid_is_null)
{
	assert_result("from_json('not json')", "null", "null");
	assert_result("from_json('')", "null", "null");
	assert_result("from_json('[1,')", "null", "null");
}
END_TEST

START_TEST(from_json_bad_arguments)
{
	assert_error("from_json(`1`)", "null", NULL, JMESPATH_ERR_INVALID_TYPE);
	assert_compile_error("from_json('a', 'b')", JMESPATH_ERR_INVALID_ARITY, 1);
}
END_TEST

/* ---- numbers and strings ---- */

START_TEST(to_string_shortest_reals)
{
	assert_result("to_string(`0.1`)", "null", "\"0.1\"");
	assert_result("to_string(`[0.1, 1.25, 3]`)", "null", "\"[0.1,1.25,3]\"");
	assert_result("to_string(`{\"a\": 1.0}`)", "null", "\"{\\\"a\\\":1.0}\"");
}
END_TEST

START_TEST(to_number_python_forms)
{
	assert_result("to_number(' 42 ')", "null", "42");
	assert_result("to_number('+4')", "null", "4");
	assert_result("to_number('007')", "null", "7");
	assert_result("to_number('.5')", "null", "0.5");
	assert_result("to_number('5.')", "null", "5.0");
	assert_result("to_number('-1e3')", "null", "-1000.0");
	assert_result("to_number('99999999999999999999')", "null", "1e20");
	assert_result("to_number('0x10')", "null", "null");
	assert_result("to_number('1e999')", "null", "null");
	assert_result("to_number('nan')", "null", "null");
}
END_TEST

START_TEST(string_ordering_compares_code_points)
{
	assert_result("'a' < 'b'", "null", "true");
	assert_result("'b' <= 'a'", "null", "false");
	assert_result("'2021-01-02' > '2021-01-01'", "null", "true");
	assert_result("'a' < `1`", "null", "null");
}
END_TEST

START_TEST(sum_keeps_integers)
{
	assert_result("sum(`[1, 2, 3]`)", "null", "6");
	assert_result("sum(`[9223372036854775807, 1]`)", "null", "9.223372036854776e18");
	assert_result("abs(`-9223372036854775808`)", "null", "9.223372036854776e18");
	assert_result("avg(`[1, 2]`)", "null", "1.5");
	assert_result("sum(`[1000.5, 0.5]`)", "null", "1001.0");
	assert_error("sum(`[1e308, 1e308]`)", "null", NULL, JMESPATH_ERR_INVALID_VALUE);
	assert_error("avg(`[1e308, 1e308]`)", "null", NULL, JMESPATH_ERR_INVALID_VALUE);
}
END_TEST

START_TEST(nul_in_strings)
{
	assert_result("length(@)", "\"a\\u0000b\"", "3");
	assert_result("reverse(@)", "\"a\\u0000b\"", "\"b\\u0000a\"");
	assert_result("\"a\\u0000b\"", "{\"a\": 2}", "null");
}
END_TEST

/* ---- limits ---- */

START_TEST(limit_expression_length)
{
	jmespath_limits limits = { 0, 11 };
	jmespath_error err;
	char *long_expr = repeat("a", ".a", 2048, "");
	jmespath_expr *expr;

	expr = jmespath_compile("a.b.c.d.e.f", 11, &limits, &err);
	ck_assert_ptr_nonnull(expr);
	jmespath_free(expr);

	expr = jmespath_compile("a.b.c.d.e.fg", 12, &limits, &err);
	ck_assert_ptr_null(expr);
	ck_assert_int_eq(err.kind, JMESPATH_ERR_LIMIT);

	/* 4097 bytes: one past the default limit. */
	expr = jmespath_compile(long_expr, strlen(long_expr), NULL, &err);
	ck_assert_uint_eq(strlen(long_expr), 4097);
	ck_assert_ptr_null(expr);
	ck_assert_int_eq(err.kind, JMESPATH_ERR_LIMIT);
	free(long_expr);
}
END_TEST

START_TEST(limit_steps)
{
	jmespath_limits small = { 50, 0 };
	char *data = repeat("[", "{\"a\": 1},", 100, "{\"a\": 1}]");

	assert_error("[*].a", data, &small, JMESPATH_ERR_LIMIT);
	assert_result("length([*].a)", data, "101");
	free(data);
}
END_TEST

START_TEST(limit_parser_nesting)
{
	char *parens = repeat("", "(", 300, "a");
	char *closed = repeat(parens, ")", 300, "");
	char *pipes = repeat("a", "|a", 300, "");
	char *not_chain = repeat("", "!", 300, "a");
	char *brackets = repeat("", "[", 300, "");

	/* The 257th nested expression starts at column 257. */
	assert_compile_error(closed, JMESPATH_ERR_LIMIT, 257);
	assert_compile_error(not_chain, JMESPATH_ERR_LIMIT, 257);
	assert_compile_error(brackets, JMESPATH_ERR_LIMIT, 257);

	/* A chain of pipes recurses little while parsing but builds a deep tree. */
	{
		jmespath_error err;
		jmespath_expr *expr = jmespath_compile(pipes, strlen(pipes), NULL, &err);

		ck_assert_ptr_null(expr);
		ck_assert_int_eq(err.kind, JMESPATH_ERR_LIMIT);
	}

	free(parens);
	free(closed);
	free(pipes);
	free(not_chain);
	free(brackets);
}
END_TEST

START_TEST(limit_shared_result_blowup)
{
	/* Each stage doubles the expanded size: 2^60 values from 60 small arrays. */
	char *doubling = repeat("@", "|[@, @]", 60, "");
	char *joined = repeat("'abcdefgh'", "|join('', [@, @])", 60, "");
	char *wrapped = malloc(strlen(doubling) + 32);

	ck_assert_ptr_nonnull(wrapped);
	assert_error(doubling, "[1, 2, 3]", NULL, JMESPATH_ERR_LIMIT);

	sprintf(wrapped, "to_string(%s)", doubling);
	assert_error(wrapped, "[1, 2, 3]", NULL, JMESPATH_ERR_LIMIT);

	sprintf(wrapped, "%s|[0] == [1]", doubling);
	assert_result(wrapped, "[1, 2, 3]", "true");

	sprintf(wrapped, "%s|length(@)", doubling);
	assert_result(wrapped, "[1, 2, 3]", "2");

	assert_error(joined, "null", NULL, JMESPATH_ERR_LIMIT);

	free(wrapped);
	free(doubling);
	free(joined);
}
END_TEST

/* Builds [[[...]]] nested depth levels deep. */
static json_t *deep_array(size_t depth)
{
	json_t *v = json_array();

	for (size_t i = 0; i < depth; i++) {
		json_t *outer = json_array();

		json_array_append_new(outer, v);
		v = outer;
	}
	return v;
}

START_TEST(limit_deep_data)
{
	json_t *doc = json_object();
	jmespath_error err;
	jmespath_expr *expr;
	json_t *result = NULL;

	json_object_set_new(doc, "a", deep_array(5000));
	json_object_set_new(doc, "b", deep_array(5000));

	expr = jmespath_compile("a == b", 6, NULL, &err);
	ck_assert_ptr_nonnull(expr);
	ck_assert_int_eq(jmespath_search(&result, expr, doc, NULL, &err), -1);
	ck_assert_int_eq(err.kind, JMESPATH_ERR_LIMIT);
	jmespath_free(expr);

	expr = jmespath_compile("length(a)", 9, NULL, &err);
	ck_assert_ptr_nonnull(expr);
	ck_assert_int_eq(jmespath_search(&result, expr, doc, NULL, &err), 0);
	ck_assert_int_eq(json_integer_value(result), 1);
	json_decref(result);
	jmespath_free(expr);

	json_decref(doc);
}
END_TEST

/* ---- error columns ---- */

START_TEST(syntax_error_columns)
{
	assert_compile_error("foo.]", JMESPATH_ERR_SYNTAX, 5);
	assert_compile_error("foo.", JMESPATH_ERR_SYNTAX, 5);
	assert_compile_error("", JMESPATH_ERR_SYNTAX, 1);
	assert_compile_error("foo[?a==]", JMESPATH_ERR_SYNTAX, 9);
	assert_compile_error("foo#", JMESPATH_ERR_SYNTAX, 4);
	assert_compile_error("a = b", JMESPATH_ERR_SYNTAX, 3);
	assert_compile_error("foo.\"bar", JMESPATH_ERR_SYNTAX, 5);
	assert_compile_error("a.`{bad`", JMESPATH_ERR_SYNTAX, 3);
	assert_compile_error("foo bar", JMESPATH_ERR_SYNTAX, 5);
	assert_compile_error("\"\u2713\u2713\".]", JMESPATH_ERR_SYNTAX, 6);
	assert_compile_error("foo[1:2:0]", JMESPATH_ERR_INVALID_VALUE, 9);
}
END_TEST

START_TEST(function_error_columns)
{
	assert_compile_error("abs(a) || nope(b)", JMESPATH_ERR_UNKNOWN_FUNCTION, 11);
	assert_compile_error("a.length(b, c)", JMESPATH_ERR_INVALID_ARITY, 3);
	assert_compile_error("merge()", JMESPATH_ERR_INVALID_ARITY, 1);
	assert_compile_error("length(a,)", JMESPATH_ERR_SYNTAX, 10);
	assert_compile_error("length(a b)", JMESPATH_ERR_SYNTAX, 10);
}
END_TEST

START_TEST(raw_string_invalid_utf8)
{
	assert_compile_error("a || '\xff'", JMESPATH_ERR_SYNTAX, 6);
}
END_TEST

START_TEST(expression_with_nul_byte)
{
	jmespath_error err;
	jmespath_expr *expr = jmespath_compile("a\0b", 3, NULL, &err);

	ck_assert_ptr_null(expr);
	ck_assert_int_eq(err.kind, JMESPATH_ERR_SYNTAX);
	ck_assert_uint_eq(err.column, 2);
}
END_TEST

START_TEST(expref_outside_function)
{
	assert_error("&a", "{}", NULL, JMESPATH_ERR_INVALID_TYPE);
	assert_error("abs(&a)", "{}", NULL, JMESPATH_ERR_INVALID_TYPE);
}
END_TEST

/* ---- threads ---- */

typedef struct thread_job {
	const jmespath_expr *expr;
	json_t *data;
	int mismatches;
} thread_job;

static void *search_many(void *arg)
{
	thread_job *job = arg;

	for (int i = 0; i < 2000; i++) {
		jmespath_error err;
		json_t *result;

		if (jmespath_search(&result, job->expr, job->data, NULL, &err) < 0) {
			job->mismatches++;
			continue;
		}
		if (json_array_size(result) != 2 || strcmp(json_string_value(json_array_get(result, 0)), "x") != 0)
			job->mismatches++;
		json_decref(result);
	}
	return NULL;
}

START_TEST(concurrent_searches)
{
	const char *text = "sort_by(items, &n)[?tag != `\"skip\"`].merge(`{\"k\": 1}`, @).name";
	json_error_t jerr;
	json_t *data = json_loads("{\"items\": [{\"n\": 2, \"name\": \"y\"}, {\"n\": 1, \"name\": \"x\"},"
		" {\"n\": 3, \"name\": \"z\", \"tag\": \"skip\"}]}", 0, &jerr);
	jmespath_error err;
	jmespath_expr *expr = jmespath_compile(text, strlen(text), NULL, &err);
	pthread_t threads[4];
	thread_job jobs[4];

	ck_assert_ptr_nonnull(data);
	ck_assert_msg(expr != NULL, "%s", err.message);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (thread_job){ expr, data, 0 };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, search_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_int_eq(jobs[i].mismatches, 0);
	}
	jmespath_free(expr);
	json_decref(data);
}
END_TEST

/* ---- peerguard_jmespath_search ---- */

START_TEST(public_search_result)
{
	const char *doc = "{\"VpcPeeringConnections\": [{\"AccepterVpcInfo\": {\"OwnerId\": \"012345678901\"}}]}";
	peerguard_error err;
	char *out = NULL;

	ck_assert_int_eq(peerguard_jmespath_search(&out, "VpcPeeringConnections[].AccepterVpcInfo.OwnerId",
		doc, strlen(doc), NULL, &err), PEERGUARD_OK);
	ck_assert_str_eq(out, "[\"012345678901\"]");
	peerguard_free(out);

	ck_assert_int_eq(peerguard_jmespath_search(&out, "missing", "3", 1, NULL, &err), PEERGUARD_OK);
	ck_assert_str_eq(out, "null");
	peerguard_free(out);
}
END_TEST

START_TEST(public_search_errors)
{
	peerguard_error err;
	peerguard_limits limits;
	char *out = (char *)"unchanged";

	ck_assert_int_eq(peerguard_jmespath_search(&out, "a.]", "{}", 2, NULL, &err), PEERGUARD_EEXPR);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(err.code, PEERGUARD_EEXPR);
	ck_assert_int_eq(err.column, 3);
	ck_assert_ptr_nonnull(strstr(err.message, "column 3"));

	ck_assert_int_eq(peerguard_jmespath_search(&out, "a", "{\"a\": }", 7, NULL, &err), PEERGUARD_EINPUT);
	ck_assert_int_eq(err.line, 1);
	ck_assert_int_eq(err.column, 7);

	ck_assert_int_eq(peerguard_jmespath_search(&out, "abs(a)", "{\"a\": \"x\"}", 10, NULL, &err),
		PEERGUARD_EEXPR);
	ck_assert_ptr_nonnull(strstr(err.message, "abs()"));

	ck_assert_int_eq(peerguard_jmespath_search(NULL, "a", "{}", 2, NULL, &err), PEERGUARD_EINVAL);

	memset(&limits, 0, sizeof(limits));
	limits.max_input_bytes = 4;
	ck_assert_int_eq(peerguard_jmespath_search(&out, "a", "{\"a\": 1}", 8, &limits, &err), PEERGUARD_ELIMIT);

	memset(&limits, 0, sizeof(limits));
	limits.max_depth = 2;
	ck_assert_int_eq(peerguard_jmespath_search(&out, "a", "[[1]]", 5, &limits, &err), PEERGUARD_OK);
	peerguard_free(out);
	ck_assert_int_eq(peerguard_jmespath_search(&out, "a", "[[[1]]]", 7, &limits, &err), PEERGUARD_ELIMIT);

	memset(&limits, 0, sizeof(limits));
	limits.jmespath_max_steps = 3;
	ck_assert_int_eq(peerguard_jmespath_search(&out, "[*].a", "[{}, {}, {}]", 12, &limits, &err),
		PEERGUARD_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.message, "max_steps"));

	memset(&limits, 0, sizeof(limits));
	limits.jmespath_max_length = 3;
	ck_assert_int_eq(peerguard_jmespath_search(&out, "a.b.c", "{}", 2, &limits, &err), PEERGUARD_ELIMIT);
}
END_TEST

static Suite *jmespath_unit_suite(void)
{
	Suite *s = suite_create("jmespath-unit");
	TCase *functions = tcase_create("functions");
	TCase *limits = tcase_create("limits");
	TCase *errors = tcase_create("errors");
	TCase *api = tcase_create("api");

	tcase_add_test(functions, split_every_separator);
	tcase_add_test(functions, split_arn_last_part);
	tcase_add_test(functions, split_bad_arguments);
	tcase_add_test(functions, from_json_parses_values);
	tcase_add_test(functions, from_json_invalid_is_null);
	tcase_add_test(functions, from_json_bad_arguments);
	tcase_add_test(functions, to_string_shortest_reals);
	tcase_add_test(functions, to_number_python_forms);
	tcase_add_test(functions, string_ordering_compares_code_points);
	tcase_add_test(functions, sum_keeps_integers);
	tcase_add_test(functions, nul_in_strings);
	suite_add_tcase(s, functions);

	tcase_add_test(limits, limit_expression_length);
	tcase_add_test(limits, limit_steps);
	tcase_add_test(limits, limit_parser_nesting);
	tcase_add_test(limits, limit_shared_result_blowup);
	tcase_add_test(limits, limit_deep_data);
	tcase_set_timeout(limits, 30);
	suite_add_tcase(s, limits);

	tcase_add_test(errors, syntax_error_columns);
	tcase_add_test(errors, function_error_columns);
	tcase_add_test(errors, expression_with_nul_byte);
	tcase_add_test(errors, raw_string_invalid_utf8);
	tcase_add_test(errors, expref_outside_function);
	suite_add_tcase(s, errors);

	tcase_add_test(api, concurrent_searches);
	tcase_add_test(api, public_search_result);
	tcase_add_test(api, public_search_errors);
	suite_add_tcase(s, api);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jmespath_unit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
