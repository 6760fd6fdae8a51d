/* Any Query API action, converted to generic JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/client.h"
#include "transport/shapes.h"

/* Longest service name accepted, as in "elasticloadbalancing" with room to spare. */
#define SERVICE_NAME_MAX 48

static int valid_service_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return 0;
	return n > 0 && n <= SERVICE_NAME_MAX;
}

static int query(char **out_json, peerguard_client *c, const char *service, const char *region,
	const char *endpoint_url, const char *action, const char *version, const char *const *params,
	peerguard_aws_error *err)
{
	static const char *const known[] = { "ec2", "sts", "sns" };
	aws_service svc = SERVICE_OTHER;
	query_params qp = QUERY_PARAMS_INIT;
	xml_node *root = NULL;
	const xml_node *result = NULL;
	char result_name[PEERGUARD_AWS_ACTION_MAX + 8];
	int rc;

	peerguard_aws_error_clear(err);
	if (!out_json || !c || !service || !action || !*action || !version || !*version)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query: out_json, the client, the service, "
			"the action and the version are required");
	*out_json = NULL;
	if (!valid_service_name(service))
		return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query: invalid service \"%.64s\": use the "
			"signing name in lower case, such as ec2, sts, sns or sqs", service);
	for (int i = 0; i < 3; i++)
		if (strcmp(service, known[i]) == 0)
			svc = (aws_service)i;
	if (strlen(action) >= PEERGUARD_AWS_ACTION_MAX)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query: action name too long");

	for (size_t i = 0; params && params[i]; i += 2) {
		if (!params[i + 1]) {
			params_free(&qp);
			return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query: parameter %s has no value: pass "
				"name, value pairs ending with NULL", params[i]);
		}
		params_add(&qp, params[i], params[i + 1]);
	}

	aws_call call = { svc, svc == SERVICE_STS && !region && !c->region ? "us-east-1" : region,
		action, version, &qp, 0, service, endpoint_url };
	rc = client_call(&root, &result, c, &call, err);
	params_free(&qp);
	if (rc < 0)
		return rc;

	/* STS, SNS and SQS wrap the result in <ActionResult>; EC2 puts it in the root. */
	snprintf(result_name, sizeof(result_name), "%sResult", action);
	const xml_node *wrapped = xml_child(root, result_name);
	json_t *json = shape_generic_json(wrapped ? wrapped : root);
	if (json && !wrapped && json_is_object(json))
		json_object_del(json, "requestId");
	xml_free(root);
	*out_json = json ? json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(json);
	return *out_json ? 0 : set_error(err, PEERGUARD_ENOMEM, "out of memory");
}

int peerguard_aws_query(char **out_json, peerguard_client *c, const char *service, const char *region,
	const char *action, const char *version, const char *const *params, peerguard_aws_error *err)
{
	return query(out_json, c, service, region, NULL, action, version, params, err);
}

int peerguard_aws_query_url(char **out_json, peerguard_client *c, const char *service, const char *region,
	const char *endpoint_url, const char *action, const char *version, const char *const *params,
	peerguard_aws_error *err)
{
	if (!endpoint_url || !*endpoint_url) {
		peerguard_aws_error_clear(err);
		return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query_url: the endpoint URL is missing");
	}
	return query(out_json, c, service, region, endpoint_url, action, version, params, err);
}
