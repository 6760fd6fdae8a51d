/*
 * CloudTrail event sources and names a peering policy may listen to.
 *
 * Cloud Custodian compares them exactly and case-sensitively, and an
 * EventBridge rule built from a misspelt name never fires, so a near miss
 * is a load error with a did-you-mean instead of a policy that is silently
 * dead.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/policy.h"

#define EC2_SOURCE "ec2.amazonaws.com"

/* EC2 API calls that create, change or remove a VPC peering connection or its routes. */
static const char *const ec2_peering_events[] = {
	"CreateVpcPeeringConnection", "AcceptVpcPeeringConnection", "RejectVpcPeeringConnection",
	"DeleteVpcPeeringConnection", "ModifyVpcPeeringConnectionOptions", "CreateRoute", "ReplaceRoute",
	"DeleteRoute", "CreateTags", "DeleteTags", NULL
};

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

int trail_event_check(load_ctx *lc, const ynode *node, const char *path, const char *source,
	const char *event)
{
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *source_node = ynode_map_get(node, "source");
	const ynode *event_node = ynode_map_get(node, "event");

	snprintf(sub, sizeof(sub), "%s.source", path);
	if (strcmp(source, "aws.ec2") == 0)
		return load_fail(lc, source_node, sub,
			"source must be the CloudTrail eventSource (ec2.amazonaws.com), not the EventBridge source (aws.ec2); the policy would never fire");
	if (strcmp(source, EC2_SOURCE) != 0) {
		if (strcasecmp(source, EC2_SOURCE) == 0 || edit_distance(source, EC2_SOURCE) <= 3)
			return load_fail(lc, source_node, sub,
				"unknown event source '%s'; did you mean ec2.amazonaws.com? Sources are compared exactly",
				source);
		return load_fail(lc, source_node, sub,
			"event source '%s' does not emit VPC peering events; use ec2.amazonaws.com", source);
	}

	snprintf(sub, sizeof(sub), "%s.event", path);
	for (const char *const *e = ec2_peering_events; *e; e++)
		if (strcmp(*e, event) == 0)
			return 0;
	for (const char *const *e = ec2_peering_events; *e; e++)
		if (strcasecmp(*e, event) == 0 || edit_distance(*e, event) <= 3)
			return load_fail(lc, event_node, sub,
				"unknown eventName '%s' for ec2.amazonaws.com; did you mean %s? Event names are compared exactly",
				event, *e);
	return load_fail(lc, event_node, sub,
		"eventName '%s' is not a VPC peering call; use CreateVpcPeeringConnection, AcceptVpcPeeringConnection, RejectVpcPeeringConnection, DeleteVpcPeeringConnection or ModifyVpcPeeringConnectionOptions",
		event);
}
