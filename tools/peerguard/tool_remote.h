/*
 * Remote value_from and whitelist_from URLs for the peerguard commands:
 * the fetcher passed to the policy loader, and the options that control it.
 */
#ifndef PEERGUARD_TOOL_REMOTE_H
#define PEERGUARD_TOOL_REMOTE_H

#include "peerguard/peerguard.h"

/* getopt_long codes of the remote options, shared by every command that loads policies. */
enum tool_remote_option { TOOL_NO_REMOTE_VALUES = 3000, TOOL_FETCH_TIMEOUT, TOOL_FETCH_MAX_BYTES };

#define TOOL_REMOTE_LONG_OPTIONS \
	{ "no-remote-values", no_argument, NULL, TOOL_NO_REMOTE_VALUES }, \
	{ "fetch-timeout", required_argument, NULL, TOOL_FETCH_TIMEOUT }, \
	{ "fetch-max-bytes", required_argument, NULL, TOOL_FETCH_MAX_BYTES }

#define TOOL_REMOTE_HELP \
	"  --no-remote-values     do not fetch http, https or s3 value_from and whitelist_from\n" \
	"                         URLs (offline use): a policy naming one fails to load\n" \
	"  --fetch-timeout SECONDS  one fetch of such a URL, redirects included; default 30\n" \
	"  --fetch-max-bytes N    largest body of such a URL; default 268435456 (256 MiB)\n"

/* Settings and the fetcher of one command run. */
typedef struct tool_remote {
	const char *command;
	int no_remote_values;         /* --no-remote-values */
	unsigned int timeout_ms;      /* --fetch-timeout, 0: the fetcher's default */
	unsigned long long max_bytes; /* --fetch-max-bytes, 0: max_input_bytes */
	void *fetcher;                /* peerguard_fetcher, or NULL */
} tool_remote;

/* Starts settings for command. */
void tool_remote_init(tool_remote *r, const char *command);

/*
 * Handles one remote option.  Returns 1 when opt was one (value stored), 0
 * when it was not, -1 when its value is invalid (message printed).
 */
int tool_remote_option(tool_remote *r, int opt, const char *arg);

/*
 * Creates the fetcher and sets lopts->fetch, unless --no-remote-values was
 * given or the program was built without the transport.  client_options
 * (borrowed until tool_remote_free; NULL: the defaults) configure the AWS
 * client made at the first s3:// URL.  Returns 0, or -1 with the message printed.
 */
int tool_remote_setup(tool_remote *r, peerguard_load_options *lopts, const void *client_options);

/* Frees the fetcher.  Call it after freeing every policy set loaded with it. */
void tool_remote_free(tool_remote *r);

#endif
