/*
 * Cloud Custodian's value filter comparison, after key resolution.
 *
 * Implements c7n 0.9.x ValueFilter.match from the point where the resource
 * value r has been looked up: value_regex, the in/not-in None rule,
 * value_type conversion, the special values (absent, present, not-null,
 * empty), then the operator with Python semantics (a Python TypeError
 * makes the comparison false).
 */
#ifndef PEERGUARD_CORE_VALUE_MATCH_H
#define PEERGUARD_CORE_VALUE_MATCH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef enum value_op {
	VALUE_OP_NONE = 0, /* no op given: plain equality */
	VALUE_OP_EQ, VALUE_OP_NE, VALUE_OP_GT, VALUE_OP_GE, VALUE_OP_LT, VALUE_OP_LE,
	VALUE_OP_IN, VALUE_OP_NOT_IN, VALUE_OP_NI, VALUE_OP_CONTAINS,
	VALUE_OP_REGEX, VALUE_OP_REGEX_CASE, VALUE_OP_GLOB,
	VALUE_OP_INTERSECT, VALUE_OP_DIFFERENCE, VALUE_OP_MOD
} value_op;

typedef enum value_type {
	VALUE_TYPE_NONE = 0,
	VALUE_TYPE_AGE, VALUE_TYPE_EXPIRATION, VALUE_TYPE_SIZE, VALUE_TYPE_CIDR,
	VALUE_TYPE_CIDR_SIZE, VALUE_TYPE_SWAP, VALUE_TYPE_RESOURCE_COUNT,
	VALUE_TYPE_INTEGER, VALUE_TYPE_FLOAT, VALUE_TYPE_NORMALIZE, VALUE_TYPE_DATE,
	VALUE_TYPE_VERSION, VALUE_TYPE_EXPR, VALUE_TYPE_UNIQUE_SIZE
} value_type;

/** Parses an op name or alias ("eq", "equal", "ni", "gte", ...); returns 0 or -1 if unknown. */
int value_op_parse(const char *name, value_op *out);
/** Returns the canonical name of op (a static string), or NULL for VALUE_OP_NONE. */
const char *value_op_name(value_op op);

/** Parses a value_type name; returns 0 or -1 if unknown. */
int value_type_parse(const char *name, value_type *out);
/** Returns the name of type (a static string), or NULL for VALUE_TYPE_NONE. */
const char *value_type_name(value_type type);

/** A regular expression compiled with Python re semantics (re.match: anchored at the start only). */
typedef struct value_regex value_regex;

/**
 * Compiles a Python-style regex with PCRE2.  caseless selects re.IGNORECASE.
 * group_count receives the number of capture groups (may be NULL).  Returns
 * NULL with a message in errbuf when the pattern is invalid.
 */
value_regex *value_regex_compile(const char *pattern, int caseless, int *group_count,
	char *errbuf, size_t errlen);
void value_regex_free(value_regex *re);

typedef struct value_match_env {
	double now;                    /* seconds since the epoch, for age and expiration */
	uint32_t regex_match_limit;    /* 0: PCRE2 default */
	uint32_t regex_heap_limit_kib; /* 0: PCRE2 default */
} value_match_env;

typedef struct value_match_spec {
	value_op op;
	value_type type;
	const value_regex *value_regex;   /* value_regex key, or NULL */
	/* The compiled value of a regex op (caseless for regex only), or NULL to
	 * compile v on each call.  Ignored under swap and expr, where the
	 * pattern comes from the resource. */
	const value_regex *op_regex;
} value_match_spec;

/**
 * Decides one value filter.  r is the resource value (NULL when the key is
 * missing, which Python sees as None); v is the policy value.  Both are
 * borrowed.  For VALUE_TYPE_EXPR the caller resolves v before calling.
 * For VALUE_TYPE_RESOURCE_COUNT r is the resource count as an integer.
 *
 * Stores 1 or 0 in *matched and returns 0.  Where c7n raises (a TypeError,
 * or another exception that aborts its run) the filter does not match.
 * Returns -1 with a message in errbuf only when a regex limit stops a match,
 * memory runs out, or a string built without jansson's UTF-8 check is not
 * valid UTF-8.  env may be NULL (now = 0, PCRE2's default limits).
 */
int value_match(int *matched, const value_match_spec *spec, json_t *r, json_t *v,
	const value_match_env *env, char *errbuf, size_t errlen);

/**
 * Parses a date the way c7n's parse_date does (ISO-8601 and other dateutil
 * formats, epoch seconds or milliseconds as numbers or digit strings).
 * Naive dates are taken as UTC.  Returns 0 and seconds since the epoch in
 * *out, or -1 when the value is not a date.
 */
int value_parse_date(json_t *value, double *out);

#endif
