/* EC2 VPC peering calls (API version 2016-11-15). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/client.h"
#include "transport/shapes.h"

#define EC2_VERSION "2016-11-15"

/* Pages followed at most by one describe, far beyond any account's peering connections. */
#define MAX_DESCRIBE_PAGES 10000

static int dump_json(char **out, json_t *json, peerguard_aws_error *err)
{
	*out = json_dumps(json, JSON_COMPACT);
	json_decref(json);
	return *out ? 0 : set_error(err, PEERGUARD_ENOMEM, "out of memory");
}

static int check_client(peerguard_client *c, const char *action, peerguard_aws_error *err)
{
	peerguard_aws_error_clear(err);
	if (!c)
		return set_error(err, PEERGUARD_EINVAL, "%s: the client is NULL", action);
	return 0;
}

static int check_id(const char *id, const char *action, peerguard_aws_error *err)
{
	if (!id || !*id)
		return set_error(err, PEERGUARD_EINVAL, "%s: the VPC peering connection id is missing: pass pcx-...", action);
	return 0;
}

int peerguard_ec2_describe_vpc_peering_connections(char **out_json, peerguard_client *c, const char *region,
	const char *const *ids, size_t n_ids, const peerguard_describe_filter *filters, size_t n_filters,
	peerguard_aws_error *err)
{
	static const char action[] = "DescribeVpcPeeringConnections";
	json_t *all;
	char *token = NULL;
	int rc;

	if (out_json)
		*out_json = NULL;
	rc = check_client(c, action, err);
	if (rc < 0)
		return rc;
	if (!out_json || (n_ids && !ids) || (n_filters && !filters))
		return set_error(err, PEERGUARD_EINVAL, "%s: out_json is NULL, or a count is given without its array", action);
	for (size_t i = 0; i < n_ids; i++)
		if (!ids[i] || !*ids[i])
			return set_error(err, PEERGUARD_EINVAL, "%s: id %zu is empty: pass pcx-... ids", action, i + 1);
	for (size_t i = 0; i < n_filters; i++)
		if (!filters[i].name || !*filters[i].name || filters[i].n_values == 0 || !filters[i].values)
			return set_error(err, PEERGUARD_EINVAL, "%s: filter %zu needs a name and at least one value, "
				"such as status-code = active", action, i + 1);
	all = json_array();
	if (!all)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");

	for (unsigned int page = 1;; page++) {
		query_params params = QUERY_PARAMS_INIT;
		xml_node *root = NULL;
		const xml_node *result = NULL;
		json_t *json, *items;
		const char *next;

		for (size_t i = 0; i < n_ids; i++)
			params_addf(&params, ids[i], "VpcPeeringConnectionId.%zu", i + 1);
		for (size_t i = 0; i < n_filters; i++) {
			params_addf(&params, filters[i].name, "Filter.%zu.Name", i + 1);
			for (size_t j = 0; j < filters[i].n_values; j++)
				params_addf(&params, filters[i].values[j], "Filter.%zu.Value.%zu", i + 1, j + 1);
		}
		if (token)
			params_add(&params, "NextToken", token);

		aws_call call = { SERVICE_EC2, region, action, EC2_VERSION, &params, 0 };
		rc = client_call(&root, &result, c, &call, err);
		params_free(&params);
		if (rc < 0)
			break;
		json = shape_to_json(&shape_describe_vpc_peering_connections_result, result);
		xml_free(root);
		if (!json) {
			rc = set_error(err, PEERGUARD_ENOMEM, "out of memory");
			break;
		}
		items = json_object_get(json, "VpcPeeringConnections");
		json_array_extend(all, items);

		/* Follow NextToken to the last page; a token that repeats would loop forever. */
		next = json_string_value(json_object_get(json, "NextToken"));
		if (!next || !*next) {
			json_decref(json);
			break;
		}
		if ((token && strcmp(token, next) == 0) || page >= MAX_DESCRIBE_PAGES) {
			rc = set_error(err, PEERGUARD_ERESPONSE, "ec2 %s: the endpoint returned the same NextToken again "
				"or more than %d pages; it is not paginating correctly", action, MAX_DESCRIBE_PAGES);
			json_decref(json);
			break;
		}
		free(token);
		token = strdup(next);
		json_decref(json);
		if (!token) {
			rc = set_error(err, PEERGUARD_ENOMEM, "out of memory");
			break;
		}
	}
	free(token);
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	return dump_json(out_json, json_pack("{s:o}", "VpcPeeringConnections", all), err);
}

/*
 * Sends an EC2 call that takes DryRun.  A DryRunOperation response to a dry
 * run becomes success with *dry_run_ok set.
 */
static int ec2_mutation(xml_node **root, const xml_node **result, int *dry_run_ok, peerguard_client *c,
	const char *region, const char *action, query_params *params, int dry_run, peerguard_aws_error *err)
{
	peerguard_aws_error local;
	peerguard_aws_error *e = err ? err : &local;
	int rc;

	*dry_run_ok = 0;
	if (dry_run)
		params_add(params, "DryRun", "true");
	aws_call call = { SERVICE_EC2, region, action, EC2_VERSION, params, 0 };
	rc = client_call(root, result, c, &call, e);
	if (rc < 0 && dry_run && peerguard_aws_error_is(e, "DryRunOperation")) {
		peerguard_aws_error_clear(e);
		*dry_run_ok = 1;
		return 0;
	}
	if (rc == 0 && dry_run)
		client_log(c, PEERGUARD_LOG_WARN, "ec2 %s: the endpoint ignored DryRun and performed the call", action);
	return rc;
}

static int return_call(peerguard_client *c, const char *region, const char *action, const char *id, int dry_run,
	peerguard_aws_error *err)
{
	query_params params = QUERY_PARAMS_INIT;
	xml_node *root = NULL;
	const xml_node *result = NULL;
	int dry_run_ok, rc;

	rc = check_client(c, action, err);
	if (rc < 0 || (rc = check_id(id, action, err)) < 0)
		return rc;
	params_add(&params, "VpcPeeringConnectionId", id);
	rc = ec2_mutation(&root, &result, &dry_run_ok, c, region, action, &params, dry_run, err);
	params_free(&params);
	if (rc < 0 || dry_run_ok)
		return rc;

	json_t *json = shape_to_json(&shape_return_result, result);
	int returned = json_is_true(json_object_get(json, "Return"));
	json_decref(json);
	xml_free(root);
	if (!returned)
		return set_error(err, PEERGUARD_ERESPONSE, "ec2 %s for %s: the response did not say <return>true</return>; "
			"describe the connection to see its state", action, id);
	return 0;
}

int peerguard_ec2_delete_vpc_peering_connection(peerguard_client *c, const char *region, const char *id,
	int dry_run, peerguard_aws_error *err)
{
	return return_call(c, region, "DeleteVpcPeeringConnection", id, dry_run, err);
}

int peerguard_ec2_reject_vpc_peering_connection(peerguard_client *c, const char *region, const char *id,
	int dry_run, peerguard_aws_error *err)
{
	return return_call(c, region, "RejectVpcPeeringConnection", id, dry_run, err);
}

/* Finishes Accept and Create: {"VpcPeeringConnection": ...}, or {"DryRun": true}. */
static int connection_result(char **out_json, xml_node *root, const xml_node *result, int dry_run_ok,
	const char *action, peerguard_aws_error *err)
{
	json_t *json;

	if (dry_run_ok) {
		json = json_pack("{s:b}", "DryRun", 1);
	} else {
		json = shape_to_json(&shape_vpc_peering_connection_result, result);
		xml_free(root);
		if (json && !json_object_get(json, "VpcPeeringConnection")) {
			json_decref(json);
			return set_error(err, PEERGUARD_ERESPONSE, "ec2 %s: the response has no <vpcPeeringConnection>", action);
		}
	}
	if (!json)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	if (!out_json) {
		json_decref(json);
		return 0;
	}
	return dump_json(out_json, json, err);
}

int peerguard_ec2_accept_vpc_peering_connection(char **out_json, peerguard_client *c, const char *region,
	const char *id, int dry_run, peerguard_aws_error *err)
{
	static const char action[] = "AcceptVpcPeeringConnection";
	query_params params = QUERY_PARAMS_INIT;
	xml_node *root = NULL;
	const xml_node *result = NULL;
	int dry_run_ok, rc;

	if (out_json)
		*out_json = NULL;
	rc = check_client(c, action, err);
	if (rc < 0 || (rc = check_id(id, action, err)) < 0)
		return rc;
	params_add(&params, "VpcPeeringConnectionId", id);
	rc = ec2_mutation(&root, &result, &dry_run_ok, c, region, action, &params, dry_run, err);
	params_free(&params);
	if (rc < 0)
		return rc;
	return connection_result(out_json, root, result, dry_run_ok, action, err);
}

int peerguard_ec2_create_vpc_peering_connection(char **out_json, peerguard_client *c, const char *region,
	const peerguard_create_peering_options *opts, peerguard_aws_error *err)
{
	static const char action[] = "CreateVpcPeeringConnection";
	query_params params = QUERY_PARAMS_INIT;
	xml_node *root = NULL;
	const xml_node *result = NULL;
	int dry_run_ok, rc;

	if (out_json)
		*out_json = NULL;
	rc = check_client(c, action, err);
	if (rc < 0)
		return rc;
	if (!opts || opts->version != PEERGUARD_CREATE_PEERING_OPTIONS_VERSION || !opts->vpc_id || !opts->peer_vpc_id)
		return set_error(err, PEERGUARD_EINVAL, "%s: pass options made with PEERGUARD_CREATE_PEERING_OPTIONS_INIT "
			"with vpc_id and peer_vpc_id set", action);
	params_add(&params, "VpcId", opts->vpc_id);
	params_add(&params, "PeerVpcId", opts->peer_vpc_id);
	if (opts->peer_owner_id)
		params_add(&params, "PeerOwnerId", opts->peer_owner_id);
	if (opts->peer_region)
		params_add(&params, "PeerRegion", opts->peer_region);
	rc = ec2_mutation(&root, &result, &dry_run_ok, c, region, action, &params, opts->dry_run, err);
	params_free(&params);
	if (rc < 0)
		return rc;
	return connection_result(out_json, root, result, dry_run_ok, action, err);
}
