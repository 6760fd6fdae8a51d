/*
 * Tests of the peerguard query command: the test links the command's
 * source and calls peerguard_cmd_query with standard input, output and
 * error redirected to temporary files.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/peerguard/commands.h"

typedef struct run_result {
	int status;
	char *out;
	char *err;
} run_result;

static char temp_dir[] = "/tmp/peerguard-query-XXXXXX";

static void write_path(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Writes text to input-SLOT.json in the temporary folder and returns the path. */
static const char *write_file(int slot, const char *text)
{
	static char paths[3][4096];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/input-%d.json", temp_dir, slot);
	write_path(paths[slot], text);
	return paths[slot];
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* Points fd at path and returns a duplicate of the old descriptor. */
static int redirect(int fd, const char *path, int flags)
{
	int saved = dup(fd);
	int file = open(path, flags, 0600);

	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(file, 0);
	ck_assert_int_ge(dup2(file, fd), 0);
	close(file);
	return saved;
}

/* Runs peerguard query with argv (NULL-terminated) and stdin_text as standard input. */
static run_result run_query(const char *stdin_text, const char *const *args)
{
	char out_path[4096], err_path[4096], in_path[4096];
	char *argv[16];
	int argc = 0;
	int saved_in, saved_out, saved_err;
	run_result r;

	argv[argc++] = (char *)"query";
	for (const char *const *a = args; *a; a++)
		argv[argc++] = (char *)*a;
	argv[argc] = NULL;

	snprintf(out_path, sizeof(out_path), "%s/stdout", temp_dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", temp_dir);
	snprintf(in_path, sizeof(in_path), "%s/stdin", temp_dir);
	write_path(in_path, stdin_text ? stdin_text : "");

	fflush(stdout);
	fflush(stderr);
	saved_in = redirect(STDIN_FILENO, in_path, O_RDONLY);
	saved_out = redirect(STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC);
	saved_err = redirect(STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_TRUNC);
	clearerr(stdin);

	r.status = peerguard_cmd_query(argc, argv);

	fflush(stdout);
	fflush(stderr);
	dup2(saved_in, STDIN_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_in);
	close(saved_out);
	close(saved_err);
	clearerr(stdin);

	r.out = read_file(out_path);
	r.err = read_file(err_path);
	return r;
}

static void run_result_free(run_result *r)
{
	free(r->out);
	free(r->err);
}

static const char *document = "{\"a\": {\"b\": [1, 2]}, \"s\": \"text\"}";

START_TEST(query_prints_indented_json)
{
	const char *args[] = { "a.b", write_file(0, document), NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "[\n  1,\n  2\n]\n");
	ck_assert_str_eq(r.err, "");
	run_result_free(&r);
}
END_TEST

START_TEST(query_compact_output)
{
	const char *args[] = { "--compact", "a", write_file(0, document), NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "{\"b\":[1,2]}\n");
	run_result_free(&r);
}
END_TEST

START_TEST(query_reads_stdin)
{
	const char *absent[] = { "s", NULL };
	const char *dash[] = { "--compact", "a.b[-1]", "-", NULL };
	run_result r = run_query(document, absent);

	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "\"text\"\n");
	run_result_free(&r);

	r = run_query(document, dash);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "2\n");
	run_result_free(&r);
}
END_TEST

START_TEST(query_syntax_error_caret)
{
	const char *args[] = { "a.b.]", write_file(0, document), NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(strstr(r.err, "column 5") != NULL, "stderr: %s", r.err);
	ck_assert_msg(strstr(r.err, "\n  a.b.]\n      ^\n") != NULL, "stderr: %s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(query_unknown_function_caret)
{
	const char *args[] = { "a || nope(b)", write_file(0, document), NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "unknown function 'nope'") != NULL, "stderr: %s", r.err);
	ck_assert_msg(strstr(r.err, "\n  a || nope(b)\n       ^\n") != NULL, "stderr: %s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(query_invalid_json_input)
{
	const char *path = write_file(0, "{\"a\": 1,\n \"b\": }");
	const char *args[] = { "a", path, NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(strstr(r.err, path) != NULL, "stderr: %s", r.err);
	ck_assert_msg(strstr(r.err, "line 2, column 7") != NULL, "stderr: %s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(query_missing_file)
{
	const char *args[] = { "a", "/nonexistent/peerguard/input.json", NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "cannot open /nonexistent/peerguard/input.json") != NULL,
		"stderr: %s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(query_type_error_exit_1)
{
	const char *args[] = { "abs(s)", write_file(0, document), NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "invalid-type") != NULL, "stderr: %s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(query_step_limit_option)
{
	const char *limited[] = { "--max-steps", "2", "a.b[*]", write_file(0, document), NULL };
	const char *invalid[] = { "--max-steps", "lots", "a", write_file(0, document), NULL };
	run_result r = run_query(NULL, limited);

	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "max_steps") != NULL, "stderr: %s", r.err);
	run_result_free(&r);

	r = run_query(NULL, invalid);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "--max-steps needs a positive whole number") != NULL, "stderr: %s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(query_help_names_options)
{
	const char *args[] = { "--help", NULL };
	run_result r = run_query(NULL, args);

	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "--compact"));
	ck_assert_ptr_nonnull(strstr(r.out, "--max-steps N"));
	ck_assert_ptr_nonnull(strstr(r.out, "--max-length N"));
	ck_assert_ptr_nonnull(strstr(r.out, "exit status"));
	run_result_free(&r);
}
END_TEST

START_TEST(query_usage_errors)
{
	const char *none[] = { NULL };
	const char *extra[] = { "a", "x.json", "y.json", NULL };
	run_result r = run_query(NULL, none);

	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "expected an EXPRESSION"));
	run_result_free(&r);

	r = run_query(NULL, extra);
	ck_assert_int_eq(r.status, 2);
	run_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmd-query");
	TCase *tc = tcase_create("query");
	SRunner *sr;
	int failed;
	char path[4096];

	if (!mkdtemp(temp_dir)) {
		perror("mkdtemp");
		return 1;
	}

	tcase_add_test(tc, query_prints_indented_json);
	tcase_add_test(tc, query_compact_output);
	tcase_add_test(tc, query_reads_stdin);
	tcase_add_test(tc, query_syntax_error_caret);
	tcase_add_test(tc, query_unknown_function_caret);
	tcase_add_test(tc, query_invalid_json_input);
	tcase_add_test(tc, query_missing_file);
	tcase_add_test(tc, query_type_error_exit_1);
	tcase_add_test(tc, query_step_limit_option);
	tcase_add_test(tc, query_help_names_options);
	tcase_add_test(tc, query_usage_errors);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/input-%d.json", temp_dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/stdin", temp_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/stdout", temp_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/stderr", temp_dir);
	unlink(path);
	rmdir(temp_dir);
	return failed ? 1 : 0;
}
