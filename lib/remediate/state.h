/*
 * The state file: JSON Lines of remediation records keyed by event id and
 * connection id, shared by every worker on a machine (or on a file system
 * with working POSIX locks).
 *
 * Each remediation opens its own handle and takes an exclusive lock on one
 * byte chosen by the key's hash, with open file description locks
 * (F_OFD_SETLKW), so two threads or two processes on the same key
 * serialise while other keys proceed.  Byte 0 guards reading and appending.
 */
#ifndef REMEDIATE_STATE_H
#define REMEDIATE_STATE_H

#include <jansson.h>

#include "peerguard/peerguard.h"

typedef struct state_file state_file;

/* Opens (creating with mode 0640) the state file.  Returns 0, or PEERGUARD_ESTATE with err filled. */
int state_open(state_file **out, const char *path, peerguard_error *err);

/* Closes the handle, which releases its locks.  s may be NULL. */
void state_close(state_file *s);

/* Waits for and takes the lock of key.  Returns 0, or PEERGUARD_ESTATE with err filled. */
int state_lock_key(state_file *s, const char *key, peerguard_error *err);

/*
 * Finds the last record whose "key" is key.  *out receives a new reference,
 * or NULL when there is none.  Lines that are not JSON objects (a write cut
 * short by a crash) are skipped.  Returns 0, or PEERGUARD_ESTATE.
 */
int state_lookup(json_t **out, state_file *s, const char *key, peerguard_error *err);

/* Appends record (borrowed) as one line and syncs it.  Returns 0, or PEERGUARD_ESTATE. */
int state_append(state_file *s, json_t *record, peerguard_error *err);

#endif
