/* peerguard_jmespath_search: the public one-shot JMESPath call on JSON text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jmespath.h"
#include "peerguard/peerguard.h"

#define DEFAULT_MAX_INPUT_BYTES ((size_t)256 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 64u

static int set_error(peerguard_error *err, int code, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int set_error(peerguard_error *err, int code, int line, int column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

static int code_for(jmespath_error_kind kind)
{
	switch (kind) {
	case JMESPATH_ERR_LIMIT: return PEERGUARD_ELIMIT;
	case JMESPATH_ERR_NOMEM: return PEERGUARD_ENOMEM;
	default: return PEERGUARD_EEXPR;
	}
}

/* Returns the nesting depth of v, counting a scalar as 0, and stops counting past limit. */
static unsigned int json_depth(const json_t *v, unsigned int limit)
{
	unsigned int deepest = 0;
	size_t i;
	json_t *child;
	const char *key;

	if (!json_is_array(v) && !json_is_object(v))
		return 0;
	if (limit == 0)
		return 1;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			unsigned int d = json_depth(child, limit - 1);

			deepest = d > deepest ? d : deepest;
		}
	} else {
		json_object_foreach((json_t *)v, key, child) {
			unsigned int d = json_depth(child, limit - 1);

			deepest = d > deepest ? d : deepest;
		}
	}
	return deepest + 1;
}

PEERGUARD_EXTERN int peerguard_jmespath_search(char **out, const char *expr, const char *json,
	size_t len, const peerguard_limits *limits, peerguard_error *err)
{
	size_t max_input = limits && limits->max_input_bytes ? limits->max_input_bytes : DEFAULT_MAX_INPUT_BYTES;
	unsigned int max_depth = limits && limits->max_depth ? limits->max_depth : DEFAULT_MAX_DEPTH;
	jmespath_limits jl = { 0, 0 };
	jmespath_error jerr;
	jmespath_expr *compiled;
	json_error_t parse_error;
	json_t *data;
	json_t *result;
	int rc;

	peerguard_error_clear(err);
	if (!out || !expr || (!json && len > 0))
		return set_error(err, PEERGUARD_EINVAL, 0, 0,
			"peerguard_jmespath_search: out, expr and json must not be NULL");
	*out = NULL;

	if (limits) {
		jl.max_steps = limits->jmespath_max_steps;
		jl.max_length = limits->jmespath_max_length;
	}
	if (len > max_input)
		return set_error(err, PEERGUARD_ELIMIT, 0, 0,
			"JSON document is %zu bytes, more than max_input_bytes (%zu)", len, max_input);

	compiled = jmespath_compile(expr, strlen(expr), &jl, &jerr);
	if (!compiled)
		return set_error(err, code_for(jerr.kind), 0, (int)jerr.column, "%s", jerr.message);

	/* Any JSON value may be searched, and \u0000 in strings is valid JSON. */
	data = json_loadb(json ? json : "", len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &parse_error);
	if (!data) {
		jmespath_free(compiled);
		return set_error(err, PEERGUARD_EINPUT, parse_error.line, parse_error.column,
			"invalid JSON at line %d, column %d: %s", parse_error.line, parse_error.column,
			parse_error.text);
	}
	if (json_depth(data, max_depth) > max_depth) {
		json_decref(data);
		jmespath_free(compiled);
		return set_error(err, PEERGUARD_ELIMIT, 0, 0,
			"JSON document is nested deeper than max_depth (%u levels)", max_depth);
	}

	rc = jmespath_search(&result, compiled, data, &jl, &jerr);
	json_decref(data);
	jmespath_free(compiled);
	if (rc < 0)
		return set_error(err, code_for(jerr.kind), 0, (int)jerr.column, "%s", jerr.message);

	*out = jmespath_dumps(result, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(result);
	if (!*out)
		return set_error(err, PEERGUARD_ENOMEM, 0, 0, "out of memory while serialising the result");
	return PEERGUARD_OK;
}
