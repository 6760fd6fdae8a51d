/* Building jansson values from plainly valid JSON text without jansson's character stream. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_fast.h"

/* Deeper documents go to jansson, which has its own depth limit. */
#define FAST_MAX_DEPTH 512
/* Integers with more digits go to jansson, which reports values that overflow json_int_t. */
#define FAST_MAX_DIGITS 18
/* Strings up to this size are unescaped on the stack. */
#define FAST_STACK_STRING 256

typedef struct reader {
	const char *p;
	const char *end;
	unsigned int depth;
} reader;

static json_t *read_value(reader *r);

static void skip_space(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

/*
 * Reads the string whose opening quote is at r->p into a buffer: *out
 * points either into the text (no escapes) or to buf, or to a new
 * allocation stored in *heap.  Returns the length, or -1 to give up.
 */
static long read_string(reader *r, const char **out, char *buf, char **heap)
{
	const char *start = ++r->p, *q = start;
	char *dst;
	size_t cap;

	*heap = NULL;
	while (q < r->end && *q != '"' && *q != '\\') {
		unsigned char c = (unsigned char)*q;

		/* Control characters are errors and other bytes need UTF-8 checks: jansson decides those. */
		if (c < 0x20 || c >= 0x80)
			return -1;
		q++;
	}
	if (q >= r->end)
		return -1;
	if (*q == '"') {
		*out = start;
		r->p = q + 1;
		return (long)(q - start);
	}

	/* An escape: unescape into buf or the heap.  The result is never longer than the text. */
	{
		const char *close = q;

		while (close < r->end && *close != '"')
			close += *close == '\\' ? 2 : 1;
		if (close >= r->end)
			return -1;
		cap = (size_t)(close - start);
	}
	if (cap <= FAST_STACK_STRING) {
		dst = buf;
	} else {
		dst = *heap = malloc(cap + 1);
		if (!dst)
			return -1;
	}
	*out = dst;
	memcpy(dst, start, (size_t)(q - start));
	dst += q - start;
	for (;;) {
		unsigned char c = (unsigned char)*q;

		if (c == '"')
			break;
		if (c < 0x20 || c >= 0x80)
			return -1;
		if (c != '\\') {
			*dst++ = (char)c;
			q++;
			continue;
		}
		switch (q[1]) {
		case '"': *dst++ = '"'; break;
		case '\\': *dst++ = '\\'; break;
		case '/': *dst++ = '/'; break;
		case 'b': *dst++ = '\b'; break;
		case 'f': *dst++ = '\f'; break;
		case 'n': *dst++ = '\n'; break;
		case 'r': *dst++ = '\r'; break;
		case 't': *dst++ = '\t'; break;
		default: return -1;   /* \u escapes and invalid ones */
		}
		q += 2;
	}
	r->p = q + 1;
	return (long)(dst - *out);
}

static json_t *read_number(reader *r)
{
	const char *start = r->p, *q = r->p;
	int real = 0;
	size_t digits = 0;

	if (q < r->end && *q == '-')
		q++;
	if (q >= r->end || *q < '0' || *q > '9')
		return NULL;
	/* A leading zero must be the whole integer part. */
	if (*q == '0' && q + 1 < r->end && q[1] >= '0' && q[1] <= '9')
		return NULL;
	while (q < r->end && *q >= '0' && *q <= '9') {
		q++;
		digits++;
	}
	if (q < r->end && *q == '.') {
		real = 1;
		q++;
		if (q >= r->end || *q < '0' || *q > '9')
			return NULL;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		real = 1;
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= r->end || *q < '0' || *q > '9')
			return NULL;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	r->p = q;

	if (!real) {
		json_int_t value = 0;
		const char *d = start + (*start == '-');

		if (digits > FAST_MAX_DIGITS)
			return NULL;
		for (; d < q; d++)
			value = value * 10 + (*d - '0');
		return json_integer(*start == '-' ? -value : value);
	}
	{
		char token[64];
		double value;
		char *stop;

		if ((size_t)(q - start) >= sizeof(token))
			return NULL;
		memcpy(token, start, (size_t)(q - start));
		token[q - start] = '\0';
		errno = 0;
		value = strtod(token, &stop);
		if (errno != 0 || *stop != '\0')
			return NULL;
		return json_real(value);
	}
}

static int literal(reader *r, const char *word, size_t len)
{
	if ((size_t)(r->end - r->p) < len || memcmp(r->p, word, len) != 0)
		return 0;
	r->p += len;
	return 1;
}

static json_t *read_object(reader *r)
{
	json_t *obj = json_object();

	r->p++;
	if (!obj)
		return NULL;
	skip_space(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return obj;
	}
	for (;;) {
		char buf[FAST_STACK_STRING + 1];
		char *heap;
		const char *key;
		long key_len;
		json_t *value;

		skip_space(r);
		if (r->p >= r->end || *r->p != '"')
			goto fail;
		key_len = read_string(r, &key, buf, &heap);
		if (key_len < 0) {
			free(heap);
			goto fail;
		}
		skip_space(r);
		if (r->p >= r->end || *r->p != ':' ||
		    json_object_getn(obj, key, (size_t)key_len) != NULL) {   /* duplicates are jansson's error */
			free(heap);
			goto fail;
		}
		r->p++;
		skip_space(r);
		value = read_value(r);
		if (!value || json_object_setn_new_nocheck(obj, key, (size_t)key_len, value) < 0) {
			free(heap);
			goto fail;
		}
		free(heap);

		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return obj;
		}
		goto fail;
	}

fail:
	json_decref(obj);
	return NULL;
}

static json_t *read_array(reader *r)
{
	json_t *array = json_array();

	r->p++;
	if (!array)
		return NULL;
	skip_space(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return array;
	}
	for (;;) {
		json_t *value;

		skip_space(r);
		value = read_value(r);
		if (!value || json_array_append_new(array, value) < 0)
			goto fail;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return array;
		}
		goto fail;
	}

fail:
	json_decref(array);
	return NULL;
}

static json_t *read_value(reader *r)
{
	json_t *v = NULL;

	if (r->p >= r->end)
		return NULL;
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > FAST_MAX_DEPTH)
			return NULL;
		v = *r->p == '{' ? read_object(r) : read_array(r);
		r->depth--;
		return v;
	case '"': {
		char buf[FAST_STACK_STRING + 1];
		char *heap;
		const char *s;
		long n = read_string(r, &s, buf, &heap);

		if (n >= 0)
			v = json_stringn_nocheck(s, (size_t)n);
		free(heap);
		return v;
	}
	case 't':
		return literal(r, "true", 4) ? json_true() : NULL;
	case 'f':
		return literal(r, "false", 5) ? json_false() : NULL;
	case 'n':
		return literal(r, "null", 4) ? json_null() : NULL;
	default:
		return read_number(r);
	}
}

json_t *json_fast_try(const char *text, size_t len)
{
	reader r = { text, text + len, 0 };
	json_t *v;

	skip_space(&r);
	v = read_value(&r);
	if (!v)
		return NULL;
	skip_space(&r);
	if (r.p != r.end) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *json_fast_loadb(const char *text, size_t len, json_error_t *err)
{
	json_t *v = json_fast_try(text, len);

	if (v)
		return v;
	return json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, err);
}
