/* SQS Query calls: ReceiveMessage and DeleteMessage, sent to the queue URL through the transport. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "remediate/sqs.h"

#define SQS_VERSION "2012-11-05"

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

/* Sends one SQS action to the queue URL, in the queue's region when its host names one. */
static int sqs_call(json_t **out, peerguard_client *c, const char *queue_url, const char *action,
	const char *const *params, peerguard_aws_error *err)
{
	char region[64];
	char *json = NULL;
	int rc;

	*out = NULL;
	sqs_queue_region(region, sizeof(region), queue_url);
	rc = peerguard_aws_query_url(&json, c, "sqs", region[0] ? region : NULL, queue_url, action, SQS_VERSION, params,
		err);
	if (rc < 0)
		return rc;
	*out = json_loads(json, JSON_DECODE_ANY, NULL);
	peerguard_free(json);
	return 0;
}

static char *string_dup(json_t *value)
{
	const char *s = json_string_value(value);

	return s ? strdup(s) : NULL;
}

int sqs_receive(sqs_message **out, size_t *n_out, peerguard_client *c, const char *queue_url,
	unsigned int wait_seconds, unsigned int max_messages, unsigned int visibility_timeout, peerguard_aws_error *err)
{
	char wait[16], max[16], visibility[16];
	const char *params[10] = { "QueueUrl", queue_url, "WaitTimeSeconds", wait, "MaxNumberOfMessages", max, NULL };
	json_t *result = NULL, *list;
	sqs_message *messages;
	size_t n = 0, count;
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
	rc = sqs_call(&result, c, queue_url, "ReceiveMessage", params, err);
	if (rc < 0)
		return rc;

	/* One message comes back as an object, several as an array. */
	list = json_object_get(result, "Message");
	count = json_is_array(list) ? json_array_size(list) : json_is_object(list) ? 1 : 0;
	messages = calloc(count + 1, sizeof(*messages));
	if (!messages) {
		json_decref(result);
		return PEERGUARD_ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		json_t *m = json_is_array(list) ? json_array_get(list, i) : list;

		messages[n].message_id = string_dup(json_object_get(m, "MessageId"));
		messages[n].receipt_handle = string_dup(json_object_get(m, "ReceiptHandle"));
		messages[n].body = string_dup(json_object_get(m, "Body"));
		n++;
	}
	json_decref(result);
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
	const char *params[] = { "QueueUrl", queue_url, "ReceiptHandle", receipt_handle ? receipt_handle : "", NULL };
	json_t *result = NULL;
	int rc = sqs_call(&result, c, queue_url, "DeleteMessage", params, err);

	json_decref(result);
	return rc;
}
