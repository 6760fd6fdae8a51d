/* Small helpers of the remediation layer: time, sleeping, ids, hashing, URLs. */
#ifndef REMEDIATE_UTIL_H
#define REMEDIATE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Returns seconds of a monotonic clock, for deadlines and waits. */
double rem_monotonic(void);

/* Returns seconds since the Unix epoch from the system clock. */
double rem_wall_clock(void);

/* Sleeps for ms milliseconds; returns early only when ms <= 0. */
void rem_sleep_ms(double ms);

/* Writes 32 random lower-case hex digits and a NUL into out. */
void rem_random_id(char out[33]);

/* Returns the 32-bit FNV-1a hash of s. */
uint32_t rem_fnv1a32(const char *s);

/* Returns the 64-bit FNV-1a hash of s. */
uint64_t rem_fnv1a64(const char *s);

/*
 * Returns a new string: url without user information, query and fragment,
 * fit for logs, since webhook URLs often carry a token in the query.
 * Returns NULL when memory runs out.
 */
char *rem_url_for_log(const char *url);

/*
 * Replaces "{account_id}" and "{region}" in text.  Returns a new string,
 * or NULL when memory runs out.  NULL values leave the field as written.
 */
char *rem_expand(const char *text, const char *account_id, const char *region);

#endif
