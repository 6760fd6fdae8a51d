/*
 * Remote value_from and whitelist_from URLs, fetched through the caller's
 * callback and cached per policy set, as Cloud Custodian 0.9.53's
 * URIResolver and ValuesFrom cache them within a run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/value_remote.h"

struct remote_cache {
	peerguard_fetch_fn fetch;
	void *userdata;
	pthread_mutex_t lock;     /* guards entries */
	/* key -> {"values": [...]} or {"failed_at": t, "code": c, "message": "..."} */
	json_t *entries;
};

remote_cache *remote_cache_new(peerguard_fetch_fn fn, void *userdata)
{
	remote_cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return NULL;
	cache->entries = json_object();
	if (!cache->entries || pthread_mutex_init(&cache->lock, NULL) != 0) {
		json_decref(cache->entries);
		free(cache);
		return NULL;
	}
	cache->fetch = fn;
	cache->userdata = userdata;
	return cache;
}

void remote_cache_free(remote_cache *cache)
{
	if (!cache)
		return;
	json_decref(cache->entries);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

int remote_cache_can_fetch(const remote_cache *cache)
{
	return cache && cache->fetch ? 1 : 0;
}

int url_is_remote(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0 ||
		strncasecmp(url, "s3://", 5) == 0;
}

void url_redact(char *buf, size_t size, const char *url)
{
	const char *scheme_end = strstr(url, "://");
	const char *authority = scheme_end ? scheme_end + 3 : url;

	/* A password may contain '/', '?' or '#' unencoded: invalid, but still printed, so userinfo ends at the last '@'. */
	const char *at = strrchr(authority, '@');
	const char *host = at ? at + 1 : authority;
	size_t host_len = strcspn(host, "/?#");
	const char *rest = host + host_len;
	size_t path_len = strcspn(rest, "?#");

	snprintf(buf, size, "%.*s%s%.*s%.*s%s", (int)(authority - url), url, at ? "***@" : "", (int)host_len, host,
		(int)path_len, rest, rest[path_len] == '?' ? "?***" : "");
}

/* Replaces every occurrence of secret (4 bytes or more) in s with "***", which is never longer. */
static void mask(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *hit;

	if (n < 4)
		return;
	while ((hit = strstr(s, secret)) != NULL) {
		size_t tail = strlen(hit + n);

		memmove(hit + 3, hit + n, tail + 1);
		memcpy(hit, "***", 3);
	}
}

/* Builds the cache key: the URL, each header and key_extra, one per line. */
static char *cache_key(const char *url, const char *const *headers, const char *key_extra)
{
	size_t len = strlen(url) + strlen(key_extra) + 3;
	char *key, *p;

	for (const char *const *h = headers; *h; h++)
		len += strlen(*h) + 1;
	key = malloc(len);
	if (!key)
		return NULL;
	p = key + sprintf(key, "%s\n%s\n", url, key_extra);
	for (const char *const *h = headers; *h; h++)
		p += sprintf(p, "%s\n", *h);
	return key;
}

/* Fetches url and parses its (possibly gzip-compressed) body into a new array of values. */
static json_t *fetch_values(remote_cache *cache, const char *url, const char *const *headers, const char *shown,
	remote_parse_fn parse, const void *source, const peerguard_limits *limits, peerguard_error *err)
{
	char errbuf[PEERGUARD_ERROR_MESSAGE_MAX] = "";
	char *body = NULL, *plain = NULL;
	size_t len = 0, plain_len = 0;
	json_t *values = NULL;
	int rc;

	rc = cache->fetch(&body, &len, url, headers, limits->max_input_bytes, errbuf, sizeof(errbuf),
		cache->userdata);
	if (rc < 0 || !body) {
		int code = rc == PEERGUARD_ELIMIT || rc == PEERGUARD_ENOMEM ? rc : PEERGUARD_EIO;
		const char *reason;

		/* The fetcher must keep secrets out of its message; mask the raw URL and header values in case. */
		errbuf[sizeof(errbuf) - 1] = '\0';
		if (strcmp(url, shown) != 0)
			mask(errbuf, url);
		for (const char *const *h = headers; *h; h++) {
			const char *value = strchr(*h, ':');

			if (value) {
				value++;
				while (*value == ' ')
					value++;
				mask(errbuf, value);
			}
		}
		free(body);
		if (errbuf[0])
			reason = errbuf;
		else if (rc < 0)
			reason = peerguard_strerror(rc);
		else
			reason = "the fetcher returned no body";
		error_set(err, code, NULL, "value_from url '%s' could not be fetched: %s", shown, reason);
		return NULL;
	}
	if (len > limits->max_input_bytes) {
		free(body);
		error_set(err, PEERGUARD_ELIMIT, NULL,
			"value_from url '%s' returned more than max_input_bytes (%zu bytes); raise the limit or shrink the file",
			shown, limits->max_input_bytes);
		return NULL;
	}

	if (gunzip_if_needed(&plain, &plain_len, body, len, limits->max_input_bytes, shown, err) < 0) {
		free(body);
		return NULL;
	}
	if (plain) {
		free(body);
		body = plain;
		len = plain_len;
	}
	values = parse(source, body, len, shown, limits, err);
	free(body);
	return values;
}

json_t *remote_cache_values(remote_cache *cache, const char *url, const char *const *headers,
	const char *key_extra, remote_parse_fn parse, const void *source, double now,
	const peerguard_limits *limits, peerguard_error *err)
{
	char shown[PEERGUARD_ERROR_FILE_MAX];
	char *key;
	json_t *entry, *values;
	peerguard_error fetch_err;

	url_redact(shown, sizeof(shown), url);
	if (!remote_cache_can_fetch(cache)) {
		error_set(err, PEERGUARD_EIO, NULL, "value_from url '%s' is remote, but no fetcher was given", shown);
		return NULL;
	}
	key = cache_key(url, headers, key_extra);
	if (!key) {
		error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		return NULL;
	}

	/* A hit, or a failure recent enough to report again without a new request. */
	pthread_mutex_lock(&cache->lock);
	entry = json_object_get(cache->entries, key);
	values = json_object_get(entry, "values");
	if (values) {
		json_incref(values);
		pthread_mutex_unlock(&cache->lock);
		free(key);
		return values;
	}
	if (entry && now - json_real_value(json_object_get(entry, "failed_at")) < REMOTE_RETRY_SECONDS) {
		error_set(err, (int)json_integer_value(json_object_get(entry, "code")), NULL, "%s",
			json_string_value(json_object_get(entry, "message")));
		pthread_mutex_unlock(&cache->lock);
		free(key);
		return NULL;
	}
	pthread_mutex_unlock(&cache->lock);

	/* Fetched outside the lock: two threads may fetch the same URL once each, and the first stored wins. */
	peerguard_error_clear(&fetch_err);
	values = fetch_values(cache, url, headers, shown, parse, source, limits, &fetch_err);

	pthread_mutex_lock(&cache->lock);
	entry = json_object_get(cache->entries, key);
	if (values && json_object_get(entry, "values")) {
		json_decref(values);
		values = json_incref(json_object_get(entry, "values"));
	} else if (values) {
		json_object_set_new(cache->entries, key, json_pack("{s:O}", "values", values));
	} else {
		json_object_set_new(cache->entries, key, json_pack("{s:f,s:i,s:s}", "failed_at", now,
			"code", fetch_err.code, "message", fetch_err.message));
	}
	pthread_mutex_unlock(&cache->lock);
	free(key);

	if (!values && err)
		*err = fetch_err;
	return values;
}
