/* Growable byte buffer, always NUL-terminated, for building requests and messages. */
#ifndef TRANSPORT_BUF_H
#define TRANSPORT_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *data;    /* NUL-terminated contents, or NULL before the first append */
	size_t len;
	size_t cap;
	int failed;    /* set when an allocation failed; later appends do nothing */
} buf;

#define BUF_INIT { NULL, 0, 0, 0 }

/* Appends len bytes of data. */
void buf_append(buf *b, const void *data, size_t len);

/* Appends a NUL-terminated string; NULL appends nothing. */
void buf_puts(buf *b, const char *s);

/* Appends one byte. */
void buf_putc(buf *b, char c);

/* Appends printf-style formatted text. */
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the contents as a new string owned by the caller and resets b; NULL after a failed allocation. */
char *buf_detach(buf *b);

/* Returns the contents (borrowed); "" when empty. */
const char *buf_cstr(const buf *b);

/* Frees the contents, wiping them first, and resets b. */
void buf_free(buf *b);

/* Appends s percent-encoded as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case hex); keep_slash leaves '/' alone. */
void buf_uri_encode(buf *b, const char *s, size_t len, int keep_slash);

#endif
