/* STS calls (API version 2011-06-15). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/client.h"
#include "transport/shapes.h"

#define STS_VERSION "2011-06-15"

int peerguard_sts_get_caller_identity(char **out_json, peerguard_client *c, peerguard_aws_error *err)
{
	xml_node *root = NULL;
	const xml_node *result = NULL;
	json_t *json;
	int rc;

	peerguard_aws_error_clear(err);
	if (!out_json || !c)
		return set_error(err, PEERGUARD_EINVAL, "GetCallerIdentity: out_json and the client are required");
	*out_json = NULL;

	/* STS has a global endpoint in us-east-1 for clients without a region. */
	aws_call call = { SERVICE_STS, c->region ? NULL : "us-east-1", "GetCallerIdentity", STS_VERSION, NULL, 1 };
	rc = client_call(&root, &result, c, &call, err);
	if (rc < 0)
		return rc;
	json = shape_to_json(&shape_get_caller_identity_result, result);
	xml_free(root);
	*out_json = json ? json_dumps(json, JSON_COMPACT) : NULL;
	json_decref(json);
	return *out_json ? 0 : set_error(err, PEERGUARD_ENOMEM, "out of memory");
}

int peerguard_sts_assume_role(peerguard_client **out, char **out_json, peerguard_client *c, const char *role_arn,
	const peerguard_assume_role_options *opts, peerguard_aws_error *err)
{
	peerguard_client *child = NULL;
	cred_source *src;
	cred_snapshot snap;
	int rc;

	peerguard_aws_error_clear(err);
	if (out_json)
		*out_json = NULL;
	if (!out || !c || !role_arn || !*role_arn)
		return set_error(err, PEERGUARD_EINVAL, "AssumeRole: out, the client and the role ARN are required");
	*out = NULL;
	if (opts && opts->version != PEERGUARD_ASSUME_ROLE_OPTIONS_VERSION)
		return set_error(err, PEERGUARD_EINVAL, "AssumeRole: initialise the options with "
			"PEERGUARD_ASSUME_ROLE_OPTIONS_INIT");

	src = cred_source_assume_role(c, 0, role_arn,
		opts && opts->session_name ? opts->session_name : c->role_session_name,
		opts && opts->external_id ? opts->external_id : c->external_id, opts ? opts->duration_seconds : 0);
	if (!src || client_derive(&child, c, src, c) < 0) {
		cred_source_free(src);
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}

	rc = cred_source_get(child->creds, child, client_now(child), &snap, err);
	if (rc < 0) {
		peerguard_client_free(child);
		return rc;
	}
	snprintf(child->access_key_id, sizeof(child->access_key_id), "%s", snap.access_key_id);
	cred_snapshot_clear(&snap);

	if (out_json) {
		json_t *info = cred_source_role_info(child->creds);

		*out_json = info ? json_dumps(info, JSON_COMPACT) : NULL;
		json_decref(info);
		if (!*out_json) {
			peerguard_client_free(child);
			return set_error(err, PEERGUARD_ENOMEM, "out of memory");
		}
	}
	*out = child;
	return 0;
}
