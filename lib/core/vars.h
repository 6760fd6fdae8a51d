/*
 * Cloud Custodian's variable expansion in policy strings ({account_id},
 * {region}, {partition}, {now}), with Python str.format rules: "{{" and
 * "}}" are literal braces, an unbalanced brace is an error, and a string
 * that names any variable we do not know stays unchanged.
 */
#ifndef PEERGUARD_CORE_VARS_H
#define PEERGUARD_CORE_VARS_H

#include <stddef.h>
#include <jansson.h>

typedef struct vars {
	const char *account_id;   /* NULL: unknown */
	const char *region;       /* NULL: unknown */
	double now;               /* seconds since the epoch */
	const char *policy;       /* policy name */
} vars;

/**
 * Checks a string for Python format syntax.  Returns 0 when it has no
 * replacement field we would expand, 1 when it does, and -1 with a message
 * in errbuf when the braces are unbalanced.
 */
int vars_check(const char *s, char *errbuf, size_t errlen);

/**
 * Returns the name of the first variable of s that v has no value for
 * ("account_id" or "region", static), or NULL when vars_expand can fill
 * every field.
 */
const char *vars_missing(const char *s, const vars *v);

/**
 * Expands s.  Returns a new string (malloc), or NULL when out of memory.
 * Strings that name an unknown variable, or a known one that has no value,
 * come back unchanged.
 */
char *vars_expand(const char *s, const vars *v);

/**
 * Returns a new JSON value with every string inside value expanded, or a
 * new reference to value itself when nothing needs expanding.
 */
json_t *vars_expand_json(json_t *value, const vars *v);

/** Returns 1 when any string inside value has a field vars_expand would replace. */
int vars_json_has_fields(json_t *value);

/** Returns the AWS partition of a region: aws, aws-cn or aws-us-gov. */
const char *vars_partition(const char *region);

#endif
