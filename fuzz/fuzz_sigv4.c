/*
 * SigV4 canonicalisation: the bytes are an HTTP request in the format of
 * the AWS SigV4 test suite's .req files (request line, header lines with
 * indented continuation lines, a blank line, the body).  The request is
 * signed with headers and presigned, and its path and query go through the
 * canonicalisation helpers on their own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEADERS 64

/* Returns a new NUL-terminated copy of n bytes. */
static char *copy(const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (!c)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

static void check_result(int rc, sigv4_result *r, int presigned)
{
	if (rc == 0) {
		if (strlen(r->signature) != 64 || !r->canonical_request || !r->string_to_sign)
			abort();
		if (presigned ? !r->query : !r->authorization)
			abort();
	}
	sigv4_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *eol = memchr(p, '\n', size);
	char *line, *method, *target, *path, *query = NULL, *space;
	char *names[MAX_HEADERS], *values[MAX_HEADERS];
	sigv4_header headers[MAX_HEADERS];
	size_t n_headers = 0;
	sigv4_request req;
	sigv4_params params;
	sigv4_result result;
	char *normal, *canonical;

	line = copy(p, eol ? (size_t)(eol - p) : size);
	p = eol ? eol + 1 : end;

	/* Request line: METHOD TARGET [VERSION]. */
	method = line;
	space = strchr(line, ' ');
	target = space ? space + 1 : line + strlen(line);
	if (space)
		*space = '\0';
	space = strrchr(target, ' ');
	if (space && strncmp(space, " HTTP/", 6) == 0)
		*space = '\0';
	path = target;
	if ((query = strchr(target, '?')))
		*query++ = '\0';

	/* Header lines up to a blank line; an indented line continues the previous value. */
	while (p < end && n_headers < MAX_HEADERS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *h = copy(p, n), *colon;

		p = nl ? nl + 1 : end;
		if (n == 0 || (n == 1 && h[0] == '\r')) {
			free(h);
			break;
		}
		if ((h[0] == ' ' || h[0] == '\t') && n_headers > 0) {
			char *joined = malloc(strlen(values[n_headers - 1]) + n + 2);

			if (!joined)
				abort();
			strcpy(joined, values[n_headers - 1]);
			strcat(joined, "\n");
			strcat(joined, h);
			free(values[n_headers - 1]);
			values[n_headers - 1] = joined;
			headers[n_headers - 1].value = joined;
			free(h);
			continue;
		}
		colon = strchr(h, ':');
		names[n_headers] = h;
		values[n_headers] = copy(colon ? colon + 1 : "", colon ? strlen(colon + 1) : 0);
		if (colon)
			*colon = '\0';
		headers[n_headers].name = names[n_headers];
		headers[n_headers].value = values[n_headers];
		n_headers++;
	}

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.query = query;
	req.headers = headers;
	req.n_headers = n_headers;
	req.body = p;
	req.body_len = (size_t)(end - p);

	memset(&params, 0, sizeof(params));
	params.access_key_id = "AKIDEXAMPLE";
	params.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	params.session_token = size & 1 ? "token/with+special=chars" : NULL;
	params.region = "us-east-1";
	params.service = "service";
	params.time = 1440938160; /* 2015-08-30T12:36:00Z, the suite's time */
	params.flags = (unsigned int)(size >> 1) & 0xfu;
	params.expires = 3600;

	memset(&result, 0, sizeof(result));
	check_result(sigv4_sign_headers(&result, &req, &params), &result, 0);
	memset(&result, 0, sizeof(result));
	check_result(sigv4_presign(&result, &req, &params), &result, 1);

	normal = sigv4_normalize_path(path);
	free(normal);
	canonical = sigv4_canonical_query(query ? query : "");
	free(canonical);

	for (size_t i = 0; i < n_headers; i++) {
		free(names[i]);
		free(values[i]);
	}
	free(line);
	return 0;
}
