/* Helpers shared by the peerguard subcommands. */
#ifndef PEERGUARD_TOOL_COMMON_H
#define PEERGUARD_TOOL_COMMON_H

#include "peerguard/peerguard.h"

/** Prints "peerguard COMMAND: MESSAGE" to stderr; the message already names file, line and column. */
void tool_print_error(const char *command, const peerguard_error *err);

/** Log callback that writes warnings and errors to stderr. */
void tool_log(peerguard_log_level level, const char *message, void *userdata);

/** Parses an RFC 3339 time into seconds since the epoch; returns 0 or -1. */
int tool_parse_time(const char *text, double *out);

#endif
