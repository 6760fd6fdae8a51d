/* Webhook delivery: an HTTP POST of a JSON document with libcurl. */
#ifndef REMEDIATE_WEBHOOK_H
#define REMEDIATE_WEBHOOK_H

#include "peerguard/peerguard.h"

/* Attempts per webhook POST: the first and two retries. */
#define WEBHOOK_ATTEMPTS 3

/*
 * POSTs body to url as application/json.  Connection failures, timeouts,
 * HTTP 429 and 5xx are retried with a doubling pause; any 2xx is success.
 * *out_status receives the last HTTP status (0 when none arrived).
 * Messages name the URL without its query, which may hold a token.
 * Returns 0, or PEERGUARD_ENOTIFY with err filled.
 */
int webhook_post(long *out_status, const char *url, const char *body, unsigned int timeout_ms,
	peerguard_error *err);

#endif
