/*
 * Times the decision for one EventBridge event, parse included: each call
 * of peerguard_evaluate_event is clocked alone (CLOCK_MONOTONIC), after a
 * warm-up, and the percentiles of all calls are reported.  Freeing the
 * result is outside the clock.
 *
 * usage: event_bench POLICY EVENT [--iterations N]
 * Prints one JSON object, times in microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peerguard/peerguard.h"

#define WARMUP 1000

static double micros_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)size;
	return buf;
}

int main(int argc, char **argv)
{
	peerguard_policy_set *set = NULL;
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_error err;
	size_t len, decisions = 0;
	long iterations = 20000;
	double *times, sum = 0;
	char *event;

	if (argc < 3) {
		fprintf(stderr, "usage: event_bench POLICY EVENT [--iterations N]\n");
		return 2;
	}
	if (argc >= 5 && strcmp(argv[3], "--iterations") == 0)
		iterations = atol(argv[4]) > 0 ? atol(argv[4]) : 1;
	if (peerguard_policy_set_load_file(&set, argv[1], NULL, &err) < 0) {
		fprintf(stderr, "event_bench: %s\n", err.message);
		return 1;
	}
	if (!(event = read_file(argv[2], &len))) {
		fprintf(stderr, "event_bench: cannot read %s\n", argv[2]);
		return 1;
	}
	times = malloc((size_t)iterations * sizeof(*times));
	if (!times)
		return 1;
	ctx.now = 1768478400.0;

	for (long i = -WARMUP; i < iterations; i++) {
		peerguard_result *result = NULL;
		double start = micros_now(), elapsed;

		if (peerguard_evaluate_event(&result, set, &ctx, event, len, &err) < 0) {
			fprintf(stderr, "event_bench: %s\n", err.message);
			return 1;
		}
		elapsed = micros_now() - start;
		if (i >= 0) {
			times[i] = elapsed;
			sum += elapsed;
		}
		decisions = peerguard_result_count(result);
		peerguard_result_free(result);
	}

	qsort(times, (size_t)iterations, sizeof(*times), by_value);
	printf("{\"iterations\": %ld, \"bytes\": %zu, \"decisions\": %zu, \"mean_us\": %.2f, \"p50_us\": %.2f, "
		"\"p99_us\": %.2f, \"max_us\": %.2f}\n", iterations, len, decisions, sum / (double)iterations,
		times[iterations / 2], times[(size_t)((double)iterations * 0.99)], times[iterations - 1]);
	free(times);
	free(event);
	peerguard_policy_set_free(set);
	return 0;
}
