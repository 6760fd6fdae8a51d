/*
 * Times filter evaluation on describe records already in memory.
 *
 * The records are parsed once with jansson and normalised as input_parse
 * does.  Two loops are timed on them.  "filters" is evaluate_select, which
 * runs every policy's filters over the whole list as Cloud Custodian's
 * filter_resources does and returns which records matched.  "decisions" is
 * evaluate_batch, which also builds a decision object for each matched
 * record (PEERGUARD_MATCHED_ONLY).  "table" is evaluate_select_batch on
 * the same records held as a describe table, the form `peerguard eval
 * --matched-only` keeps a describe document in: the text plus the values
 * the policies read (building it is not timed here; the end-to-end
 * benchmark includes it).  The best run is reported, in wall-clock and in
 * CPU time of the process (the machine may be shared).
 *
 * usage: filter_bench POLICY DATA [--repeat N]
 * With --repeat 0 the filters loop runs once and the decisions loop not
 * at all, for instruction counts under callgrind.
 * DATA is {"VpcPeeringConnections": [...]}.  Prints one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/describe_table.h"
#include "core/evaluate.h"
#include "core/input.h"
#include "core/internal.h"
#include "core/policy.h"

#define NOW 1768478400.0  /* 2026-01-15T12:00:00Z */

static double seconds_on(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fills batch with the describe records of path (new references). */
static int load_records(input_batch *batch, const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	json_t *list = json_object_get(doc, "VpcPeeringConnections");
	size_t n = json_array_size(list);

	if (!json_is_array(list)) {
		fprintf(stderr, "filter_bench: %s: expected {\"VpcPeeringConnections\": [...]} (%s)\n", path, jerr.text);
		json_decref(doc);
		return -1;
	}
	memset(batch, 0, sizeof(*batch));
	batch->items = calloc(n ? n : 1, sizeof(*batch->items));
	if (!batch->items) {
		json_decref(doc);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *record = json_array_get(list, i);

		input_normalise_describe(record);
		batch->items[i].record = json_incref(record);
		batch->items[i].index = i;
	}
	batch->count = batch->cap = n;
	json_decref(doc);
	return 0;
}

/* Reads path into batch as a describe table with the projection of set.  Returns 0, or -1 with a message. */
static int load_table(input_batch *table, const peerguard_policy_set *set, const char *path)
{
	projection proj;
	peerguard_error err;
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(table, 0, sizeof(*table));
	if (projection_init(&proj, set) != 1) {
		fprintf(stderr, "filter_bench: the policy cannot run on a describe table\n");
		return -1;
	}
	rc = file_read_all(&data, &len, path, set->limits.max_input_bytes, 1, &err);
	if (rc == 0)
		rc = input_parse(table, data, len, &data, &proj, path, PEERGUARD_INPUT_RESOURCES, &set->limits, &err);
	free(data);
	projection_clear(&proj);
	if (rc < 0 || !table->table) {
		fprintf(stderr, "filter_bench: %s: %s\n", path, rc < 0 ? err.message : "not read as a describe table");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	peerguard_policy_set *set = NULL;
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_error err;
	input_batch batch, table;
	int repeat = 3;
	double best = 0, best_decisions = 0, best_cpu = 0, best_table = 0, best_table_cpu = 0;
	size_t matched = 0, decided = 0, table_matched = 0;
	json_t **resources;
	unsigned char *flags;

	if (argc < 3) {
		fprintf(stderr, "usage: filter_bench POLICY DATA [--repeat N]\n");
		return 2;
	}
	if (argc >= 5 && strcmp(argv[3], "--repeat") == 0)
		repeat = atoi(argv[4]) >= 0 ? atoi(argv[4]) : 1;
	if (peerguard_policy_set_load_file(&set, argv[1], NULL, &err) < 0) {
		fprintf(stderr, "filter_bench: %s\n", err.message);
		return 1;
	}
	if (load_records(&batch, argv[2]) < 0 || load_table(&table, set, argv[2]) < 0)
		return 1;

	ctx.account_id = "111111111111";
	ctx.region = "us-east-1";
	ctx.now = NOW;
	ctx.flags = PEERGUARD_MATCHED_ONLY;
	resources = malloc((batch.count ? batch.count : 1) * sizeof(*resources));
	flags = malloc(batch.count ? batch.count : 1);
	if (!resources || !flags)
		return 1;
	for (size_t k = 0; k < batch.count; k++)
		resources[k] = batch.items[k].record;

	for (int i = 0; i < (repeat ? repeat : 1); i++) {
		double start = seconds_on(CLOCK_MONOTONIC), cpu = seconds_on(CLOCK_PROCESS_CPUTIME_ID), elapsed;

		if (evaluate_select(flags, set, &ctx, resources, batch.count) < 0) {
			fprintf(stderr, "filter_bench: out of memory\n");
			return 1;
		}
		elapsed = seconds_on(CLOCK_MONOTONIC) - start;
		cpu = seconds_on(CLOCK_PROCESS_CPUTIME_ID) - cpu;
		if (i == 0 || elapsed < best)
			best = elapsed;
		if (i == 0 || cpu < best_cpu)
			best_cpu = cpu;
	}
	for (size_t k = 0; k < batch.count; k++)
		matched += flags[k];

	for (int i = 0; i < (repeat ? repeat : 1); i++) {
		double start = seconds_on(CLOCK_MONOTONIC), cpu = seconds_on(CLOCK_PROCESS_CPUTIME_ID), elapsed;

		if (evaluate_select_batch(flags, set, &ctx, &table) < 0) {
			fprintf(stderr, "filter_bench: out of memory\n");
			return 1;
		}
		elapsed = seconds_on(CLOCK_MONOTONIC) - start;
		cpu = seconds_on(CLOCK_PROCESS_CPUTIME_ID) - cpu;
		if (i == 0 || elapsed < best_table)
			best_table = elapsed;
		if (i == 0 || cpu < best_table_cpu)
			best_table_cpu = cpu;
	}
	for (size_t k = 0; k < table.count; k++)
		table_matched += flags[k];

	for (int i = 0; i < repeat; i++) {
		peerguard_result *result = NULL;
		double start = seconds_on(CLOCK_MONOTONIC), elapsed;

		if (evaluate_batch(&result, set, &ctx, &batch, argv[2], &err) < 0) {
			fprintf(stderr, "filter_bench: %s\n", err.message);
			return 1;
		}
		elapsed = seconds_on(CLOCK_MONOTONIC) - start;
		if (i == 0 || elapsed < best_decisions)
			best_decisions = elapsed;
		decided = peerguard_result_matched_count(result);
		peerguard_result_free(result);
	}

	printf("{\"records\": %zu, \"runs\": %d, \"filters_cpu_seconds\": %.6f, \"filters_seconds\": %.6f, "
		"\"filters_records_per_second\": %.0f, "
		"\"matched\": %zu, \"decisions_seconds\": %.6f, \"decisions_records_per_second\": %.0f, "
		"\"decisions_matched\": %zu, \"table_cpu_seconds\": %.6f, \"table_seconds\": %.6f, "
		"\"table_records_per_second\": %.0f, \"table_matched\": %zu}\n", batch.count, repeat, best_cpu, best,
		(double)batch.count / best, matched, best_decisions,
		best_decisions > 0 ? (double)batch.count / best_decisions : 0.0, decided, best_table_cpu, best_table,
		(double)table.count / best_table, table_matched);
	free(resources);
	free(flags);
	input_batch_clear(&batch);
	input_batch_clear(&table);
	peerguard_policy_set_free(set);
	return 0;
}
