/* peerguard: the command-line front end of libpeerguard. */
#include <stdio.h>
#include <string.h>

#include "peerguard/peerguard.h"
#include "commands.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{ "validate", peerguard_cmd_validate, "check policy files and report the first problem in each, with its location" },
	{ "eval", peerguard_cmd_eval, "evaluate CloudTrail events or describe records against policies" },
#ifdef PEERGUARD_HAVE_QUERY
	{ "query", peerguard_cmd_query, "evaluate a JMESPath expression against a JSON document" },
#endif
#ifdef PEERGUARD_HAVE_DESCRIBE
	{ "describe", peerguard_cmd_describe, "describe VPC peering connections through the EC2 API" },
#endif
#ifdef PEERGUARD_HAVE_REMEDIATE
	{ "remediate", peerguard_cmd_remediate, "re-check, remove and verify the connections that events or records match" },
#endif
#ifdef PEERGUARD_HAVE_SWEEP
	{ "sweep", peerguard_cmd_sweep, "describe every account and region and remediate what policies match" },
#endif
#ifdef PEERGUARD_HAVE_WATCH
	{ "watch", peerguard_cmd_watch, "remediate events from an SQS queue or standard input as they arrive" },
#endif
#ifdef PEERGUARD_HAVE_CANARY
	{ "canary", peerguard_cmd_canary, "make a test peering request and time its removal" },
#endif
	{ NULL, NULL, NULL }
};

static void usage(FILE *out)
{
	fprintf(out, "usage: peerguard COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (const command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'peerguard COMMAND --help' for the options of a command.\n"
		"'peerguard --version' prints the library version.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("peerguard %s\n", peerguard_version());
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (const command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);

	fprintf(stderr, "peerguard: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
