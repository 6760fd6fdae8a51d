/* The fetcher of remote value_from URLs for the peerguard commands. */
#include <stdio.h>
#include <stdlib.h>

#include "tool_remote.h"
#ifdef PEERGUARD_HAVE_TRANSPORT
#include "peerguard/transport.h"
#endif

void tool_remote_init(tool_remote *r, const char *command)
{
	r->command = command;
	r->no_remote_values = 0;
	r->timeout_ms = 0;
	r->max_bytes = 0;
	r->fetcher = NULL;
}

int tool_remote_option(tool_remote *r, int opt, const char *arg)
{
	char *end;
	double seconds;

	switch (opt) {
	case TOOL_NO_REMOTE_VALUES:
		r->no_remote_values = 1;
		return 1;
	case TOOL_FETCH_TIMEOUT:
		seconds = strtod(arg, &end);
		if (end == arg || *end || seconds < 0.1 || seconds > 3600) {
			fprintf(stderr, "peerguard %s: invalid --fetch-timeout '%s': use seconds from 0.1 to 3600, such as 30\n",
				r->command, arg);
			return -1;
		}
		r->timeout_ms = (unsigned int)(seconds * 1000.0);
		return 1;
	case TOOL_FETCH_MAX_BYTES:
		r->max_bytes = strtoull(arg, &end, 10);
		if (end == arg || *end || *arg == '-' || r->max_bytes == 0) {
			fprintf(stderr, "peerguard %s: invalid --fetch-max-bytes '%s': use a positive number of bytes\n",
				r->command, arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int tool_remote_setup(tool_remote *r, peerguard_load_options *lopts, const void *client_options)
{
#ifdef PEERGUARD_HAVE_TRANSPORT
	peerguard_fetcher_options fopts = PEERGUARD_FETCHER_OPTIONS_INIT;
	peerguard_fetcher *fetcher = NULL;
	peerguard_error err;

	if (r->no_remote_values)
		return 0;
	fopts.client_options = client_options;
	fopts.timeout_ms = r->timeout_ms;
	fopts.max_bytes = (size_t)r->max_bytes;
	if (peerguard_fetcher_new(&fetcher, &fopts, &err) < 0) {
		fprintf(stderr, "peerguard %s: %s\n", r->command, err.message);
		return -1;
	}
	r->fetcher = fetcher;
	lopts->fetch = peerguard_fetcher_fetch;
	lopts->fetch_userdata = fetcher;
#else
	(void)r;
	(void)lopts;
	(void)client_options;
#endif
	return 0;
}

void tool_remote_free(tool_remote *r)
{
#ifdef PEERGUARD_HAVE_TRANSPORT
	peerguard_fetcher_free(r->fetcher);
#endif
	r->fetcher = NULL;
}
