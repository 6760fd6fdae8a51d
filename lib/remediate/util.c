/* Time, sleeping, random ids, hashing and URL helpers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include <curl/curl.h>

#include "remediate/util.h"

double rem_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double rem_wall_clock(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void rem_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000.0);
	ts.tv_nsec = (long)(fmod(ms, 1000.0) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void rem_random_id(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[16];
	size_t got = 0;

	while (got < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	/* getrandom cannot fail on Linux 3.17+ once the pool is ready; the clock is a last resort. */
	if (got < sizeof(bytes)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		for (size_t i = got; i < sizeof(bytes); i++)
			bytes[i] = (unsigned char)((ts.tv_nsec >> (i % 8)) ^ (i * 131));
	}
	for (size_t i = 0; i < sizeof(bytes); i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[32] = '\0';
}

uint32_t rem_fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

uint64_t rem_fnv1a64(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

char *rem_url_for_log(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *text = NULL;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return strdup("(invalid URL)");
	}
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &text, 0) == CURLUE_OK)
		out = strdup(text);
	curl_free(text);
	curl_url_cleanup(u);
	return out;
}

/* Appends src to a growing string; returns 0 or -1. */
static int append(char **s, size_t *len, size_t *cap, const char *src, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *p = realloc(*s, ncap);

		if (!p)
			return -1;
		*s = p;
		*cap = ncap;
	}
	memcpy(*s + *len, src, n);
	*len += n;
	(*s)[*len] = '\0';
	return 0;
}

char *rem_expand(const char *text, const char *account_id, const char *region)
{
	char *s = NULL;
	size_t len = 0, cap = 0;

	if (append(&s, &len, &cap, "", 0) < 0)
		return NULL;
	while (*text) {
		if (account_id && strncmp(text, "{account_id}", 12) == 0) {
			if (append(&s, &len, &cap, account_id, strlen(account_id)) < 0)
				goto fail;
			text += 12;
		} else if (region && strncmp(text, "{region}", 8) == 0) {
			if (append(&s, &len, &cap, region, strlen(region)) < 0)
				goto fail;
			text += 8;
		} else {
			if (append(&s, &len, &cap, text, 1) < 0)
				goto fail;
			text++;
		}
	}
	return s;

fail:
	free(s);
	return NULL;
}
