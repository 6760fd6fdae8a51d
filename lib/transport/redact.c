/* Removal of secrets from messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "transport/buf.h"
#include "transport/redact.h"

#define REDACTED "[redacted]"

void redactor_init(redactor *r)
{
	memset(r, 0, sizeof(*r));
}

static void add_one(redactor *r, char *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i], s) == 0) {
			OPENSSL_cleanse(s, strlen(s));
			free(s);
			return;
		}
	if (r->n == sizeof(r->items) / sizeof(r->items[0])) {
		/* Full: drop the oldest, which belongs to an earlier attempt. */
		OPENSSL_cleanse(r->items[0], strlen(r->items[0]));
		free(r->items[0]);
		memmove(r->items, r->items + 1, (r->n - 1) * sizeof(char *));
		r->n--;
	}
	r->items[r->n++] = s;
}

void redactor_add(redactor *r, const char *secret)
{
	buf encoded = BUF_INIT;

	if (!secret || !*secret)
		return;
	add_one(r, strdup(secret));
	buf_uri_encode(&encoded, secret, strlen(secret), 0);
	if (strcmp(buf_cstr(&encoded), secret) != 0)
		add_one(r, buf_detach(&encoded));
	buf_free(&encoded);
}

void redact_in_place(const redactor *r, char *s, size_t cap)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *secret = r->items[i];
		size_t n = strlen(secret);
		char *from = s, *hit;

		while ((hit = strstr(from, secret)) != NULL) {
			size_t tail = strlen(hit + n);
			size_t keep = (size_t)(hit - s);
			size_t want = keep + strlen(REDACTED) + tail + 1;

			if (want > cap)
				tail = cap > keep + strlen(REDACTED) + 1 ? cap - keep - strlen(REDACTED) - 1 : 0;
			if (keep + strlen(REDACTED) + 1 > cap) {
				/* No room for the marker: cut the message where the secret began. */
				*hit = '\0';
				break;
			}
			memmove(hit + strlen(REDACTED), hit + n, tail);
			memcpy(hit, REDACTED, strlen(REDACTED));
			hit[strlen(REDACTED) + tail] = '\0';
			from = hit + strlen(REDACTED);
		}
	}
}

void redactor_free(redactor *r)
{
	for (size_t i = 0; i < r->n; i++) {
		OPENSSL_cleanse(r->items[i], strlen(r->items[i]));
		free(r->items[i]);
	}
	r->n = 0;
}
