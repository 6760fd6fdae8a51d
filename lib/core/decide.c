/*
 * The decision table.  R owns the requester VPC, A the accepter VPC.
 *
 *   side  state                               action
 *   R     initiating-request, provisioning    wait and describe again
 *   R     pending-acceptance, active          delete
 *   A     pending-acceptance                  reject, in the accepter's region
 *   A     provisioning, active                delete
 *   both  pending-acceptance                  reject
 *   any   failed, rejected, expired,          nothing: already safe.  Delete
 *         deleting, deleted                   fails on these states
 *                                             (InvalidStateTransition).
 *
 * Only the accepter may reject, and only while the request is pending; a
 * requester's only lever is delete.
 */
#include <stdio.h>
#include <string.h>

#include "core/decide.h"
#include "core/internal.h"

static const char *const terminal_states[] = { "failed", "rejected", "expired", "deleting", "deleted", NULL };

int decide_state_is_terminal(const char *state)
{
	for (const char *const *s = terminal_states; *s; s++)
		if (state && strcmp(state, *s) == 0)
			return 1;
	return 0;
}

peerguard_side decide_side(const char *requester_owner, const char *accepter_owner, const char *account_id)
{
	int r, a;

	if (!account_id || !*account_id)
		return PEERGUARD_SIDE_UNKNOWN;
	if ((!requester_owner || !*requester_owner) && (!accepter_owner || !*accepter_owner))
		return PEERGUARD_SIDE_UNKNOWN;
	r = requester_owner && strcmp(requester_owner, account_id) == 0;
	a = accepter_owner && strcmp(accepter_owner, account_id) == 0;
	if (r && a)
		return PEERGUARD_SIDE_BOTH;
	if (r)
		return PEERGUARD_SIDE_REQUESTER;
	if (a)
		return PEERGUARD_SIDE_ACCEPTER;
	return PEERGUARD_SIDE_NEITHER;
}

static const char *side_region(json_t *resource, const char *info, const char *fallback)
{
	const char *region = json_string_at(json_object_get(resource, info), "Region");

	return region && *region ? region : (fallback ? fallback : "");
}

static void set_action(decide_out *out, peerguard_action action, const char *region)
{
	out->action = action;
	out->region = region;
	out->api_call = action == PEERGUARD_ACTION_DELETE ? "DeleteVpcPeeringConnection" :
		action == PEERGUARD_ACTION_REJECT ? "RejectVpcPeeringConnection" :
		action == PEERGUARD_ACTION_WAIT ? "DescribeVpcPeeringConnections" : "";
}

/* The delete column of the table: what removes the connection from our side in this state. */
static void decide_removal(decide_out *out, const char *state, const char *our_region, const char *accepter_region)
{
	peerguard_side side = out->side;
	const char *role = side == PEERGUARD_SIDE_REQUESTER ? "requester" :
		side == PEERGUARD_SIDE_ACCEPTER ? "accepter" : "owner of both sides";

	if (strcmp(state, "pending-acceptance") == 0) {
		if (side == PEERGUARD_SIDE_REQUESTER) {
			set_action(out, PEERGUARD_ACTION_DELETE, our_region);
			snprintf(out->reason, sizeof(out->reason),
				"We are the requester of a pending request; a requester cannot reject, so delete it.");
		} else {
			set_action(out, PEERGUARD_ACTION_REJECT, accepter_region);
			snprintf(out->reason, sizeof(out->reason),
				"We are the %s of a pending request; reject it in the accepter's region %s.", role,
				accepter_region);
		}
		return;
	}
	if (strcmp(state, "active") == 0) {
		set_action(out, PEERGUARD_ACTION_DELETE, our_region);
		snprintf(out->reason, sizeof(out->reason),
			"The connection is active; as its %s we can no longer reject it, so delete it.", role);
		return;
	}
	if (strcmp(state, "provisioning") == 0 && side == PEERGUARD_SIDE_ACCEPTER) {
		/* Accepted and becoming active: the table gives delete, but AWS does not document what a
		 * delete does during provisioning, so describe again until it is active. */
		set_action(out, PEERGUARD_ACTION_WAIT, our_region);
		snprintf(out->reason, sizeof(out->reason),
			"The connection was accepted and is provisioning; describe it again and delete it once it is active.");
		return;
	}
	if (strcmp(state, "initiating-request") == 0 || strcmp(state, "provisioning") == 0) {
		set_action(out, PEERGUARD_ACTION_WAIT, our_region);
		snprintf(out->reason, sizeof(out->reason),
			"The connection is %s, a transient state; describe it again after a short backoff.", state);
		return;
	}
	set_action(out, PEERGUARD_ACTION_WAIT, our_region);
	snprintf(out->reason, sizeof(out->reason),
		"The state is %s; describe the connection to learn its state before acting.",
		*state ? state : "unknown");
}

static void decide_action_table(decide_out *out, json_t *resource, const char *account_id, removal_action removal,
	int reject_fallback_delete, const char *fallback_region);

void decide_action(decide_out *out, json_t *resource, const char *account_id, removal_action removal,
	int reject_fallback_delete, const char *fallback_region)
{
	decide_action_table(out, resource, account_id, removal, reject_fallback_delete, fallback_region);

	/* A reject or delete sent to no region cannot be carried out: learn the region first. */
	if ((out->action == PEERGUARD_ACTION_REJECT || out->action == PEERGUARD_ACTION_DELETE) &&
	    (!out->region || !*out->region)) {
		const char *call = out->api_call;

		set_action(out, PEERGUARD_ACTION_WAIT, "");
		snprintf(out->reason, sizeof(out->reason),
			"The record names no region for %s; describe the connection in our region, or pass the region.", call);
	}
}

static void decide_action_table(decide_out *out, json_t *resource, const char *account_id, removal_action removal,
	int reject_fallback_delete, const char *fallback_region)
{
	char rbuf[32], abuf[32];
	const char *requester = account_id_text(json_object_get(json_object_get(resource, "RequesterVpcInfo"), "OwnerId"),
		rbuf, sizeof(rbuf));
	const char *accepter = account_id_text(json_object_get(json_object_get(resource, "AccepterVpcInfo"), "OwnerId"),
		abuf, sizeof(abuf));
	const char *state = json_string_at(json_object_get(resource, "Status"), "Code");
	const char *our_region, *accepter_region;

	memset(out, 0, sizeof(*out));
	out->side = decide_side(requester, accepter, account_id);
	set_action(out, PEERGUARD_ACTION_NONE, "");
	if (!state)
		state = "";

	if (removal == REMOVAL_NONE) {
		snprintf(out->reason, sizeof(out->reason), "The policy has no delete or reject action.");
		return;
	}
	if (decide_state_is_terminal(state)) {
		snprintf(out->reason, sizeof(out->reason),
			"The connection is %s and can carry no traffic; nothing to do, and a delete here would fail.", state);
		return;
	}
	if (out->side == PEERGUARD_SIDE_UNKNOWN && account_id && *account_id) {
		/* Delete, reject and accept events carry only the id: describe to learn owners and state. */
		set_action(out, PEERGUARD_ACTION_WAIT, fallback_region ? fallback_region : "");
		snprintf(out->reason, sizeof(out->reason),
			"The record names neither owner of the connection; describe it to learn its owners and state.");
		return;
	}
	if (out->side == PEERGUARD_SIDE_UNKNOWN) {
		snprintf(out->reason, sizeof(out->reason),
			"Our account id is unknown, so our side of the connection is too; pass the account id to decide.");
		return;
	}
	if (out->side == PEERGUARD_SIDE_NEITHER) {
		snprintf(out->reason, sizeof(out->reason),
			"Neither side of the connection belongs to account %s, so it cannot act on it.", account_id);
		return;
	}

	accepter_region = side_region(resource, "AccepterVpcInfo", fallback_region);
	our_region = out->side == PEERGUARD_SIDE_ACCEPTER ? accepter_region :
		side_region(resource, "RequesterVpcInfo", fallback_region);

	if (removal == REMOVAL_REJECT) {
		int can_reject = strcmp(state, "pending-acceptance") == 0 && out->side != PEERGUARD_SIDE_REQUESTER;
		int known = strcmp(state, "active") == 0 || strcmp(state, "provisioning") == 0 ||
			strcmp(state, "pending-acceptance") == 0;
		int may_become_pending = strcmp(state, "initiating-request") == 0 || !known;

		/* A request still initiating, or in a state we do not know, may yet be rejectable. */
		if (!can_reject && may_become_pending && out->side != PEERGUARD_SIDE_REQUESTER) {
			set_action(out, PEERGUARD_ACTION_WAIT, accepter_region);
			snprintf(out->reason, sizeof(out->reason),
				"The state is %s; describe the connection again and reject it once it is pending acceptance.",
				*state ? state : "unknown");
			return;
		}

		if (can_reject) {
			set_action(out, PEERGUARD_ACTION_REJECT, accepter_region);
			snprintf(out->reason, sizeof(out->reason),
				"We are the accepter of a pending request; reject it in the accepter's region %s.",
				accepter_region);
			return;
		}
		if (!reject_fallback_delete) {
			snprintf(out->reason, sizeof(out->reason),
				"Reject cannot work here (%s, state %s): only the accepter may reject, and only while pending. Set fallback: delete to remove it.",
				out->side == PEERGUARD_SIDE_REQUESTER ? "we are the requester" : "we are the accepter",
				*state ? state : "unknown");
			return;
		}
	}
	decide_removal(out, state, our_region, accepter_region);
	if (removal == REMOVAL_REJECT && out->action != PEERGUARD_ACTION_NONE) {
		size_t n = strlen(out->reason);

		snprintf(out->reason + n, sizeof(out->reason) - n, " (reject cannot work here; fallback: delete)");
	}
}
