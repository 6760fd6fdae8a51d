/*
 * One Query API call: form body, SigV4 signature, HTTP attempts with
 * backoff, clock-skew correction, and the response's classification.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "transport/response.h"
#include "transport/buf.h"
#include "transport/client.h"
#include "transport/http.h"
#include "transport/redact.h"
#include "transport/sigv4.h"
#include "transport/skew.h"

static const char *const service_names[] = { "ec2", "sts", "sns" };

/* What an attempt came to. */
typedef enum outcome {
	OUTCOME_SUCCESS,
	OUTCOME_RETRY,      /* worth another attempt after backoff */
	OUTCOME_SKEW,       /* retry now with the server's time */
	OUTCOME_RENEW,      /* retry now with freshly fetched credentials */
	OUTCOME_FAIL
} outcome;

/* The endpoint of one call, split the way signing needs it. */
typedef struct endpoint {
	char *url;
	char *host_header;  /* host, with ":port" when the URL names a port */
	char *path;
} endpoint;

static void endpoint_free(endpoint *e)
{
	free(e->url);
	free(e->host_header);
	free(e->path);
}

static const char *call_service(const aws_call *call)
{
	return call->service == SERVICE_OTHER ? call->service_name : service_names[call->service];
}

/* Returns the AWS_ENDPOINT_URL_<SERVICE> variable of another service, or NULL when unset or ignored. */
static const char *service_endpoint_env(const char *service)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	char name[96] = "AWS_ENDPOINT_URL_";
	size_t n = strlen(name);

	if (ignore && strcasecmp(ignore, "true") == 0)
		return NULL;
	for (const char *p = service; *p && n + 1 < sizeof(name); p++)
		name[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	name[n] = '\0';
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int endpoint_resolve(endpoint *e, peerguard_client *c, const aws_call *call, const char *region)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL;
	const char *configured = NULL;
	buf b = BUF_INIT;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (call->endpoint_url)
		configured = call->endpoint_url;
	else if (call->service != SERVICE_OTHER)
		configured = c->endpoint[call->service];
	else if (service_endpoint_env(call->service_name))
		configured = service_endpoint_env(call->service_name);
	else
		configured = c->endpoint_default;

	if (configured) {
		e->url = strdup(configured);
	} else {
		/* The regional AWS endpoint; regions in China use their own domain. */
		buf_printf(&b, "https://%s.%s.amazonaws.com%s/", call_service(call), region,
			strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
		e->url = buf_detach(&b);
	}
	if (!u || !e->url || curl_url_set(u, CURLUPART_URL, e->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto done;
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);

	buf_puts(&b, host);
	if (port)
		buf_printf(&b, ":%s", port);
	e->host_header = buf_detach(&b);
	e->path = strdup(path && *path ? path : "/");
	rc = e->host_header && e->path ? 0 : -1;

done:
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static char *form_body(const aws_call *call)
{
	buf b = BUF_INIT;

	buf_puts(&b, "Action=");
	buf_uri_encode(&b, call->action, strlen(call->action), 0);
	buf_puts(&b, "&Version=");
	buf_uri_encode(&b, call->version, strlen(call->version), 0);
	for (size_t i = 0; call->params && i < call->params->n; i++) {
		const query_param *p = &call->params->items[i];

		buf_putc(&b, '&');
		buf_uri_encode(&b, p->name, strlen(p->name), 0);
		buf_putc(&b, '=');
		buf_uri_encode(&b, p->value, strlen(p->value), 0);
	}
	return buf_detach(&b);
}

static double monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000.0);
	ts.tv_nsec = (long)fmod(ms, 1000.0) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Full jitter: a uniform delay between 0 and min(max, base * 2^(retry - 1)). */
static double backoff_ms(peerguard_client *c, unsigned int retry)
{
	double ceiling = (double)c->backoff_base_ms * pow(2.0, (double)(retry > 0 ? retry - 1 : 0));
	unsigned int r;

	if (ceiling > c->backoff_max_ms)
		ceiling = c->backoff_max_ms;
	pthread_mutex_lock(&c->lock);
	r = (unsigned int)rand_r(&c->rng);
	pthread_mutex_unlock(&c->lock);
	return ceiling * ((double)r / (double)RAND_MAX);
}

static int is_code(const char *code, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcasecmp(code, list[i]) == 0)
			return 1;
	return 0;
}

static const char *const throttling_codes[] = {
	"RequestLimitExceeded", "Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException", "RequestThrottled", "SlowDown", NULL
};
static const char *const server_codes[] = {
	"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", NULL
};
static const char *const auth_codes[] = {
	"AuthFailure", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
	"InvalidClientTokenId", "MissingAuthenticationToken", "ExpiredToken", "ExpiredTokenException",
	"UnrecognizedClientException", "InvalidAccessKeyId", "InvalidToken", "RequestExpired", NULL
};
static const char *const expired_token_codes[] = {
	"ExpiredToken", "ExpiredTokenException", "RequestExpiredToken", NULL
};
static const char *const denied_codes[] = {
	"UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "OptInRequired", NULL
};

/* State of a call across its attempts. */
typedef struct call_state {
	peerguard_client *c;
	const aws_call *call;
	const char *region;
	endpoint ep;
	char *body;
	CURL *curl;
	redactor secrets;
	int skew_corrected;
	int credentials_renewed;
	/* The last failure, kept for the final message. */
	int code;
	char what[768];
	char shown_url[1024];      /* the endpoint as messages show it: userinfo masked */
	const char *fix;
	aws_fault fault;
	int http_status;
} call_state;

static void fail_with(call_state *st, int code, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_with(call_state *st, int code, const char *fix, const char *fmt, ...)
{
	va_list ap;

	st->code = code;
	st->fix = fix;
	va_start(ap, fmt);
	vsnprintf(st->what, sizeof(st->what), fmt, ap);
	va_end(ap);
	redact_in_place(&st->secrets, st->what, sizeof(st->what));
}

/* Classifies a transfer that produced no response. */
static outcome classify_transfer_error(call_state *st, const http_response *resp)
{
	CURLcode cc = resp->curl_code;

	if (resp->too_large) {
		fail_with(st, PEERGUARD_ERESPONSE, "check that the endpoint URL points at the AWS service",
			"the response is larger than %u bytes", HTTP_MAX_BODY);
		return OUTCOME_FAIL;
	}
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		fail_with(st, PEERGUARD_ETIMEOUT, "check the endpoint and the network, or raise the attempt timeout",
			"timed out: %s", resp->curl_error);
		return OUTCOME_RETRY;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		fail_with(st, PEERGUARD_ETRANSPORT, "check the endpoint URL, the network and any proxy settings",
			"connection failed: %s", resp->curl_error);
		return OUTCOME_RETRY;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		fail_with(st, PEERGUARD_ETLS, "if the endpoint uses a private CA, pass its certificate with the "
			"ca_bundle option or AWS_CA_BUNDLE; certificate checks cannot be turned off",
			"TLS failed: %s", resp->curl_error);
		return OUTCOME_FAIL;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		fail_with(st, PEERGUARD_ECONFIG, "use an http:// or https:// endpoint URL",
			"invalid endpoint: %s", resp->curl_error);
		return OUTCOME_FAIL;
	default:
		fail_with(st, PEERGUARD_ETRANSPORT, "check the endpoint URL and the network",
			"request failed: %s", resp->curl_error);
		return OUTCOME_FAIL;
	}
}

/* Classifies an AWS error document. */
static outcome classify_fault(call_state *st, const http_response *resp)
{
	aws_fault *f = &st->fault;
	double server_time = 0;
	double local = client_now(st->c);

	redact_in_place(&st->secrets, f->message, sizeof(f->message));
	skew_parse_http_date(resp->date, &server_time);

	/* A clock error is fixed once per call by adopting the server's time. */
	if (!st->skew_corrected && server_time > 0 && skew_is_clock_error(f->code, f->message, server_time, local)) {
		double offset = server_time - local;

		/* Set, not add: threads that meet the same error at once then agree on one offset. */
		pthread_mutex_lock(&st->c->lock);
		st->c->clock_offset = server_time - client_clock(st->c);
		pthread_mutex_unlock(&st->c->lock);
		st->skew_corrected = 1;
		client_log(st->c, PEERGUARD_LOG_WARN, "%s %s at %s: %s: the local clock is %.0f s %s the server's "
			"Date header; retrying with the corrected time (request id %s)", call_service(st->call),
			st->call->action, st->shown_url, f->code, fabs(offset), offset > 0 ? "behind" : "ahead of",
			f->request_id[0] ? f->request_id : "none");
		fail_with(st, PEERGUARD_EAUTH, "synchronise the system clock (NTP)", "AWS error %s: %s", f->code,
			f->message);
		return OUTCOME_SKEW;
	}

	if (is_code(f->code, throttling_codes)) {
		fail_with(st, PEERGUARD_ETHROTTLED, "AWS is throttling these credentials; lower the call rate or "
			"retry later", "throttled: %s: %s", f->code, f->message);
		return OUTCOME_RETRY;
	}
	if (is_code(f->code, server_codes) || resp->status >= 500) {
		fail_with(st, PEERGUARD_EAWS, "the service failed; retry later", "AWS error %s (HTTP %ld): %s",
			f->code, resp->status, f->message);
		return OUTCOME_RETRY;
	}
	/* Temporary credentials that AWS already considers expired are fetched again, once per call. */
	if (!st->credentials_renewed && is_code(f->code, expired_token_codes) && cred_source_invalidate(st->c->creds)) {
		st->credentials_renewed = 1;
		client_log(st->c, PEERGUARD_LOG_WARN, "%s %s at %s: %s: fetching new credentials from %s and retrying "
			"(request id %s)", call_service(st->call), st->call->action, st->shown_url, f->code,
			cred_source_origin(st->c->creds), f->request_id[0] ? f->request_id : "none");
		fail_with(st, PEERGUARD_EAUTH, "renew the session credentials", "AWS error %s: %s", f->code, f->message);
		return OUTCOME_RENEW;
	}
	if (is_code(f->code, auth_codes)) {
		fail_with(st, PEERGUARD_EAUTH, "check the access key, the secret, the session token and the "
			"system clock", "AWS rejected the credentials: %s: %s", f->code, f->message);
		return OUTCOME_FAIL;
	}
	if (is_code(f->code, denied_codes)) {
		fail_with(st, PEERGUARD_EDENIED, "allow this action in the caller's IAM policy",
			"not authorised: %s: %s", f->code, f->message);
		return OUTCOME_FAIL;
	}
	fail_with(st, PEERGUARD_EAWS, NULL, "AWS error %s: %s", f->code, f->message);
	return OUTCOME_FAIL;
}

/* Classifies a response: a success document for this action, an error document, or neither. */
static outcome classify_response(call_state *st, const http_response *resp, xml_node **root,
	const xml_node **result)
{
	char parse_error[256];

	*root = NULL;
	*result = NULL;
	st->http_status = (int)resp->status;
	if (xml_parse(root, buf_cstr(&resp->body), resp->body.len, parse_error, sizeof(parse_error)) < 0) {
		if (resp->status == 429) {
			fail_with(st, PEERGUARD_ETHROTTLED, "lower the call rate or retry later",
				"HTTP 429 Too Many Requests");
			return OUTCOME_RETRY;
		}
		if (resp->status >= 500) {
			fail_with(st, PEERGUARD_ETRANSPORT, "the service failed; retry later",
				"HTTP %ld without an error document", resp->status);
			return OUTCOME_RETRY;
		}
		fail_with(st, PEERGUARD_ERESPONSE, "check that the endpoint URL points at the AWS service; "
			"a proxy or a cut connection can also corrupt the response",
			"HTTP %ld with an unreadable response (%s)", resp->status, parse_error);
		return OUTCOME_FAIL;
	}

	if (response_read_error(*root, &st->fault))
		return classify_fault(st, resp);
	if (resp->status == 429) {
		fail_with(st, PEERGUARD_ETHROTTLED, "lower the call rate or retry later",
			"HTTP 429 Too Many Requests with an unexpected <%s> document", (*root)->name);
		return OUTCOME_RETRY;
	}
	if (resp->status < 200 || resp->status >= 300) {
		fail_with(st, resp->status >= 500 ? PEERGUARD_ETRANSPORT : PEERGUARD_ERESPONSE,
			"check that the endpoint URL points at the AWS service",
			"HTTP %ld with an unexpected <%s> document", resp->status, (*root)->name);
		return resp->status >= 500 ? OUTCOME_RETRY : OUTCOME_FAIL;
	}

	*result = response_result(*root, st->call->action, st->call->wrapped);
	if (!*result) {
		fail_with(st, PEERGUARD_ERESPONSE, "check that the endpoint URL points at the right AWS service",
			"HTTP %ld with root element <%s>, not <%sResponse>%s", resp->status, (*root)->name,
			st->call->action, st->call->wrapped ? " holding a result" : "");
		return OUTCOME_FAIL;
	}
	response_request_id(*root, st->fault.request_id, sizeof(st->fault.request_id));
	return OUTCOME_SUCCESS;
}

/* Builds the signed header list of one attempt. */
static struct curl_slist *signed_headers(call_state *st, const cred_snapshot *creds, sigv4_result *sig, int *rc)
{
	sigv4_header headers[2 + 64];
	size_t n = 0;
	char *names[64] = { 0 };
	struct curl_slist *list = NULL;
	buf line = BUF_INIT;

	headers[n++] = (sigv4_header){ "Host", st->ep.host_header };
	headers[n++] = (sigv4_header){ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" };
	for (size_t i = 0; i < st->c->n_extra_headers && i < 64; i++) {
		const char *h = st->c->extra_headers[i];
		const char *colon = strchr(h, ':');

		const char *value = colon + 1;

		while (*value == ' ' || *value == '\t')
			value++;
		names[i] = strndup(h, (size_t)(colon - h));
		headers[n++] = (sigv4_header){ names[i] ? names[i] : "", value };
	}

	sigv4_request req = { "POST", st->ep.path, NULL, headers, n, st->body, strlen(st->body) };
	sigv4_params p = { creds->access_key_id, creds->secret_access_key, creds->session_token, st->region,
		call_service(st->call), (time_t)client_now(st->c), SIGV4_NORMALIZE_PATH | SIGV4_ENCODE_PATH, 0 };

	*rc = sigv4_sign_headers(sig, &req, &p) < 0 ? PEERGUARD_ENOMEM : 0;
	if (*rc == 0) {
		redactor_add(&st->secrets, sig->signature);
		for (size_t i = 0; i < n; i++) {
			buf_printf(&line, "%s: %s", headers[i].name, headers[i].value);
			list = curl_slist_append(list, buf_cstr(&line));
			buf_free(&line);
		}
		for (size_t i = 0; i < sig->n_added; i++) {
			buf_printf(&line, "%s: %s", sig->added[i].name, sig->added[i].value);
			list = curl_slist_append(list, buf_cstr(&line));
			buf_free(&line);
		}
		buf_printf(&line, "Authorization: %s", sig->authorization);
		list = curl_slist_append(list, buf_cstr(&line));
		buf_free(&line);
		list = curl_slist_append(list, "Expect:");
	}
	for (size_t i = 0; i < 64; i++)
		free(names[i]);
	return list;
}

static void fill_error(call_state *st, peerguard_aws_error *err, unsigned int attempts)
{
	const char *svc = call_service(st->call);

	if (!err)
		return;
	err->http_status = st->http_status;
	copy_string(err->aws_code, sizeof(err->aws_code), st->fault.code);
	copy_string(err->aws_message, sizeof(err->aws_message), st->fault.message);
	copy_string(err->request_id, sizeof(err->request_id), st->fault.request_id);
	copy_string(err->action, sizeof(err->action), st->call->action);
	copy_string(err->endpoint, sizeof(err->endpoint), st->shown_url);
	err->attempts = attempts;
	set_error(err, st->code, "%s %s at %s failed after %u attempt%s: %s%s%s%s%s", svc, st->call->action,
		st->shown_url, attempts, attempts == 1 ? "" : "s", st->what,
		st->fault.request_id[0] ? " (request id " : "", st->fault.request_id,
		st->fault.request_id[0] ? ")" : "", "");
	if (st->fix) {
		size_t len = strlen(err->error.message);

		snprintf(err->error.message + len, sizeof(err->error.message) - len, "; %s", st->fix);
	}
	redact_in_place(&st->secrets, err->error.message, sizeof(err->error.message));
}

int client_call(xml_node **out_root, const xml_node **out_result, peerguard_client *c, const aws_call *call,
	peerguard_aws_error *err)
{
	call_state st;
	double start = monotonic_ms();
	unsigned int attempt = 0;
	int rc = 0;

	*out_root = NULL;
	*out_result = NULL;
	memset(&st, 0, sizeof(st));
	st.c = c;
	st.call = call;
	redactor_init(&st.secrets);

	st.region = client_call_region(c, call->region, call->action, err);
	if (!st.region)
		return err ? err->error.code : PEERGUARD_ECONFIG;
	if (call->endpoint_url && check_endpoint(call->endpoint_url, "the call", err) < 0)
		return PEERGUARD_ECONFIG;
	if ((call->params && call->params->failed) || endpoint_resolve(&st.ep, c, call, st.region) < 0 ||
	    !(st.body = form_body(call)) || !(st.curl = curl_easy_init())) {
		endpoint_free(&st.ep);
		free(st.body);
		return set_error(err, PEERGUARD_ENOMEM, "%s: out of memory", call->action);
	}
	endpoint_for_messages(st.shown_url, sizeof(st.shown_url), st.ep.url);

	for (;;) {
		cred_snapshot creds = { 0 };
		sigv4_result sig;
		http_response resp;
		xml_node *root = NULL;
		const xml_node *result = NULL;
		struct curl_slist *headers;
		outcome out;
		double remaining = (double)c->deadline_ms - (monotonic_ms() - start);

		if (remaining <= 0) {
			char last[sizeof(st.what)];

			copy_string(last, sizeof(last), st.what);
			if (attempt == 0)
				fail_with(&st, PEERGUARD_ETIMEOUT, "raise the deadline", "the deadline passed");
			else
				fail_with(&st, st.code, st.fix, "%s; the deadline of %u ms passed", last, c->deadline_ms);
			rc = st.code;
			break;
		}
		attempt++;

		rc = cred_source_get(c->creds, c, client_now(c), &creds, err);
		if (rc < 0) {
			attempt--;
			goto out;
		}
		redactor_add(&st.secrets, creds.secret_access_key);
		redactor_add(&st.secrets, creds.session_token);
		pthread_mutex_lock(&c->lock);
		copy_string(c->access_key_id, sizeof(c->access_key_id), creds.access_key_id);
		pthread_mutex_unlock(&c->lock);

		headers = signed_headers(&st, &creds, &sig, &rc);
		cred_snapshot_clear(&creds);
		if (rc < 0) {
			set_error(err, rc, "%s: out of memory", call->action);
			goto out;
		}

		double timeout = remaining < c->attempt_timeout_ms ? remaining : c->attempt_timeout_ms;
		http_request req = { st.ep.url, headers, st.body, strlen(st.body), c->ca_bundle,
			(long)(c->connect_timeout_ms < timeout ? c->connect_timeout_ms : timeout), (long)ceil(timeout) };

		client_log(c, PEERGUARD_LOG_DEBUG, "%s %s to %s, attempt %u", call_service(call), call->action,
			st.shown_url, attempt);
		memset(&st.fault, 0, sizeof(st.fault));
		if (http_post(st.curl, &req, &resp) < 0)
			out = classify_transfer_error(&st, &resp);
		else
			out = classify_response(&st, &resp, &root, &result);
		if (!st.fault.request_id[0])
			copy_string(st.fault.request_id, sizeof(st.fault.request_id), resp.request_id);
		http_response_free(&resp);
		curl_slist_free_all(headers);
		sigv4_result_free(&sig);

		if (out == OUTCOME_SUCCESS) {
			*out_root = root;
			*out_result = result;
			rc = 0;
			goto out;
		}
		xml_free(root);
		if (out == OUTCOME_SKEW || out == OUTCOME_RENEW)
			continue;
		if (out == OUTCOME_FAIL || attempt >= c->max_attempts) {
			rc = st.code;
			break;
		}

		double delay = backoff_ms(c, attempt);
		remaining = (double)c->deadline_ms - (monotonic_ms() - start);
		if (delay >= remaining) {
			char last[sizeof(st.what)];

			copy_string(last, sizeof(last), st.what);
			fail_with(&st, st.code, st.fix, "%s; no time left for a retry before the deadline of %u ms",
				last, c->deadline_ms);
			rc = st.code;
			break;
		}
		client_log(c, PEERGUARD_LOG_WARN, "%s %s at %s: attempt %u of %u failed: %s (request id %s); "
			"retrying in %.0f ms", call_service(call), call->action, st.shown_url, attempt,
			c->max_attempts, st.what, st.fault.request_id[0] ? st.fault.request_id : "none", delay);
		sleep_ms(delay);
	}

	fill_error(&st, err, attempt);
	if (strcasecmp(st.fault.code, "DryRunOperation") == 0)
		client_log(c, PEERGUARD_LOG_INFO, "%s %s at %s: DryRunOperation: the call would succeed (request id %s)",
			call_service(call), call->action, st.shown_url,
			st.fault.request_id[0] ? st.fault.request_id : "none");
	else if (err)
		client_log(c, PEERGUARD_LOG_ERROR, "%s", err->error.message);
	else
		client_log(c, PEERGUARD_LOG_ERROR, "%s %s at %s failed: %s", call_service(call),
			call->action, st.shown_url, st.what);

out:
	if (rc == 0 && err)
		err->attempts = attempt;
	curl_easy_cleanup(st.curl);
	endpoint_free(&st.ep);
	free(st.body);
	redactor_free(&st.secrets);
	return rc;
}
