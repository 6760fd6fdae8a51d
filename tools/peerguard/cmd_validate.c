/* peerguard validate: load policy files and report the first problem in each. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "peerguard/peerguard.h"
#include "commands.h"
#include "tool_common.h"
#include "tool_remote.h"

static void validate_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard validate [--quiet] [--no-remote-values] POLICY...\n\n"
		"Loads each Cloud Custodian policy file (YAML or JSON) as 'eval' would and\n"
		"reports the first problem in each with file, line, column and policy.\n\n"
		"  -q, --quiet   print nothing for valid files\n"
		TOOL_REMOTE_HELP
		"  -h, --help    show this help\n\n"
		"Remote value_from URLs without variables are fetched, as eval fetches them.\n\n"
		"Exit status: 0 all files valid, 2 a file is invalid or unreadable.\n");
}

int peerguard_cmd_validate(int argc, char **argv)
{
	static const struct option options[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		TOOL_REMOTE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int quiet = 0, status = 0, opt;
	tool_remote remote;

	tool_remote_init(&remote, "validate");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			validate_usage(stdout);
			return 0;
		default:
			switch (tool_remote_option(&remote, opt, optarg)) {
			case 1:
				break;
			case 0:
				validate_usage(stderr);
				return 2;
			default:
				return 2;
			}
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "peerguard validate: no policy file given\n");
		validate_usage(stderr);
		return 2;
	}

	for (int i = optind; i < argc; i++) {
		peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
		peerguard_policy_set *set = NULL;
		peerguard_error err;

		opts.log = tool_log;
		if (tool_remote_setup(&remote, &opts, NULL) < 0)
			return 2;
		if (peerguard_policy_set_load_file(&set, argv[i], &opts, &err) < 0) {
			tool_print_error("validate", &err);
			tool_remote_free(&remote);
			status = 2;
			continue;
		}
		if (!quiet)
			printf("%s: %zu %s valid (revision %.12s)\n", argv[i], peerguard_policy_set_count(set),
				peerguard_policy_set_count(set) == 1 ? "policy" : "policies",
				peerguard_policy_set_revision(set));
		peerguard_policy_set_free(set);
		tool_remote_free(&remote);
	}
	return status;
}
