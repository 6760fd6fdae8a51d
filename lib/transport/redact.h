/* Removal of secrets (secret keys, session tokens, signatures) from messages. */
#ifndef TRANSPORT_REDACT_H
#define TRANSPORT_REDACT_H

#include <stddef.h>

/* The secrets of one call, each kept raw and percent-encoded. */
typedef struct redactor {
	char *items[16];
	size_t n;
} redactor;

/* Starts an empty redactor. */
void redactor_init(redactor *r);

/* Adds a secret (copied, with its percent-encoded form); NULL, "" and repeats are ignored. */
void redactor_add(redactor *r, const char *secret);

/* Replaces every occurrence of a secret in s (a buffer of cap bytes) with "[redacted]". */
void redact_in_place(const redactor *r, char *s, size_t cap);

/* Wipes and frees the secrets. */
void redactor_free(redactor *r);

#endif
