/* Error filling, limits, logging and small string and time helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"

void copy_truncated(char *dst, size_t dst_size, const char *src)
{
	size_t n;

	if (!dst || dst_size == 0)
		return;
	if (!src)
		src = "";

	n = strlen(src);
	if (n >= dst_size) {
		n = dst_size - 1;
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int error_set(peerguard_error *err, int code, const error_site *site, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;

	memset(err, 0, sizeof(*err));
	err->code = code;
	if (site) {
		copy_truncated(err->file, sizeof(err->file), site->file);
		err->line = site->line;
		err->column = site->column;
		copy_truncated(err->policy, sizeof(err->policy), site->policy);
		copy_truncated(err->path, sizeof(err->path), site->path);
	}

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void limits_resolve(peerguard_limits *out, const peerguard_limits *in)
{
	peerguard_limits zero;

	if (!in) {
		memset(&zero, 0, sizeof(zero));
		in = &zero;
	}
	*out = *in;
	if (!out->max_input_bytes)
		out->max_input_bytes = (size_t)256 << 20;
	if (!out->max_policy_bytes)
		out->max_policy_bytes = (size_t)16 << 20;
	if (!out->max_depth)
		out->max_depth = 64;
	if (!out->max_yaml_aliases)
		out->max_yaml_aliases = 1000;
	if (!out->max_policies)
		out->max_policies = 10000;
	if (!out->max_filters)
		out->max_filters = 10000;
	if (!out->regex_match_limit)
		out->regex_match_limit = 1000000;
	if (!out->regex_heap_limit_kib)
		out->regex_heap_limit_kib = 20480;
	if (!out->jmespath_max_steps)
		out->jmespath_max_steps = 1000000;
	if (!out->jmespath_max_length)
		out->jmespath_max_length = 4096;
}

void log_message(peerguard_log_fn fn, void *userdata, peerguard_log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fn(level, buf, userdata);
}

char *string_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);

	if (copy)
		memcpy(copy, s, n);
	return copy;
}

const char *json_string_at(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *account_id_text(json_t *value, char *buf, size_t size)
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_integer(value) && json_integer_value(value) >= 0 &&
	    json_integer_value(value) <= 999999999999LL) {
		snprintf(buf, size, "%012lld", (long long)json_integer_value(value));
		return buf;
	}
	return NULL;
}

int account_id_valid(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[12] == '\0';
}

/* Seconds since the epoch of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range RFC 3339 writes. */
#define RFC3339_MIN_SECONDS (-62135596800.0)
#define RFC3339_MAX_SECONDS 253402300799.0

void time_format_rfc3339(double t, char *buf, size_t size)
{
	time_t secs;
	int millis;
	struct tm tm;

	/*
	 * Input can hold any number, such as an ExpirationTime of 1e300.  A
	 * double past the range of time_t does not convert, so such a time is
	 * written as the nearest one RFC 3339 can express.
	 */
	if (!(t >= RFC3339_MIN_SECONDS))
		t = RFC3339_MIN_SECONDS;
	if (t > RFC3339_MAX_SECONDS)
		t = RFC3339_MAX_SECONDS;
	secs = (time_t)t;
	millis = (int)((t - (double)secs) * 1000.0 + 0.5);

	if (millis >= 1000) {
		secs += 1;
		millis -= 1000;
	}
	if (millis < 0)
		millis = 0;
	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

static int parse_digits(const char **p, int count, int *out)
{
	int v = 0;

	for (int i = 0; i < count; i++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

int time_parse_rfc3339(const char *s, double *out)
{
	struct tm tm;
	int year, month, day, hour = 0, minute = 0, second = 0;
	double fraction = 0;
	int offset = 0;
	const char *p = s;

	memset(&tm, 0, sizeof(tm));
	if (parse_digits(&p, 4, &year) || *p++ != '-' || parse_digits(&p, 2, &month) || *p++ != '-' ||
	    parse_digits(&p, 2, &day))
		return -1;

	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (parse_digits(&p, 2, &hour) || *p++ != ':' || parse_digits(&p, 2, &minute))
			return -1;
		if (*p == ':') {
			p++;
			if (parse_digits(&p, 2, &second))
				return -1;
		}
		if (*p == '.') {
			double scale = 0.1;

			p++;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9') {
				fraction += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om = 0;

			p++;
			if (parse_digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (*p >= '0' && *p <= '9' && parse_digits(&p, 2, &om))
				return -1;
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
		return -1;

	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	*out = (double)timegm(&tm) + fraction - offset;
	return 0;
}

void error_list_add(peerguard_error **errors, size_t *count, size_t *cap, size_t *dropped,
	const peerguard_error *err)
{
	if (*count >= ERRORS_KEPT_MAX) {
		peerguard_error *last = &(*errors)[ERRORS_KEPT_MAX - 1];

		(*dropped)++;
		snprintf(last->message, sizeof(last->message),
			"%zu more errors are not listed; fix the ones above and run again", *dropped + 1);
		last->line = last->column = 0;
		last->path[0] = '\0';
		return;
	}
	if (*count == *cap) {
		size_t grown_cap = *cap ? *cap * 2 : 8;
		peerguard_error *grown = realloc(*errors, grown_cap * sizeof(*grown));

		if (!grown)
			return;
		*errors = grown;
		*cap = grown_cap;
	}
	(*errors)[(*count)++] = *err;
}
