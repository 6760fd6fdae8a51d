/*
 * Credential sources: static keys, credential_process programs and assumed
 * roles, each refreshed before it expires.  Also the resolution chain that
 * the AWS SDKs use: explicit, environment, then the shared files.
 */
#ifndef TRANSPORT_CREDENTIALS_H
#define TRANSPORT_CREDENTIALS_H

#include <jansson.h>

#include "peerguard/transport.h"

typedef struct peerguard_client peerguard_client;

/* One set of credentials; every string is owned and wiped by cred_snapshot_clear. */
typedef struct cred_snapshot {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;          /* NULL for long-term keys */
	double expiration;            /* seconds since the epoch; 0: never expires */
} cred_snapshot;

/* Wipes and frees the strings of s. */
void cred_snapshot_clear(cred_snapshot *s);

/* A source of credentials.  Opaque. */
typedef struct cred_source cred_source;

/* Returns a new source of fixed credentials (copied); origin names it in messages, such as "environment". */
cred_source *cred_source_static(const char *access_key_id, const char *secret_access_key,
	const char *session_token, const char *origin);

/* Returns a new source that runs command (a credential_process line) and parses its JSON output. */
cred_source *cred_source_process(const char *command, const char *origin);

/*
 * Returns a new source that assumes role_arn with base's credentials.
 * With own_base, the source frees base with itself.
 */
cred_source *cred_source_assume_role(peerguard_client *base, int own_base, const char *role_arn,
	const char *session_name, const char *external_id, unsigned int duration_seconds);

/*
 * Returns a new JSON object {"AssumedRoleUser": ..., "Credentials":
 * {"AccessKeyId", "Expiration"}} of the last AssumeRole, or NULL when the
 * source has not assumed a role.  Secrets are never part of it.
 */
json_t *cred_source_role_info(cred_source *s);

/* Frees a source.  s may be NULL. */
void cred_source_free(cred_source *s);

/* Returns where the credentials come from, such as "profile dev in /root/.aws/config" (borrowed). */
const char *cred_source_origin(const cred_source *s);

/*
 * Drops the current credentials of a source that can fetch new ones, so the
 * next cred_source_get fetches them.  Returns 1 for such a source, 0 for
 * fixed credentials.
 */
int cred_source_invalidate(cred_source *s);

/*
 * Copies the source's current credentials into out, first fetching new ones
 * when there are none or they expire within the refresh margin.  c receives
 * log messages.  Returns 0 or a negative code with err set.
 */
int cred_source_get(cred_source *s, peerguard_client *c, double now, cred_snapshot *out, peerguard_aws_error *err);

/*
 * Resolves c's credentials in the SDKs' order: explicit, the environment
 * (skipped when the profile was given explicitly), then c's profile in the
 * shared files.  Returns 0 or a negative code with err set.
 */
int cred_resolve(cred_source **out, peerguard_client *c, const peerguard_credentials *explicit_creds,
	peerguard_aws_error *err);

/*
 * Reads the region and endpoint_url of profile in the shared config file
 * into new strings (NULL when unset).  Returns 0 or a negative code.
 */
int profile_settings(char **region_out, char **endpoint_out, const char *profile, peerguard_aws_error *err);

/* Parses an ISO-8601 UTC time such as "2026-01-15T23:50:00Z" or "...00.000+00:00"; returns 0 or -1. */
int parse_iso8601(const char *s, double *out);

#endif
