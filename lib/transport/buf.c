/* Growable byte buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "transport/buf.h"

static int buf_reserve(buf *b, size_t extra)
{
	size_t need;
	char *p;

	if (b->failed)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;

	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void buf_append(buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
	if (s)
		buf_append(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return;

	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *buf_detach(buf *b)
{
	char *s;

	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	s = b->data ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

const char *buf_cstr(const buf *b)
{
	return b->data ? b->data : "";
}

void buf_free(buf *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

void buf_uri_encode(buf *b, const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
			buf_putc(b, (char)c);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(b, esc, 3);
		}
	}
}
