/* The client's internals, shared by the transport's source files. */
#ifndef TRANSPORT_CLIENT_H
#define TRANSPORT_CLIENT_H

#include <pthread.h>
#include <stdarg.h>

#include "peerguard/transport.h"
#include "transport/credentials.h"
#include "transport/xml.h"

/* Defaults of peerguard_client_options. */
#define DEFAULT_MAX_ATTEMPTS 3u
#define DEFAULT_CONNECT_TIMEOUT_MS 5000u
#define DEFAULT_ATTEMPT_TIMEOUT_MS 30000u
#define DEFAULT_DEADLINE_MS 120000u
#define DEFAULT_BACKOFF_BASE_MS 200u
#define DEFAULT_BACKOFF_MAX_MS 20000u
#define DEFAULT_SESSION_NAME "peerguard"

/* Temporary credentials are renewed this long before they expire. */
#define CREDENTIALS_REFRESH_MARGIN 300.0

typedef struct account_client {
	char *account_id;
	char *role_arn;
	peerguard_client *client;
} account_client;

struct peerguard_client {
	int refcount;                 /* guarded by lock */
	peerguard_client *parent;     /* reference held on the client whose credentials assume our role, or NULL */

	char *region;
	char *profile;
	int profile_explicit;         /* the profile came from the options, not AWS_PROFILE */
	char *endpoint[3];            /* resolved endpoint per service (ec2, sts, sns); NULL: regional AWS endpoint */
	char *endpoint_default;       /* endpoint_url option, AWS_ENDPOINT_URL or the profile's, for other services */
	char *ca_bundle;
	unsigned int max_attempts;
	unsigned int connect_timeout_ms;
	unsigned int attempt_timeout_ms;
	unsigned int deadline_ms;
	unsigned int backoff_base_ms;
	unsigned int backoff_max_ms;
	char **extra_headers;         /* "Name: value" */
	size_t n_extra_headers;
	peerguard_log_fn log;
	void *log_userdata;
	peerguard_clock_fn clock;
	void *clock_userdata;
	char *role_session_name;
	char *external_id;
	char *role_arn_template;

	cred_source *creds;
	char access_key_id[128];      /* of the last credentials used, for peerguard_client_access_key_id */

	pthread_mutex_t lock;         /* guards refcount, clock_offset, accounts, access_key_id, rng */
	double clock_offset;
	unsigned int rng;
	account_client *accounts;
	size_t n_accounts;
};

/* Services the client talks to; indexes of peerguard_client.endpoint. */
typedef enum aws_service {
	SERVICE_EC2 = 0,
	SERVICE_STS = 1,
	SERVICE_SNS = 2,
	SERVICE_OTHER = 3             /* named by aws_call.service_name */
} aws_service;

/* Query parameters of a call, in the order added. */
typedef struct query_param {
	char *name;
	char *value;
} query_param;

typedef struct query_params {
	query_param *items;
	size_t n;
	size_t cap;
	int failed;
} query_params;

#define QUERY_PARAMS_INIT { NULL, 0, 0, 0 }

/* Adds one parameter (both strings copied). */
void params_add(query_params *p, const char *name, const char *value);

/* Adds one parameter whose name is printf-formatted. */
void params_addf(query_params *p, const char *value, const char *name_fmt, ...) __attribute__((format(printf, 3, 4)));

/* Frees every parameter. */
void params_free(query_params *p);

typedef struct aws_call {
	aws_service service;
	const char *region;           /* NULL: the client's region */
	const char *action;
	const char *version;
	const query_params *params;
	int wrapped;                  /* the result sits in <Action>Result (STS, SNS) */
	const char *service_name;     /* signing name and endpoint prefix for SERVICE_OTHER, such as "sqs" */
	const char *endpoint_url;     /* URL that wins over every configured endpoint, or NULL */
} aws_call;

/*
 * Signs and sends a Query call with retries, backoff and one clock-skew
 * correction.  On success *out_root is the response's tree (freed with
 * xml_free) and *out_result its result element (borrowed from the tree).
 * On failure err names the call, the endpoint and what to do.
 */
int client_call(xml_node **out_root, const xml_node **out_result, peerguard_client *c, const aws_call *call,
	peerguard_aws_error *err);

/* Returns the client's clock (opts.clock or the system clock) without the learnt offset. */
double client_clock(peerguard_client *c);

/* Returns the current time as the client sees it: its clock plus the learnt offset. */
double client_now(peerguard_client *c);

/* Sends a message to the client's log callback, if any. */
void client_log(peerguard_client *c, peerguard_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets err's code and message (printf-style); err may be NULL.  Returns code. */
int set_error(peerguard_aws_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Checks that url is an absolute http or https URL with a host; source names where it came from.  Returns 0 or PEERGUARD_ECONFIG. */
int check_endpoint(const char *url, const char *source, peerguard_aws_error *err);

/** Copies url into out for messages, with userinfo and query masked as url_redact does; NULL gives "(no endpoint)". */
void endpoint_for_messages(char *out, size_t size, const char *url);

/* Returns the region a call should use, or NULL with err set. */
const char *client_call_region(peerguard_client *c, const char *region, const char *action,
	peerguard_aws_error *err);

/*
 * Creates a client with c's settings that signs with src (taken over).
 * With hold_parent, the new client holds a reference on parent.
 */
int client_derive(peerguard_client **out, peerguard_client *c, cred_source *src, peerguard_client *parent);

/* Takes one more reference on c. */
void client_ref(peerguard_client *c);

#endif
