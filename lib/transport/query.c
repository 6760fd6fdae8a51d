/* Any Query API action, converted to generic JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/client.h"
#include "transport/shapes.h"

int peerguard_aws_query(char **out_json, peerguard_client *c, const char *service, const char *region,
	const char *action, const char *version, const char *const *params, peerguard_aws_error *err)
{
	static const char *const services[] = { "ec2", "sts", "sns" };
	query_params qp = QUERY_PARAMS_INIT;
	xml_node *root = NULL;
	const xml_node *result = NULL;
	char result_name[PEERGUARD_AWS_ACTION_MAX + 8];
	int svc = -1, rc;

	peerguard_aws_error_clear(err);
	if (!out_json || !c || !service || !action || !*action || !version || !*version)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query: out_json, the client, the service, "
			"the action and the version are required");
	*out_json = NULL;
	for (int i = 0; i < 3; i++)
		if (strcmp(service, services[i]) == 0)
			svc = i;
	if (svc < 0)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_aws_query: unknown service \"%.32s\": use ec2, sts or sns",
			service);
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

	aws_call call = { (aws_service)svc, svc == SERVICE_STS && !region && !c->region ? "us-east-1" : region,
		action, version, &qp, 0 };
	rc = client_call(&root, &result, c, &call, err);
	params_free(&qp);
	if (rc < 0)
		return rc;

	/* STS and SNS wrap the result in <ActionResult>; EC2 puts it in the root. */
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
