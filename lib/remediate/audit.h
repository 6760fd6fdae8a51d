/*
 * The audit log: JSON Lines, one record per step, each written with one
 * write(2) to a file opened O_APPEND and synced with fsync(2) before the
 * call returns, so a record is on disk before the next step starts and
 * several processes may share one log.
 */
#ifndef REMEDIATE_AUDIT_H
#define REMEDIATE_AUDIT_H

#include <jansson.h>

#include "peerguard/peerguard.h"

typedef struct audit_log audit_log;

/* Opens (creating with mode 0640) the log at path.  Returns 0, or PEERGUARD_EAUDIT with err filled. */
int audit_open(audit_log **out, const char *path, peerguard_error *err);

/* Closes the log.  a may be NULL. */
void audit_close(audit_log *a);

/*
 * Writes record (borrowed) as one line and syncs it.  a may be NULL: then
 * nothing is written and 0 is returned.  Returns 0, or PEERGUARD_EAUDIT
 * with err filled.
 */
int audit_append(audit_log *a, json_t *record, peerguard_error *err);

#endif
