/*
 * Times every case of the JMESPath compliance benchmarks: the cost of
 * compiling each expression, and for "full" cases the cost of searching
 * the case's document with the compiled expression.
 *
 * usage: jmespath_bench [--min-time SECONDS] [FILE]
 * FILE defaults to $PEERGUARD_SHARED/testdata/jmespath/benchmarks.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jmespath.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef struct timing {
	double ns_per_op;
	unsigned long iterations;
} timing;

/* One timed operation; returns -1 after printing an error. */
typedef int (*bench_op)(const void *arg);

typedef struct search_arg {
	const jmespath_expr *expr;
	json_t *data;
} search_arg;

static int compile_once(const void *arg)
{
	const char *text = arg;
	jmespath_error err;
	jmespath_expr *expr = jmespath_compile(text, strlen(text), NULL, &err);

	if (!expr) {
		fprintf(stderr, "jmespath_bench: %s: %s\n", text, err.message);
		return -1;
	}
	jmespath_free(expr);
	return 0;
}

static int search_once(const void *arg)
{
	const search_arg *search = arg;
	jmespath_error err;
	json_t *result;

	if (jmespath_search(&result, search->expr, search->data, NULL, &err) < 0) {
		fprintf(stderr, "jmespath_bench: %s: %s\n", jmespath_source(search->expr), err.message);
		return -1;
	}
	json_decref(result);
	return 0;
}

/* Runs op in batches, doubling the batch until one takes at least min_ns. */
static int time_op(timing *out, bench_op op, const void *arg, double min_ns)
{
	unsigned long n = 1;

	for (;;) {
		double start = now_ns();
		double elapsed;

		for (unsigned long i = 0; i < n; i++) {
			if (op(arg) < 0)
				return -1;
		}
		elapsed = now_ns() - start;
		if (elapsed >= min_ns || n >= (1ul << 30)) {
			out->ns_per_op = elapsed / (double)n;
			out->iterations = n;
			return 0;
		}
		n *= 2;
	}
}

static int bench_case(json_t *given, json_t *spec, double min_ns)
{
	const char *text = json_string_value(json_object_get(spec, "expression"));
	const char *kind = json_string_value(json_object_get(spec, "bench"));
	const char *comment = json_string_value(json_object_get(spec, "comment"));
	timing compile, search = { 0, 0 };
	jmespath_error err;
	jmespath_expr *expr;

	if (!text || !kind) {
		fprintf(stderr, "jmespath_bench: a case lacks \"expression\" or \"bench\"\n");
		return -1;
	}
	if (time_op(&compile, compile_once, text, min_ns) < 0)
		return -1;

	if (strcmp(kind, "parse") != 0) {
		search_arg arg = { NULL, given ? given : json_null() };
		int rc;

		expr = jmespath_compile(text, strlen(text), NULL, &err);
		if (!expr)
			return -1;
		arg.expr = expr;
		rc = time_op(&search, search_once, &arg, min_ns);
		jmespath_free(expr);
		if (rc < 0)
			return -1;
	}

	printf("%-32s %-6s %12.0f %10lu", comment ? comment : text, kind, compile.ns_per_op,
		compile.iterations);
	if (search.iterations)
		printf(" %12.0f %10lu\n", search.ns_per_op, search.iterations);
	else
		printf(" %12s %10s\n", "-", "-");
	return 0;
}

int main(int argc, char **argv)
{
	char default_path[4096];
	const char *path = NULL;
	double min_seconds = 0.2;
	json_error_t jerr;
	json_t *groups;
	json_t *group;
	size_t g;
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc) {
			min_seconds = strtod(argv[++i], NULL);
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: jmespath_bench [--min-time SECONDS] [FILE]\n\n"
				"  --min-time SECONDS  shortest time to spend timing each figure (default 0.2)\n"
				"  FILE                benchmark cases (default "
				"$PEERGUARD_SHARED/testdata/jmespath/benchmarks.json)\n");
			return 0;
		} else {
			path = argv[i];
		}
	}
	if (min_seconds <= 0) {
		fprintf(stderr, "jmespath_bench: --min-time needs a positive number of seconds\n");
		return 2;
	}
	if (!path) {
		const char *shared = getenv("PEERGUARD_SHARED");

		if (!shared) {
			fprintf(stderr, "jmespath_bench: give the benchmark FILE, or set PEERGUARD_SHARED "
				"to the folder that holds testdata/jmespath\n");
			return 2;
		}
		snprintf(default_path, sizeof(default_path), "%s/testdata/jmespath/benchmarks.json", shared);
		path = default_path;
	}

	groups = json_load_file(path, 0, &jerr);
	if (!json_is_array(groups)) {
		fprintf(stderr, "jmespath_bench: %s: not a list of benchmark groups (line %d: %s)\n",
			path, jerr.line, jerr.text);
		json_decref(groups);
		return 2;
	}

	printf("%-32s %-6s %12s %10s %12s %10s\n", "case", "bench", "ns/compile", "iterations",
		"ns/search", "iterations");
	json_array_foreach(groups, g, group) {
		json_t *cases = json_object_get(group, "cases");
		size_t c;
		json_t *spec;

		json_array_foreach(cases, c, spec) {
			if (bench_case(json_object_get(group, "given"), spec, min_seconds * 1e9) < 0)
				failed = 1;
		}
	}
	json_decref(groups);
	return failed;
}
