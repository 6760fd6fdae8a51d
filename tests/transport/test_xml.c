/*
 * EC2, STS and SNS responses: the real-shaped EC2 XML samples converted to
 * boto3's JSON, both error document shapes, and the responses a client must
 * refuse (wrong root element, malformed or truncated XML).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "peerguard/transport.h"
#include "test_support.h"
#include "transport/response.h"
#include "transport/errors.h"
#include "transport/redact.h"
#include "transport/shapes.h"
#include "transport/xml.h"

typedef struct sample {
	const char *name;      /* file name without .xml */
	const char *action;
	const shape *shape;
} sample;

static const sample samples[] = {
	{ "describe-vpc-peering-connections.active.awsdoc", "DescribeVpcPeeringConnections",
	  &shape_describe_vpc_peering_connections_result },
	{ "describe-vpc-peering-connections.pending.boto", "DescribeVpcPeeringConnections",
	  &shape_describe_vpc_peering_connections_result },
	{ "create-vpc-peering-connection.boto", "CreateVpcPeeringConnection", &shape_vpc_peering_connection_result },
	{ "accept-vpc-peering-connection.boto", "AcceptVpcPeeringConnection", &shape_vpc_peering_connection_result },
	{ "reject-vpc-peering-connection.boto", "RejectVpcPeeringConnection", &shape_return_result },
	{ "delete-vpc-peering-connection.boto", "DeleteVpcPeeringConnection", &shape_return_result },
};

static xml_node *parse_ok(const char *text)
{
	xml_node *root = NULL;
	char why[256];

	ck_assert_msg(xml_parse(&root, text, strlen(text), why, sizeof(why)) == 0, "parse failed: %s", why);
	return root;
}

static json_t *expected_json(const char *name)
{
	const char *source = getenv("PEERGUARD_SOURCE");
	char path[1024];
	json_error_t jerr;
	json_t *j;

	ck_assert_msg(source != NULL, "PEERGUARD_SOURCE is not set: run the tests with meson test");
	snprintf(path, sizeof(path), "%s/tests/transport/data/ec2-xml/%s.json", source, name);
	j = json_load_file(path, 0, &jerr);
	ck_assert_msg(j != NULL, "%s: %s", path, jerr.text);
	return j;
}

START_TEST(sample_converts_to_boto3_shape)
{
	const sample *s = &samples[_i];
	char rel[512];
	char *path, *text, *got_text;
	xml_node *root;
	const xml_node *result;
	json_t *got, *want;
	char request_id[128];

	snprintf(rel, sizeof(rel), "aws/ec2-xml/%s.xml", s->name);
	path = test_data_path(rel);
	text = test_read_file(path, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", path);

	root = parse_ok(text);
	result = response_result(root, s->action, 0);
	ck_assert_msg(result != NULL, "%s: root <%s> not accepted for %s", s->name, root->name, s->action);
	response_request_id(root, request_id, sizeof(request_id));
	ck_assert_str_eq(request_id, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");

	got = shape_to_json(s->shape, result);
	want = expected_json(s->name);
	got_text = json_dumps(got, JSON_SORT_KEYS);
	ck_assert_msg(json_equal(got, want), "%s: got %s", s->name, got_text);

	free(got_text);
	json_decref(got);
	json_decref(want);
	xml_free(root);
	free(text);
	free(path);
}
END_TEST

START_TEST(ec2_error_sample_parses)
{
	char *path = test_data_path("aws/ec2-xml/error-response.awsdoc.xml");
	char *text = test_read_file(path, NULL);
	json_t *want = expected_json("error-response.awsdoc");
	xml_node *root;
	aws_fault f;

	ck_assert_ptr_nonnull(text);
	root = parse_ok(text);
	ck_assert_int_eq(response_read_error(root, &f), 1);
	ck_assert_str_eq(f.code, json_string_value(json_object_get(want, "Code")));
	ck_assert_str_eq(f.message, json_string_value(json_object_get(want, "Message")));
	ck_assert_str_eq(f.request_id, json_string_value(json_object_get(want, "RequestId")));
	ck_assert_ptr_null(response_result(root, "DescribeVpcPeeringConnections", 0));
	json_decref(want);
	xml_free(root);
	free(text);
	free(path);
}
END_TEST

START_TEST(error_response_shapes_parse)
{
	/* STS and SNS: <ErrorResponse><Error> with <Type>, and RequestId beside it. */
	xml_node *root = parse_ok("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
		"<Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error>"
		"<RequestId>r-1</RequestId></ErrorResponse>");
	aws_fault f;

	ck_assert_int_eq(response_read_error(root, &f), 1);
	ck_assert_str_eq(f.code, "AccessDenied");
	ck_assert_str_eq(f.type, "Sender");
	ck_assert_str_eq(f.message, "not allowed");
	ck_assert_str_eq(f.request_id, "r-1");
	xml_free(root);

	/* moto's authentication errors: <ErrorResponse><Errors><Error> without a request id. */
	root = parse_ok("<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>AuthFailure</Code>"
		"<Message>AWS was not able to validate the provided access credentials</Message>"
		"<Type>Sender</Type></Error></Errors></ErrorResponse>");
	ck_assert_int_eq(response_read_error(root, &f), 1);
	ck_assert_str_eq(f.code, "AuthFailure");
	ck_assert_str_eq(f.request_id, "");
	xml_free(root);

	/* EC2 with the request id first and a namespace. */
	root = parse_ok("<Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15\"><RequestID>r-2</RequestID>"
		"<Errors><Error><Code>InvalidStateTransition</Code><Message>VpcPeeringConnectionID pcx-1 is not in "
		"the correct state for the request.</Message></Error></Errors></Response>");
	ck_assert_int_eq(response_read_error(root, &f), 1);
	ck_assert_str_eq(f.code, "InvalidStateTransition");
	ck_assert_str_eq(f.request_id, "r-2");
	xml_free(root);
}
END_TEST

START_TEST(wrong_root_is_refused)
{
	/* An unsigned request that moto routes to S3 gets a 200 with a bucket list. */
	xml_node *root = parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult "
		"xmlns=\"http://s3.amazonaws.com/doc/2006-03-01\"><Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f</ID>"
		"<DisplayName>webfile</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>");
	aws_fault f;

	ck_assert_ptr_null(response_result(root, "DescribeVpcPeeringConnections", 0));
	ck_assert_int_eq(response_read_error(root, &f), 0);
	xml_free(root);

	/* The right service but another action's response is refused too. */
	root = parse_ok("<DeleteVpcPeeringConnectionResponse><return>true</return></DeleteVpcPeeringConnectionResponse>");
	ck_assert_ptr_null(response_result(root, "RejectVpcPeeringConnection", 0));
	ck_assert_ptr_nonnull(response_result(root, "DeleteVpcPeeringConnection", 0));
	/* STS-style responses need their <ActionResult>. */
	ck_assert_ptr_null(response_result(root, "DeleteVpcPeeringConnection", 1));
	xml_free(root);
}
END_TEST

START_TEST(malformed_xml_is_refused)
{
	static const char *bad[] = {
		"<DescribeVpcPeeringConnectionsResponse><vpcPeeringConnectionSet><item>",   /* truncated */
		"<DescribeVpcPeeringConnectionsResponse></Other>",                           /* mismatched */
		"",                                                                          /* empty */
		"not xml at all",
		"<a><b></a>",
	};
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xml_node *root = NULL;

		ck_assert_msg(xml_parse(&root, bad[i], strlen(bad[i]), why, sizeof(why)) == -1, "accepted: %s", bad[i]);
		ck_assert_ptr_null(root);
		ck_assert_msg(strstr(why, "line") != NULL, "message lacks a position: %s", why);
	}
}
END_TEST

START_TEST(deep_nesting_is_refused)
{
	char doc[XML_MAX_DEPTH * 8 + 64] = "";
	char why[256];
	xml_node *root = NULL;

	for (int i = 0; i <= XML_MAX_DEPTH; i++)
		strcat(doc, "<a>");
	for (int i = 0; i <= XML_MAX_DEPTH; i++)
		strcat(doc, "</a>");
	ck_assert_int_eq(xml_parse(&root, doc, strlen(doc), why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "nested too deeply"));
}
END_TEST

START_TEST(elements_matched_by_name)
{
	/* moto's order (requestId last), a namespace prefix, tags, CIDR sets, a missing tag set. */
	xml_node *root = parse_ok(
		"<ec2:DescribeVpcPeeringConnectionsResponse xmlns:ec2=\"http://ec2.amazonaws.com/doc/2016-11-15\">"
		"<ec2:vpcPeeringConnectionSet><ec2:item>"
		"<ec2:status><ec2:message>Active</ec2:message><ec2:code>active</ec2:code></ec2:status>"
		"<ec2:accepterVpcInfo><ec2:region>eu-west-1</ec2:region><ec2:ownerId>011111111111</ec2:ownerId>"
		"<ec2:cidrBlockSet><ec2:item><ec2:cidrBlock>10.1.0.0/16</ec2:cidrBlock></ec2:item>"
		"<ec2:item><ec2:cidrBlock>10.2.0.0/16</ec2:cidrBlock></ec2:item></ec2:cidrBlockSet>"
		"<ec2:ipv6CidrBlockSet><ec2:item><ec2:ipv6CidrBlock>2001:db8::/56</ec2:ipv6CidrBlock></ec2:item>"
		"</ec2:ipv6CidrBlockSet></ec2:accepterVpcInfo>"
		"<ec2:vpcPeeringConnectionId>pcx-0123456789abcdef0</ec2:vpcPeeringConnectionId>"
		"</ec2:item><ec2:item><ec2:vpcPeeringConnectionId>pcx-2</ec2:vpcPeeringConnectionId>"
		"<ec2:tagSet><ec2:item><ec2:key>Name</ec2:key><ec2:value>a &amp; b</ec2:value></ec2:item></ec2:tagSet>"
		"</ec2:item></ec2:vpcPeeringConnectionSet><ec2:nextToken>tok-2</ec2:nextToken>"
		"<ec2:requestId>r-9</ec2:requestId></ec2:DescribeVpcPeeringConnectionsResponse>");
	const xml_node *result = response_result(root, "DescribeVpcPeeringConnections", 0);
	json_t *got, *want;
	json_error_t jerr;
	char request_id[64];

	ck_assert_ptr_nonnull(result);
	response_request_id(root, request_id, sizeof(request_id));
	ck_assert_str_eq(request_id, "r-9");
	got = shape_to_json(&shape_describe_vpc_peering_connections_result, result);
	want = json_loads("{\"VpcPeeringConnections\": ["
		"{\"Status\": {\"Code\": \"active\", \"Message\": \"Active\"},"
		" \"AccepterVpcInfo\": {\"Region\": \"eu-west-1\", \"OwnerId\": \"011111111111\","
		"  \"CidrBlockSet\": [{\"CidrBlock\": \"10.1.0.0/16\"}, {\"CidrBlock\": \"10.2.0.0/16\"}],"
		"  \"Ipv6CidrBlockSet\": [{\"Ipv6CidrBlock\": \"2001:db8::/56\"}]},"
		" \"VpcPeeringConnectionId\": \"pcx-0123456789abcdef0\", \"Tags\": []},"
		"{\"VpcPeeringConnectionId\": \"pcx-2\", \"Tags\": [{\"Key\": \"Name\", \"Value\": \"a & b\"}]}],"
		" \"NextToken\": \"tok-2\"}", 0, &jerr);
	ck_assert_msg(want != NULL, "%s", jerr.text);
	char *text = json_dumps(got, JSON_SORT_KEYS);
	ck_assert_msg(json_equal(got, want), "got %s", text);
	/* Account ids stay strings with their leading zero. */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(got, "VpcPeeringConnections"), 0), "AccepterVpcInfo"), "OwnerId")), "011111111111");
	free(text);
	json_decref(got);
	json_decref(want);
	xml_free(root);
}
END_TEST

START_TEST(sts_responses_convert)
{
	xml_node *root = parse_ok("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
		"<SecretAccessKey>secretEXAMPLE</SecretAccessKey><SessionToken>tokenEXAMPLE</SessionToken>"
		"<Expiration>2026-01-16T01:10:00Z</Expiration></Credentials><AssumedRoleUser>"
		"<AssumedRoleId>AROAEXAMPLE:peerguard</AssumedRoleId><Arn>arn:aws:sts::222222222222:assumed-role/r/peerguard</Arn>"
		"</AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult>"
		"<ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></AssumeRoleResponse>");
	const xml_node *result = response_result(root, "AssumeRole", 1);
	json_t *got;
	char request_id[64];

	ck_assert_ptr_nonnull(result);
	response_request_id(root, request_id, sizeof(request_id));
	ck_assert_str_eq(request_id, "r-3");
	got = shape_to_json(&shape_assume_role_result, result);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got, "Credentials"), "AccessKeyId")),
		"ASIAEXAMPLE");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got, "AssumedRoleUser"), "Arn")),
		"arn:aws:sts::222222222222:assumed-role/r/peerguard");
	ck_assert_int_eq(json_integer_value(json_object_get(got, "PackedPolicySize")), 6);
	json_decref(got);
	xml_free(root);
}
END_TEST

START_TEST(generic_json_lists_and_repeats)
{
	xml_node *root = parse_ok("<DescribeRegionsResponse><requestId>r</requestId><regionInfo>"
		"<item><regionName>us-east-1</regionName></item><item><regionName>eu-west-1</regionName></item>"
		"</regionInfo><note>a</note><note>b</note></DescribeRegionsResponse>");
	json_t *got = shape_generic_json(root);
	json_t *regions = json_object_get(got, "regionInfo");

	ck_assert_int_eq(json_array_size(regions), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(regions, 1), "regionName")), "eu-west-1");
	ck_assert_int_eq(json_array_size(json_object_get(got, "note")), 2);
	json_decref(got);
	xml_free(root);
}
END_TEST

START_TEST(aws_error_code_comparison)
{
	peerguard_aws_error e;

	peerguard_aws_error_clear(&e);
	ck_assert_int_eq(peerguard_aws_error_is(&e, "InvalidStateTransition"), 0);
	snprintf(e.aws_code, sizeof(e.aws_code), "InvalidVpcPeeringConnectionId.NotFound");
	ck_assert_int_eq(peerguard_aws_error_is(&e, "InvalidVpcPeeringConnectionID.NotFound"), 1);
	ck_assert_int_eq(peerguard_aws_error_is(&e, "Client.InvalidVpcPeeringConnectionID.NotFound"), 1);
	ck_assert_int_eq(peerguard_aws_error_is(&e, "InvalidVpcPeeringConnectionId.Malformed"), 0);
	ck_assert_int_eq(peerguard_aws_error_is(NULL, "x"), 0);
}
END_TEST

START_TEST(transport_codes_described)
{
	for (int code = -20; code >= -29; code--) {
		const char *s = transport_strerror(code);

		ck_assert_msg(s != NULL, "code %d has no description", code);
		for (int other = code + 1; other <= -20; other++)
			ck_assert_str_ne(s, transport_strerror(other));
	}
	ck_assert_ptr_null(transport_strerror(-1));
	ck_assert_ptr_null(transport_strerror(-40));
}
END_TEST

START_TEST(secrets_redacted)
{
	redactor r;
	char msg[256];

	redactor_init(&r);
	redactor_add(&r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	redactor_add(&r, "FAKEsessionTOKEN/for+tests==");
	redactor_add(&r, NULL);
	snprintf(msg, sizeof(msg), "x-amz-security-token:FAKEsessionTOKEN/for+tests== and "
		"FAKEsessionTOKEN%%2Ffor%%2Btests%%3D%%3D and wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY end");
	redact_in_place(&r, msg, sizeof(msg));
	ck_assert_str_eq(msg, "x-amz-security-token:[redacted] and [redacted] and [redacted] end");

	/* A secret that is part of the marker itself does not loop. */
	redactor_add(&r, "redacted");
	redact_in_place(&r, msg, sizeof(msg));
	ck_assert_str_eq(msg, "x-amz-security-token:[[redacted]] and [[redacted]] and [[redacted]] end");
	redactor_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("transport-xml");
	TCase *tc = tcase_create("responses");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, sample_converts_to_boto3_shape, 0, (int)(sizeof(samples) / sizeof(samples[0])));
	tcase_add_test(tc, ec2_error_sample_parses);
	tcase_add_test(tc, error_response_shapes_parse);
	tcase_add_test(tc, wrong_root_is_refused);
	tcase_add_test(tc, malformed_xml_is_refused);
	tcase_add_test(tc, deep_nesting_is_refused);
	tcase_add_test(tc, elements_matched_by_name);
	tcase_add_test(tc, sts_responses_convert);
	tcase_add_test(tc, generic_json_lists_and_repeats);
	tcase_add_test(tc, aws_error_code_comparison);
	tcase_add_test(tc, transport_codes_described);
	tcase_add_test(tc, secrets_redacted);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
