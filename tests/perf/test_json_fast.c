/*
 * json_fast_loadb returns what jansson's json_loadb returns: the same tree
 * (value types included), or NULL with the same error.  Checked on a table
 * of edge cases, on every JSON file of examples/ and of the shared test
 * data, and on random documents serialised in several styles.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/json_fast.h"

static size_t compared;

static void expect_same(const char *text, size_t len, const char *what)
{
	json_error_t fast_err, full_err;
	json_t *fast = json_fast_loadb(text, len, &fast_err);
	json_t *full = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &full_err);

	compared++;
	if (!full) {
		ck_assert_msg(fast == NULL, "%s: jansson rejects it (%s) but the fast path accepts it", what, full_err.text);
		ck_assert_str_eq(fast_err.text, full_err.text);
		return;
	}
	ck_assert_msg(fast != NULL, "%s: jansson accepts it but the fast path fails: %s", what, fast_err.text);
	ck_assert_msg(json_equal(fast, full), "%s: the trees differ", what);
	{
		/* json_equal compares numbers by type and value; the dumps compare key order too. */
		char *a = json_dumps(fast, JSON_ENCODE_ANY | JSON_COMPACT);
		char *b = json_dumps(full, JSON_ENCODE_ANY | JSON_COMPACT);

		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	json_decref(fast);
	json_decref(full);
}

START_TEST(json_fast_edge_cases)
{
	static const char *const cases[] = {
		"{}", "[]", " { } ", "\t[\n]\r\n", "0", "-0", "-0.0", "1", "-1", "123456789012345678",
		"1234567890123456789", "-9223372036854775808", "9223372036854775808", "1.5", "1e3", "1E-3", "-1.25e+10",
		"1e400", "1e-400", "0.1", "01", "1.", ".5", "-", "1e", "1x", "true", "false", "null", "tru", "nul",
		"truex", "\"\"", "\"a\"", "\"a\\\"b\"", "\"\\\\\"", "\"\\/\\b\\f\\n\\r\\t\"", "\"\\u0041\"",
		"\"\\u0000\"", "\"\\ud800\"", "\"\\x\"", "\"caf\xc3\xa9\"", "\"\xff\"", "\"a\tb\"", "\"a\nb\"",
		"{\"a\":1,\"a\":2}", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{1:2}", "[1]]", "[[1]",
		"{\"k\":\"v\"} x", "{\"k\":\"v\"}{}", "{\"\":\"\"}", "{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":\"e\"}",
		"[\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n\"]",
		"", " ", "\"unterminated", "{\"a\":\"b\\\"}",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_same(cases[i], strlen(cases[i]), cases[i]);

	/* A NUL byte inside and after the text. */
	expect_same("\"a\0b\"", 5, "string with NUL");
	expect_same("{}\0", 3, "NUL after the value");
}
END_TEST

static void compare_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		char path[4096];
		size_t len = strlen(names[i]->d_name);

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_type == DT_DIR && names[i]->d_name[0] != '.') {
			compare_dir(path);
		} else if (len > 5 && strcmp(names[i]->d_name + len - 5, ".json") == 0) {
			FILE *f = fopen(path, "rb");
			char *buf;
			long size;

			ck_assert_ptr_nonnull(f);
			fseek(f, 0, SEEK_END);
			size = ftell(f);
			fseek(f, 0, SEEK_SET);
			buf = malloc((size_t)size + 1);
			ck_assert_ptr_nonnull(buf);
			ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
			fclose(f);
			expect_same(buf, (size_t)size, path);
			free(buf);
		}
		free(names[i]);
	}
	free(names);
}

START_TEST(json_fast_test_files)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/examples", getenv("PEERGUARD_SOURCE"));
	compare_dir(dir);
	snprintf(dir, sizeof(dir), "%s/testdata", getenv("PEERGUARD_SHARED"));
	compare_dir(dir);
	ck_assert_uint_ge(compared, 30);
}
END_TEST

/* A random value: nested containers, strings with escapes and non-ASCII text, integers and reals of every size. */
static json_t *random_value(unsigned int *seed, int depth)
{
	int kind = rand_r(seed) % (depth > 4 ? 5 : 7);

	switch (kind) {
	case 0: {
		static const char *const pieces[] = { "a", "Key", "\"", "\\", "/", "\n", "\t", "caf\xc3\xa9", "{}[]",
			"\xe2\x82\xac", "\x01", " ", "eventName" };
		char buf[128] = "";

		for (int i = rand_r(seed) % 6; i > 0; i--)
			strcat(buf, pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))]);
		return json_string(buf);
	}
	case 1: {
		json_int_t v = (json_int_t)rand_r(seed) * rand_r(seed) * (rand_r(seed) % 2 ? 1 : -1);

		return json_integer(rand_r(seed) % 3 ? v % 1000 : v);
	}
	case 2: {
		static const double reals[] = { 0.5, -1.25, 1e-7, 3.141592653589793, 1e300, -2.5e-300, 100.0 };

		return json_real(reals[rand_r(seed) % 7] * (rand_r(seed) % 10 + 1));
	}
	case 3:
		return rand_r(seed) % 2 ? json_true() : json_false();
	case 4:
		return json_null();
	case 5: {
		json_t *a = json_array();

		for (int i = rand_r(seed) % 5; i > 0; i--)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();

		for (int i = rand_r(seed) % 5; i > 0; i--) {
			char key[16];

			snprintf(key, sizeof(key), "k%d", rand_r(seed) % 8);
			json_object_set_new(o, key, random_value(seed, depth + 1));
		}
		return o;
	}
	}
}

START_TEST(json_fast_random_documents)
{
	static const size_t styles[] = { JSON_COMPACT, JSON_INDENT(2), JSON_ENSURE_ASCII, JSON_INDENT(1) | JSON_ENSURE_ASCII, 0 };
	unsigned int seed = 20260615;

	for (int i = 0; i < 3000; i++) {
		json_t *v = random_value(&seed, 0);
		char *text = json_dumps(v, JSON_ENCODE_ANY | styles[i % 5]);

		expect_same(text, strlen(text), text);
		free(text);
		json_decref(v);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json_fast");
	TCase *tc = tcase_create("same-as-jansson");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, json_fast_edge_cases);
	tcase_add_test(tc, json_fast_test_files);
	tcase_add_test(tc, json_fast_random_documents);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
