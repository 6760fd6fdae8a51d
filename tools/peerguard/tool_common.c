/* Error printing, logging and time parsing for the peerguard subcommands. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tool_common.h"

void tool_print_error(const char *command, const peerguard_error *err)
{
	fprintf(stderr, "peerguard %s: %s\n", command, err->message[0] ? err->message : peerguard_strerror(err->code));
}

void tool_log(peerguard_log_level level, const char *message, void *userdata)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	(void)userdata;
	if (level <= PEERGUARD_LOG_WARN)
		fprintf(stderr, "peerguard: %s: %s\n", names[level], message);
}

int tool_parse_time(const char *text, double *out)
{
	struct tm tm;
	const char *rest;
	int offset = 0;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -1;
	if (*rest == '.') {
		rest++;
		while (*rest >= '0' && *rest <= '9')
			rest++;
	}
	if (*rest == 'Z' || *rest == 'z') {
		rest++;
	} else if (*rest == '+' || *rest == '-') {
		int sign = *rest == '-' ? -1 : 1;
		int h, m;

		/* Exactly +HH:MM, so the parser never steps past the end of a short string. */
		if (!isdigit((unsigned char)rest[1]) || !isdigit((unsigned char)rest[2]) || rest[3] != ':' ||
		    !isdigit((unsigned char)rest[4]) || !isdigit((unsigned char)rest[5]))
			return -1;
		h = (rest[1] - '0') * 10 + (rest[2] - '0');
		m = (rest[4] - '0') * 10 + (rest[5] - '0');
		offset = sign * (h * 3600 + m * 60);
		rest += 6;
	} else {
		return -1;
	}
	if (*rest)
		return -1;
	*out = (double)timegm(&tm) - offset;
	return 0;
}
