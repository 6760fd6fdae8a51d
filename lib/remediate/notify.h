/*
 * Notifications of finished remediations: SNS Publish and webhook POSTs
 * of the report as JSON, to the targets given in the options and in the
 * policy's notify (SNS transport) and webhook actions.
 */
#ifndef REMEDIATE_NOTIFY_H
#define REMEDIATE_NOTIFY_H

#include <jansson.h>

#include "remediate/internal.h"

/*
 * Returns a new array of targets, each {"type": "sns", "topic": ARN} or
 * {"type": "webhook", "url": URL}, without repeats, with {account_id} and
 * {region} expanded.  Actions of other types are left out.
 */
json_t *notify_targets(peerguard_remediator *r, const rem_target *t);

/*
 * Sends the report of run to every target and records one "notified"
 * audit step per target (URLs without their query).  Returns the number
 * of targets that failed.
 */
int notify_send(rem_run *run, json_t *targets);

#endif
