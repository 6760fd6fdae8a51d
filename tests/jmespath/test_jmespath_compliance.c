/*
 * Runs every case of the JMESPath compliance suite: each file under
 * $PEERGUARD_SHARED/testdata/jmespath is a list of {given, cases}, and each
 * case is one iteration of a loop test, so each failure is reported on its
 * own with the file, case, expression, expected and actual value.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jmespath.h"

static const char *const suite_files[] = {
	"basic", "benchmarks", "boolean", "current", "escape", "filters", "functions",
	"identifiers", "indices", "literal", "multiselect", "pipe", "slice", "syntax",
	"unicode", "wildcard",
};

#define FILE_COUNT (sizeof(suite_files) / sizeof(suite_files[0]))

typedef struct compliance_case {
	const char *file;
	size_t suite_index;        /* index of the {given, cases} group in the file */
	size_t case_index;         /* index within the group */
	json_t *given;             /* borrowed from the loaded file */
	json_t *spec;              /* borrowed: {expression, result | error | bench} */
} compliance_case;

static json_t *loaded_files[FILE_COUNT];
static compliance_case *cases[FILE_COUNT];
static size_t case_counts[FILE_COUNT];

/* JSON equality as the suite means it: numbers compare by value, so 1 equals 1.0. */
static int json_equivalent(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;

	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++) {
			if (!json_equivalent(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		}
		return 1;
	}
	if (json_is_object(a)) {
		const char *key;
		size_t key_len;
		json_t *value;

		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_keylen_foreach((json_t *)a, key, key_len, value) {
			json_t *other = json_object_getn(b, key, key_len);

			if (!other || !json_equivalent(value, other))
				return 0;
		}
		return 1;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

static int load_file(size_t f)
{
	char path[4096];
	const char *shared = getenv("PEERGUARD_SHARED");
	json_error_t jerr;
	json_t *groups;
	size_t g, n = 0;
	json_t *group;

	if (!shared) {
		fprintf(stderr, "PEERGUARD_SHARED is not set; run the test with meson test, or set it "
			"to the folder that holds testdata/jmespath\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/testdata/jmespath/%s.json", shared, suite_files[f]);
	groups = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	if (!groups || !json_is_array(groups)) {
		fprintf(stderr, "%s: cannot load the suite file: line %d: %s\n", path, jerr.line, jerr.text);
		json_decref(groups);
		return -1;
	}
	loaded_files[f] = groups;

	json_array_foreach(groups, g, group)
		n += json_array_size(json_object_get(group, "cases"));
	cases[f] = calloc(n ? n : 1, sizeof(**cases));
	if (!cases[f])
		return -1;

	json_array_foreach(groups, g, group) {
		json_t *list = json_object_get(group, "cases");
		size_t c;
		json_t *spec;

		json_array_foreach(list, c, spec) {
			compliance_case *k = &cases[f][case_counts[f]++];

			k->file = suite_files[f];
			k->suite_index = g;
			k->case_index = c;
			k->given = json_object_get(group, "given");
			k->spec = spec;
		}
	}
	return 0;
}

static char *describe(const json_t *v)
{
	char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	return text ? text : strdup("(none)");
}

/* Compiles and searches one case; returns a malloc'd failure description or NULL. */
static char *run_case(const compliance_case *k)
{
	const char *expression = json_string_value(json_object_get(k->spec, "expression"));
	const char *expected_error = json_string_value(json_object_get(k->spec, "error"));
	json_t *expected = json_object_get(k->spec, "result");
	bool is_bench = json_object_get(k->spec, "bench") != NULL;
	jmespath_error err;
	jmespath_expr *expr;
	json_t *got = NULL;
	char *failure = NULL;
	char *want_text, *got_text;
	const char *got_error = NULL;
	size_t len;

	if (!expression)
		return strdup("case has no expression");

	len = strlen(expression);
	expr = jmespath_compile(expression, len, NULL, &err);
	if (!expr)
		got_error = jmespath_error_kind_name(err.kind);
	else if (jmespath_search(&got, expr, k->given ? k->given : json_null(), NULL, &err) < 0)
		got_error = jmespath_error_kind_name(err.kind);

	want_text = expected_error ? strdup(expected_error) : describe(expected);
	got_text = got_error ? NULL : describe(got);

	if (expected_error) {
		if (!got_error || strcmp(got_error, expected_error) != 0)
			failure = got_text ? strdup(got_text) : strdup(err.message);
	} else if (got_error) {
		failure = strdup(err.message);
	} else if (!is_bench && !json_equivalent(expected ? expected : json_null(), got)) {
		failure = strdup(got_text);
	}

	if (failure) {
		char *message = NULL;

		if (asprintf(&message, "%s.json group %zu case %zu: expression %s: expected %s, got %s%s%s",
			k->file, k->suite_index, k->case_index, expression, want_text,
			got_error ? got_error : "", got_error ? " error: " : "", failure) < 0)
			message = NULL;
		free(failure);
		failure = message ? message : strdup("case failed");
	}

	free(want_text);
	free(got_text);
	json_decref(got);
	jmespath_free(expr);
	return failure;
}

static void check_case(size_t f, int i)
{
	/* ck_abort_msg does not return, so the message is copied out and freed first. */
	static char message[2048];
	char *failure = run_case(&cases[f][i]);

	if (!failure)
		return;
	snprintf(message, sizeof(message), "%s", failure);
	free(failure);
	ck_abort_msg("%s", message);
}

/* One test function per file keeps the loop index a case index within that file. */
#define FILE_TEST(idx) \
	START_TEST(test_file_##idx) { check_case(idx, _i); } END_TEST
FILE_TEST(0) FILE_TEST(1) FILE_TEST(2) FILE_TEST(3) FILE_TEST(4) FILE_TEST(5) FILE_TEST(6)
FILE_TEST(7) FILE_TEST(8) FILE_TEST(9) FILE_TEST(10) FILE_TEST(11) FILE_TEST(12) FILE_TEST(13)
FILE_TEST(14) FILE_TEST(15)

START_TEST(test_case_total)
{
	size_t total = 0;

	for (size_t f = 0; f < FILE_COUNT; f++) {
		if (strcmp(suite_files[f], "benchmarks") != 0)
			total += case_counts[f];
	}
	/* The suite has 892 result and error cases besides the benchmarks. */
	ck_assert_uint_eq(total, 892);
	ck_assert_uint_eq(case_counts[1], 16);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jmespath-compliance");
	SRunner *sr;
	int failed;
	TCase *totals = tcase_create("totals");
	const TTest *const file_tests[FILE_COUNT] = {
		test_file_0, test_file_1, test_file_2, test_file_3, test_file_4, test_file_5,
		test_file_6, test_file_7, test_file_8, test_file_9, test_file_10, test_file_11,
		test_file_12, test_file_13, test_file_14, test_file_15,
	};

	for (size_t f = 0; f < FILE_COUNT; f++) {
		TCase *tc;

		if (load_file(f) < 0)
			return 1;
		tc = tcase_create(suite_files[f]);
		tcase_add_loop_test(tc, file_tests[f], 0, (int)case_counts[f]);
		suite_add_tcase(s, tc);
	}
	tcase_add_test(totals, test_case_total);
	suite_add_tcase(s, totals);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	for (size_t f = 0; f < FILE_COUNT; f++) {
		free(cases[f]);
		json_decref(loaded_files[f]);
	}
	return failed ? 1 : 0;
}
