/*
 * JMESPath on jansson values: compile once, search many times.
 *
 * Implements the JMESPath specification (every built-in function) plus
 * Cloud Custodian's split and from_json functions.
 */
#ifndef PEERGUARD_CORE_JMESPATH_H
#define PEERGUARD_CORE_JMESPATH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/** Error kinds, named as in the JMESPath compliance suite. */
typedef enum jmespath_error_kind {
	JMESPATH_OK = 0,
	JMESPATH_ERR_SYNTAX,
	JMESPATH_ERR_INVALID_ARITY,
	JMESPATH_ERR_INVALID_TYPE,
	JMESPATH_ERR_INVALID_VALUE,
	JMESPATH_ERR_UNKNOWN_FUNCTION,
	JMESPATH_ERR_LIMIT,
	JMESPATH_ERR_NOMEM
} jmespath_error_kind;

typedef struct jmespath_error {
	jmespath_error_kind kind;
	size_t column;      /* 1-based column (code points) of a compile error, else 0 */
	char message[256];
} jmespath_error;

typedef struct jmespath_limits {
	uint64_t max_steps;   /* evaluation steps per search; 0 means 1000000 */
	size_t max_length;    /* expression length in bytes; 0 means 4096 */
} jmespath_limits;

typedef struct jmespath_expr jmespath_expr;

/** Returns the suite's name of an error kind ("syntax", "invalid-type", ...). */
const char *jmespath_error_kind_name(jmespath_error_kind kind);

/**
 * Compiles an expression.  Returns a new expression freed with
 * jmespath_free, or NULL with err filled in.  limits may be NULL.
 */
jmespath_expr *jmespath_compile(const char *text, size_t len, const jmespath_limits *limits,
	jmespath_error *err);

/**
 * Evaluates a compiled expression against data (borrowed).  On success
 * returns 0 and stores a new reference in *out (json_null() for no
 * result).  On failure returns -1 with err filled in.  A compiled
 * expression is immutable and may be searched from several threads.
 * The result may share values with data and with the expression's
 * literals, so treat it as read-only.
 * NOTE: ThreadSanitizer flags jansson 2.14's json_incref, which reads the
 * reference count without an atomic load before its atomic increment to
 * tell static values apart; the race does not change any count.
 */
int jmespath_search(json_t **out, const jmespath_expr *expr, json_t *data,
	const jmespath_limits *limits, jmespath_error *err);

/**
 * Serialises value like json_dumps(value, flags), but writes each real with
 * the fewest digits that read back as the same double ("0.1", not
 * "0.10000000000000001").  Returns a new string freed with free(), or NULL.
 */
char *jmespath_dumps(const json_t *value, size_t flags);

/** Returns the source text of a compiled expression (borrowed). */
const char *jmespath_source(const jmespath_expr *expr);

void jmespath_free(jmespath_expr *expr);

#endif
