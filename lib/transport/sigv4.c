/* AWS Signature Version 4 with OpenSSL's SHA-256 and HMAC. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "transport/buf.h"
#include "transport/sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

typedef struct header_entry {
	char *name;    /* lower case */
	char *value;   /* trimmed, inner spaces collapsed */
	size_t order;  /* position in the request, keeps repeated names in order */
} header_entry;

typedef struct query_pair {
	char *name;    /* encoded */
	char *value;   /* encoded */
} query_pair;

static void to_hex(char *hex, const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * n] = '\0';
}

void sigv4_sha256_hex(char hex[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32) {
		hex[0] = '\0';
		return;
	}
	to_hex(hex, md, 32);
}

static int hmac_sha256(unsigned char out[32], const void *key, size_t key_len, const void *data, size_t len)
{
	size_t out_len = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, data, len, out, 32, &out_len))
		return -1;
	return out_len == 32 ? 0 : -1;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..len) into b; an invalid escape is kept as it is. */
static void uri_decode(buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len) {
			int hi = hex_value((unsigned char)s[i + 1]);
			int lo = hex_value((unsigned char)s[i + 2]);

			if (hi >= 0 && lo >= 0) {
				buf_putc(b, (char)(hi * 16 + lo));
				i += 2;
				continue;
			}
		}
		buf_putc(b, s[i]);
	}
}

char *sigv4_normalize_path(const char *path)
{
	size_t len = strlen(path);
	const char **segments;
	size_t *lengths;
	size_t n = 0;
	buf out = BUF_INIT;

	segments = calloc(len + 1, sizeof(*segments));
	lengths = calloc(len + 1, sizeof(*lengths));
	if (!segments || !lengths) {
		free(segments);
		free(lengths);
		return NULL;
	}

	/* Walk the segments: skip empty and ".", let ".." remove the previous one. */
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t seg_len = (size_t)(p - start);

		if (seg_len == 1 && start[0] == '.')
			continue;
		if (seg_len == 2 && start[0] == '.' && start[1] == '.') {
			if (n > 0)
				n--;
			continue;
		}
		segments[n] = start;
		lengths[n] = seg_len;
		n++;
	}

	for (size_t i = 0; i < n; i++) {
		buf_putc(&out, '/');
		buf_append(&out, segments[i], lengths[i]);
	}
	if (n == 0 || (len > 0 && path[len - 1] == '/'))
		buf_putc(&out, '/');

	free(segments);
	free(lengths);
	return buf_detach(&out);
}

static int compare_pairs(const void *a, const void *b)
{
	const query_pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static char *encode_component(const char *s, size_t len, int decode_first)
{
	buf raw = BUF_INIT, enc = BUF_INIT;

	if (decode_first) {
		uri_decode(&raw, s, len);
		buf_uri_encode(&enc, buf_cstr(&raw), raw.len, 0);
	} else {
		buf_uri_encode(&enc, s, len, 0);
	}
	buf_free(&raw);
	return buf_detach(&enc);
}

static void free_pairs(query_pair *pairs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pairs[i].name);
		free(pairs[i].value);
	}
	free(pairs);
}

/*
 * Splits a query string into encoded pairs.  Appends room for `extra` more
 * pairs so the presigner can add its own.
 */
static query_pair *split_query(const char *query, size_t extra, size_t *n_out)
{
	size_t cap = extra + 1;
	size_t n = 0;
	query_pair *pairs;

	for (const char *q = query; q && *q; q++)
		if (*q == '&')
			cap++;
	cap++;
	pairs = calloc(cap, sizeof(*pairs));
	if (!pairs)
		return NULL;

	const char *p = query;
	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t name_len = eq ? (size_t)(eq - p) : len;

			pairs[n].name = encode_component(p, name_len, 1);
			pairs[n].value = eq ? encode_component(eq + 1, len - name_len - 1, 1) : strdup("");
			if (!pairs[n].name || !pairs[n].value) {
				free_pairs(pairs, n + 1);
				return NULL;
			}
			n++;
		}
		p = end ? end + 1 : NULL;
	}
	*n_out = n;
	return pairs;
}

static char *join_pairs(query_pair *pairs, size_t n)
{
	buf out = BUF_INIT;

	qsort(pairs, n, sizeof(*pairs), compare_pairs);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&out, '&');
		buf_puts(&out, pairs[i].name);
		buf_putc(&out, '=');
		buf_puts(&out, pairs[i].value);
	}
	return buf_detach(&out);
}

char *sigv4_canonical_query(const char *query)
{
	size_t n = 0;
	query_pair *pairs = split_query(query, 0, &n);
	char *s;

	if (!pairs)
		return NULL;
	s = join_pairs(pairs, n);
	free_pairs(pairs, n);
	return s;
}

/* Returns a copy of value with leading and trailing blanks removed and inner runs of blanks collapsed. */
static char *trim_value(const char *value)
{
	buf out = BUF_INIT;
	int pending_space = 0;

	for (const char *p = value; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			pending_space = out.len > 0;
			continue;
		}
		if (pending_space)
			buf_putc(&out, ' ');
		pending_space = 0;
		buf_putc(&out, *p);
	}
	return buf_detach(&out);
}

static int compare_headers(const void *a, const void *b)
{
	const header_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void free_headers(header_entry *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

static int has_header(const sigv4_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Builds the canonical headers block and the signed-headers list from the
 * request's headers plus the extra ones.
 */
static int canonical_headers(buf *block, char **signed_out, const sigv4_request *req,
	const sigv4_header *extra, size_t n_extra)
{
	size_t n = req->n_headers + n_extra;
	header_entry *h = calloc(n ? n : 1, sizeof(*h));
	buf names = BUF_INIT;

	if (!h)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const sigv4_header *src = i < req->n_headers ? &req->headers[i] : &extra[i - req->n_headers];

		h[i].name = strdup(src->name);
		h[i].value = trim_value(src->value ? src->value : "");
		h[i].order = i;
		if (!h[i].name || !h[i].value) {
			free_headers(h, n);
			return -1;
		}
		for (char *c = h[i].name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	qsort(h, n, sizeof(*h), compare_headers);

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
			buf_putc(block, ',');
			buf_puts(block, h[i].value);
			continue;
		}
		if (i > 0)
			buf_putc(block, '\n');
		buf_puts(block, h[i].name);
		buf_putc(block, ':');
		buf_puts(block, h[i].value);

		if (names.len)
			buf_putc(&names, ';');
		buf_puts(&names, h[i].name);
	}
	buf_putc(block, '\n');

	free_headers(h, n);
	*signed_out = buf_detach(&names);
	return *signed_out ? 0 : -1;
}

static char *canonical_path(const sigv4_request *req, unsigned int flags)
{
	const char *path = req->path && *req->path ? req->path : "/";
	char *normalized = NULL;
	buf out = BUF_INIT;

	if (flags & SIGV4_NORMALIZE_PATH) {
		normalized = sigv4_normalize_path(path);
		if (!normalized)
			return NULL;
		path = normalized;
	}
	if (flags & SIGV4_ENCODE_PATH)
		buf_uri_encode(&out, path, strlen(path), 1);
	else
		buf_puts(&out, path);
	free(normalized);
	return buf_detach(&out);
}

static void format_dates(sigv4_result *out, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out->amz_date, sizeof(out->amz_date), "%Y%m%dT%H%M%SZ", &tm);
}

/* Derives kSigning and signs string_to_sign into out->signature. */
static int compute_signature(sigv4_result *out, const sigv4_params *p)
{
	unsigned char k[32], sig[32];
	char date[9];
	buf secret = BUF_INIT;
	int rc = -1;

	memcpy(date, out->amz_date, 8);
	date[8] = '\0';
	buf_puts(&secret, "AWS4");
	buf_puts(&secret, p->secret_access_key);
	if (secret.failed)
		goto done;

	if (hmac_sha256(k, secret.data, secret.len, date, 8) < 0 ||
	    hmac_sha256(k, k, 32, p->region, strlen(p->region)) < 0 ||
	    hmac_sha256(k, k, 32, p->service, strlen(p->service)) < 0 ||
	    hmac_sha256(k, k, 32, "aws4_request", 12) < 0 ||
	    hmac_sha256(sig, k, 32, out->string_to_sign, strlen(out->string_to_sign)) < 0)
		goto done;
	to_hex(out->signature, sig, 32);
	rc = 0;

done:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(sig, sizeof(sig));
	buf_free(&secret);
	return rc;
}

/* Builds the canonical request, the string to sign and the signature. */
static int sign_canonical(sigv4_result *out, const sigv4_params *p, const sigv4_request *req,
	const char *path, const char *query, const char *headers_block, const char *payload_hash)
{
	buf creq = BUF_INIT, sts = BUF_INIT;
	char creq_hash[65];

	buf_printf(&creq, "%s\n%s\n%s\n%s\n%s\n%s", req->method, path, query, headers_block,
		out->signed_headers, payload_hash);
	out->canonical_request = buf_detach(&creq);
	if (!out->canonical_request)
		return -1;

	sigv4_sha256_hex(creq_hash, out->canonical_request, strlen(out->canonical_request));
	buf_printf(&sts, "%s\n%s\n%s\n%s", ALGORITHM, out->amz_date, out->credential_scope, creq_hash);
	out->string_to_sign = buf_detach(&sts);
	if (!out->string_to_sign)
		return -1;

	return compute_signature(out, p);
}

static int check_params(const sigv4_request *req, const sigv4_params *p)
{
	if (!req || !req->method || !p || !p->access_key_id || !p->secret_access_key || !p->region || !p->service)
		return -1;
	return 0;
}

static int make_scope(sigv4_result *out, const sigv4_params *p)
{
	buf scope = BUF_INIT;

	format_dates(out, p->time);
	buf_append(&scope, out->amz_date, 8);
	buf_printf(&scope, "/%s/%s/aws4_request", p->region, p->service);
	out->credential_scope = buf_detach(&scope);
	return out->credential_scope ? 0 : -1;
}

int sigv4_sign_headers(sigv4_result *out, const sigv4_request *req, const sigv4_params *p)
{
	sigv4_header extra[3];
	size_t n_extra = 0;
	char payload_hash[65];
	char *path = NULL, *query = NULL;
	buf block = BUF_INIT, auth = BUF_INIT;
	int has_token = p && p->session_token && *p->session_token;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (check_params(req, p) < 0 || make_scope(out, p) < 0)
		goto done;
	sigv4_sha256_hex(payload_hash, req->body ? req->body : "", req->body ? req->body_len : 0);

	/* Headers the signer adds: the date, the session token, the payload hash. */
	if (!has_header(req, "x-amz-date")) {
		out->added[out->n_added++] = (sigv4_header){ "X-Amz-Date", out->amz_date };
		extra[n_extra++] = out->added[out->n_added - 1];
	}
	if (has_token && !has_header(req, "x-amz-security-token")) {
		out->added[out->n_added++] = (sigv4_header){ "X-Amz-Security-Token", p->session_token };
		if (!(p->flags & SIGV4_OMIT_TOKEN))
			extra[n_extra++] = out->added[out->n_added - 1];
	}
	if ((p->flags & SIGV4_SIGN_BODY) && !has_header(req, "x-amz-content-sha256")) {
		char *copy = strdup(payload_hash);

		if (!copy)
			goto done;
		out->added[out->n_added++] = (sigv4_header){ "x-amz-content-sha256", copy };
		extra[n_extra++] = out->added[out->n_added - 1];
	}

	path = canonical_path(req, p->flags);
	query = sigv4_canonical_query(req->query);
	if (!path || !query || canonical_headers(&block, &out->signed_headers, req, extra, n_extra) < 0)
		goto done;
	if (sign_canonical(out, p, req, path, query, buf_cstr(&block), payload_hash) < 0)
		goto done;

	buf_printf(&auth, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", ALGORITHM,
		p->access_key_id, out->credential_scope, out->signed_headers, out->signature);
	out->authorization = buf_detach(&auth);
	rc = out->authorization ? 0 : -1;

done:
	free(path);
	free(query);
	buf_free(&block);
	if (rc < 0)
		sigv4_result_free(out);
	return rc;
}

static int add_pair(query_pair *pairs, size_t *n, const char *name, const char *value)
{
	pairs[*n].name = encode_component(name, strlen(name), 0);
	pairs[*n].value = encode_component(value, strlen(value), 0);
	(*n)++;
	return pairs[*n - 1].name && pairs[*n - 1].value ? 0 : -1;
}

int sigv4_presign(sigv4_result *out, const sigv4_request *req, const sigv4_params *p)
{
	query_pair *pairs = NULL;
	size_t n = 0;
	char payload_hash[65];
	char expires[16];
	char *path = NULL, *query = NULL;
	buf block = BUF_INIT, credential = BUF_INIT, final = BUF_INIT;
	int has_token = p && p->session_token && *p->session_token;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (check_params(req, p) < 0 || make_scope(out, p) < 0)
		goto done;
	sigv4_sha256_hex(payload_hash, req->body ? req->body : "", req->body ? req->body_len : 0);
	snprintf(expires, sizeof(expires), "%u", p->expires);

	path = canonical_path(req, p->flags);
	if (!path || canonical_headers(&block, &out->signed_headers, req, NULL, 0) < 0)
		goto done;

	/* The signing parameters join the request's own in the canonical query. */
	pairs = split_query(req->query, 7, &n);
	if (!pairs)
		goto done;
	buf_printf(&credential, "%s/%s", p->access_key_id, out->credential_scope);
	if (add_pair(pairs, &n, "X-Amz-Algorithm", ALGORITHM) < 0 ||
	    add_pair(pairs, &n, "X-Amz-Credential", buf_cstr(&credential)) < 0 ||
	    add_pair(pairs, &n, "X-Amz-Date", out->amz_date) < 0 ||
	    add_pair(pairs, &n, "X-Amz-Expires", expires) < 0 ||
	    add_pair(pairs, &n, "X-Amz-SignedHeaders", out->signed_headers) < 0)
		goto done;
	if (has_token && !(p->flags & SIGV4_OMIT_TOKEN) &&
	    add_pair(pairs, &n, "X-Amz-Security-Token", p->session_token) < 0)
		goto done;
	query = join_pairs(pairs, n);
	if (!query || sign_canonical(out, p, req, path, query, buf_cstr(&block), payload_hash) < 0)
		goto done;

	/* The query to send: the canonical one, the unsigned token if any, then the signature. */
	buf_puts(&final, query);
	if (has_token && (p->flags & SIGV4_OMIT_TOKEN)) {
		buf_puts(&final, "&X-Amz-Security-Token=");
		buf_uri_encode(&final, p->session_token, strlen(p->session_token), 0);
	}
	buf_printf(&final, "&X-Amz-Signature=%s", out->signature);
	out->query = buf_detach(&final);
	rc = out->query ? 0 : -1;

done:
	if (pairs)
		free_pairs(pairs, n);
	free(path);
	free(query);
	buf_free(&block);
	buf_free(&credential);
	if (rc < 0)
		sigv4_result_free(out);
	return rc;
}

void sigv4_result_free(sigv4_result *r)
{
	if (!r)
		return;
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->signed_headers);
	free(r->credential_scope);
	free(r->authorization);
	free(r->query);
	for (size_t i = 0; i < r->n_added; i++)
		if (strcmp(r->added[i].name, "x-amz-content-sha256") == 0)
			free((char *)r->added[i].value);
	OPENSSL_cleanse(r->signature, sizeof(r->signature));
	memset(r, 0, sizeof(*r));
}
