/* peerguard remediate: re-check, act on and verify the connections that matched decisions name. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peerguard/remediate.h"
#include "cmd_remediate_common.h"
#include "commands.h"

/* Largest input file read: the core's default input limit. */
#define MAX_INPUT_BYTES (256u * 1024u * 1024u)

static void remediate_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard remediate --policy FILE [OPTIONS] INPUT...\n"
		"\n"
		"Evaluates each INPUT (CloudTrail events in any form 'peerguard eval' reads, or\n"
		"describe output; '-' is standard input) and remediates every matched connection:\n"
		"describes it afresh in our side's account and region, plans with the decision\n"
		"table, acts, and describes again until it is rejected, deleting or deleted, or the\n"
		"deadline passes.  Prints one JSON report per remediation.\n"
		"\n"
		"options:\n"
		RCLI_HELP
		"  --input-kind KIND      auto (default), events or resources\n"
		"  --help                 print this help\n"
		"\n"
		"Exit status: 0 every connection is safe (or, without --execute, every dry run\n"
		"passed); 1 a remediation ended unsafe, not found, denied or failed (escalated);\n"
		"2 usage, policy, input, state file or audit log error.\n");
}

/* Reads a whole file ("-": standard input) into a new buffer. */
static char *read_input(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 65536 > cap) {
			char *p;

			cap = cap ? cap * 2 : 131072;
			if (cap > MAX_INPUT_BYTES + 65536 || !(p = realloc(data, cap)))
				break;
			data = p;
		}
		size_t n = fread(data + *len, 1, cap - *len, f);

		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f) || *len > MAX_INPUT_BYTES || !data) {
		free(data);
		data = NULL;
	}
	if (f != stdin)
		fclose(f);
	return data;
}

int peerguard_cmd_remediate(int argc, char **argv)
{
	static const struct option options[] = {
		RCLI_LONG_OPTIONS,
		{ "input-kind", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	peerguard_input_kind kind = PEERGUARD_INPUT_AUTO;
	size_t counts[9] = { 0 };
	rcli cli;
	int opt, status = 0;

	rcli_init(&cli, "remediate");
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		int handled = rcli_option(&cli, opt, optarg);

		if (handled < 0)
			return 2;
		if (handled)
			continue;
		if (opt == 'h') {
			remediate_usage(stdout);
			return 0;
		}
		if (opt == 'k' && strcmp(optarg, "auto") == 0) {
			kind = PEERGUARD_INPUT_AUTO;
		} else if (opt == 'k' && strcmp(optarg, "events") == 0) {
			kind = PEERGUARD_INPUT_EVENTS;
		} else if (opt == 'k' && strcmp(optarg, "resources") == 0) {
			kind = PEERGUARD_INPUT_RESOURCES;
		} else {
			remediate_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		rcli_error(&cli, "no INPUT: give event or describe files, or '-' for standard input");
		return 2;
	}
	if (rcli_open(&cli, 1) < 0) {
		rcli_close(&cli);
		return 2;
	}

	for (int i = optind; i < argc; i++) {
		peerguard_remediation_list *list = NULL;
		peerguard_error err;
		size_t len;
		char *data = read_input(argv[i], &len);

		if (!data) {
			rcli_error(&cli, "cannot read %s: check the path (inputs are limited to %u MiB)", argv[i],
				MAX_INPUT_BYTES >> 20);
			status = 2;
			continue;
		}
		if (peerguard_remediate_document(&list, cli.r, kind, data, len, argv[i], &err) < 0) {
			rcli_error(&cli, "%s: %s", argv[i], err.message[0] ? err.message : peerguard_strerror(err.code));
			status = 2;
		} else {
			if (peerguard_remediation_list_input_errors(list))
				rcli_error(&cli, "%s: %zu record(s) could not be read; 'peerguard eval' shows which", argv[i],
					peerguard_remediation_list_input_errors(list));
			rcli_print_reports(list, counts);
		}
		peerguard_remediation_list_free(list);
		free(data);
	}
	rcli_print_counts(&cli, counts);
	if (cli.metrics_file) {
		peerguard_error err;

		if (peerguard_remediator_write_metrics(cli.r, cli.metrics_file, NULL, &err) < 0)
			rcli_error(&cli, "%s", err.message);
	}
	rcli_close(&cli);
	if (status)
		return status;
	return rcli_any_unsafe(counts) ? 1 : 0;
}
