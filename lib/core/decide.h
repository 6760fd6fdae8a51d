/*
 * The state-aware remediation table for VPC peering: given our side and
 * the observed Status.Code, the one EC2 call that can work.
 */
#ifndef PEERGUARD_CORE_DECIDE_H
#define PEERGUARD_CORE_DECIDE_H

#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/policy.h"

typedef struct decide_out {
	peerguard_side side;
	peerguard_action action;
	const char *api_call;     /* static string or "" */
	const char *region;       /* borrowed from the resource, or the fallback region */
	char reason[512];
} decide_out;

/** Returns our side of a connection from the two owner ids and our account id (any may be NULL). */
peerguard_side decide_side(const char *requester_owner, const char *accepter_owner, const char *account_id);

/** Returns 1 for states in which the connection carries no traffic and never will again. */
int decide_state_is_terminal(const char *state);

/**
 * Chooses the action for one matched resource.  resource is the
 * describe-shaped record (borrowed); removal and fallback come from the
 * policy; fallback_region is used when the record names no region.
 */
void decide_action(decide_out *out, json_t *resource, const char *account_id, removal_action removal,
	int reject_fallback_delete, const char *fallback_region);

#endif
