/*
 * Times bulk evaluation of gzip CloudTrail log files against two floors
 * measured in the same run:
 *
 *   zlib      read each file and inflate it into a reused buffer, nothing else
 *   jansson   json_loadb of each decompressed log, every record built; the
 *             decompressed bytes are in memory beforehand, so this is the
 *             parse alone
 *   peerguard peerguard_evaluate_file on each file with the prefilter (the
 *             default) and PEERGUARD_MATCHED_ONLY
 *   parse-all the same with PEERGUARD_PARSE_ALL, every record parsed
 *
 * Each phase runs over all files, --repeat times; the best run is reported,
 * in wall-clock and in CPU time of the process (the machine may be shared).
 * Rates are in decompressed bytes and records.
 *
 * usage: log_bench POLICY [--repeat N] [--only PHASE] FILE...
 * PHASE is zlib, jansson, peerguard or parse-all: that phase alone, once,
 * without the untimed preparation, for instruction counts under callgrind.
 * Prints one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <zlib.h>

#include "peerguard/peerguard.h"

#define CHUNK (1u << 20)

static double seconds_on(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall-clock and CPU seconds of one phase. */
typedef struct span {
	double wall;
	double cpu;
} span;

static span span_start(void)
{
	span s = { seconds_on(CLOCK_MONOTONIC), seconds_on(CLOCK_PROCESS_CPUTIME_ID) };

	return s;
}

static span span_end(span start)
{
	span s = { seconds_on(CLOCK_MONOTONIC) - start.wall, seconds_on(CLOCK_PROCESS_CPUTIME_ID) - start.cpu };

	return s;
}

/*
 * Inflates a gzip file; stores the decompressed bytes in *keep (new, malloc)
 * when keep is set.  Returns the size or -1.  Kept out of line so that
 * callgrind can count it by name.
 */
__attribute__((noinline)) static long inflate_file(const char *path, char **keep)
{
	static unsigned char in[CHUNK], out[CHUNK];
	FILE *f = fopen(path, "rb");
	z_stream zs;
	size_t total = 0, cap = 0;
	int rc = Z_OK;

	if (!f)
		return -1;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		fclose(f);
		return -1;
	}
	if (keep)
		*keep = NULL;
	while (rc != Z_STREAM_END) {
		zs.avail_in = (uInt)fread(in, 1, sizeof(in), f);
		zs.next_in = in;
		if (zs.avail_in == 0)
			break;
		do {
			size_t got;

			zs.next_out = out;
			zs.avail_out = sizeof(out);
			rc = inflate(&zs, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
				inflateEnd(&zs);
				fclose(f);
				return -1;
			}
			got = sizeof(out) - zs.avail_out;
			if (keep) {
				if (total + got + 1 > cap) {
					cap = (total + got + 1) * 2;
					*keep = realloc(*keep, cap);
				}
				memcpy(*keep + total, out, got);
			}
			total += got;
		} while (zs.avail_out == 0 && rc != Z_STREAM_END);
	}
	inflateEnd(&zs);
	fclose(f);
	return (long)total;
}

int main(int argc, char **argv)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	const char **files;
	char **plain;
	size_t *plain_len;
	size_t n_files = 0, bytes = 0, records = 0, matched = 0, matched_all = 0;
	span best[4];
	int repeat = 3, argi = 2, only = -1;
	static const char *const phases[] = { "zlib", "jansson", "peerguard", "parse-all" };

	if (argc < 3) {
		fprintf(stderr, "usage: log_bench POLICY [--repeat N] FILE...\n");
		return 2;
	}
	while (argi + 1 < argc && strncmp(argv[argi], "--", 2) == 0) {
		if (strcmp(argv[argi], "--repeat") == 0) {
			repeat = atoi(argv[argi + 1]) > 0 ? atoi(argv[argi + 1]) : 1;
		} else if (strcmp(argv[argi], "--only") == 0) {
			for (int k = 0; k < 4; k++)
				if (strcmp(argv[argi + 1], phases[k]) == 0)
					only = k;
			if (only < 0) {
				fprintf(stderr, "log_bench: unknown phase '%s'; use zlib, jansson, peerguard or parse-all\n",
					argv[argi + 1]);
				return 2;
			}
			repeat = 1;
		} else {
			fprintf(stderr, "log_bench: unknown option %s\n", argv[argi]);
			return 2;
		}
		argi += 2;
	}
	if (peerguard_policy_set_load_file(&set, argv[1], NULL, &err) < 0) {
		fprintf(stderr, "log_bench: %s\n", err.message);
		return 1;
	}
	files = (const char **)(argv + argi);
	n_files = (size_t)(argc - argi);
	plain = calloc(n_files, sizeof(*plain));
	plain_len = calloc(n_files, sizeof(*plain_len));

	/* Untimed: the decompressed logs for the jansson floor, and the record count. */
	for (size_t i = 0; i < n_files && (only < 0 || only == 1); i++) {
		long n = inflate_file(files[i], &plain[i]);
		json_error_t jerr;
		json_t *doc;

		if (n < 0) {
			fprintf(stderr, "log_bench: cannot decompress %s\n", files[i]);
			return 1;
		}
		plain_len[i] = (size_t)n;
		bytes += plain_len[i];
		doc = json_loadb(plain[i], plain_len[i], 0, &jerr);
		records += json_array_size(json_object_get(doc, "Records"));
		json_decref(doc);
	}

	memset(best, 0, sizeof(best));
	for (int r = 0; r < repeat; r++) {
		span t[4];

		t[0] = span_start();
		for (size_t i = 0; i < n_files && (only < 0 || only == 0); i++)
			inflate_file(files[i], NULL);
		t[0] = span_end(t[0]);

		t[1] = span_start();
		for (size_t i = 0; i < n_files && (only < 0 || only == 1); i++) {
			json_error_t jerr;

			json_decref(json_loadb(plain[i], plain_len[i], 0, &jerr));
		}
		t[1] = span_end(t[1]);

		for (int mode = 0; mode < 2; mode++) {
			peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
			size_t found = 0;
			span start = span_start();

			ctx.now = 1768478400.0;
			ctx.flags = PEERGUARD_MATCHED_ONLY | (mode ? PEERGUARD_PARSE_ALL : 0);
			for (size_t i = 0; i < n_files && (only < 0 || only == 2 + mode); i++) {
				peerguard_result *result = NULL;

				if (peerguard_evaluate_file(&result, set, &ctx, PEERGUARD_INPUT_EVENTS, files[i], &err) < 0) {
					fprintf(stderr, "log_bench: %s\n", err.message);
					return 1;
				}
				found += peerguard_result_matched_count(result);
				peerguard_result_free(result);
			}
			t[2 + mode] = span_end(start);
			if (mode)
				matched_all = found;
			else
				matched = found;
		}
		for (int k = 0; k < 4; k++) {
			if (r == 0 || t[k].wall < best[k].wall)
				best[k].wall = t[k].wall;
			if (r == 0 || t[k].cpu < best[k].cpu)
				best[k].cpu = t[k].cpu;
		}
	}

	printf("{\"files\": %zu, \"bytes\": %zu, \"records\": %zu, \"runs\": %d, "
		"\"zlib_seconds\": %.6f, \"jansson_seconds\": %.6f, \"peerguard_seconds\": %.6f, "
		"\"parse_all_seconds\": %.6f, \"zlib_cpu_seconds\": %.6f, \"jansson_cpu_seconds\": %.6f, "
		"\"peerguard_cpu_seconds\": %.6f, \"parse_all_cpu_seconds\": %.6f, \"matched\": %zu, "
		"\"parse_all_matched\": %zu}\n", n_files, bytes, records, repeat, best[0].wall, best[1].wall,
		best[2].wall, best[3].wall, best[0].cpu, best[1].cpu, best[2].cpu, best[3].cpu, matched, matched_all);
	for (size_t i = 0; i < n_files; i++)
		free(plain[i]);
	free(plain);
	free(plain_len);
	peerguard_policy_set_free(set);
	return 0;
}
