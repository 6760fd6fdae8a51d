/* botocore output shapes of the calls the transport makes, and the XML to JSON conversion. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/shapes.h"

#define N(members) (sizeof(members) / sizeof((members)[0]))

static const shape string_shape = { SHAPE_STRING, NULL, 0, NULL };
static const shape boolean_shape = { SHAPE_BOOLEAN, NULL, 0, NULL };
static const shape integer_shape = { SHAPE_INTEGER, NULL, 0, NULL };

/* ---- EC2 VpcPeeringConnection ---- */

static const shape_member peering_options_members[] = {
	{ "allowDnsResolutionFromRemoteVpc", "AllowDnsResolutionFromRemoteVpc", &boolean_shape },
	{ "allowEgressFromLocalClassicLinkToRemoteVpc", "AllowEgressFromLocalClassicLinkToRemoteVpc", &boolean_shape },
	{ "allowEgressFromLocalVpcToRemoteClassicLink", "AllowEgressFromLocalVpcToRemoteClassicLink", &boolean_shape },
};
static const shape peering_options_shape = { SHAPE_STRUCT, peering_options_members, N(peering_options_members), NULL };

static const shape_member cidr_block_members[] = { { "cidrBlock", "CidrBlock", &string_shape } };
static const shape cidr_block_shape = { SHAPE_STRUCT, cidr_block_members, N(cidr_block_members), NULL };
static const shape cidr_block_set_shape = { SHAPE_LIST, NULL, 0, &cidr_block_shape };

static const shape_member ipv6_cidr_block_members[] = { { "ipv6CidrBlock", "Ipv6CidrBlock", &string_shape } };
static const shape ipv6_cidr_block_shape = { SHAPE_STRUCT, ipv6_cidr_block_members, N(ipv6_cidr_block_members), NULL };
static const shape ipv6_cidr_block_set_shape = { SHAPE_LIST, NULL, 0, &ipv6_cidr_block_shape };

static const shape_member vpc_info_members[] = {
	{ "cidrBlock", "CidrBlock", &string_shape },
	{ "ipv6CidrBlockSet", "Ipv6CidrBlockSet", &ipv6_cidr_block_set_shape },
	{ "cidrBlockSet", "CidrBlockSet", &cidr_block_set_shape },
	{ "ownerId", "OwnerId", &string_shape },
	{ "peeringOptions", "PeeringOptions", &peering_options_shape },
	{ "vpcId", "VpcId", &string_shape },
	{ "region", "Region", &string_shape },
};
static const shape vpc_info_shape = { SHAPE_STRUCT, vpc_info_members, N(vpc_info_members), NULL };

static const shape_member status_members[] = {
	{ "code", "Code", &string_shape },
	{ "message", "Message", &string_shape },
};
static const shape status_shape = { SHAPE_STRUCT, status_members, N(status_members), NULL };

static const shape_member tag_members[] = {
	{ "key", "Key", &string_shape },
	{ "value", "Value", &string_shape },
};
static const shape tag_shape = { SHAPE_STRUCT, tag_members, N(tag_members), NULL };
static const shape tag_list_shape = { SHAPE_LIST, NULL, 0, &tag_shape };

static const shape_member peering_members[] = {
	{ "accepterVpcInfo", "AccepterVpcInfo", &vpc_info_shape },
	{ "expirationTime", "ExpirationTime", &string_shape },
	{ "requesterVpcInfo", "RequesterVpcInfo", &vpc_info_shape },
	{ "status", "Status", &status_shape },
	{ "tagSet", "Tags", &tag_list_shape },
	{ "vpcPeeringConnectionId", "VpcPeeringConnectionId", &string_shape },
};
static const shape peering_shape = { SHAPE_STRUCT, peering_members, N(peering_members), NULL };
static const shape peering_list_shape = { SHAPE_LIST, NULL, 0, &peering_shape };

static const shape_member describe_members[] = {
	{ "vpcPeeringConnectionSet", "VpcPeeringConnections", &peering_list_shape },
	{ "nextToken", "NextToken", &string_shape },
};
const shape shape_describe_vpc_peering_connections_result = { SHAPE_STRUCT, describe_members, N(describe_members), NULL };

static const shape_member one_peering_members[] = {
	{ "vpcPeeringConnection", "VpcPeeringConnection", &peering_shape },
};
const shape shape_vpc_peering_connection_result = { SHAPE_STRUCT, one_peering_members, N(one_peering_members), NULL };

static const shape_member return_members[] = { { "return", "Return", &boolean_shape } };
const shape shape_return_result = { SHAPE_STRUCT, return_members, N(return_members), NULL };

/* ---- STS and SNS ---- */

static const shape_member sts_credentials_members[] = {
	{ "AccessKeyId", "AccessKeyId", &string_shape },
	{ "SecretAccessKey", "SecretAccessKey", &string_shape },
	{ "SessionToken", "SessionToken", &string_shape },
	{ "Expiration", "Expiration", &string_shape },
};
static const shape sts_credentials_shape = { SHAPE_STRUCT, sts_credentials_members, N(sts_credentials_members), NULL };

static const shape_member assumed_role_user_members[] = {
	{ "AssumedRoleId", "AssumedRoleId", &string_shape },
	{ "Arn", "Arn", &string_shape },
};
static const shape assumed_role_user_shape = { SHAPE_STRUCT, assumed_role_user_members, N(assumed_role_user_members), NULL };

static const shape_member assume_role_members[] = {
	{ "Credentials", "Credentials", &sts_credentials_shape },
	{ "AssumedRoleUser", "AssumedRoleUser", &assumed_role_user_shape },
	{ "PackedPolicySize", "PackedPolicySize", &integer_shape },
	{ "SourceIdentity", "SourceIdentity", &string_shape },
};
const shape shape_assume_role_result = { SHAPE_STRUCT, assume_role_members, N(assume_role_members), NULL };

static const shape_member caller_identity_members[] = {
	{ "UserId", "UserId", &string_shape },
	{ "Account", "Account", &string_shape },
	{ "Arn", "Arn", &string_shape },
};
const shape shape_get_caller_identity_result = { SHAPE_STRUCT, caller_identity_members, N(caller_identity_members), NULL };

static const shape_member publish_members[] = {
	{ "MessageId", "MessageId", &string_shape },
	{ "SequenceNumber", "SequenceNumber", &string_shape },
};
const shape shape_publish_result = { SHAPE_STRUCT, publish_members, N(publish_members), NULL };

/* ---- Conversion ---- */

static int is_list_item(const xml_node *n)
{
	return strcmp(n->name, "item") == 0 || strcmp(n->name, "member") == 0;
}

static json_t *scalar_to_json(shape_type type, const xml_node *node)
{
	char *text = xml_text(node);
	json_t *v;

	if (!text)
		return NULL;
	switch (type) {
	case SHAPE_BOOLEAN:
		v = json_boolean(strcasecmp(text, "true") == 0);
		break;
	case SHAPE_INTEGER: {
		char *end = NULL;
		long long n = strtoll(text, &end, 10);

		v = (*text && end && *end == '\0') ? json_integer(n) : json_string(text);
		break;
	}
	default:
		v = json_string(text);
		break;
	}
	free(text);
	return v;
}

json_t *shape_to_json(const shape *s, const xml_node *node)
{
	json_t *out;

	switch (s->type) {
	case SHAPE_STRUCT:
		out = json_object();
		if (!out)
			return NULL;
		for (size_t i = 0; i < s->n_members; i++) {
			const shape_member *m = &s->members[i];
			const xml_node *child = xml_child(node, m->xml_name);
			json_t *v;

			if (!child && m->shape->type != SHAPE_LIST)
				continue;
			v = child ? shape_to_json(m->shape, child) : json_array();
			if (!v || json_object_set_new(out, m->json_name, v) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;

	case SHAPE_LIST:
		out = json_array();
		if (!out)
			return NULL;
		for (size_t i = 0; node && i < node->n_children; i++) {
			if (!is_list_item(node->children[i]))
				continue;
			json_t *v = shape_to_json(s->item, node->children[i]);

			if (!v || json_array_append_new(out, v) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;

	default:
		return scalar_to_json(s->type, node);
	}
}

json_t *shape_generic_json(const xml_node *node)
{
	json_t *out;
	int all_items = node->n_children > 0;

	if (node->n_children == 0)
		return scalar_to_json(SHAPE_STRING, node);
	for (size_t i = 0; i < node->n_children; i++)
		all_items = all_items && is_list_item(node->children[i]);

	if (all_items) {
		out = json_array();
		for (size_t i = 0; out && i < node->n_children; i++)
			if (json_array_append_new(out, shape_generic_json(node->children[i])) < 0) {
				json_decref(out);
				return NULL;
			}
		return out;
	}

	/* A name that occurs more than once collects its values in an array. */
	out = json_object();
	for (size_t i = 0; out && i < node->n_children; i++) {
		const xml_node *child = node->children[i];
		json_t *v = shape_generic_json(child);
		size_t count = 0;

		for (size_t j = 0; j < node->n_children; j++)
			count += strcmp(node->children[j]->name, child->name) == 0;
		if (!v) {
			json_decref(out);
			return NULL;
		}
		if (count == 1) {
			json_object_set_new(out, child->name, v);
			continue;
		}
		json_t *arr = json_object_get(out, child->name);
		if (!arr) {
			arr = json_array();
			json_object_set_new(out, child->name, arr);
		}
		json_array_append_new(arr, v);
	}
	return out;
}
