/*
 * AWS Signature Version 4: canonical request, string to sign, signature,
 * for header signing and for presigned query strings.
 */
#ifndef TRANSPORT_SIGV4_H
#define TRANSPORT_SIGV4_H

#include <stddef.h>
#include <time.h>

/* Flags for sigv4_params.flags. */
#define SIGV4_NORMALIZE_PATH 0x1u  /* remove "." and ".." segments and empty segments (all services but S3) */
#define SIGV4_ENCODE_PATH 0x2u     /* URI-encode the path once more (all services but S3) */
#define SIGV4_SIGN_BODY 0x4u       /* add and sign x-amz-content-sha256 (header signing only) */
#define SIGV4_OMIT_TOKEN 0x8u      /* send the session token without signing it */

typedef struct sigv4_header {
	const char *name;
	const char *value;
} sigv4_header;

/* The request to sign.  Strings are borrowed. */
typedef struct sigv4_request {
	const char *method;
	const char *path;          /* path as sent; raw bytes are encoded by SIGV4_ENCODE_PATH */
	const char *query;         /* text after '?', or NULL */
	const sigv4_header *headers;
	size_t n_headers;          /* repeated names are joined with ',' in this order */
	const void *body;
	size_t body_len;
} sigv4_request;

/* Who signs, for what, and when.  Strings are borrowed. */
typedef struct sigv4_params {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL or "": no token */
	const char *region;
	const char *service;
	time_t time;               /* signing time, seconds since the epoch (UTC) */
	unsigned int flags;
	unsigned int expires;      /* X-Amz-Expires of a presigned query */
} sigv4_params;

/* What signing produced; every string is owned and freed by sigv4_result_free. */
typedef struct sigv4_result {
	char *canonical_request;
	char *string_to_sign;
	char *signed_headers;      /* "host;x-amz-date" */
	char *credential_scope;    /* "20150830/us-east-1/service/aws4_request" */
	char amz_date[17];         /* "20150830T123600Z" */
	char signature[65];        /* lower-case hex */
	char *authorization;       /* header signing: the Authorization value */
	char *query;               /* presigning: the query string to send, signature included */
	/* Header signing: headers the signer added (X-Amz-Date, X-Amz-Security-Token, ...) */
	sigv4_header added[4];
	size_t n_added;
} sigv4_result;

/*
 * Signs req with an Authorization header.  X-Amz-Date is added unless req
 * has it, X-Amz-Security-Token is added when the token is non-empty and req
 * lacks it.  Returns 0, or -1 when memory ran out or an input is missing.
 */
int sigv4_sign_headers(sigv4_result *out, const sigv4_request *req, const sigv4_params *p);

/* Builds a presigned query string for req (X-Amz-Algorithm ... X-Amz-Signature).  Returns 0 or -1. */
int sigv4_presign(sigv4_result *out, const sigv4_request *req, const sigv4_params *p);

/* Frees the strings of a result and wipes the signature. */
void sigv4_result_free(sigv4_result *r);

/* Writes the lower-case hex SHA-256 of data into hex (65 bytes). */
void sigv4_sha256_hex(char hex[65], const void *data, size_t len);

/* Returns a new string: path normalised as SigV4 requires (dot segments and empty segments removed). */
char *sigv4_normalize_path(const char *path);

/* Returns a new canonical query string: pairs decoded, re-encoded, sorted by name then value. */
char *sigv4_canonical_query(const char *query);

#endif
