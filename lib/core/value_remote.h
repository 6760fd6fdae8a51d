/*
 * Remote value_from and whitelist_from URLs (http, https, s3): the cache of
 * fetched values a policy set keeps, fetched through the caller's
 * peerguard_fetch_fn because the core does no network I/O.
 */
#ifndef PEERGUARD_CORE_VALUE_REMOTE_H
#define PEERGUARD_CORE_VALUE_REMOTE_H

#include <stddef.h>
#include <jansson.h>

#include "peerguard/peerguard.h"

/* Seconds of evaluation time before a failed fetch is tried again. */
#define REMOTE_RETRY_SECONDS 60.0

/** The fetcher and the values fetched so far, shared by the sources of one set. */
typedef struct remote_cache remote_cache;

/** Parses a fetched body into a new array of values, or NULL with err filled; name is for messages. */
typedef json_t *(*remote_parse_fn)(const void *source, const char *text, size_t len, const char *name,
	const peerguard_limits *limits, peerguard_error *err);

/** Returns a new cache that fetches through fn (which may be NULL), or NULL when out of memory. */
remote_cache *remote_cache_new(peerguard_fetch_fn fn, void *userdata);

/** Frees a cache and every value in it.  cache may be NULL. */
void remote_cache_free(remote_cache *cache);

/** Returns 1 when the cache has a fetcher, else 0. */
int remote_cache_can_fetch(const remote_cache *cache);

/**
 * Returns the values of url fetched with headers and parsed by parse (a new
 * reference), from the cache when an earlier call stored them under the
 * same key.  key_extra distinguishes sources that parse the same body
 * differently (format and expr).  now is the evaluation time, used to retry
 * a failure after REMOTE_RETRY_SECONDS.  Returns NULL with err filled on
 * failure.  Thread-safe.
 */
json_t *remote_cache_values(remote_cache *cache, const char *url, const char *const *headers,
	const char *key_extra, remote_parse_fn parse, const void *source, double now,
	const peerguard_limits *limits, peerguard_error *err);

/** Returns 1 when url starts with http://, https:// or s3:// (any case), else 0. */
int url_is_remote(const char *url);

/**
 * Writes url to buf without secrets: the user information before the host
 * (up to the last '@') becomes "***@" and the query string "?***",
 * because both may carry tokens or signatures.  buf is always terminated.
 */
void url_redact(char *buf, size_t size, const char *url);

#endif
