/* Clock skew detection. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "transport/skew.h"

int skew_parse_http_date(const char *value, double *out)
{
	time_t t;

	if (!value || !*value)
		return -1;
	t = curl_getdate(value, NULL);
	if (t == (time_t)-1)
		return -1;
	*out = (double)t;
	return 0;
}

static int contains_nocase(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = haystack; p && *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

int skew_is_clock_error(const char *aws_code, const char *aws_message, double server_time, double local_time)
{
	const char *code = aws_code ? aws_code : "";
	const char *message = aws_message ? aws_message : "";
	int skewed = server_time > 0 && fabs(server_time - local_time) > SKEW_TOLERANCE_SECONDS;

	if (strcasecmp(code, "RequestExpired") == 0 || strcasecmp(code, "RequestTimeTooSkewed") == 0 ||
	    strcasecmp(code, "RequestInTheFuture") == 0)
		return 1;
	if ((strcasecmp(code, "InvalidSignatureException") == 0 || strcasecmp(code, "SignatureDoesNotMatch") == 0 ||
	     strcasecmp(code, "AuthFailure") == 0) &&
	    (contains_nocase(message, "signature expired") || contains_nocase(message, "not yet current")))
		return 1;
	if ((strcasecmp(code, "AuthFailure") == 0 || strcasecmp(code, "InvalidSignatureException") == 0 ||
	     strcasecmp(code, "SignatureDoesNotMatch") == 0) && skewed)
		return 1;
	return 0;
}
