/* Compiling an expression into an immutable syntax tree, and freeing it. */
#include <stdlib.h>
#include <string.h>

#include "jmespath_internal.h"

struct jmespath_expr {
	char *source;
	node *root;
	arena arena;            /* every node and name */
	value_list literals;    /* JSON values of literals and raw strings */
};

jmespath_expr *jmespath_compile(const char *text, size_t len, const jmespath_limits *limits,
	jmespath_error *err)
{
	size_t max_length = limits && limits->max_length ? limits->max_length : JMESPATH_DEFAULT_MAX_LENGTH;
	jmespath_expr *expr;
	token *tokens = NULL;
	size_t count = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!text) {
		jmespath_error_set(err, JMESPATH_ERR_SYNTAX, 1, "syntax error at column 1: no expression");
		return NULL;
	}
	if (len > max_length) {
		jmespath_error_set(err, JMESPATH_ERR_LIMIT, 0,
			"expression is %zu bytes long, more than the limit of %zu bytes", len, max_length);
		return NULL;
	}

	expr = calloc(1, sizeof(*expr));
	if (!expr || !(expr->source = malloc(len + 1))) {
		free(expr);
		jmespath_error_set(err, JMESPATH_ERR_NOMEM, 0, "out of memory while compiling");
		return NULL;
	}
	memcpy(expr->source, text, len);
	expr->source[len] = '\0';

	if (jmespath_tokenize(&tokens, &count, expr->source, len, &expr->arena, &expr->literals, err) < 0) {
		jmespath_free(expr);
		return NULL;
	}
	expr->root = jmespath_parse(expr->source, tokens, &expr->arena, err);
	free(tokens);
	if (!expr->root) {
		jmespath_free(expr);
		return NULL;
	}
	return expr;
}

const node *jmespath_root(const jmespath_expr *expr)
{
	return expr->root;
}

const char *jmespath_source(const jmespath_expr *expr)
{
	return expr->source;
}

void jmespath_free(jmespath_expr *expr)
{
	if (!expr)
		return;
	jmespath_arena_clear(&expr->arena);
	jmespath_value_list_clear(&expr->literals);
	free(expr->source);
	free(expr);
}
