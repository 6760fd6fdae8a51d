/* HTTP POST with libcurl. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "transport/http.h"
#include "peerguard/peerguard.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_init(void)
{
	pthread_once(&init_once, global_init);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	http_response *resp = userdata;
	size_t n = size * nmemb;

	if (resp->body.len + n > HTTP_MAX_BODY) {
		resp->too_large = 1;
		return 0;
	}
	buf_append(&resp->body, data, n);
	return resp->body.failed ? 0 : n;
}

/* Copies the value of a "Name: value" header line into dst when the name matches. */
static void take_header(const char *line, size_t len, const char *name, char *dst, size_t dstlen)
{
	size_t n = strlen(name);

	if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return;
	const char *v = line + n + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	snprintf(dst, dstlen, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	http_response *resp = userdata;
	size_t n = size * nmemb;

	/* A new status line (after a 100 Continue) starts a new set of headers. */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		resp->date[0] = '\0';
		resp->request_id[0] = '\0';
	}
	take_header(data, n, "Date", resp->date, sizeof(resp->date));
	take_header(data, n, "x-amzn-RequestId", resp->request_id, sizeof(resp->request_id));
	take_header(data, n, "x-amz-request-id", resp->request_id, sizeof(resp->request_id));
	return n;
}

void http_reset_secure(CURL *curl, const char *ca_bundle, long connect_timeout_ms, long timeout_ms)
{
	curl_easy_reset(curl);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_bundle)
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "libpeerguard/" PEERGUARD_VERSION);
}

int http_post(CURL *curl, const http_request *req, http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	http_reset_secure(curl, req->ca_bundle, req->connect_timeout_ms, req->timeout_ms);

	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, resp->curl_error);

	resp->curl_code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->curl_code != CURLE_OK) {
		if (!resp->curl_error[0])
			snprintf(resp->curl_error, sizeof(resp->curl_error), "%s", curl_easy_strerror(resp->curl_code));
		return -1;
	}
	return 0;
}

void http_response_free(http_response *resp)
{
	buf_free(&resp->body);
}
