/* peerguard query: evaluate a JMESPath expression against a JSON document. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/jmespath.h"

/* The same default as peerguard_limits.max_input_bytes. */
#define QUERY_MAX_INPUT_BYTES ((size_t)256 * 1024 * 1024)

enum {
	EXIT_EVAL_FAILED = 1,
	EXIT_USAGE = 2
};

static void query_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard query [OPTIONS] EXPRESSION [FILE]\n\n"
		"Evaluates the JMESPath EXPRESSION against the JSON document in FILE, or\n"
		"standard input when FILE is absent or \"-\", and prints the result as JSON.\n"
		"Cloud Custodian's split(separator, string) and from_json(string) functions\n"
		"are available besides the built-in ones.\n\n"
		"options:\n"
		"  --compact         print the result on one line instead of indented by 2 spaces\n"
		"  --max-steps N     evaluation steps allowed for the search (default 1000000)\n"
		"  --max-length N    longest expression accepted, in bytes (default 4096)\n"
		"  -h, --help        show this help\n\n"
		"exit status: 0 on success; 1 when the expression fails on this document\n"
		"(a function argument of the wrong type, or a limit); 2 for an invalid\n"
		"expression, an unreadable file, invalid JSON or a usage error.\n\n"
		"example:\n"
		"  peerguard query 'VpcPeeringConnections[].AccepterVpcInfo.OwnerId' describe.json\n");
}

static int parse_count(const char *option, const char *text, uint64_t *out)
{
	char *end;
	unsigned long long value;

	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || value == 0) {
		fprintf(stderr, "peerguard query: %s needs a positive whole number, got '%s'\n", option, text);
		return -1;
	}
	*out = value;
	return 0;
}

/* Reads all of f, up to max bytes.  Returns a malloc'd buffer or NULL with errno set. */
static char *read_all(FILE *f, size_t max, size_t *len)
{
	size_t capacity = 65536, used = 0;
	char *buf = malloc(capacity);

	if (!buf)
		return NULL;
	for (;;) {
		size_t n;

		if (used == capacity) {
			char *bigger;

			if (used > max) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			capacity *= 2;
			bigger = realloc(buf, capacity);
			if (!bigger) {
				free(buf);
				return NULL;
			}
			buf = bigger;
		}
		n = fread(buf + used, 1, capacity - used, f);
		used += n;
		if (n == 0)
			break;
	}
	if (ferror(f) || used > max) {
		int saved = ferror(f) ? EIO : EFBIG;

		free(buf);
		errno = saved;
		return NULL;
	}
	*len = used;
	return buf;
}

/*
 * Prints the line of the expression that contains the 1-based code point
 * column, with a caret under that column.
 */
static void print_caret(const char *expression, size_t column)
{
	size_t offset = 0, line_start = 0, line_end;
	size_t points = 1;

	while (expression[offset] && points < column) {
		offset++;
		if (((unsigned char)expression[offset] & 0xC0) != 0x80)
			points++;
	}
	for (size_t i = 0; i < offset; i++) {
		if (expression[i] == '\n')
			line_start = i + 1;
	}
	line_end = line_start;
	while (expression[line_end] && expression[line_end] != '\n')
		line_end++;

	fprintf(stderr, "  %.*s\n  ", (int)(line_end - line_start), expression + line_start);
	for (size_t i = line_start; i < offset; i++) {
		if (((unsigned char)expression[i] & 0xC0) == 0x80)
			continue;
		fputc(expression[i] == '\t' ? '\t' : ' ', stderr);
	}
	fputs("^\n", stderr);
}

/* Loads the document named path ("-" is standard input); prints the error and returns NULL on failure. */
static json_t *load_document(const char *path)
{
	bool from_stdin = strcmp(path, "-") == 0;
	const char *name = from_stdin ? "standard input" : path;
	FILE *f = from_stdin ? stdin : fopen(path, "rb");
	json_error_t jerr;
	json_t *data;
	char *text;
	size_t len = 0;

	if (!f) {
		fprintf(stderr, "peerguard query: cannot open %s: %s\n", name, strerror(errno));
		return NULL;
	}
	text = read_all(f, QUERY_MAX_INPUT_BYTES, &len);
	if (!text) {
		fprintf(stderr, "peerguard query: cannot read %s: %s\n", name,
			errno == EFBIG ? "larger than 256 MiB" : strerror(errno));
		if (!from_stdin)
			fclose(f);
		return NULL;
	}
	if (!from_stdin)
		fclose(f);

	/* Any JSON value may be queried, and \u0000 in strings is valid JSON. */
	data = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	free(text);
	if (!data)
		fprintf(stderr, "peerguard query: %s: invalid JSON at line %d, column %d (byte %d): %s\n",
			name, jerr.line, jerr.column, jerr.position, jerr.text);
	return data;
}

int peerguard_cmd_query(int argc, char **argv)
{
	static const struct option options[] = {
		{ "compact", no_argument, NULL, 'c' },
		{ "max-steps", required_argument, NULL, 's' },
		{ "max-length", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	jmespath_limits limits = { 0, 0 };
	jmespath_error err;
	jmespath_expr *expr;
	bool compact = false;
	const char *expression;
	const char *path = "-";
	json_t *data;
	json_t *result;
	char *text;
	uint64_t count;
	int opt;

	optind = 0;  /* glibc: start a fresh scan, so the command can run more than once in a process */
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			compact = true;
			break;
		case 's':
			if (parse_count("--max-steps", optarg, &count) < 0)
				return EXIT_USAGE;
			limits.max_steps = count;
			break;
		case 'l':
			if (parse_count("--max-length", optarg, &count) < 0)
				return EXIT_USAGE;
			limits.max_length = (size_t)count;
			break;
		case 'h':
			query_usage(stdout);
			return 0;
		default:
			query_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "peerguard query: expected an EXPRESSION and at most one FILE\n\n");
		query_usage(stderr);
		return EXIT_USAGE;
	}
	expression = argv[optind];
	if (argc - optind == 2)
		path = argv[optind + 1];

	expr = jmespath_compile(expression, strlen(expression), &limits, &err);
	if (!expr) {
		fprintf(stderr, "peerguard query: %s\n", err.message);
		if (err.column > 0)
			print_caret(expression, err.column);
		return EXIT_USAGE;
	}

	data = load_document(path);
	if (!data) {
		jmespath_free(expr);
		return EXIT_USAGE;
	}

	if (jmespath_search(&result, expr, data, &limits, &err) < 0) {
		fprintf(stderr, "peerguard query: %s error: %s\n", jmespath_error_kind_name(err.kind),
			err.message);
		json_decref(data);
		jmespath_free(expr);
		return EXIT_EVAL_FAILED;
	}

	text = jmespath_dumps(result, JSON_ENCODE_ANY | (compact ? JSON_COMPACT : JSON_INDENT(2)));
	json_decref(result);
	json_decref(data);
	jmespath_free(expr);
	if (!text) {
		fprintf(stderr, "peerguard query: out of memory while printing the result\n");
		return EXIT_EVAL_FAILED;
	}
	puts(text);
	free(text);
	return 0;
}
