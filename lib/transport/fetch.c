/*
 * The fetcher of remote value_from URLs: http and https GETs with libcurl,
 * and s3:// GetObject signed with SigV4.  It is the transport side of the
 * core's peerguard_fetch_fn, which keeps the core free of network I/O.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "core/internal.h"
#include "core/value_remote.h"
#include "transport/buf.h"
#include "transport/client.h"
#include "transport/http.h"
#include "transport/redact.h"
#include "transport/response.h"
#include "transport/sigv4.h"
#include "transport/xml.h"

#define DEFAULT_FETCH_CONNECT_TIMEOUT_MS 5000u
#define DEFAULT_FETCH_TIMEOUT_MS 30000u
#define DEFAULT_FETCH_MAX_REDIRECTS 5u

struct peerguard_fetcher {
	peerguard_client *client;          /* borrowed, or created (owned_client) */
	int owned_client;
	const peerguard_client_options *client_options;
	char *ca_bundle;
	unsigned int connect_timeout_ms;
	unsigned int timeout_ms;
	unsigned int max_redirects;
	size_t max_bytes;
	peerguard_log_fn log;
	void *log_userdata;
	pthread_mutex_t lock;              /* guards client creation */
};

/* One fetch: where it goes, its limits and its outcome message. */
typedef struct fetch_call {
	peerguard_fetcher *f;
	const char *shown;                 /* URL without secrets, for messages */
	size_t max_bytes;
	char *errbuf;
	size_t errbuf_size;
	redactor secrets;
} fetch_call;

/* The body of one response, bounded by max_bytes. */
typedef struct body_sink {
	buf body;
	size_t max_bytes;
	int too_large;
} body_sink;

int peerguard_fetcher_new(peerguard_fetcher **out, const peerguard_fetcher_options *opts, peerguard_error *err)
{
	peerguard_fetcher_options defaults = PEERGUARD_FETCHER_OPTIONS_INIT;
	peerguard_fetcher *f;
	const char *ca;

	if (!out) {
		if (err) {
			err->code = PEERGUARD_EINVAL;
			snprintf(err->message, sizeof(err->message), "out must not be NULL");
		}
		return PEERGUARD_EINVAL;
	}
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != PEERGUARD_FETCHER_OPTIONS_VERSION) {
		if (err) {
			peerguard_error_clear(err);
			err->code = PEERGUARD_EINVAL;
			snprintf(err->message, sizeof(err->message),
				"peerguard_fetcher_options.version is %u, expected %u; initialise it with PEERGUARD_FETCHER_OPTIONS_INIT",
				opts->version, PEERGUARD_FETCHER_OPTIONS_VERSION);
		}
		return PEERGUARD_EINVAL;
	}

	f = calloc(1, sizeof(*f));
	ca = opts->ca_bundle ? opts->ca_bundle : getenv("AWS_CA_BUNDLE");
	if (!f || (ca && *ca && !(f->ca_bundle = strdup(ca))) || pthread_mutex_init(&f->lock, NULL) != 0) {
		if (f)
			free(f->ca_bundle);
		free(f);
		if (err) {
			err->code = PEERGUARD_ENOMEM;
			snprintf(err->message, sizeof(err->message), "out of memory");
		}
		return PEERGUARD_ENOMEM;
	}
	f->client = opts->client;
	f->client_options = opts->client_options;
	f->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms : DEFAULT_FETCH_CONNECT_TIMEOUT_MS;
	f->timeout_ms = opts->timeout_ms ? opts->timeout_ms : DEFAULT_FETCH_TIMEOUT_MS;
	f->max_redirects = opts->max_redirects ? opts->max_redirects : DEFAULT_FETCH_MAX_REDIRECTS;
	f->max_bytes = opts->max_bytes;
	f->log = opts->log;
	f->log_userdata = opts->log_userdata;
	http_global_init();
	*out = f;
	return 0;
}

void peerguard_fetcher_free(peerguard_fetcher *f)
{
	if (!f)
		return;
	if (f->owned_client)
		peerguard_client_free(f->client);
	pthread_mutex_destroy(&f->lock);
	free(f->ca_bundle);
	free(f);
}

/* Writes the failure message into the call's errbuf, secrets removed, and returns code. */
static int fetch_fail(fetch_call *fc, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fetch_fail(fetch_call *fc, int code, const char *fmt, ...)
{
	va_list ap;

	if (fc->errbuf && fc->errbuf_size) {
		va_start(ap, fmt);
		vsnprintf(fc->errbuf, fc->errbuf_size, fmt, ap);
		va_end(ap);
		redact_in_place(&fc->secrets, fc->errbuf, fc->errbuf_size);
	}
	return code;
}

static void fetch_log(const peerguard_fetcher *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fetch_log(const peerguard_fetcher *f, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	if (!f->log)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	f->log(PEERGUARD_LOG_DEBUG, message, f->log_userdata);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	body_sink *sink = userdata;
	size_t n = size * nmemb;

	if (sink->body.len + n > sink->max_bytes) {
		sink->too_large = 1;
		return 0;
	}
	buf_append(&sink->body, data, n);
	return sink->body.failed ? 0 : n;
}

/* Maps a failed transfer to a code and message. */
static int transfer_error(fetch_call *fc, CURLcode code, const char *curl_error, const body_sink *sink)
{
	const char *detail = curl_error[0] ? curl_error : curl_easy_strerror(code);

	if (sink->too_large || code == CURLE_FILESIZE_EXCEEDED)
		return fetch_fail(fc, PEERGUARD_ELIMIT, "%s is larger than %zu bytes; raise the fetch limit "
			"(--fetch-max-bytes, peerguard_fetcher_options.max_bytes) and max_input_bytes, or shrink the file",
			fc->shown, fc->max_bytes);
	switch (code) {
	case CURLE_OPERATION_TIMEDOUT:
		return fetch_fail(fc, PEERGUARD_ETIMEOUT, "%s timed out after %u ms: %s", fc->shown, fc->f->timeout_ms,
			detail);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return fetch_fail(fc, PEERGUARD_ETLS,
			"TLS with %s failed: %s; for a private CA pass its certificate with --ca-bundle or AWS_CA_BUNDLE",
			fc->shown, detail);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return fetch_fail(fc, PEERGUARD_EINVAL, "%s: %s; value_from URLs and their redirects must be http or https",
			fc->shown, detail);
	case CURLE_WEIRD_SERVER_REPLY:
		return fetch_fail(fc, PEERGUARD_ETRANSPORT, "%s did not answer with HTTP: %s; check the URL's host and port",
			fc->shown, detail);
	default:
		return fetch_fail(fc, PEERGUARD_ETRANSPORT, "fetching %s failed: %s", fc->shown, detail);
	}
}

/*
 * Decompresses a body that starts with the gzip magic (a .gz object), within
 * the same size limit as the transfer, so a small compressed object cannot
 * grow past it.  Returns 0 or a negative code.
 */
static int gunzip_body(buf *body, fetch_call *fc)
{
	peerguard_error err;
	char *plain = NULL;
	size_t plain_len = 0;

	if (gunzip_if_needed(&plain, &plain_len, body->data, body->len, fc->max_bytes, fc->shown, &err) < 0) {
		if (err.code == PEERGUARD_ELIMIT)
			return fetch_fail(fc, err.code, "%s decompresses to more than %zu bytes; raise the fetch limit "
				"(--fetch-max-bytes, peerguard_fetcher_options.max_bytes) and max_input_bytes, or shrink the file",
				fc->shown, fc->max_bytes);
		return fetch_fail(fc, err.code, "%s", err.message);
	}
	if (!plain)
		return 0;
	buf_free(body);
	body->data = plain;
	body->len = plain_len;
	body->cap = plain_len;
	return 0;
}

/* Sets the options every request of a fetch shares on a reset handle. */
static void setup_handle(CURL *curl, const fetch_call *fc, body_sink *sink, char *curl_error, long timeout_ms)
{
	http_reset_secure(curl, fc->f->ca_bundle,
		(long)(fc->f->connect_timeout_ms < timeout_ms ? fc->f->connect_timeout_ms : timeout_ms), timeout_ms);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)fc->max_bytes);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	curl_error[0] = '\0';
}

static double monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Returns a new string with the host (and port) of url, or NULL. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		size_t len = strlen(host) + (port ? strlen(port) : 0) + 2;

		out = malloc(len);
		if (out)
			snprintf(out, len, "%s%s%s", host, port ? ":" : "", port ? port : "");
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/*
 * GETs an http or https URL, following redirects by hand so that each one
 * is checked: only http and https, never https to http, and the policy's
 * headers are dropped once a redirect leaves the first host.
 */
static int http_fetch(buf *out, fetch_call *fc, CURL *curl, const char *url, const char *const *headers)
{
	char curl_error[CURL_ERROR_SIZE];
	char *current = strdup(url), *first_host = url_host(url);
	double start = monotonic_ms();
	int send_headers = 1, rc = 0;

	if (!current || !first_host) {
		rc = fetch_fail(fc, current ? PEERGUARD_EINVAL : PEERGUARD_ENOMEM, "%s is not a valid URL", fc->shown);
		goto done;
	}
	for (unsigned int hop = 0;; hop++) {
		body_sink sink = { BUF_INIT, fc->max_bytes, 0 };
		struct curl_slist *list = NULL;
		long status = 0, timeout = (long)((double)fc->f->timeout_ms - (monotonic_ms() - start));
		char *location = NULL;
		CURLcode code;

		if (timeout <= 0) {
			rc = fetch_fail(fc, PEERGUARD_ETIMEOUT, "%s timed out after %u ms while following redirects",
				fc->shown, fc->f->timeout_ms);
			break;
		}
		setup_handle(curl, fc, &sink, curl_error, timeout);
		curl_easy_setopt(curl, CURLOPT_URL, current);
		curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
		for (const char *const *h = headers; send_headers && h && *h; h++)
			list = curl_slist_append(list, *h);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

		code = curl_easy_perform(curl);
		curl_slist_free_all(list);
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (code != CURLE_OK) {
			rc = transfer_error(fc, code, curl_error, &sink);
			buf_free(&sink.body);
			break;
		}
		if (status >= 300 && status < 400) {
			char *next_host;

			buf_free(&sink.body);
			curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
			if (!location) {
				rc = fetch_fail(fc, PEERGUARD_EIO, "%s answered HTTP %ld without a Location", fc->shown, status);
				break;
			}
			if (hop >= fc->f->max_redirects) {
				rc = fetch_fail(fc, PEERGUARD_EIO, "%s redirected more than %u times", fc->shown,
					fc->f->max_redirects);
				break;
			}
			if (strncasecmp(location, "http://", 7) != 0 && strncasecmp(location, "https://", 8) != 0) {
				rc = fetch_fail(fc, PEERGUARD_EIO, "%s redirected to a URL that is not http or https; refused",
					fc->shown);
				break;
			}
			if (strncasecmp(current, "https://", 8) == 0 && strncasecmp(location, "http://", 7) == 0) {
				rc = fetch_fail(fc, PEERGUARD_EIO, "%s redirected from https to http; refused", fc->shown);
				break;
			}
			next_host = url_host(location);
			if (!next_host || strcasecmp(next_host, first_host) != 0)
				send_headers = 0;
			free(next_host);
			free(current);
			current = strdup(location);
			if (!current) {
				rc = fetch_fail(fc, PEERGUARD_ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		if (status >= 400 || status < 200) {
			buf_free(&sink.body);
			rc = fetch_fail(fc, PEERGUARD_EIO, "%s answered HTTP %ld; check the URL and the headers", fc->shown,
				status);
			break;
		}
		*out = sink.body;
		break;
	}

done:
	free(current);
	free(first_host);
	return rc;
}

/* Returns the client for s3:// URLs, creating it from the options at first use. */
static int s3_client(peerguard_client **out, fetch_call *fc)
{
	peerguard_fetcher *f = fc->f;
	peerguard_aws_error aerr;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	if (!f->client) {
		peerguard_aws_error_clear(&aerr);
		rc = peerguard_client_new(&f->client, f->client_options, &aerr);
		if (rc < 0)
			fetch_fail(fc, rc, "%s needs AWS credentials: %s", fc->shown, aerr.error.message);
		else
			f->owned_client = 1;
	}
	*out = f->client;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* Returns the S3 endpoint configured for c (AWS_ENDPOINT_URL_S3, then the client's), or NULL. */
static const char *s3_configured_endpoint(const peerguard_client *c)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	const char *env = getenv("AWS_ENDPOINT_URL_S3");

	if (!(ignore && strcasecmp(ignore, "true") == 0) && env && *env)
		return env;
	return c->endpoint_default;
}

/* The parts of an s3:// URL and the request built from them. */
typedef struct s3_request {
	char *bucket;
	char *key;
	char *version_id;
	char *region;
	buf url;           /* full request URL */
	buf host;          /* Host header */
	buf path;          /* encoded path, as signed */
	buf query;         /* encoded query, as signed, or empty */
} s3_request;

static void s3_request_free(s3_request *r)
{
	free(r->bucket);
	free(r->key);
	free(r->version_id);
	free(r->region);
	buf_free(&r->url);
	buf_free(&r->host);
	buf_free(&r->path);
	buf_free(&r->query);
}

/* Returns a new string: text[0..len) with %XX escapes and '+' decoded, as c7n's parse_qsl does. */
static char *query_decode(const char *text, size_t len)
{
	char *out = malloc(len + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned int byte;

		if (text[i] == '%' && i + 2 < len && sscanf(text + i + 1, "%2x", &byte) == 1) {
			*p++ = (char)byte;
			i += 2;
		} else {
			*p++ = text[i] == '+' ? ' ' : text[i];
		}
	}
	*p = '\0';
	return out;
}

/* Splits s3://BUCKET/KEY?versionId=V&region=R into r.  Returns 0 or a code with the message written. */
static int s3_parse(s3_request *r, fetch_call *fc, const char *url)
{
	const char *bucket = url + 5, *slash = strchr(bucket, '/'), *q;

	if (!slash || slash == bucket || !slash[1] || slash[1] == '?')
		return fetch_fail(fc, PEERGUARD_EINVAL, "%s: write s3://BUCKET/KEY", fc->shown);
	q = strchr(slash, '?');
	r->bucket = strndup(bucket, (size_t)(slash - bucket));
	r->key = strndup(slash + 1, q ? (size_t)(q - slash - 1) : strlen(slash + 1));
	if (!r->bucket || !r->key)
		return fetch_fail(fc, PEERGUARD_ENOMEM, "out of memory");

	while (q && *q) {
		const char *pair = q + 1, *end = pair + strcspn(pair, "&"), *eq = memchr(pair, '=', (size_t)(end - pair));
		char *name = eq ? query_decode(pair, (size_t)(eq - pair)) : NULL;
		char *value = eq ? query_decode(eq + 1, (size_t)(end - eq - 1)) : NULL;

		q = *end ? end : NULL;
		if (!eq || !name || !value) {
			free(name);
			free(value);
			if (end == pair)
				continue;
			return fetch_fail(fc, PEERGUARD_EINVAL, "%s: the query must be NAME=VALUE pairs", fc->shown);
		}
		if (strcmp(name, "region") == 0) {
			free(r->region);
			r->region = value;
		} else if (strcmp(name, "VersionId") == 0 || strcmp(name, "versionId") == 0) {
			free(r->version_id);
			r->version_id = value;
		} else {
			int rc = fetch_fail(fc, PEERGUARD_EINVAL,
				"%s: unsupported query parameter '%s'; s3 URLs take versionId and region", fc->shown, name);

			free(name);
			free(value);
			return rc;
		}
		free(name);
	}
	return 0;
}

/* Builds the request URL, Host header, path and query of r for client c. */
static void s3_address(s3_request *r, const peerguard_client *c)
{
	const char *endpoint = s3_configured_endpoint(c);
	const char *region = r->region ? r->region : c->region;
	const char *suffix;
	char *host = NULL;

	if (!region)
		region = "us-east-1";
	suffix = strncmp(region, "cn-", 3) == 0 ? ".cn" : "";

	if (r->version_id) {
		buf_puts(&r->query, "versionId=");
		buf_uri_encode(&r->query, r->version_id, strlen(r->version_id), 0);
	}
	if (endpoint) {
		/* Path-style under the configured endpoint, such as moto's http://127.0.0.1:5000. */
		size_t n = strlen(endpoint);

		while (n && endpoint[n - 1] == '/')
			n--;
		host = url_host(endpoint);
		buf_putc(&r->path, '/');
		buf_uri_encode(&r->path, r->bucket, strlen(r->bucket), 0);
		buf_putc(&r->path, '/');
		buf_uri_encode(&r->path, r->key, strlen(r->key), 1);
		buf_printf(&r->url, "%.*s%s", (int)n, endpoint, buf_cstr(&r->path));
		buf_puts(&r->host, host ? host : "");
		free(host);
	} else if (strchr(r->bucket, '.')) {
		/* A dotted bucket name does not match the wildcard certificate: path-style. */
		buf_printf(&r->host, "s3.%s.amazonaws.com%s", region, suffix);
		buf_putc(&r->path, '/');
		buf_uri_encode(&r->path, r->bucket, strlen(r->bucket), 0);
		buf_putc(&r->path, '/');
		buf_uri_encode(&r->path, r->key, strlen(r->key), 1);
		buf_printf(&r->url, "https://%s%s", buf_cstr(&r->host), buf_cstr(&r->path));
	} else {
		buf_printf(&r->host, "%s.s3.%s.amazonaws.com%s", r->bucket, region, suffix);
		buf_putc(&r->path, '/');
		buf_uri_encode(&r->path, r->key, strlen(r->key), 1);
		buf_printf(&r->url, "https://%s%s", buf_cstr(&r->host), buf_cstr(&r->path));
	}
	if (r->query.len)
		buf_printf(&r->url, "?%s", buf_cstr(&r->query));

	/* A region from the URL's query is r->region already and stays. */
	if (region != r->region) {
		free(r->region);
		r->region = strdup(region);
	}
}

/* Returns a message for an S3 error response: its Code and Message, or the status alone. */
static int s3_error(fetch_call *fc, long status, const buf *body)
{
	xml_node *root = NULL;
	char errbuf[128], *code = NULL, *message = NULL;
	int rc = status == 403 ? PEERGUARD_EDENIED : PEERGUARD_EIO;

	if (body->len && xml_parse(&root, body->data, body->len, errbuf, sizeof(errbuf)) == 0 && root) {
		code = xml_text(xml_child(root, "Code"));
		message = xml_text(xml_child(root, "Message"));
	}
	if (code && strcmp(code, "AccessDenied") == 0)
		rc = PEERGUARD_EDENIED;
	fetch_fail(fc, rc, "s3 GetObject %s failed: HTTP %ld%s%s%s%s%s", fc->shown, status,
		code && *code ? " " : "", code ? code : "", message && *message ? ": " : "", message ? message : "",
		rc == PEERGUARD_EDENIED ? "; allow s3:GetObject on the object to the credentials in use" : "");
	free(code);
	free(message);
	xml_free(root);
	return rc;
}

/* GETs an s3:// URL with a SigV4-signed request. */
static int s3_fetch(buf *out, fetch_call *fc, CURL *curl, const char *url)
{
	s3_request r = { NULL, NULL, NULL, NULL, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	peerguard_client *c = NULL;
	peerguard_aws_error aerr;
	cred_snapshot creds = { 0 };
	sigv4_result sig;
	body_sink sink = { BUF_INIT, fc->max_bytes, 0 };
	char curl_error[CURL_ERROR_SIZE];
	struct curl_slist *list = NULL;
	buf line = BUF_INIT;
	long status = 0;
	CURLcode code;
	int rc;

	memset(&sig, 0, sizeof(sig));
	if ((rc = s3_parse(&r, fc, url)) < 0 || (rc = s3_client(&c, fc)) < 0)
		goto done;
	s3_address(&r, c);
	if (r.url.failed || r.host.failed || r.path.failed || r.query.failed || !r.region) {
		rc = fetch_fail(fc, PEERGUARD_ENOMEM, "out of memory");
		goto done;
	}

	peerguard_aws_error_clear(&aerr);
	rc = cred_source_get(c->creds, c, client_now(c), &creds, &aerr);
	if (rc < 0) {
		fetch_fail(fc, rc, "%s needs AWS credentials: %s", fc->shown, aerr.error.message);
		goto done;
	}
	redactor_add(&fc->secrets, creds.secret_access_key);
	redactor_add(&fc->secrets, creds.session_token);

	sigv4_header headers[1] = { { "Host", buf_cstr(&r.host) } };
	sigv4_request req = { "GET", buf_cstr(&r.path), r.query.len ? buf_cstr(&r.query) : NULL, headers, 1, "", 0 };
	sigv4_params p = { creds.access_key_id, creds.secret_access_key, creds.session_token, r.region, "s3",
		(time_t)client_now(c), SIGV4_SIGN_BODY, 0 };

	if (sigv4_sign_headers(&sig, &req, &p) < 0) {
		rc = fetch_fail(fc, PEERGUARD_ENOMEM, "signing the request for %s failed", fc->shown);
		goto done;
	}
	redactor_add(&fc->secrets, sig.signature);
	buf_printf(&line, "Host: %s", buf_cstr(&r.host));
	list = curl_slist_append(list, buf_cstr(&line));
	buf_free(&line);
	for (size_t i = 0; i < sig.n_added; i++) {
		buf_printf(&line, "%s: %s", sig.added[i].name, sig.added[i].value);
		list = curl_slist_append(list, buf_cstr(&line));
		buf_free(&line);
	}
	buf_printf(&line, "Authorization: %s", sig.authorization);
	list = curl_slist_append(list, buf_cstr(&line));
	buf_free(&line);

	setup_handle(curl, fc, &sink, curl_error, (long)fc->f->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_URL, buf_cstr(&r.url));
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (code != CURLE_OK) {
		rc = transfer_error(fc, code, curl_error, &sink);
		goto done;
	}
	if (status != 200) {
		rc = s3_error(fc, status, &sink.body);
		goto done;
	}
	*out = sink.body;
	sink.body = (buf)BUF_INIT;
	rc = 0;

done:
	buf_free(&sink.body);
	curl_slist_free_all(list);
	sigv4_result_free(&sig);
	cred_snapshot_clear(&creds);
	s3_request_free(&r);
	return rc;
}

int peerguard_fetcher_fetch(char **body, size_t *len, const char *url, const char *const *headers,
	size_t max_bytes, char *errbuf, size_t errbuf_size, void *fetcher)
{
	char shown[PEERGUARD_ERROR_FILE_MAX];
	fetch_call fc;
	buf out = BUF_INIT;
	CURL *curl;
	int rc;

	if (body)
		*body = NULL;
	if (len)
		*len = 0;
	if (errbuf && errbuf_size)
		errbuf[0] = '\0';
	memset(&fc, 0, sizeof(fc));
	fc.f = fetcher;
	fc.errbuf = errbuf;
	fc.errbuf_size = errbuf_size;
	fc.shown = shown;
	redactor_init(&fc.secrets);
	if (!body || !len || !url || !fetcher) {
		shown[0] = '\0';
		return fetch_fail(&fc, PEERGUARD_EINVAL, "body, len, url and fetcher must not be NULL");
	}
	url_redact(shown, sizeof(shown), url);
	fc.max_bytes = fc.f->max_bytes && fc.f->max_bytes < max_bytes ? fc.f->max_bytes : max_bytes;
	if (fc.max_bytes == 0)
		fc.max_bytes = HTTP_MAX_BODY;

	curl = curl_easy_init();
	if (!curl)
		return fetch_fail(&fc, PEERGUARD_ENOMEM, "out of memory");
	if (strncasecmp(url, "s3://", 5) == 0)
		rc = s3_fetch(&out, &fc, curl, url);
	else if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)
		rc = http_fetch(&out, &fc, curl, url, headers);
	else
		rc = fetch_fail(&fc, PEERGUARD_EINVAL, "%s is not an http, https or s3 URL", shown);
	curl_easy_cleanup(curl);

	if (rc == 0 && out.failed)
		rc = fetch_fail(&fc, PEERGUARD_ENOMEM, "out of memory reading %s", shown);
	if (rc == 0)
		rc = gunzip_body(&out, &fc);
	if (rc == 0) {
		fetch_log(fc.f, "fetched %s: %zu bytes", shown, out.len);
		*len = out.len;
		*body = out.len ? buf_detach(&out) : strdup("");
		if (!*body)
			rc = fetch_fail(&fc, PEERGUARD_ENOMEM, "out of memory");
	} else {
		fetch_log(fc.f, "fetching %s failed: %s", shown, errbuf ? errbuf : "");
	}
	buf_free(&out);
	redactor_free(&fc.secrets);
	return rc;
}
