/* Clock skew: when to trust the server's Date header over the local clock. */
#ifndef TRANSPORT_SKEW_H
#define TRANSPORT_SKEW_H

/* Skew beyond which an authentication failure is blamed on the clock: 5 minutes, as AWS allows. */
#define SKEW_TOLERANCE_SECONDS 300.0

/* Parses an HTTP Date header value ("Fri, 16 Jan 2026 00:10:00 GMT"); returns 0 and *out, or -1. */
int skew_parse_http_date(const char *value, double *out);

/*
 * Returns 1 when an error response is a clock-skew failure that a retry with
 * the server's time can fix: RequestExpired, RequestTimeTooSkewed, a
 * signature error whose message states that the signature expired or is not yet
 * current, or an authentication failure while the server's clock differs
 * from ours by more than SKEW_TOLERANCE_SECONDS.  server_time is 0 when the
 * response had no Date header.
 */
int skew_is_clock_error(const char *aws_code, const char *aws_message, double server_time, double local_time);

#endif
