/*
 * c7n 0.9.x ValueFilter.match after key resolution: value_regex, the
 * in/not-in rule for a missing value, value_type conversion, the special
 * values, then the operator.  A Python TypeError makes the filter false, as
 * in c7n.  Where c7n raises anything else (ZeroDivisionError, AttributeError,
 * OverflowError...) its policy run aborts, but here the filter is false and no
 * error is returned.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/value/pyvalue.h"

static const struct {
	const char *name;
	value_op op;
} op_names[] = {
	{ "eq", VALUE_OP_EQ }, { "equal", VALUE_OP_EQ },
	{ "ne", VALUE_OP_NE }, { "not-equal", VALUE_OP_NE },
	{ "gt", VALUE_OP_GT }, { "greater-than", VALUE_OP_GT },
	{ "ge", VALUE_OP_GE }, { "gte", VALUE_OP_GE },
	{ "lt", VALUE_OP_LT }, { "less-than", VALUE_OP_LT },
	{ "le", VALUE_OP_LE }, { "lte", VALUE_OP_LE },
	{ "in", VALUE_OP_IN },
	{ "not-in", VALUE_OP_NOT_IN },
	{ "ni", VALUE_OP_NI },
	{ "contains", VALUE_OP_CONTAINS },
	{ "regex", VALUE_OP_REGEX },
	{ "regex-case", VALUE_OP_REGEX_CASE },
	{ "glob", VALUE_OP_GLOB },
	{ "intersect", VALUE_OP_INTERSECT },
	{ "difference", VALUE_OP_DIFFERENCE },
	{ "mod", VALUE_OP_MOD },
};

static const struct {
	const char *name;
	value_type type;
} type_names[] = {
	{ "age", VALUE_TYPE_AGE }, { "expiration", VALUE_TYPE_EXPIRATION },
	{ "size", VALUE_TYPE_SIZE }, { "cidr", VALUE_TYPE_CIDR },
	{ "cidr_size", VALUE_TYPE_CIDR_SIZE }, { "swap", VALUE_TYPE_SWAP },
	{ "resource_count", VALUE_TYPE_RESOURCE_COUNT }, { "integer", VALUE_TYPE_INTEGER },
	{ "float", VALUE_TYPE_FLOAT }, { "normalize", VALUE_TYPE_NORMALIZE },
	{ "date", VALUE_TYPE_DATE }, { "version", VALUE_TYPE_VERSION },
	{ "expr", VALUE_TYPE_EXPR }, { "unique_size", VALUE_TYPE_UNIQUE_SIZE },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int value_op_parse(const char *name, value_op *out)
{
	size_t i;

	for (i = 0; name != NULL && i < COUNT(op_names); i++) {
		if (strcmp(name, op_names[i].name) == 0) {
			*out = op_names[i].op;
			return 0;
		}
	}
	return -1;
}

const char *value_op_name(value_op op)
{
	size_t i;

	for (i = 0; i < COUNT(op_names); i++) {
		if (op_names[i].op == op)
			return op_names[i].name;
	}
	return NULL;
}

int value_type_parse(const char *name, value_type *out)
{
	size_t i;

	for (i = 0; name != NULL && i < COUNT(type_names); i++) {
		if (strcmp(name, type_names[i].name) == 0) {
			*out = type_names[i].type;
			return 0;
		}
	}
	return -1;
}

const char *value_type_name(value_type type)
{
	size_t i;

	for (i = 0; i < COUNT(type_names); i++) {
		if (type_names[i].type == type)
			return type_names[i].name;
	}
	return NULL;
}

void value_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* ValueRegex: re.match(regex, r).group(1), None when r is not a str or nothing matched. */
static int extract_group(pyvalue *r, const value_regex *re, const value_match_env *env,
	char *errbuf, size_t errlen)
{
	const char *s;
	size_t len;
	long span[2];
	int matched, status;

	s = pyvalue_str(r, &len);
	if (s == NULL) {
		pyvalue_set_none(r);
		return PY_OK;
	}

	status = value_regex_run(&matched, span, re, s, len, env, errbuf, errlen);
	if (status != PY_OK)
		return status;
	if (matched && value_regex_groups(re) < 1)
		return PY_RAISE;  /* IndexError: no such group */
	if (!matched || span[0] < 0) {
		pyvalue_set_none(r);
		return PY_OK;
	}
	return pyvalue_set_str(r, s + span[0], (size_t)(span[1] - span[0]));
}

/* Python's v == name for one of the special value names. */
static int equals_name(int *out, const pyvalue *v, const char *name)
{
	json_t *str;
	pyvalue view;
	const char *s;
	size_t len;
	int status;

	*out = 0;
	if ((s = pyvalue_str(v, &len)) != NULL) {
		*out = len == strlen(name) && memcmp(s, name, len) == 0;
		return PY_OK;
	}
	if (v->kind != PYVALUE_VERSION)
		return PY_OK;

	/* LooseVersion.__eq__ parses the str: value: present under value_type version matches. */
	str = json_string(name);
	if (str == NULL)
		return PY_FAIL;
	view = pyvalue_view(str);
	status = value_version_eq(out, v, &view);
	json_decref(str);
	return status;
}

/* Stores 1 in *decided when a special value settles the filter, with the outcome in *matched. */
static int check_special(int *decided, int *matched, const pyvalue *r, const pyvalue *v)
{
	int is_name = 0, status;

	*decided = 0;
	if (r->kind == PYVALUE_NONE) {
		status = equals_name(&is_name, v, "absent");
		if (status != PY_OK || is_name)
			goto found;
	} else {
		status = equals_name(&is_name, v, "present");
		if (status != PY_OK || is_name)
			goto found;
	}

	status = equals_name(&is_name, v, "not-null");
	if (status != PY_OK || (is_name && pyvalue_truthy(r)))
		goto found;
	status = equals_name(&is_name, v, "empty");
	if (status != PY_OK || (is_name && !pyvalue_truthy(r)))
		goto found;
	return PY_OK;

found:
	*decided = 1;
	*matched = status == PY_OK;
	return status;
}

/* re.match(v, r) for the regex ops: a non-str r is no match, a non-str pattern a TypeError. */
static int match_regex(int *out, const value_match_spec *spec, const pyvalue *r, const pyvalue *v,
	const value_match_env *env, char *errbuf, size_t errlen)
{
	const value_regex *re = spec->op_regex;
	value_regex *compiled = NULL;
	const char *subject, *pattern;
	size_t len, pattern_len;
	int status;

	*out = 0;
	subject = pyvalue_str(r, &len);
	if (subject == NULL)
		return PY_OK;
	pattern = pyvalue_str(v, &pattern_len);
	if (pattern == NULL)
		return PY_TYPE_ERROR;

	/* Under swap and expr the pattern comes from the resource, so the precompiled one does not apply. */
	if (re == NULL || spec->type == VALUE_TYPE_SWAP || spec->type == VALUE_TYPE_EXPR) {
		if (memchr(pattern, '\0', pattern_len) != NULL)
			return PY_RAISE;
		compiled = value_regex_compile(pattern, spec->op == VALUE_OP_REGEX, NULL, NULL, 0);
		if (compiled == NULL)
			return PY_RAISE;  /* re.error, raised outside c7n's try */
		re = compiled;
	}

	status = value_regex_run(out, NULL, re, subject, len, env, errbuf, errlen);
	value_regex_free(compiled);
	return status;
}

static int apply_op(int *out, const value_match_spec *spec, const pyvalue *r, const pyvalue *v,
	const value_match_env *env, char *errbuf, size_t errlen)
{
	const char *name, *pattern;
	size_t name_len, pattern_len;
	int status;

	*out = 0;
	switch (spec->op) {
	case VALUE_OP_NONE:
	case VALUE_OP_EQ:
		return pyvalue_eq(out, r, v);
	case VALUE_OP_NE:
		status = pyvalue_eq(out, r, v);
		*out = status == PY_OK && !*out;
		return status;
	case VALUE_OP_GT:
	case VALUE_OP_GE:
	case VALUE_OP_LT:
	case VALUE_OP_LE:
		return pyvalue_order(out, spec->op, r, v);
	case VALUE_OP_IN:
		return pyvalue_contains(out, v, r);
	case VALUE_OP_NOT_IN:
	case VALUE_OP_NI:
		status = pyvalue_contains(out, v, r);
		*out = status == PY_OK && !*out;
		return status;
	case VALUE_OP_CONTAINS:
		return pyvalue_contains(out, r, v);
	case VALUE_OP_REGEX:
	case VALUE_OP_REGEX_CASE:
		return match_regex(out, spec, r, v, env, errbuf, errlen);
	case VALUE_OP_GLOB:
		name = pyvalue_str(r, &name_len);
		pattern = pyvalue_str(v, &pattern_len);
		if (name == NULL || pattern == NULL)
			return PY_OK;
		status = value_glob_match(name, name_len, pattern, pattern_len);
		if (status == PY_FAIL)
			return status;
		*out = status;
		return PY_OK;
	case VALUE_OP_INTERSECT:
		return pyvalue_intersect(out, r, v);
	case VALUE_OP_DIFFERENCE:
		return pyvalue_difference(out, r, v);
	case VALUE_OP_MOD:
		return pyvalue_mod(out, r, v);
	default:
		return PY_RAISE;
	}
}

static int match_values(int *matched, const value_match_spec *spec, pyvalue *r, pyvalue *v,
	const value_match_env *env, char *errbuf, size_t errlen)
{
	int decided, status;

	/* resource_count skips match(): op(len(resources), value) with no special values */
	if (spec->type == VALUE_TYPE_RESOURCE_COUNT)
		return apply_op(matched, spec, r, v, env, errbuf, errlen);

	if (spec->value_regex != NULL) {
		status = extract_group(r, spec->value_regex, env, errbuf, errlen);
		if (status != PY_OK)
			return status;
	}

	if ((spec->op == VALUE_OP_IN || spec->op == VALUE_OP_NOT_IN) && r->kind == PYVALUE_NONE) {
		pyvalue_set_none(r);
		r->kind = PYVALUE_TUPLE;
	}

	status = value_convert(spec->type, r, v, env);
	if (status != PY_OK)
		return status;

	status = check_special(&decided, matched, r, v);
	if (status != PY_OK || decided)
		return status;

	return apply_op(matched, spec, r, v, env, errbuf, errlen);
}

int value_match(int *matched, const value_match_spec *spec, json_t *r, json_t *v,
	const value_match_env *env, char *errbuf, size_t errlen)
{
	pyvalue rv, vv;
	int result = 0, status;

	if (matched == NULL || spec == NULL) {
		value_error(errbuf, errlen, "value_match: matched and spec must not be NULL");
		return -1;
	}
	*matched = 0;

	pyvalue_from_json(&rv, r);
	pyvalue_from_json(&vv, v);
	status = match_values(&result, spec, &rv, &vv, env, errbuf, errlen);
	pyvalue_clear(&rv);
	pyvalue_clear(&vv);

	if (status == PY_FAIL)
		return -1;
	*matched = status == PY_OK && result;
	return 0;
}
