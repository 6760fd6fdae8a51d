/*
 * EC2, STS and SNS Query API responses: the bytes are an HTTP response body.
 * It goes through the transport's XML reader, error-document reader and
 * every botocore output shape, as a response from a hostile or broken
 * endpoint would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/response.h"
#include "transport/shapes.h"
#include "transport/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *action;
	int wrapped;
	const shape *result;
} responses[] = {
	{ "DescribeVpcPeeringConnections", 0, &shape_describe_vpc_peering_connections_result },
	{ "CreateVpcPeeringConnection", 0, &shape_vpc_peering_connection_result },
	{ "AcceptVpcPeeringConnection", 0, &shape_vpc_peering_connection_result },
	{ "DeleteVpcPeeringConnection", 0, &shape_return_result },
	{ "RejectVpcPeeringConnection", 0, &shape_return_result },
	{ "AssumeRole", 1, &shape_assume_role_result },
	{ "GetCallerIdentity", 1, &shape_get_caller_identity_result },
	{ "Publish", 1, &shape_publish_result },
};

static void convert(const shape *s, const xml_node *node)
{
	json_t *json = shape_to_json(s, node);
	char *text;

	if (!json)
		return;
	text = json_dumps(json, JSON_COMPACT);
	free(text);
	json_decref(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[256];
	char request_id[128];
	xml_node *root = NULL;
	aws_fault fault;
	json_t *generic;
	char *text;

	if (xml_parse(&root, (const char *)data, size, errbuf, sizeof(errbuf)) < 0) {
		if (root || errbuf[0] == '\0' || !memchr(errbuf, '\0', sizeof(errbuf)))
			abort();
		return 0;
	}

	response_read_error(root, &fault);
	response_request_id(root, request_id, sizeof(request_id));
	text = xml_text(root);
	free(text);

	for (size_t i = 0; i < sizeof(responses) / sizeof(*responses); i++) {
		const xml_node *result = response_result(root, responses[i].action, responses[i].wrapped);

		/* Each shape also meets elements it was not written for. */
		convert(responses[i].result, result ? result : root);
	}
	generic = shape_generic_json(root);
	json_decref(generic);
	xml_free(root);
	return 0;
}
