/* One HTTP POST with libcurl: timeouts, TLS verification, response headers AWS uses. */
#ifndef TRANSPORT_HTTP_H
#define TRANSPORT_HTTP_H

#include <stddef.h>

#include <curl/curl.h>

#include "transport/buf.h"

/* Largest response body accepted: 16 MiB, far above any Query API page. */
#define HTTP_MAX_BODY (16u * 1024u * 1024u)

typedef struct http_request {
	const char *url;
	struct curl_slist *headers;   /* "Name: value" lines, Host included */
	const char *body;
	size_t body_len;
	const char *ca_bundle;        /* NULL: libcurl's default store */
	long connect_timeout_ms;
	long timeout_ms;              /* whole attempt */
} http_request;

typedef struct http_response {
	CURLcode curl_code;           /* CURLE_OK when a response arrived */
	char curl_error[CURL_ERROR_SIZE];
	long status;                  /* 0 when no response arrived */
	buf body;
	char date[64];                /* Date header, or "" */
	char request_id[128];         /* x-amzn-RequestId or x-amz-request-id header, or "" */
	int too_large;                /* the body passed HTTP_MAX_BODY */
} http_response;

/* Initialises libcurl once per process; safe to call from any thread. */
void http_global_init(void);

/* Sends req on the easy handle curl (reset first).  Returns 0 when a response arrived, else -1 with resp->curl_code set. */
int http_post(CURL *curl, const http_request *req, http_response *resp);

/**
 * Resets curl to the options every request of the library shares: http
 * and https only, no redirects followed, TLS peer and host verified (with
 * ca_bundle when not NULL), the two timeouts, and the user agent.
 */
void http_reset_secure(CURL *curl, const char *ca_bundle, long connect_timeout_ms, long timeout_ms);

/* Frees the body of a response and clears it. */
void http_response_free(http_response *resp);

#endif
