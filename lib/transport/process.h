/* Running a credential_process program and reading its output. */
#ifndef TRANSPORT_PROCESS_H
#define TRANSPORT_PROCESS_H

#include <stddef.h>

/* Largest output read from a credential process: 64 KiB. */
#define PROCESS_MAX_OUTPUT (64u * 1024u)

/*
 * Splits command into words as a POSIX shell would (blanks separate words;
 * single quotes, double quotes and backslashes quote) without expanding
 * anything, runs it without a shell, and returns its standard output as a
 * new string in *out.  Standard error passes through to ours.  Returns 0,
 * or -1 with a message (which never contains the output) in errbuf.
 */
int process_run(char **out, const char *command, char *errbuf, size_t errlen);

#endif
