/* SNS Publish (API version 2010-03-31). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/client.h"
#include "transport/shapes.h"

#define SNS_VERSION "2010-03-31"

/* Copies the region field of arn:PARTITION:sns:REGION:ACCOUNT:NAME into out; returns 0 or -1. */
static int topic_region(const char *arn, char *out, size_t len)
{
	const char *p = arn;

	if (strncmp(arn, "arn:", 4) != 0)
		return -1;
	for (int field = 0; field < 3; field++) {
		p = strchr(p, ':');
		if (!p)
			return -1;
		p++;
	}
	const char *end = strchr(p, ':');
	if (!end || end == p || (size_t)(end - p) >= len)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

int peerguard_sns_publish(char **out_message_id, peerguard_client *c, const char *topic_arn, const char *subject,
	const char *message, peerguard_aws_error *err)
{
	query_params params = QUERY_PARAMS_INIT;
	xml_node *root = NULL;
	const xml_node *result = NULL;
	char region[64];
	json_t *json;
	int rc;

	peerguard_aws_error_clear(err);
	if (out_message_id)
		*out_message_id = NULL;
	if (!c || !topic_arn || !message)
		return set_error(err, PEERGUARD_EINVAL, "Publish: the client, the topic ARN and the message are required");
	if (topic_region(topic_arn, region, sizeof(region)) < 0)
		return set_error(err, PEERGUARD_EINVAL, "Publish: invalid topic ARN \"%.200s\": use "
			"arn:aws:sns:REGION:ACCOUNT:TOPIC", topic_arn);

	params_add(&params, "TopicArn", topic_arn);
	params_add(&params, "Message", message);
	if (subject)
		params_add(&params, "Subject", subject);
	aws_call call = { SERVICE_SNS, region, "Publish", SNS_VERSION, &params, 1 };
	rc = client_call(&root, &result, c, &call, err);
	params_free(&params);
	if (rc < 0)
		return rc;

	json = shape_to_json(&shape_publish_result, result);
	xml_free(root);
	const char *id = json_string_value(json_object_get(json, "MessageId"));
	if (!id) {
		json_decref(json);
		return set_error(err, PEERGUARD_ERESPONSE, "sns Publish to %s: the response has no MessageId", topic_arn);
	}
	if (out_message_id) {
		*out_message_id = strdup(id);
		if (!*out_message_id)
			rc = set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}
	json_decref(json);
	return rc;
}
