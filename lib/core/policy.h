/* The compiled form of a Cloud Custodian policy set. */
#ifndef PEERGUARD_CORE_POLICY_H
#define PEERGUARD_CORE_POLICY_H

#include <stddef.h>
#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/jmespath.h"
#include "core/value_match.h"
#include "core/yaml_doc.h"
#include "core/internal.h"
#include "core/value_remote.h"
#include "core/vars.h"

typedef enum filter_kind {
	FILTER_AND, FILTER_OR, FILTER_NOT, FILTER_VALUE, FILTER_EVENT, FILTER_CROSS_ACCOUNT,
	FILTER_LIST_ITEM, FILTER_REDUCE
} filter_kind;

/** A value filter key: tag:NAME, a literal top-level key, or JMESPath. */
typedef struct value_key {
	char *text;              /* as written */
	char *tag;               /* NAME of tag:NAME, else NULL */
	jmespath_expr *expr;     /* compiled JMESPath, NULL for tags */
} value_key;

/** A value_from or whitelist_from source. */
typedef struct value_source {
	char *url;               /* as written */
	char *format;            /* json, csv, csv2dict or txt */
	char *expr_text;         /* expr as written, or NULL */
	jmespath_expr *expr;     /* compiled expr for json and csv2dict */
	long column;             /* csv column for an integer expr, or -1 */
	char *base_dir;          /* for relative file URLs */
	char **headers;          /* "Name: value" of the headers mapping, NULL-terminated */
	int dynamic;             /* url or headers name {account_id} or {region}: loaded at evaluation */
	int remote;              /* http, https or s3 URL, fetched through the set's cache */
	remote_cache *cache;     /* the set's (borrowed) */
	json_t *values;          /* loaded values (an array) when not dynamic */
} value_source;

typedef enum sort_type { SORT_STRING, SORT_NUMBER, SORT_DATE } sort_type;

/** A reduce group-by or sort-by setting: a key, how to read its values, and an optional value_regex. */
typedef struct sort_spec {
	value_key key;           /* key.text is NULL when the setting is absent */
	sort_type type;
	value_regex *regex;      /* value_regex, or NULL */
} sort_spec;

typedef enum reduce_order { ORDER_ASC, ORDER_DESC, ORDER_REVERSE } reduce_order;

/** The settings of a reduce filter. */
typedef struct reduce_spec {
	sort_spec group_by;
	sort_spec sort_by;
	int has_group_by;        /* group-by given: groups are put in order */
	int has_sort_by;         /* sort-by given: each group is put in order */
	int has_order;           /* order given: both are put in order */
	reduce_order order;
	int nulls_first;         /* missing values sort before the others */
	long limit;              /* 0: no limit */
	double limit_percent;    /* 0: none */
	long discard;
	double discard_percent;
} reduce_spec;

typedef struct filter {
	filter_kind kind;
	int line;
	int column;
	char *path;                    /* e.g. policies[0].filters[1] */
	size_t slot;                   /* index into per-evaluation caches */
	struct filter **children;      /* and, or, not */
	size_t n_children;

	/* value and event */
	value_key key;
	int key_missing_ok;            /* resource_count needs no key */
	value_match_spec spec;
	value_regex *value_regex;      /* owned by spec.value_regex */
	value_regex *op_regex;         /* owned by spec.op_regex, when the value is constant */
	json_t *value;                 /* policy value, NULL with value_from or value_path */
	int value_templated;           /* value has {account_id}-style fields */
	value_source *value_from;
	value_key value_path;          /* value_path, or the key that value_type expr names */

	/* cross-account */
	json_t *whitelist;             /* array of account id strings */
	int whitelist_templated;
	value_source *whitelist_from;

	/* list-item: key is the list, children the attrs (an AND) */
	int has_count;
	json_t *count;                 /* count, a number */
	value_op count_op;

	/* reduce */
	reduce_spec *reduce;
} filter;

typedef enum policy_mode { MODE_PULL, MODE_PERIODIC, MODE_CLOUDTRAIL } policy_mode;

typedef struct trail_event {
	char *source;
	char *event;
	char *ids_text;
	jmespath_expr *ids;
	int ids_on_envelope;    /* ids began with "detail.": evaluate on the EventBridge envelope */
} trail_event;

typedef enum removal_action { REMOVAL_NONE, REMOVAL_DELETE, REMOVAL_REJECT } removal_action;

typedef struct policy {
	char *name;
	char *resource;
	char *description;
	int line;
	policy_mode mode;
	int has_mode;
	char *schedule;
	trail_event *events;
	size_t n_events;
	filter *filters;              /* an AND of the filters: list */
	filter *conditions;           /* an AND of the conditions: list, or NULL */
	removal_action removal;
	int reject_fallback_delete;   /* reject with fallback: delete */
	json_t *passthrough;          /* notify, webhook and invoke-lambda actions, as written */
	long max_resources;           /* 0: no limit */
	size_t n_slots;               /* filters in this policy, for per-evaluation caches */
} policy;

struct peerguard_policy_set {
	policy *policies;
	size_t count;
	char revision[65];
	char *name;
	peerguard_limits limits;
	remote_cache *remote;         /* fetcher and values of remote value_from URLs */
};

/** State shared by the loaders of one policy file. */
typedef struct load_ctx {
	const char *file;
	const char *base_dir;
	const peerguard_limits *limits;
	peerguard_error *err;
	peerguard_log_fn log;
	void *log_userdata;
	remote_cache *remote;         /* the set's, for remote value_from URLs */
	const char *policy_name;      /* policy being loaded, for errors */
	size_t n_filters;             /* filters loaded so far in this policy */
	int in_list_item;             /* loading list-item attrs, where only value, reduce and blocks fit */
} load_ctx;

/** Fails with a policy error at node, naming path; returns PEERGUARD_EPOLICY (or code). */
int load_fail(load_ctx *lc, const ynode *node, const char *path, const char *fmt, ...) PG_PRINTF(4, 5);

/** Loads a filters: or conditions: list into a new AND filter.  *out is NULL on error. */
int filter_load_list(filter **out, load_ctx *lc, const ynode *list, const char *path, int allow_event,
	int has_mode);

void filter_free(filter *f);

/**
 * Fails on the first key of mapping node that is not in allowed (NULL-terminated).  The message
 * names the key, the kind of filter when what is set ("unknown key 'x' in a value filter"), and hint.
 */
int load_check_keys(load_ctx *lc, const ynode *node, const char *path, const char *const *allowed,
	const char *what, const char *hint);

/** Compiles a value_regex at node into a new *out; it must have exactly one capture group. */
int load_value_regex(value_regex **out, load_ctx *lc, const ynode *node, const char *path);

/** Loads a filter key (tag:NAME or JMESPath) at node into key. */
int value_key_load(load_ctx *lc, value_key *key, const ynode *node, const char *path);

/** Loads the settings of a reduce filter at node into a new reduce_spec (*out is NULL on error). */
int reduce_load(reduce_spec **out, load_ctx *lc, const ynode *node, const char *path);

/** Loads a value_from / whitelist_from mapping. */
int value_source_load(value_source **out, load_ctx *lc, const ynode *node, const char *path);

/**
 * Reads the data behind a source, its url and headers expanded with v (NULL: as
 * written), and returns a new array of values, or NULL with err filled.  Remote
 * URLs go through the set's cache; v->now times the retry of a failed fetch.
 */
json_t *value_source_fetch(const value_source *src, const vars *v, const peerguard_limits *limits,
	peerguard_error *err);

void value_source_free(value_source *src);

/** Checks a CloudTrail source and event name against the known ones; fails with a did-you-mean. */
int trail_event_check(load_ctx *lc, const ynode *node, const char *path, const char *source,
	const char *event);

/** Compiles a JMESPath expression found at node; errors carry the expression column. */
int load_jmespath(jmespath_expr **out, load_ctx *lc, const ynode *node, const char *path, const char *text);

#endif
