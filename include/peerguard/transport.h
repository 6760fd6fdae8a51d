/*
 * libpeerguard transport: signed calls to the AWS EC2, STS and SNS Query APIs.
 *
 * A peerguard_client holds credentials, endpoints, retry settings and the
 * clock offset learnt from the servers.  Every call signs its request with
 * AWS Signature Version 4 and sends it with libcurl.  Throttling, 5xx
 * responses, connection failures and timeouts are retried with exponential
 * backoff and full jitter.  The XML response is parsed with expat into the
 * JSON shape that boto3 returns, which the core evaluates as it is.
 *
 * Conventions are those of peerguard.h.  In addition, every function that
 * sends a request takes a peerguard_aws_error, which carries the AWS error
 * code, HTTP status and request id of a failed call next to the usual
 * peerguard_error detail.
 *
 * Secrets: no secret access key, session token or request signature is ever
 * written to a log message, an error message or a returned JSON document.
 *
 * Threads: a client may be shared by any number of threads.  Credential
 * refreshes and the learnt clock offset are guarded inside the client.
 */
#ifndef PEERGUARD_TRANSPORT_H
#define PEERGUARD_TRANSPORT_H

#include <stddef.h>

#include "peerguard/peerguard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/** Return codes of the transport.  Values are never renumbered. */
typedef enum peerguard_transport_code {
	PEERGUARD_ETRANSPORT = -20,   /**< connection failed: refused, reset, name lookup, cut short */
	PEERGUARD_ETIMEOUT = -21,     /**< an attempt or the whole call ran out of time */
	PEERGUARD_ETLS = -22,         /**< TLS handshake or certificate verification failed */
	PEERGUARD_EAWS = -23,         /**< AWS returned an error; see peerguard_aws_error.aws_code */
	PEERGUARD_ERESPONSE = -24,    /**< the response was not the expected XML document */
	PEERGUARD_ECREDENTIALS = -25, /**< no usable credentials, or a credentials source failed */
	PEERGUARD_EAUTH = -26,        /**< AWS rejected the credentials or the signature */
	PEERGUARD_EDENIED = -27,      /**< the credentials are not allowed to make the call */
	PEERGUARD_ETHROTTLED = -28,   /**< still throttled after the last attempt */
	PEERGUARD_ECONFIG = -29       /**< invalid configuration: region, endpoint, profile, option */
} peerguard_transport_code;

#define PEERGUARD_AWS_CODE_MAX 128
#define PEERGUARD_AWS_MESSAGE_MAX 512
#define PEERGUARD_AWS_REQUEST_ID_MAX 128
#define PEERGUARD_AWS_ACTION_MAX 64
#define PEERGUARD_AWS_ENDPOINT_MAX 256

/**
 * Error detail of a failed call, owned by the caller.  Fields that do not
 * apply are empty strings or zero.
 */
typedef struct peerguard_aws_error {
	peerguard_error error;        /**< code and a message naming the call, the endpoint and the fix */
	int http_status;              /**< status of the last response, 0 when none arrived */
	char aws_code[PEERGUARD_AWS_CODE_MAX];          /**< such as "InvalidStateTransition" */
	char aws_message[PEERGUARD_AWS_MESSAGE_MAX];    /**< the message AWS sent, secrets removed */
	char request_id[PEERGUARD_AWS_REQUEST_ID_MAX];  /**< AWS request id of the last response */
	char action[PEERGUARD_AWS_ACTION_MAX];          /**< Query action, such as "DescribeVpcPeeringConnections" */
	char endpoint[PEERGUARD_AWS_ENDPOINT_MAX];      /**< endpoint URL the call went to */
	unsigned int attempts;        /**< HTTP attempts made */
} peerguard_aws_error;

/** Clears every field of err.  err may be NULL. */
PEERGUARD_EXTERN void peerguard_aws_error_clear(peerguard_aws_error *err);

/**
 * Returns 1 when err carries the AWS error code code, else 0.  The
 * comparison ignores case and a "Client." or "Server." prefix, because AWS
 * spells InvalidVpcPeeringConnectionID.NotFound and ...Id.Malformed and
 * CloudTrail prefixes EC2 codes with "Client.".
 */
PEERGUARD_EXTERN int peerguard_aws_error_is(const peerguard_aws_error *err, const char *code);

/* ------------------------------------------------------------------------
 * Credentials
 * ------------------------------------------------------------------------ */

/** Long-term or temporary AWS credentials.  The strings are borrowed. */
typedef struct peerguard_credentials {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;    /**< NULL or "" for long-term keys: then no token is sent */
} peerguard_credentials;

/* ------------------------------------------------------------------------
 * Clients
 * ------------------------------------------------------------------------ */

/** A configured AWS client.  Opaque; shareable between threads. */
typedef struct peerguard_client peerguard_client;

/** Returns seconds since the Unix epoch; used in place of the system clock. */
typedef double (*peerguard_clock_fn)(void *userdata);

#define PEERGUARD_CLIENT_OPTIONS_VERSION 1

/**
 * Client settings.  NULL strings and zero numbers mean the default given
 * beside each field.  Strings are copied by peerguard_client_new.
 */
typedef struct peerguard_client_options {
	unsigned int version;                   /**< PEERGUARD_CLIENT_OPTIONS_VERSION */
	/** Default region of calls; NULL: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region. */
	const char *region;
	/**
	 * Profile of the shared files; NULL: AWS_PROFILE, then "default".
	 * A profile given here also skips the environment credentials, as
	 * the AWS SDKs do for an explicit profile.
	 */
	const char *profile;
	/** Explicit credentials, used before any other source; NULL: the chain. */
	const peerguard_credentials *credentials;
	/** Role to assume with the credentials found above before any call; NULL: none. */
	const char *role_arn;
	const char *role_session_name;          /**< NULL: "peerguard" */
	const char *external_id;                /**< ExternalId for every AssumeRole; NULL: none */
	/**
	 * Role ARN with "{account_id}" in it, such as
	 * "arn:aws:iam::{account_id}:role/peerguard", for
	 * peerguard_client_for_account.  NULL: none.
	 */
	const char *role_arn_template;
	/** Endpoint for every service; wins over AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
	const char *endpoint_url;
	const char *ec2_endpoint_url;           /**< EC2 endpoint; wins over endpoint_url */
	const char *sts_endpoint_url;           /**< STS endpoint; wins over endpoint_url */
	const char *sns_endpoint_url;           /**< SNS endpoint; wins over endpoint_url */
	/** PEM file of CA certificates for https; NULL: AWS_CA_BUNDLE, then the system store. */
	const char *ca_bundle;
	unsigned int max_attempts;              /**< HTTP attempts per call; 3 */
	unsigned int connect_timeout_ms;        /**< TCP and TLS connect per attempt; 5000 */
	unsigned int attempt_timeout_ms;        /**< one attempt, connect included; 30000 */
	unsigned int deadline_ms;               /**< whole call, backoff included; 120000 */
	unsigned int backoff_base_ms;           /**< first backoff ceiling, doubled per retry; 200 */
	unsigned int backoff_max_ms;            /**< backoff ceiling; 20000 */
	/** Extra request headers, "Name: value", NULL-terminated and signed; NULL: none. */
	const char *const *extra_headers;
	peerguard_log_fn log;                   /**< retries, errors and warnings; may be NULL */
	void *log_userdata;
	peerguard_clock_fn clock;               /**< NULL: the system clock */
	void *clock_userdata;
} peerguard_client_options;

#define PEERGUARD_CLIENT_OPTIONS_INIT { PEERGUARD_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, \
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL }

/**
 * Creates a client.  Credentials are resolved here, in the order the AWS
 * SDKs use: explicit credentials, the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the profile in the shared
 * credentials and config files (static keys, role_arn with source_profile,
 * credential_process).  When opts->role_arn is set, the role is assumed
 * here with those credentials.  Temporary credentials are refreshed five
 * minutes before they expire.
 *
 * @param out   receives a new client, freed with peerguard_client_free
 * @param opts  options, or NULL for defaults
 * @param err   error detail, or NULL
 * @return 0, PEERGUARD_ECREDENTIALS, PEERGUARD_ECONFIG, PEERGUARD_EINVAL,
 *         PEERGUARD_ENOMEM, or any code of a call when AssumeRole fails
 */
PEERGUARD_EXTERN int peerguard_client_new(peerguard_client **out, const peerguard_client_options *opts,
	peerguard_aws_error *err);

/**
 * Frees a client and the per-account clients it made.  No call may be using
 * it.  client may be NULL.
 */
PEERGUARD_EXTERN void peerguard_client_free(peerguard_client *client);

/**
 * Returns a client acting in another account through a role: the role ARN
 * is role_arn_template (or, when NULL, the option of the same name) with
 * "{account_id}" replaced, assumed with c's credentials.  Clients are cached
 * per account and role, and their credentials are refreshed five minutes
 * before they expire, so calling this once per use is cheap.
 *
 * @param out                receives a client owned by c (borrowed): valid until c is freed
 * @param c                  the client whose credentials assume the role
 * @param account_id         12-digit account id
 * @param role_arn_template  template, or NULL for the client's option
 * @param err                error detail, or NULL
 * @return 0, PEERGUARD_EINVAL (bad account id or template), or any code of a call
 */
PEERGUARD_EXTERN int peerguard_client_for_account(peerguard_client **out, peerguard_client *c,
	const char *account_id, const char *role_arn_template, peerguard_aws_error *err);

/** Returns the client's default region (borrowed), or NULL when none is configured. */
PEERGUARD_EXTERN const char *peerguard_client_region(const peerguard_client *c);

/**
 * Copies the access key id the client last signed with (not a secret; ""
 * before any call).  A copy, because a refresh in another thread may
 * change it.
 *
 * @param out  receives a new string, freed with peerguard_free
 * @return 0, PEERGUARD_EINVAL or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_client_access_key_id(char **out, const peerguard_client *c);

/** Returns the clock offset in seconds learnt from server Date headers, 0 at first. */
PEERGUARD_EXTERN double peerguard_client_clock_offset(const peerguard_client *c);

/* ------------------------------------------------------------------------
 * EC2: VPC peering connections (API version 2016-11-15)
 *
 * region may be NULL in every call: the client's default region is used.
 * ------------------------------------------------------------------------ */

/** One Filter.N of DescribeVpcPeeringConnections, such as status-code = [active]. */
typedef struct peerguard_describe_filter {
	const char *name;
	const char *const *values;
	size_t n_values;
} peerguard_describe_filter;

/**
 * Calls DescribeVpcPeeringConnections and follows NextToken to the last
 * page.
 *
 * @param out_json   receives {"VpcPeeringConnections": [...]} in boto3's shape,
 *                   a new string freed with peerguard_free
 * @param c          client
 * @param region     region, or NULL
 * @param ids        VpcPeeringConnectionId.N values, or NULL
 * @param n_ids      number of ids
 * @param filters    Filter.N values, or NULL
 * @param n_filters  number of filters
 * @param err        error detail, or NULL
 * @return 0 or a negative code
 */
PEERGUARD_EXTERN int peerguard_ec2_describe_vpc_peering_connections(char **out_json, peerguard_client *c,
	const char *region, const char *const *ids, size_t n_ids,
	const peerguard_describe_filter *filters, size_t n_filters, peerguard_aws_error *err);

/**
 * Calls DeleteVpcPeeringConnection.  With dry_run set, the response
 * DryRunOperation ("the call would succeed") returns 0 and any other response
 * is reported as usual.  A server that ignores DryRun and performs the call
 * also returns 0, with a warning in the log.
 *
 * @return 0 or a negative code (PEERGUARD_EAWS with aws_code
 *         InvalidStateTransition when the state forbids the call)
 */
PEERGUARD_EXTERN int peerguard_ec2_delete_vpc_peering_connection(peerguard_client *c, const char *region,
	const char *id, int dry_run, peerguard_aws_error *err);

/** Calls RejectVpcPeeringConnection; DryRun and return codes as for delete. */
PEERGUARD_EXTERN int peerguard_ec2_reject_vpc_peering_connection(peerguard_client *c, const char *region,
	const char *id, int dry_run, peerguard_aws_error *err);

/**
 * Calls AcceptVpcPeeringConnection.
 *
 * @param out_json  receives {"VpcPeeringConnection": {...}}, freed with
 *                  peerguard_free, or NULL when not needed; on a dry run
 *                  that would succeed, {"DryRun": true}
 */
PEERGUARD_EXTERN int peerguard_ec2_accept_vpc_peering_connection(char **out_json, peerguard_client *c,
	const char *region, const char *id, int dry_run, peerguard_aws_error *err);

#define PEERGUARD_CREATE_PEERING_OPTIONS_VERSION 1

/** Arguments of CreateVpcPeeringConnection. */
typedef struct peerguard_create_peering_options {
	unsigned int version;      /**< PEERGUARD_CREATE_PEERING_OPTIONS_VERSION */
	const char *vpc_id;        /**< requester VPC, in the call's region; required */
	const char *peer_vpc_id;   /**< accepter VPC; required */
	const char *peer_owner_id; /**< accepter account; NULL: the caller's account */
	const char *peer_region;   /**< accepter region; NULL: the call's region */
	int dry_run;
} peerguard_create_peering_options;

#define PEERGUARD_CREATE_PEERING_OPTIONS_INIT { PEERGUARD_CREATE_PEERING_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0 }

/**
 * Calls CreateVpcPeeringConnection.
 *
 * @param out_json  receives {"VpcPeeringConnection": {...}}, freed with
 *                  peerguard_free, or NULL; {"DryRun": true} on a dry run
 *                  that would succeed
 */
PEERGUARD_EXTERN int peerguard_ec2_create_vpc_peering_connection(char **out_json, peerguard_client *c,
	const char *region, const peerguard_create_peering_options *opts, peerguard_aws_error *err);

/* ------------------------------------------------------------------------
 * STS (API version 2011-06-15) and SNS (2010-03-31)
 * ------------------------------------------------------------------------ */

/**
 * Calls GetCallerIdentity.
 *
 * @param out_json  receives {"UserId", "Account", "Arn"}, freed with peerguard_free
 */
PEERGUARD_EXTERN int peerguard_sts_get_caller_identity(char **out_json, peerguard_client *c,
	peerguard_aws_error *err);

#define PEERGUARD_ASSUME_ROLE_OPTIONS_VERSION 1

/** Arguments of AssumeRole besides the role ARN. */
typedef struct peerguard_assume_role_options {
	unsigned int version;          /**< PEERGUARD_ASSUME_ROLE_OPTIONS_VERSION */
	const char *session_name;      /**< NULL: the client's role_session_name, else "peerguard" */
	const char *external_id;       /**< NULL: the client's external_id */
	unsigned int duration_seconds; /**< 0: AWS's default, one hour */
} peerguard_assume_role_options;

#define PEERGUARD_ASSUME_ROLE_OPTIONS_INIT { PEERGUARD_ASSUME_ROLE_OPTIONS_VERSION, NULL, NULL, 0 }

/**
 * Calls AssumeRole with c's credentials and returns a new client that signs
 * with the role's temporary credentials, re-assuming the role five minutes
 * before they expire.  The new client holds a reference on c, so the two may
 * be freed in any order.
 *
 * @param out       receives a new client, freed with peerguard_client_free
 * @param out_json  receives {"AssumedRoleUser": {...}, "Credentials":
 *                  {"AccessKeyId", "Expiration"}} (secret and token left
 *                  out), freed with peerguard_free; may be NULL
 * @param c         client whose credentials assume the role
 * @param role_arn  role to assume
 * @param opts      options, or NULL
 * @param err       error detail, or NULL
 */
PEERGUARD_EXTERN int peerguard_sts_assume_role(peerguard_client **out, char **out_json, peerguard_client *c,
	const char *role_arn, const peerguard_assume_role_options *opts, peerguard_aws_error *err);

/**
 * Calls SNS Publish in the topic's region (taken from the ARN).
 *
 * @param out_message_id  receives the MessageId, freed with peerguard_free; may be NULL
 * @param subject         subject, or NULL
 * @param message         message body, UTF-8
 */
PEERGUARD_EXTERN int peerguard_sns_publish(char **out_message_id, peerguard_client *c, const char *topic_arn,
	const char *subject, const char *message, peerguard_aws_error *err);

/* ------------------------------------------------------------------------
 * Any Query API action
 * ------------------------------------------------------------------------ */

/**
 * Calls any action of a Query-protocol service (EC2, STS, SNS, SQS, IAM,
 * ...) and returns its result as generic JSON: the children of the
 * <ActionResult> element (or, for EC2, of the root) by their XML names,
 * text as strings, the children of "item" and "member" lists as arrays, and
 * any other name that repeats as an array.  A repeated element that occurs
 * once is an object, not a one-element array.
 *
 * The endpoint of ec2, sts and sns is the client's; any other service takes
 * AWS_ENDPOINT_URL_<SERVICE>, then the client's endpoint_url (or
 * AWS_ENDPOINT_URL), then https://SERVICE.REGION.amazonaws.com/.
 *
 * @param out_json  receives the JSON, freed with peerguard_free
 * @param service   signing name and endpoint prefix in lower case, such as "ec2" or "sqs"
 * @param region    region, or NULL
 * @param action    such as "DescribeRegions"
 * @param version   API version, such as "2016-11-15"
 * @param params    name, value, name, value, ..., NULL; or NULL
 * @return 0 or a negative code; PEERGUARD_EINVAL for an invalid service name
 */
PEERGUARD_EXTERN int peerguard_aws_query(char **out_json, peerguard_client *c, const char *service,
	const char *region, const char *action, const char *version, const char *const *params,
	peerguard_aws_error *err);

/**
 * Same as peerguard_aws_query, sent to endpoint_url instead of any
 * configured endpoint: for APIs addressed by a resource URL, such as SQS
 * ReceiveMessage at a queue URL.
 */
PEERGUARD_EXTERN int peerguard_aws_query_url(char **out_json, peerguard_client *c, const char *service,
	const char *region, const char *endpoint_url, const char *action, const char *version,
	const char *const *params, peerguard_aws_error *err);

/* ------------------------------------------------------------------------
 * Remote value_from and whitelist_from URLs
 * ------------------------------------------------------------------------ */

/**
 * A fetcher of remote value_from URLs for peerguard_load_options.fetch:
 * http:// and https:// with a GET, s3:// with a SigV4-signed GetObject.
 * Opaque; shareable between threads.
 */
typedef struct peerguard_fetcher peerguard_fetcher;

#define PEERGUARD_FETCHER_OPTIONS_VERSION 1

/** Fetcher settings.  NULL pointers and zero numbers mean the default given beside each field. */
typedef struct peerguard_fetcher_options {
	unsigned int version;              /**< PEERGUARD_FETCHER_OPTIONS_VERSION */
	/**
	 * Client whose credentials, region and endpoint sign and address s3://
	 * GETs (borrowed: it must outlive the fetcher).  NULL: the fetcher
	 * creates its own client from client_options at the first s3:// URL.
	 */
	peerguard_client *client;
	/**
	 * Options of the client created for s3:// URLs when client is NULL;
	 * borrowed with every string in them for the fetcher's lifetime.
	 * NULL: the defaults (environment, shared files).
	 */
	const peerguard_client_options *client_options;
	/** PEM file of CA certificates for https; NULL: AWS_CA_BUNDLE, then the system store. */
	const char *ca_bundle;
	unsigned int connect_timeout_ms;   /**< TCP and TLS connect; 5000 */
	unsigned int timeout_ms;           /**< one fetch, redirects included; 30000 */
	unsigned int max_redirects;        /**< http and https redirects followed; 5 */
	/** Largest body; 0: the max_bytes of each call (the core's max_input_bytes), else the smaller. */
	size_t max_bytes;
	peerguard_log_fn log;              /**< one debug line per fetch, without secrets; may be NULL */
	void *log_userdata;
} peerguard_fetcher_options;

#define PEERGUARD_FETCHER_OPTIONS_INIT { PEERGUARD_FETCHER_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL }

/**
 * Creates a fetcher.
 *
 * http and https: a GET with the policy's headers and Accept-Encoding:
 * gzip, as c7n 0.9.53 sends it.  TLS certificates and host names are
 * verified.  Redirects are followed only to http and https URLs, never
 * from https to http, and the policy's headers are dropped when a
 * redirect leaves the host.  A status of 400 or more is an error.
 *
 * s3://BUCKET/KEY: GetObject signed with SigV4 (service s3).  The query
 * may contain versionId (or c7n's VersionId) and region, the bucket's
 * region (default: the client's region, then us-east-1).  An endpoint
 * from AWS_ENDPOINT_URL_S3, the client's endpoint_url or AWS_ENDPOINT_URL
 * is addressed path-style (ENDPOINT/BUCKET/KEY).  Otherwise the AWS
 * endpoint is addressed virtual-hosted (BUCKET.s3.REGION.amazonaws.com),
 * or path-style when the bucket name has a dot.  The policy's headers are
 * not sent to S3.
 *
 * Each fetch makes one attempt.  A body that starts with the gzip magic
 * (a .gz object) is decompressed within max_bytes, so the size limit
 * bounds the decompressed body too.
 *
 * @param out   receives a new fetcher, freed with peerguard_fetcher_free
 * @param opts  options, or NULL for defaults
 * @param err   error detail, or NULL
 * @return 0, PEERGUARD_EINVAL (wrong opts->version) or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_fetcher_new(peerguard_fetcher **out, const peerguard_fetcher_options *opts,
	peerguard_error *err);

/** Frees a fetcher and the client it created.  No fetch may be running.  f may be NULL. */
PEERGUARD_EXTERN void peerguard_fetcher_free(peerguard_fetcher *f);

/**
 * Fetches url: a peerguard_fetch_fn whose userdata is a peerguard_fetcher.
 * Thread-safe.  Messages name the URL without its user information and
 * query string, and never carry header values, credentials or signatures.
 *
 * @return 0, PEERGUARD_EINVAL (not an http, https or s3 URL),
 *         PEERGUARD_ELIMIT (body larger than max_bytes), PEERGUARD_EIO
 *         (an error status), PEERGUARD_ETRANSPORT, PEERGUARD_ETIMEOUT,
 *         PEERGUARD_ETLS, PEERGUARD_EDENIED (S3 AccessDenied),
 *         PEERGUARD_ECREDENTIALS, PEERGUARD_ECONFIG or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_fetcher_fetch(char **body, size_t *len, const char *url, const char *const *headers,
	size_t max_bytes, char *errbuf, size_t errbuf_size, void *fetcher);

#ifdef __cplusplus
}
#endif

#endif
