/* SQS Query calls: ReceiveMessage and DeleteMessage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "remediate/sqs.h"
#include "remediate/util.h"
#include "transport/buf.h"
#include "transport/client.h"
#include "transport/credentials.h"
#include "transport/sigv4.h"
#include "transport/xml.h"

#define SQS_VERSION "2012-11-05"
#define SQS_ATTEMPTS 3
#define SQS_MAX_BODY (4u * 1024u * 1024u)

static int sqs_fail(peerguard_aws_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int sqs_fail(peerguard_aws_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->error.code = code;
	va_start(ap, fmt);
	vsnprintf(err->error.message, sizeof(err->error.message), fmt, ap);
	va_end(ap);
	return code;
}

void sqs_queue_region(char *out, size_t size, const char *queue_url)
{
	CURLU *u = curl_url();
	char *host = NULL;

	out[0] = '\0';
	if (u && curl_url_set(u, CURLUPART_URL, queue_url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		const char *dot;

		if (strncmp(host, "sqs.", 4) == 0 && (dot = strchr(host + 4, '.')))
			snprintf(out, size, "%.*s", (int)(dot - host - 4), host + 4);
		else if ((dot = strstr(host, ".queue.amazonaws.com")))
			snprintf(out, size, "%.*s", (int)(dot - host), host);
	}
	curl_free(host);
	curl_url_cleanup(u);
}

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
	buf *b = userdata;

	if (b->len + size * n > SQS_MAX_BODY)
		return 0;
	buf_append(b, data, size * n);
	return size * n;
}

/* Builds Action=...&Version=...&name=value... from NULL-terminated pairs. */
static char *form_body(const char *action, const char *const *params)
{
	buf b = BUF_INIT;

	buf_printf(&b, "Action=%s&Version=%s", action, SQS_VERSION);
	for (size_t i = 0; params[i]; i += 2) {
		buf_putc(&b, '&');
		buf_uri_encode(&b, params[i], strlen(params[i]), 0);
		buf_putc(&b, '=');
		buf_uri_encode(&b, params[i + 1], strlen(params[i + 1]), 0);
	}
	return buf_detach(&b);
}

/* Signs the request with the client's current credentials; returns the header list or NULL. */
static struct curl_slist *sign(peerguard_client *c, const char *host, const char *path, const char *region,
	const char *body, peerguard_aws_error *err)
{
	cred_snapshot creds = { 0 };
	sigv4_header headers[2 + 64];
	char *names[64] = { 0 };
	size_t n = 0;
	sigv4_result sig;
	struct curl_slist *list = NULL;
	buf line = BUF_INIT;

	if (cred_source_get(c->creds, c, client_now(c), &creds, err) < 0)
		return NULL;
	headers[n++] = (sigv4_header){ "Host", host };
	headers[n++] = (sigv4_header){ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" };
	for (size_t i = 0; i < c->n_extra_headers && i < 64; i++) {
		const char *h = c->extra_headers[i];
		const char *colon = strchr(h, ':');

		names[i] = strndup(h, (size_t)(colon - h));
		headers[n++] = (sigv4_header){ names[i] ? names[i] : "", colon + 1 };
	}
	sigv4_request req = { "POST", path, NULL, headers, n, body, strlen(body) };
	sigv4_params p = { creds.access_key_id, creds.secret_access_key, creds.session_token, region, "sqs",
		(time_t)client_now(c), SIGV4_NORMALIZE_PATH | SIGV4_ENCODE_PATH, 0 };

	if (sigv4_sign_headers(&sig, &req, &p) == 0) {
		for (size_t i = 0; i < n; i++) {
			buf_printf(&line, "%s: %s", headers[i].name, headers[i].value);
			list = curl_slist_append(list, buf_cstr(&line));
			buf_free(&line);
		}
		for (size_t i = 0; i < sig.n_added; i++) {
			buf_printf(&line, "%s: %s", sig.added[i].name, sig.added[i].value);
			list = curl_slist_append(list, buf_cstr(&line));
			buf_free(&line);
		}
		buf_printf(&line, "Authorization: %s", sig.authorization);
		list = curl_slist_append(list, buf_cstr(&line));
		buf_free(&line);
		list = curl_slist_append(list, "Expect:");
		sigv4_result_free(&sig);
	} else {
		sqs_fail(err, PEERGUARD_ENOMEM, "out of memory");
	}
	cred_snapshot_clear(&creds);
	for (size_t i = 0; i < 64; i++)
		free(names[i]);
	return list;
}

/* Reads an SQS error document into err; returns 1 when root is one. */
static int read_error(const xml_node *root, peerguard_aws_error *err)
{
	const xml_node *e = xml_child(root, "Error");
	char *code, *message;

	if (!root || strcmp(root->name, "ErrorResponse") != 0 || !e)
		return 0;
	code = xml_text(xml_child(e, "Code"));
	message = xml_text(xml_child(e, "Message"));
	if (err) {
		snprintf(err->aws_code, sizeof(err->aws_code), "%s", code ? code : "");
		snprintf(err->aws_message, sizeof(err->aws_message), "%s", message ? message : "");
	}
	free(code);
	free(message);
	return 1;
}

/* Sends one SQS call with retries; *out_root receives the success document. */
static int sqs_call(xml_node **out_root, peerguard_client *c, const char *queue_url, const char *action,
	const char *const *params, long timeout_ms, peerguard_aws_error *err)
{
	char region[64], host_header[300], errbuf[256], curl_error[CURL_ERROR_SIZE];
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL, *body = form_body(action, params);
	CURL *curl = curl_easy_init();
	int rc = PEERGUARD_ETRANSPORT;

	*out_root = NULL;
	peerguard_aws_error_clear(err);
	if (err) {
		snprintf(err->action, sizeof(err->action), "%s", action);
		snprintf(err->endpoint, sizeof(err->endpoint), "%s", queue_url);
	}
	sqs_queue_region(region, sizeof(region), queue_url);
	if (!region[0] && c->region)
		snprintf(region, sizeof(region), "%s", c->region);
	if (!u || !body || !curl || curl_url_set(u, CURLUPART_URL, queue_url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = sqs_fail(err, PEERGUARD_ECONFIG, "sqs %s: invalid queue URL %s: pass the QueueUrl, such as "
			"https://sqs.us-east-1.amazonaws.com/123456789012/NAME", action, queue_url);
		goto done;
	}
	if (!region[0]) {
		rc = sqs_fail(err, PEERGUARD_ECONFIG, "sqs %s: no region: the queue URL names none; set the client's region",
			action);
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	snprintf(host_header, sizeof(host_header), "%s%s%s", host, port ? ":" : "", port ? port : "");

	for (int attempt = 1; attempt <= SQS_ATTEMPTS; attempt++) {
		struct curl_slist *headers = sign(c, host_header, path && *path ? path : "/", region, body, err);
		buf answer = BUF_INIT;
		long status = 0;
		xml_node *root = NULL;
		CURLcode cc;

		if (!headers) {
			rc = err && err->error.code ? err->error.code : PEERGUARD_ECREDENTIALS;
			goto done;
		}
		curl_easy_reset(curl);
		curl_easy_setopt(curl, CURLOPT_URL, queue_url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
		curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
		if (c->ca_bundle)
			curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_bundle);
		curl_error[0] = '\0';
		cc = curl_easy_perform(curl);
		curl_slist_free_all(headers);
		if (cc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (err)
			err->http_status = (int)status;
		if (err)
			err->attempts = (unsigned int)attempt;

		if (cc != CURLE_OK) {
			rc = sqs_fail(err, cc == CURLE_OPERATION_TIMEDOUT ? PEERGUARD_ETIMEOUT : PEERGUARD_ETRANSPORT,
				"sqs %s at %s failed: %s; check the queue URL and the network", action, queue_url,
				curl_error[0] ? curl_error : curl_easy_strerror(cc));
		} else if (xml_parse(&root, buf_cstr(&answer), answer.len, errbuf, sizeof(errbuf)) < 0) {
			rc = sqs_fail(err, status >= 500 ? PEERGUARD_ETRANSPORT : PEERGUARD_ERESPONSE, "sqs %s at %s: HTTP %ld "
				"with an unreadable answer (%s)", action, queue_url, status, errbuf);
		} else if (read_error(root, err)) {
			rc = sqs_fail(err, status == 403 ? PEERGUARD_EDENIED : PEERGUARD_EAWS, "sqs %s at %s: AWS error %s: %s",
				action, queue_url, err ? err->aws_code : "", err ? err->aws_message : "");
			xml_free(root);
			root = NULL;
		} else if (status < 200 || status >= 300) {
			rc = sqs_fail(err, PEERGUARD_ERESPONSE, "sqs %s at %s: HTTP %ld", action, queue_url, status);
			xml_free(root);
			root = NULL;
		} else {
			*out_root = root;
			rc = 0;
		}
		buf_free(&answer);
		if (rc == 0 || (rc != PEERGUARD_ETRANSPORT && rc != PEERGUARD_ETIMEOUT && status < 500))
			break;
		if (attempt < SQS_ATTEMPTS)
			rem_sleep_ms(200.0 * (1 << attempt));
	}

done:
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	curl_easy_cleanup(curl);
	free(body);
	return rc;
}

int sqs_receive(sqs_message **out, size_t *n_out, peerguard_client *c, const char *queue_url,
	unsigned int wait_seconds, unsigned int max_messages, unsigned int visibility_timeout, peerguard_aws_error *err)
{
	char wait[16], max[16], visibility[16];
	const char *params[10] = { "QueueUrl", queue_url, "WaitTimeSeconds", wait, "MaxNumberOfMessages", max, NULL };
	xml_node *root = NULL;
	const xml_node *result;
	sqs_message *messages;
	size_t n = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	snprintf(wait, sizeof(wait), "%u", wait_seconds);
	snprintf(max, sizeof(max), "%u", max_messages ? max_messages : 1);
	if (visibility_timeout) {
		snprintf(visibility, sizeof(visibility), "%u", visibility_timeout);
		params[6] = "VisibilityTimeout";
		params[7] = visibility;
		params[8] = NULL;
	}
	/* The long poll holds the connection for wait_seconds; allow that plus the attempt time. */
	rc = sqs_call(&root, c, queue_url, "ReceiveMessage", params, (long)wait_seconds * 1000 + (long)c->attempt_timeout_ms,
		err);
	if (rc < 0)
		return rc;
	result = xml_child(root, "ReceiveMessageResult");
	messages = calloc(result ? result->n_children + 1 : 1, sizeof(*messages));
	if (!messages) {
		xml_free(root);
		return sqs_fail(err, PEERGUARD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; result && i < result->n_children; i++) {
		const xml_node *m = result->children[i];

		if (strcmp(m->name, "Message") != 0)
			continue;
		messages[n].message_id = xml_text(xml_child(m, "MessageId"));
		messages[n].receipt_handle = xml_text(xml_child(m, "ReceiptHandle"));
		messages[n].body = xml_text(xml_child(m, "Body"));
		n++;
	}
	xml_free(root);
	*out = messages;
	*n_out = n;
	return 0;
}

void sqs_messages_free(sqs_message *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].message_id);
		free(m[i].receipt_handle);
		free(m[i].body);
	}
	free(m);
}

int sqs_delete(peerguard_client *c, const char *queue_url, const char *receipt_handle, peerguard_aws_error *err)
{
	const char *params[] = { "QueueUrl", queue_url, "ReceiptHandle", receipt_handle, NULL };
	xml_node *root = NULL;
	int rc = sqs_call(&root, c, queue_url, "DeleteMessage", params, (long)c->attempt_timeout_ms, err);

	xml_free(root);
	return rc;
}
