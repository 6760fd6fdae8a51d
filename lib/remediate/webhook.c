/* Webhook POSTs with libcurl. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/internal.h"
#include "peerguard/remediate.h"
#include "remediate/util.h"
#include "remediate/webhook.h"

/* Discards the answer body: only the status matters. */
static size_t discard(char *data, size_t size, size_t n, void *userdata)
{
	(void)data;
	(void)userdata;
	return size * n;
}

static int webhook_attempt(long *status, CURL *curl, const char *url, const char *body, unsigned int timeout_ms,
	char *curl_error)
{
	struct curl_slist *headers = NULL;
	CURLcode cc;

	curl_easy_reset(curl);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 5000 ? timeout_ms : 5000));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "libpeerguard/" PEERGUARD_VERSION);
	curl_error[0] = '\0';
	cc = curl_easy_perform(curl);
	*status = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(headers);
	if (cc != CURLE_OK && !curl_error[0])
		snprintf(curl_error, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
	return cc == CURLE_OK ? 0 : -1;
}

int webhook_post(long *out_status, const char *url, const char *body, unsigned int timeout_ms,
	peerguard_error *err)
{
	char curl_error[CURL_ERROR_SIZE];
	char *shown = rem_url_for_log(url);
	CURL *curl = curl_easy_init();
	long status = 0;
	int rc = PEERGUARD_ENOTIFY;

	*out_status = 0;
	if (!curl || !shown) {
		curl_easy_cleanup(curl);
		free(shown);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}

	for (int attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
		int sent = webhook_attempt(&status, curl, url, body, timeout_ms, curl_error) == 0;

		if (sent && status >= 200 && status < 300) {
			rc = 0;
			break;
		}
		if (sent && status != 429 && status < 500) {
			error_set(err, PEERGUARD_ENOTIFY, NULL, "webhook %s answered HTTP %ld; check the URL and what "
				"the receiver expects", shown, status);
			break;
		}
		if (sent)
			error_set(err, PEERGUARD_ENOTIFY, NULL, "webhook %s answered HTTP %ld after %d attempt%s", shown,
				status, attempt, attempt == 1 ? "" : "s");
		else
			error_set(err, PEERGUARD_ENOTIFY, NULL, "webhook %s failed after %d attempt%s: %s", shown, attempt,
				attempt == 1 ? "" : "s", curl_error);
		if (attempt < WEBHOOK_ATTEMPTS)
			rem_sleep_ms(250.0 * (1 << (attempt - 1)));
	}
	*out_status = status;
	if (rc == 0)
		peerguard_error_clear(err);
	curl_easy_cleanup(curl);
	free(shown);
	return rc;
}
