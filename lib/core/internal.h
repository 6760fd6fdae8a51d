/* Helpers shared by the files of the decision core. */
#ifndef PEERGUARD_CORE_INTERNAL_H
#define PEERGUARD_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <jansson.h>

#include "peerguard/peerguard.h"

#if defined(__GNUC__)
#define PG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PG_PRINTF(a, b)
#endif

/** The location of an error, for error_set. Any field may be NULL or 0. */
typedef struct error_site {
	const char *file;
	int line;
	int column;
	const char *policy;
	const char *path;
} error_site;

/**
 * Fills err (which may be NULL) with code, the site and a formatted message,
 * and returns code so callers can write `return error_set(...)`.
 */
int error_set(peerguard_error *err, int code, const error_site *site, const char *fmt, ...) PG_PRINTF(4, 5);

/** Errors kept per result or input; later ones are counted in one closing entry, so bad input cannot exhaust memory. */
#define ERRORS_KEPT_MAX 1000

/**
 * Appends err to a growable error array, or counts it in the closing entry
 * once ERRORS_KEPT_MAX are kept.  *errors, *count and *cap describe the
 * array; *dropped counts the errors not kept.
 */
void error_list_add(peerguard_error **errors, size_t *count, size_t *cap, size_t *dropped,
	const peerguard_error *err);

/** Copies src into a fixed buffer, truncating on a UTF-8 boundary. */
void copy_truncated(char *dst, size_t dst_size, const char *src);

/** Copies limits with every zero field replaced by its default. */
void limits_resolve(peerguard_limits *out, const peerguard_limits *in);

/** Logs through fn when it is set. */
void log_message(peerguard_log_fn fn, void *userdata, peerguard_log_level level, const char *fmt, ...) PG_PRINTF(4, 5);

/** Returns a new string (malloc) or NULL when out of memory. */
char *string_dup(const char *s);

/** Returns the string value of key in obj, or NULL when missing or not a string. Borrowed. */
const char *json_string_at(json_t *obj, const char *key);

/**
 * Returns the JSON value as an account id: a string as it is (borrowed
 * from value, never shortened), or an integer zero-padded to 12 digits
 * into buf (some CloudTrail records carry account ids as numbers).
 * Returns NULL for other values.
 */
const char *account_id_text(json_t *value, char *buf, size_t size);

/** Returns 1 when s is exactly 12 ASCII digits. */
int account_id_valid(const char *s);

/** Formats seconds since the epoch as RFC 3339 UTC with milliseconds into buf. */
void time_format_rfc3339(double t, char *buf, size_t size);

/** Parses RFC 3339 / ISO-8601 UTC time; returns 0 and seconds in *out, or -1. */
int time_parse_rfc3339(const char *s, double *out);

/** Reads a whole file (gunzipping when it starts with the gzip magic); "-" is stdin. */
int file_read_all(char **out, size_t *out_len, const char *path, size_t max_bytes, int gunzip,
	peerguard_error *err);

/** Gunzips data when it starts with the gzip magic; otherwise *out is NULL. */
int gunzip_if_needed(char **out, size_t *out_len, const char *data, size_t len, size_t max_bytes,
	const char *name, peerguard_error *err);

#endif
