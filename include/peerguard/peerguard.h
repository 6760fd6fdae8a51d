/*
 * libpeerguard: decide what to do about risky AWS resource requests.
 *
 * This header is the specification of the decision core.  The core loads
 * Cloud Custodian policy files and evaluates CloudTrail records and
 * DescribeVpcPeeringConnections records against them.  It returns one
 * decision per policy and resource.  A decision says whether the policy
 * matched, which side of the peering connection the protected account owns,
 * the state the connection was seen in, and the EC2 call that is valid for
 * that state and side.
 *
 * The core performs no network I/O and reads the clock only when the caller
 * leaves peerguard_context.now at zero.
 *
 * Conventions
 *
 *  - Fallible functions return int: 0 on success, a negative PEERGUARD_E*
 *    code on failure.  Codes are never renumbered.
 *  - Error detail goes into a caller-owned peerguard_error, never into
 *    thread-local state.  Every such argument may be NULL.
 *  - Out-parameters come first.  An object returned through an out-pointer
 *    belongs to the caller and is released with the matching _free function
 *    (strings with peerguard_free).  Pointers returned by accessors are
 *    borrowed: they stay valid until their owner is freed.
 *  - _free(NULL) does nothing.
 *  - A loaded peerguard_policy_set is immutable: any number of threads may
 *    evaluate against one set at the same time.
 *  - Option structs start with a version field; initialise them with their
 *    _INIT macro so that later fields get their defaults.
 */
#ifndef PEERGUARD_PEERGUARD_H
#define PEERGUARD_PEERGUARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PEERGUARD_BUILDING) && defined(__GNUC__)
#define PEERGUARD_EXTERN __attribute__((visibility("default")))
#else
#define PEERGUARD_EXTERN
#endif

/* ------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */

#define PEERGUARD_VERSION_MAJOR 0
#define PEERGUARD_VERSION_MINOR 1
#define PEERGUARD_VERSION_PATCH 0
#define PEERGUARD_VERSION "0.1.0"
/** (major << 16) | (minor << 8) | patch of the headers compiled against. */
#define PEERGUARD_VERSION_NUMBER \
	((PEERGUARD_VERSION_MAJOR << 16) | (PEERGUARD_VERSION_MINOR << 8) | PEERGUARD_VERSION_PATCH)

/** Returns the version string of the loaded library, such as "0.1.0". */
PEERGUARD_EXTERN const char *peerguard_version(void);

/** Returns PEERGUARD_VERSION_NUMBER of the loaded library. */
PEERGUARD_EXTERN int peerguard_version_number(void);

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/** Return codes.  Values are part of the ABI and are never renumbered. */
typedef enum peerguard_code {
	PEERGUARD_OK = 0,
	PEERGUARD_ERROR = -1,      /**< internal error */
	PEERGUARD_ENOMEM = -2,     /**< out of memory */
	PEERGUARD_EINVAL = -3,     /**< invalid argument to the API */
	PEERGUARD_EPOLICY = -4,    /**< policy file invalid */
	PEERGUARD_EINPUT = -5,     /**< input document invalid */
	PEERGUARD_EIO = -6,        /**< file could not be read */
	PEERGUARD_ELIMIT = -7,     /**< a configured limit was exceeded */
	PEERGUARD_EEXPR = -8,      /**< JMESPath expression invalid */
	PEERGUARD_EEVAL = -9,      /**< evaluation failed (bad allowlist file, regex limit) */
	PEERGUARD_ENOTFOUND = -10, /**< named item not found */
	/* -20 .. -39 are reserved for the transport (peerguard/transport.h). */
	/* -40 .. -59 are reserved for remediation. */
} peerguard_code;

/** Returns a static, one-line description of a peerguard_code. */
PEERGUARD_EXTERN const char *peerguard_strerror(int code);

#define PEERGUARD_ERROR_MESSAGE_MAX 512
#define PEERGUARD_ERROR_FILE_MAX 256
#define PEERGUARD_ERROR_NAME_MAX 128
#define PEERGUARD_ERROR_PATH_MAX 256

/**
 * Error detail, owned by the caller.  Fields that do not apply are empty
 * strings or zero.
 */
typedef struct peerguard_error {
	int code;                                  /**< the peerguard_code returned */
	char message[PEERGUARD_ERROR_MESSAGE_MAX]; /**< what failed and how to fix it */
	char file[PEERGUARD_ERROR_FILE_MAX];       /**< policy or input file name */
	int line;                                  /**< 1-based line, 0 if unknown */
	int column;                                /**< 1-based column, 0 if unknown */
	char policy[PEERGUARD_ERROR_NAME_MAX];     /**< policy name, if known */
	char path[PEERGUARD_ERROR_PATH_MAX];       /**< location in the document, e.g. policies[0].filters[1].op */
} peerguard_error;

/** Clears every field of err.  err may be NULL. */
PEERGUARD_EXTERN void peerguard_error_clear(peerguard_error *err);

/** Frees a string or buffer returned by the library.  p may be NULL. */
PEERGUARD_EXTERN void peerguard_free(void *p);

/* ------------------------------------------------------------------------
 * Logging
 * ------------------------------------------------------------------------ */

typedef enum peerguard_log_level {
	PEERGUARD_LOG_ERROR = 0,
	PEERGUARD_LOG_WARN = 1,
	PEERGUARD_LOG_INFO = 2,
	PEERGUARD_LOG_DEBUG = 3
} peerguard_log_level;

/** Receives one log message; message is valid only during the call. */
typedef void (*peerguard_log_fn)(peerguard_log_level level, const char *message, void *userdata);

/* ------------------------------------------------------------------------
 * Limits
 * ------------------------------------------------------------------------ */

/**
 * Limits on hostile input.  Zero in any field means the default given
 * beside it.  Exceeding a limit is a PEERGUARD_ELIMIT error naming the limit.
 */
typedef struct peerguard_limits {
	/**
	 * One input document or decompressed log file held in memory; 256 MiB.
	 * peerguard_evaluate_file streams a regular file instead of holding it,
	 * and then this bounds each record of a log file or each line of JSON
	 * lines, not the file.
	 */
	size_t max_input_bytes;
	size_t max_policy_bytes;         /**< one policy file; 16 MiB */
	unsigned int max_depth;          /**< JSON and YAML nesting depth; 64 */
	unsigned int max_yaml_aliases;   /**< YAML alias references in one policy file; 1000 */
	unsigned int max_policies;       /**< policies in one set; 10000 */
	unsigned int max_filters;        /**< filters in one policy, nested ones included; 10000 */
	uint32_t regex_match_limit;      /**< PCRE2 match limit; 1000000 */
	uint32_t regex_heap_limit_kib;   /**< PCRE2 heap limit in KiB; 20480 */
	uint64_t jmespath_max_steps;     /**< JMESPath evaluation steps per search; 1000000 */
	size_t jmespath_max_length;      /**< JMESPath expression length in bytes; 4096 */
} peerguard_limits;

/* ------------------------------------------------------------------------
 * Policy sets
 * ------------------------------------------------------------------------ */

/** A compiled, immutable set of policies. */
typedef struct peerguard_policy_set peerguard_policy_set;

/**
 * Fetches the body of a remote value_from or whitelist_from URL (http://,
 * https:// or s3://) for the core, which does no network I/O itself.
 * peerguard/transport.h provides one (peerguard_fetcher_fetch).
 *
 * URLs without variables are fetched while the set loads.  URLs whose url
 * or headers name {account_id} or {region} are fetched when a record is
 * evaluated, through the fetcher the set keeps, so the callback and its
 * userdata must stay valid until the set is freed, and must be
 * thread-safe when the set is evaluated from several threads.  The set
 * caches each body by URL and headers for its lifetime; a failure is
 * retried after 60 seconds of evaluation time.
 *
 * A failure fails closed.  At load it fails the load.  At evaluation the
 * filter fails for that record, which is reported as an error in the
 * result and never matches.  It is never taken as an empty list of values.
 *
 * @param body         receives the body, a new buffer allocated with malloc();
 *                     the library releases it with free().  The body may be
 *                     gzip-compressed: the library decompresses it
 * @param len          receives the length of the body in bytes
 * @param url          the URL, variables expanded
 * @param headers      request headers of the policy's headers mapping as
 *                     "Name: value" lines, NULL-terminated; never NULL
 * @param max_bytes    largest body to accept (max_input_bytes); return
 *                     PEERGUARD_ELIMIT for a longer one
 * @param errbuf       receives a one-line message on failure; it must not
 *                     contain credentials, header values or signatures
 * @param errbuf_size  size of errbuf in bytes
 * @param userdata     peerguard_load_options.fetch_userdata
 * @return 0, or a negative peerguard_code or transport code
 */
typedef int (*peerguard_fetch_fn)(char **body, size_t *len, const char *url, const char *const *headers,
	size_t max_bytes, char *errbuf, size_t errbuf_size, void *userdata);

/**
 * Version 2 added fetch and fetch_userdata.  Version 1 callers still load:
 * the library reads those fields only when version is 2 or more.
 */
#define PEERGUARD_LOAD_OPTIONS_VERSION 2

/** Options for loading a policy set. */
typedef struct peerguard_load_options {
	unsigned int version;      /**< PEERGUARD_LOAD_OPTIONS_VERSION */
	peerguard_limits limits;   /**< zeros mean defaults */
	/**
	 * Directory against which relative value_from and whitelist_from file
	 * URLs resolve.  NULL means the policy file's directory, or the current
	 * directory for policies loaded from a string.
	 */
	const char *base_dir;
	/**
	 * Names of the policies to load, NULL-terminated; NULL loads every
	 * policy.  The whole file is still parsed, but only the named policies
	 * are validated and compiled.  A name that matches no policy is an error.
	 */
	const char *const *only;
	peerguard_log_fn log;      /**< warnings found while loading; may be NULL */
	void *log_userdata;
	/**
	 * Fetcher of http://, https:// and s3:// value_from and whitelist_from
	 * URLs (version 2).  NULL: a remote URL is a load error.
	 */
	peerguard_fetch_fn fetch;
	void *fetch_userdata;
} peerguard_load_options;

#define PEERGUARD_LOAD_OPTIONS_INIT { PEERGUARD_LOAD_OPTIONS_VERSION, {0}, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Loads and validates a Cloud Custodian policy file, YAML or JSON.
 *
 * The set loads whole or not at all.  On failure *out is NULL and err names
 * the file, line, column, policy and the fix.
 *
 * @param out   receives a new policy set, freed with peerguard_policy_set_free
 * @param path  policy file
 * @param opts  options, or NULL for defaults
 * @param err   error detail, or NULL
 * @return 0, PEERGUARD_EIO (the file, a value_from file or a remote
 *         value_from URL cannot be read),
 *         PEERGUARD_EPOLICY, PEERGUARD_EEVAL (a value_from source yields no
 *         values), PEERGUARD_ELIMIT, PEERGUARD_ENOMEM, or PEERGUARD_ENOTFOUND
 *         when opts->only names a policy the file lacks
 */
PEERGUARD_EXTERN int peerguard_policy_set_load_file(peerguard_policy_set **out, const char *path,
	const peerguard_load_options *opts, peerguard_error *err);

/**
 * Loads and validates a policy document held in memory.
 *
 * @param out   receives a new policy set, freed with peerguard_policy_set_free
 * @param text  YAML or JSON text (JSON is a subset of the YAML accepted)
 * @param len   length of text in bytes
 * @param name  name used for the document in error messages, or NULL for "<string>"
 * @param opts  options, or NULL for defaults
 * @param err   error detail, or NULL
 * @return 0, PEERGUARD_EPOLICY, PEERGUARD_EIO or PEERGUARD_EEVAL (a value_from
 *         file cannot be read or yields no values), PEERGUARD_ELIMIT,
 *         PEERGUARD_ENOMEM, or PEERGUARD_ENOTFOUND when opts->only names a
 *         policy the text lacks; PEERGUARD_EINVAL for an opts->version
 *         other than 1 or 2.  A remote value_from URL that cannot be
 *         fetched is PEERGUARD_EIO, or PEERGUARD_ELIMIT when its body is
 *         larger than max_input_bytes
 */
PEERGUARD_EXTERN int peerguard_policy_set_load_string(peerguard_policy_set **out, const char *text,
	size_t len, const char *name, const peerguard_load_options *opts, peerguard_error *err);

/** Frees a policy set.  No evaluation may be using it. */
PEERGUARD_EXTERN void peerguard_policy_set_free(peerguard_policy_set *set);

/** Returns the number of policies in the set. */
PEERGUARD_EXTERN size_t peerguard_policy_set_count(const peerguard_policy_set *set);

/** Returns the name of policy i (borrowed), or NULL when i is out of range. */
PEERGUARD_EXTERN const char *peerguard_policy_set_name(const peerguard_policy_set *set, size_t i);

/**
 * Returns the revision of the set (borrowed): a hex digest of the source
 * text, which audit records carry so a decision can be traced to the exact
 * policy that made it.
 */
PEERGUARD_EXTERN const char *peerguard_policy_set_revision(const peerguard_policy_set *set);

/* ------------------------------------------------------------------------
 * Evaluation
 * ------------------------------------------------------------------------ */

#define PEERGUARD_CONTEXT_VERSION 1

/** Evaluation flags for peerguard_context.flags. */
#define PEERGUARD_EXPLAIN 0x1u          /**< record which filter clauses decided, with the values compared */
/**
 * Keep only decisions whose policy matched.  With this flag (and without
 * PEERGUARD_EXPLAIN or PEERGUARD_PARSE_ALL), a {"VpcPeeringConnections":
 * [...]} document is read faster when every pull-mode policy of the set
 * is a list of value, cross-account and list-item filters: the document is
 * checked in one pass and only the values those filters read are kept,
 * and a record is parsed whole only when it gets a decision.  The
 * decisions and errors are the same either way.
 */
#define PEERGUARD_MATCHED_ONLY 0x2u
/**
 * Parse and check every record.  Without this flag, a record of a
 * CloudTrail log file or of JSON lines whose bytes name no event that a
 * cloudtrail policy of the set listens to, and hold no describe record
 * (no VpcPeeringConnectionId) and no \u escape, is counted but not parsed:
 * no policy can decide anything about it, so the decisions are the same,
 * but such a record gives no error when it is not valid JSON.  The flag
 * also turns off the partial reading of describe documents that
 * PEERGUARD_MATCHED_ONLY allows.
 */
#define PEERGUARD_PARSE_ALL 0x4u

/** The account, region and clock of an evaluation. */
typedef struct peerguard_context {
	unsigned int version;     /**< PEERGUARD_CONTEXT_VERSION */
	/**
	 * The 12-digit account the policies protect.  It is trusted by the
	 * cross-account filter, fills {account_id}, and decides our side of a
	 * connection.  NULL: taken from each CloudTrail record's
	 * recipientAccountId when there is one; describe records then have no
	 * side and the cross-account filter trusts no account implicitly.
	 */
	const char *account_id;
	/**
	 * Fills {region} and is the region of calls for records that name
	 * none.  NULL: a CloudTrail record's awsRegion; for describe records
	 * {region} then stays unexpanded and a record without a Region gets
	 * a wait decision.
	 */
	const char *region;
	double now;               /**< seconds since the Unix epoch; 0 reads the system clock once */
	unsigned int flags;       /**< PEERGUARD_EXPLAIN, PEERGUARD_MATCHED_ONLY, PEERGUARD_PARSE_ALL */
	peerguard_log_fn log;     /**< may be NULL */
	void *log_userdata;
} peerguard_context;

#define PEERGUARD_CONTEXT_INIT { PEERGUARD_CONTEXT_VERSION, NULL, NULL, 0, 0, NULL, NULL }

/** The decisions of one evaluation and the input errors met on the way. */
typedef struct peerguard_result peerguard_result;

/** One policy's decision about one resource. */
typedef struct peerguard_decision peerguard_decision;

/** The kind of input a document is, for peerguard_evaluate. */
typedef enum peerguard_input_kind {
	PEERGUARD_INPUT_AUTO = 0,      /**< detect from the content */
	PEERGUARD_INPUT_EVENTS = 1,    /**< CloudTrail: record, EventBridge, SNS, log file, JSON lines */
	PEERGUARD_INPUT_RESOURCES = 2  /**< DescribeVpcPeeringConnections output, a list, or one record */
} peerguard_input_kind;

/**
 * Evaluates one input document against every policy in a set.
 *
 * The document may be gzip-compressed.  Records that cannot be read (invalid
 * JSON, wrong shape) are reported in the result with the input name and
 * record index, and every other record is still evaluated.  The call then
 * returns 0 and peerguard_result_error_count is non-zero.  Pull and periodic
 * policies evaluate describe records; cloudtrail policies evaluate the
 * CloudTrail records whose source and event name they list.
 *
 * @param out   receives a new result, freed with peerguard_result_free
 * @param set   policies
 * @param ctx   account, region and clock, or NULL for defaults
 * @param kind  what the document holds
 * @param data  the document
 * @param len   its length in bytes
 * @param name  input name for messages, such as a file name, or NULL
 * @param err   error detail for failures of the whole call, or NULL
 * @return 0, PEERGUARD_EINPUT (nothing in the document could be read),
 *         PEERGUARD_ELIMIT, PEERGUARD_EINVAL or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_evaluate(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, peerguard_input_kind kind, const char *data, size_t len,
	const char *name, peerguard_error *err);

/** Same as peerguard_evaluate with PEERGUARD_INPUT_EVENTS. */
PEERGUARD_EXTERN int peerguard_evaluate_event(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, const char *json, size_t len, peerguard_error *err);

/** Same as peerguard_evaluate with PEERGUARD_INPUT_RESOURCES. */
PEERGUARD_EXTERN int peerguard_evaluate_resources(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, const char *json, size_t len, peerguard_error *err);

/**
 * Reads a file (plain or gzip; "-" is standard input) and evaluates it like
 * peerguard_evaluate.
 *
 * A regular file holding a CloudTrail log file ({"Records": [...]}) or JSON
 * lines is streamed unless ctx sets PEERGUARD_PARSE_ALL: memory holds a
 * window of about 1 MiB and the records a policy can match, however large
 * the file, and max_input_bytes applies to each record or line.  Any other
 * file, standard input, and every file under PEERGUARD_PARSE_ALL are read
 * whole within max_input_bytes.
 *
 * @return as peerguard_evaluate, plus PEERGUARD_EIO when the file cannot be read
 */
PEERGUARD_EXTERN int peerguard_evaluate_file(peerguard_result **out, const peerguard_policy_set *set,
	const peerguard_context *ctx, peerguard_input_kind kind, const char *path, peerguard_error *err);

/** Frees a result and every decision in it. */
PEERGUARD_EXTERN void peerguard_result_free(peerguard_result *result);

/** Returns the number of decisions in a result. */
PEERGUARD_EXTERN size_t peerguard_result_count(const peerguard_result *result);

/** Returns decision i (borrowed), or NULL when i is out of range. */
PEERGUARD_EXTERN const peerguard_decision *peerguard_result_get(const peerguard_result *result, size_t i);

/** Returns the number of decisions whose policy matched. */
PEERGUARD_EXTERN size_t peerguard_result_matched_count(const peerguard_result *result);

/** Returns the number of input or evaluation errors recorded in a result. */
PEERGUARD_EXTERN size_t peerguard_result_error_count(const peerguard_result *result);

/**
 * Copies error i of a result into err.
 *
 * @return 0, or PEERGUARD_ENOTFOUND when i is out of range
 */
PEERGUARD_EXTERN int peerguard_result_error(const peerguard_result *result, size_t i, peerguard_error *err);

/* ------------------------------------------------------------------------
 * Decisions
 * ------------------------------------------------------------------------ */

/** Our side of a peering connection: the side the protected account owns. */
typedef enum peerguard_side {
	PEERGUARD_SIDE_UNKNOWN = 0,   /**< no account id to compare with */
	PEERGUARD_SIDE_NEITHER = 1,
	PEERGUARD_SIDE_REQUESTER = 2,
	PEERGUARD_SIDE_ACCEPTER = 3,
	PEERGUARD_SIDE_BOTH = 4       /**< same-account connection */
} peerguard_side;

/** The action for the protected account to take. */
typedef enum peerguard_action {
	PEERGUARD_ACTION_NONE = 0,    /**< nothing: not matched, already safe, or not ours to act on */
	PEERGUARD_ACTION_REJECT = 1,  /**< RejectVpcPeeringConnection in the accepter's region */
	PEERGUARD_ACTION_DELETE = 2,  /**< DeleteVpcPeeringConnection in our VPC's region */
	PEERGUARD_ACTION_WAIT = 3     /**< transient state: describe again after a short backoff */
} peerguard_action;

/** The source of the observed state. */
typedef enum peerguard_state_source {
	PEERGUARD_SOURCE_DESCRIBE = 0, /**< a DescribeVpcPeeringConnections record */
	PEERGUARD_SOURCE_EVENT = 1     /**< the CloudTrail record itself */
} peerguard_state_source;

/** Returns "unknown", "neither", "requester", "accepter" or "both". */
PEERGUARD_EXTERN const char *peerguard_side_name(peerguard_side side);

/** Returns "none", "reject", "delete" or "wait". */
PEERGUARD_EXTERN const char *peerguard_action_name(peerguard_action action);

/** Returns the name of the policy that made the decision (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_policy(const peerguard_decision *d);

/** Returns the VpcPeeringConnectionId, or "" when the record had none (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_resource_id(const peerguard_decision *d);

/** Returns 1 when every filter of the policy matched the resource, else 0. */
PEERGUARD_EXTERN int peerguard_decision_matched(const peerguard_decision *d);

/** Returns our side of the connection. */
PEERGUARD_EXTERN peerguard_side peerguard_decision_side(const peerguard_decision *d);

/** Returns the observed Status.Code, or "" when unknown (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_state(const peerguard_decision *d);

/** Returns where the observed state came from. */
PEERGUARD_EXTERN peerguard_state_source peerguard_decision_state_source(const peerguard_decision *d);

/** Returns the time the state was observed in seconds since the epoch (event time or evaluation time). */
PEERGUARD_EXTERN double peerguard_decision_state_time(const peerguard_decision *d);

/** Returns the action to take. */
PEERGUARD_EXTERN peerguard_action peerguard_decision_action(const peerguard_decision *d);

/** Returns the EC2 API call for the action, such as "DeleteVpcPeeringConnection", or "" (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_api_call(const peerguard_decision *d);

/** Returns the region to send the call to, or "" (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_region(const peerguard_decision *d);

/** Returns one sentence giving the reason for the action (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_reason(const peerguard_decision *d);

/** Returns the number of foreign accounts the cross-account filter found. */
PEERGUARD_EXTERN size_t peerguard_decision_violation_count(const peerguard_decision *d);

/** Returns foreign account i (borrowed), or NULL when i is out of range. */
PEERGUARD_EXTERN const char *peerguard_decision_violation(const peerguard_decision *d, size_t i);

/** Returns the CloudTrail eventID that produced the resource, or "" (borrowed). */
PEERGUARD_EXTERN const char *peerguard_decision_event_id(const peerguard_decision *d);

/** Flags for peerguard_decision_to_json. */
#define PEERGUARD_JSON_PRETTY 0x1u

/**
 * Serialises a decision to JSON, following the decision schema in
 * docs/decision-schema.md.
 *
 * @param out    receives a new NUL-terminated string, freed with peerguard_free
 * @param d      the decision
 * @param flags  PEERGUARD_JSON_PRETTY or 0
 * @return 0 or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_decision_to_json(char **out, const peerguard_decision *d, unsigned int flags);

/* ------------------------------------------------------------------------
 * JMESPath
 * ------------------------------------------------------------------------ */

/**
 * Evaluates a JMESPath expression against a JSON document, with Cloud
 * Custodian's extra functions split and from_json.
 *
 * @param out     receives the result as a new JSON string, freed with peerguard_free
 * @param expr    the expression
 * @param json    the document
 * @param len     its length in bytes
 * @param limits  limits, or NULL for defaults
 * @param err     on failure, the message and the expression column
 * @return 0, PEERGUARD_EEXPR, PEERGUARD_EINPUT, PEERGUARD_ELIMIT or PEERGUARD_ENOMEM
 */
PEERGUARD_EXTERN int peerguard_jmespath_search(char **out, const char *expr, const char *json, size_t len,
	const peerguard_limits *limits, peerguard_error *err);

#ifdef __cplusplus
}
#endif

#endif
