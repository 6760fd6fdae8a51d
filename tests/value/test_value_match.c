/*
 * Tests for the value filter comparison (lib/core/value).
 *
 * The case tables c7n_cases.inc and c7n_dates.inc were produced by c7n
 * 0.9.x's own ValueFilter.match and parse_date (tests/value/gen_cases.py,
 * run with TZ=UTC); this test only replays them.  Where c7n raised an
 * exception other than TypeError, the table records "no match", which is
 * what libpeerguard returns.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/value_match.h"

/* The clock the tables were generated with: 2026-06-01T00:00:00Z. */
#define TABLE_NOW 1780272000.0

typedef struct c7n_case {
	const char *op;
	const char *type;
	const char *r;
	const char *v;
	const char *value_regex;
	int matched;
	int c7n_raised;
} c7n_case;

static const c7n_case cases[] = {
#include "c7n_cases.inc"
};

typedef struct c7n_date {
	const char *value;
	int is_date;
	double seconds;
	int c7n_raised;
} c7n_date;

static const c7n_date dates[] = {
#include "c7n_dates.inc"
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static json_t *load(const char *text)
{
	json_error_t error;
	json_t *json = json_loads(text, JSON_DECODE_ANY, &error);

	ck_assert_msg(json != NULL, "test JSON %s is invalid: %s", text, error.text);
	return json;
}

/* Runs value_match for one filter and returns the outcome, failing the test on an error return. */
static int run_match(const char *op, const char *type, json_t *r, json_t *v, const char *regex_text,
	const value_match_env *env)
{
	value_match_spec spec;
	value_regex *re = NULL;
	char err[256] = "";
	int matched = -1, groups = 0, rc;

	memset(&spec, 0, sizeof(spec));
	if (op != NULL)
		ck_assert_msg(value_op_parse(op, &spec.op) == 0, "op %s did not parse", op);
	if (type != NULL)
		ck_assert_msg(value_type_parse(type, &spec.type) == 0, "value_type %s did not parse", type);
	if (regex_text != NULL) {
		json_t *pattern = load(regex_text);

		re = value_regex_compile(json_string_value(pattern), 0, &groups, err, sizeof(err));
		ck_assert_msg(re != NULL, "value_regex %s did not compile: %s", regex_text, err);
		ck_assert_int_eq(groups, 1);
		spec.value_regex = re;
		json_decref(pattern);
	}

	rc = value_match(&matched, &spec, r, v, env, err, sizeof(err));
	value_regex_free(re);
	ck_assert_msg(rc == 0, "value_match returned %d: %s", rc, err);
	return matched;
}

START_TEST(c7n_table_case)
{
	const c7n_case *c = &cases[_i];
	value_match_env env = { TABLE_NOW, 0, 0 };
	json_t *r = c->r != NULL ? load(c->r) : NULL;
	json_t *v = load(c->v);
	int matched = run_match(c->op, c->type, r, v, c->value_regex, &env);

	ck_assert_msg(matched == c->matched,
		"case %d: op %s, value_type %s, r %s, v %s, value_regex %s: got %d, c7n gives %d%s",
		_i, c->op ? c->op : "(none)", c->type ? c->type : "(none)", c->r ? c->r : "(missing)",
		c->v, c->value_regex ? c->value_regex : "(none)", matched, c->matched,
		c->c7n_raised ? " (c7n raised)" : "");
	json_decref(r);
	json_decref(v);
}
END_TEST

START_TEST(c7n_parse_date_case)
{
	const c7n_date *d = &dates[_i];
	json_t *value = load(d->value);
	double seconds = 0;
	int rc = value_parse_date(value, &seconds);

	ck_assert_msg((rc == 0) == d->is_date, "parse_date(%s): got %s, c7n gives %s", d->value,
		rc == 0 ? "a date" : "not a date", d->is_date ? "a date" : (d->c7n_raised ? "an exception" : "None"));
	if (d->is_date)
		ck_assert_msg(fabs(seconds - d->seconds) < 1e-6, "parse_date(%s): got %.6f, c7n gives %.6f",
			d->value, seconds, d->seconds);
	json_decref(value);
}
END_TEST

START_TEST(parse_date_null_is_not_a_date)
{
	double seconds = 0;

	ck_assert_int_eq(value_parse_date(NULL, &seconds), -1);
}
END_TEST

/* Outcome of one filter written as JSON texts, with r NULL for a missing key. */
static int outcome(const char *op, const char *type, const char *r_text, const char *v_text)
{
	value_match_env env = { TABLE_NOW, 0, 0 };
	json_t *r = r_text != NULL ? load(r_text) : NULL;
	json_t *v = load(v_text);
	int matched = run_match(op, type, r, v, NULL, &env);

	json_decref(r);
	json_decref(v);
	return matched;
}

/* c7n turns every IPv6 CIDR into None, but libpeerguard parses it (a documented difference). */
START_TEST(cidr_ipv6_networks_parse)
{
	ck_assert_int_eq(outcome("in", "cidr", "\"2001:db8:1::/48\"", "\"2001:db8::/32\""), 1);
	ck_assert_int_eq(outcome("in", "cidr", "\"2001:db9::/48\"", "\"2001:db8::/32\""), 0);
	ck_assert_int_eq(outcome("in", "cidr", "\"2001:db8::5\"", "\"2001:db8::/32\""), 1);
	ck_assert_int_eq(outcome("in", "cidr", "\"2001:db8::/32\"", "\"2001:db8::5\""), 1);
	ck_assert_int_eq(outcome("eq", "cidr", "\"2001:db8::/48\"", "\"2001:db8::/32\""), 0);
	ck_assert_int_eq(outcome("eq", "cidr", "\"2001:db8::/32\"", "\"2001:db8:0::/32\""), 1);
	ck_assert_int_eq(outcome("eq", "cidr_size", "\"2001:db8::/56\"", "56"), 1);
	ck_assert_int_eq(outcome("in", "cidr", "\"2001:db8::1/32\"", "\"2001:db8::/32\""), 0);
	ck_assert_int_eq(outcome("in", "cidr", "\"10.0.0.0/8\"", "\"2001:db8::/32\""), 0);
	ck_assert_int_eq(outcome("not-in", "cidr", "\"10.0.0.0/8\"", "\"2001:db8::/32\""), 0);
	ck_assert_int_eq(outcome("in", "cidr", "\"2001:db8::1\"", "[\"2001:db8::1\"]"), 1);
	ck_assert_int_eq(outcome("intersect", "cidr", "\"2001:db8::/32\"", "\"2001:db8:5::/48\""), 1);
	ck_assert_int_eq(outcome("difference", "cidr", "\"2001:db8::/32\"", "\"2001:db8:5::/48\""), 1);
}
END_TEST

/* Where c7n raises (ZeroDivisionError, AttributeError, OverflowError), the filter is false without error. */
START_TEST(c7n_exceptions_are_no_match)
{
	ck_assert_int_eq(outcome("mod", NULL, "5", "0"), 0);
	ck_assert_int_eq(outcome("mod", NULL, "5.5", "0.0"), 0);
	ck_assert_int_eq(outcome("eq", "version", "\"1.0\"", "\"\""), 0);
	ck_assert_int_eq(outcome("ne", "version", "null", "\"1.0\""), 0);
	ck_assert_int_eq(outcome("eq", "cidr", "null", "\"10.0.0.0/8\""), 0);
	ck_assert_int_eq(outcome("ne", "cidr_size", "\"10.0.0.1\"", "5"), 0);
	ck_assert_int_eq(outcome("ne", "age", "\"2026-01-01\"", "\"30\""), 0);
	ck_assert_int_eq(outcome("ne", "age", "\"2026-01-01\"", "1e12"), 0);
	ck_assert_int_eq(outcome("ne", "date", "\"1e20\"", "\"2026-01-01\""), 0);
	ck_assert_int_eq(outcome("regex", "swap", "\"(\"", "\"x\""), 0);
}
END_TEST

START_TEST(op_names_round_trip)
{
	static const char *const names[] = { "eq", "ne", "gt", "ge", "lt", "le", "in", "not-in", "ni",
		"contains", "regex", "regex-case", "glob", "intersect", "difference", "mod" };
	value_op op;
	int i;

	for (i = 0; i < COUNT(names); i++) {
		ck_assert_int_eq(value_op_parse(names[i], &op), 0);
		ck_assert_str_eq(value_op_name(op), names[i]);
	}
	ck_assert_int_eq(value_op_parse("gte", &op), 0);
	ck_assert_int_eq(op, VALUE_OP_GE);
	ck_assert_int_eq(value_op_parse("not-equal", &op), 0);
	ck_assert_int_eq(op, VALUE_OP_NE);
	ck_assert_int_eq(value_op_parse("equals", &op), -1);
	ck_assert_int_eq(value_op_parse(NULL, &op), -1);
	ck_assert_ptr_null(value_op_name(VALUE_OP_NONE));
}
END_TEST

START_TEST(type_names_round_trip)
{
	static const char *const names[] = { "age", "expiration", "size", "cidr", "cidr_size", "swap",
		"resource_count", "integer", "float", "normalize", "date", "version", "expr", "unique_size" };
	value_type type;
	int i;

	for (i = 0; i < COUNT(names); i++) {
		ck_assert_int_eq(value_type_parse(names[i], &type), 0);
		ck_assert_str_eq(value_type_name(type), names[i]);
	}
	ck_assert_int_eq(value_type_parse("timestamp", &type), -1);
}
END_TEST

START_TEST(regex_bad_pattern_reports_offset)
{
	char err[256] = "";
	value_regex *re = value_regex_compile("ab(c", 0, NULL, err, sizeof(err));

	ck_assert_ptr_null(re);
	ck_assert_msg(strstr(err, "ab(c") != NULL, "message names the pattern: %s", err);
	ck_assert_msg(strstr(err, "offset 4") != NULL, "message gives the offset: %s", err);

	re = value_regex_compile("x\\N{LATIN SMALL LETTER A}", 0, NULL, err, sizeof(err));
	ck_assert_ptr_null(re);
	ck_assert_msg(strstr(err, "offset 1") != NULL, "offset in the original pattern: %s", err);
}
END_TEST

START_TEST(regex_group_count)
{
	int groups = -1;
	value_regex *re = value_regex_compile("a(b)(?:c)(?P<d>d)", 0, &groups, NULL, 0);

	ck_assert_ptr_nonnull(re);
	ck_assert_int_eq(groups, 2);
	value_regex_free(re);
	value_regex_free(NULL);
}
END_TEST

/* (a+)+$ backtracks exponentially on "aaa...ab"; a small match limit must stop it with an error. */
START_TEST(regex_match_limit_stops_backtracking)
{
	value_match_env env = { TABLE_NOW, 10000, 0 };
	value_match_spec spec;
	char subject[64], err[256] = "";
	json_t *r, *v;
	int matched = -1, rc;

	memset(subject, 'a', 40);
	subject[40] = 'b';
	subject[41] = '\0';
	r = json_string(subject);
	v = json_string("(a+)+$");
	memset(&spec, 0, sizeof(spec));
	spec.op = VALUE_OP_REGEX_CASE;

	rc = value_match(&matched, &spec, r, v, &env, err, sizeof(err));
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(matched, 0);
	ck_assert_msg(strstr(err, "limit") != NULL, "message names the limit: %s", err);

	env.regex_match_limit = 0;
	env.regex_heap_limit_kib = 1;
	json_decref(r);
	r = json_string("aaaa");
	rc = value_match(&matched, &spec, r, v, &env, err, sizeof(err));
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(matched, 1);

	json_decref(r);
	json_decref(v);
}
END_TEST

START_TEST(regex_precompiled_pattern_is_used)
{
	value_match_spec spec;
	value_regex *re = value_regex_compile("^pcx-[0-9a-f]+$", 1, NULL, NULL, 0);
	json_t *r = json_string("PCX-0AB");
	json_t *v = json_string("does not matter");
	int matched = -1;

	memset(&spec, 0, sizeof(spec));
	spec.op = VALUE_OP_REGEX;
	spec.op_regex = re;
	ck_assert_int_eq(value_match(&matched, &spec, r, v, NULL, NULL, 0), 0);
	ck_assert_int_eq(matched, 1);

	value_regex_free(re);
	json_decref(r);
	json_decref(v);
}
END_TEST

START_TEST(match_rejects_null_arguments)
{
	value_match_spec spec;
	char err[128] = "";
	int matched;

	memset(&spec, 0, sizeof(spec));
	ck_assert_int_eq(value_match(NULL, &spec, NULL, NULL, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(value_match(&matched, NULL, NULL, NULL, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "NULL") != NULL, "message: %s", err);
	ck_assert_int_eq(value_match(&matched, &spec, NULL, NULL, NULL, NULL, 0), 0);
	ck_assert_int_eq(matched, 1);
}
END_TEST

static json_t *nested_list(int depth)
{
	json_t *list = json_array();
	int i;

	json_array_append_new(list, json_integer(1));
	for (i = 0; i < depth; i++) {
		json_t *outer = json_array();

		json_array_append_new(outer, list);
		list = outer;
	}
	return list;
}

/* Past 1000 levels Python raises RecursionError (no match here), and the C stack must not overflow. */
START_TEST(deep_nesting_does_not_crash)
{
	value_match_spec spec;
	json_t *a = nested_list(20000), *b = nested_list(20000);
	int matched = -1;

	memset(&spec, 0, sizeof(spec));
	spec.op = VALUE_OP_EQ;
	ck_assert_int_eq(value_match(&matched, &spec, a, b, NULL, NULL, 0), 0);
	ck_assert_int_eq(matched, 0);
	spec.op = VALUE_OP_LT;
	ck_assert_int_eq(value_match(&matched, &spec, a, b, NULL, NULL, 0), 0);
	ck_assert_int_eq(matched, 0);

	json_decref(a);
	json_decref(b);
	a = nested_list(50);
	b = nested_list(50);
	spec.op = VALUE_OP_EQ;
	ck_assert_int_eq(value_match(&matched, &spec, a, b, NULL, NULL, 0), 0);
	ck_assert_int_eq(matched, 1);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(extreme_numbers_compare_exactly)
{
	ck_assert_int_eq(outcome("lt", NULL, "-9223372036854775808", "-9.3e18"), 0);
	ck_assert_int_eq(outcome("gt", NULL, "9223372036854775807", "9.3e18"), 0);
	ck_assert_int_eq(outcome("lt", NULL, "9223372036854775807", "9.3e18"), 1);
	ck_assert_int_eq(outcome("mod", NULL, "-9223372036854775808", "-1"), 0);
	ck_assert_int_eq(outcome("eq", "float", "\"1e999\"", "1e308"), 0);
	ck_assert_int_eq(outcome("gt", "integer", "\"-99999999999999999999999\"", "-1e300"), 1);
}
END_TEST

typedef struct thread_work {
	const value_regex *re;
	int mismatches;
} thread_work;

/* Matches a shared compiled regex and lowercases Unicode (the lazily made locale) from one thread. */
static void *match_in_thread(void *arg)
{
	thread_work *work = arg;
	value_match_spec regex_spec, normalize_spec;
	json_t *pcx = json_string("PCX-0AB"), *other = json_string("vpc-1"), *v = json_string("x");
	json_t *upper = json_string("\xc3\x89T\xc3\x89"), *lower = json_string("\xc3\xa9t\xc3\xa9");
	int i, matched;

	memset(&regex_spec, 0, sizeof(regex_spec));
	regex_spec.op = VALUE_OP_REGEX;
	regex_spec.op_regex = work->re;
	memset(&normalize_spec, 0, sizeof(normalize_spec));
	normalize_spec.op = VALUE_OP_EQ;
	normalize_spec.type = VALUE_TYPE_NORMALIZE;

	for (i = 0; i < 2000; i++) {
		if (value_match(&matched, &regex_spec, pcx, v, NULL, NULL, 0) != 0 || matched != 1)
			work->mismatches++;
		if (value_match(&matched, &regex_spec, other, v, NULL, NULL, 0) != 0 || matched != 0)
			work->mismatches++;
		if (value_match(&matched, &normalize_spec, upper, lower, NULL, NULL, 0) != 0 || matched != 1)
			work->mismatches++;
	}
	json_decref(pcx);
	json_decref(other);
	json_decref(v);
	json_decref(upper);
	json_decref(lower);
	return NULL;
}

START_TEST(shared_regex_across_threads)
{
	value_regex *re = value_regex_compile("^pcx-[0-9a-f]+$", 1, NULL, NULL, 0);
	pthread_t threads[4];
	thread_work work[4];
	int i;

	ck_assert_ptr_nonnull(re);
	for (i = 0; i < 4; i++) {
		work[i].re = re;
		work[i].mismatches = 0;
		ck_assert_int_eq(pthread_create(&threads[i], NULL, match_in_thread, &work[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_msg(work[i].mismatches == 0, "thread %d saw %d wrong results", i, work[i].mismatches);
	}
	value_regex_free(re);
}
END_TEST

static Suite *value_suite(void)
{
	Suite *s = suite_create("value-match");
	TCase *table = tcase_create("c7n-table");
	TCase *rest = tcase_create("behaviour");

	tcase_set_timeout(table, 120);
	tcase_add_loop_test(table, c7n_table_case, 0, COUNT(cases));
	tcase_add_loop_test(table, c7n_parse_date_case, 0, COUNT(dates));
	suite_add_tcase(s, table);

	tcase_set_timeout(rest, 60);
	tcase_add_test(rest, parse_date_null_is_not_a_date);
	tcase_add_test(rest, cidr_ipv6_networks_parse);
	tcase_add_test(rest, c7n_exceptions_are_no_match);
	tcase_add_test(rest, op_names_round_trip);
	tcase_add_test(rest, type_names_round_trip);
	tcase_add_test(rest, regex_bad_pattern_reports_offset);
	tcase_add_test(rest, regex_group_count);
	tcase_add_test(rest, regex_match_limit_stops_backtracking);
	tcase_add_test(rest, regex_precompiled_pattern_is_used);
	tcase_add_test(rest, match_rejects_null_arguments);
	tcase_add_test(rest, deep_nesting_does_not_crash);
	tcase_add_test(rest, extreme_numbers_compare_exactly);
	tcase_add_test(rest, shared_regex_across_threads);
	suite_add_tcase(s, rest);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(value_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
