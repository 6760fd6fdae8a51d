/*
 * Top-down operator precedence (Pratt) parser for JMESPath.
 *
 * The binding powers and the tree shapes follow the reference
 * implementation, jmespath.py 1.0, so that projections stop and nest where
 * the compliance suite expects them to.
 */
#include <stdarg.h>
#include <stdio.h>

#include "jmespath_internal.h"

/* Tokens with a binding power below this stop a projection. */
#define PROJECTION_STOP 10

static const unsigned char binding_power[TOK_COUNT] = {
	[TOK_PIPE] = 1,
	[TOK_OR] = 2,
	[TOK_AND] = 3,
	[TOK_EQ] = 5,
	[TOK_NE] = 5,
	[TOK_LT] = 5,
	[TOK_LTE] = 5,
	[TOK_GT] = 5,
	[TOK_GTE] = 5,
	[TOK_FLATTEN] = 9,
	[TOK_STAR] = 20,
	[TOK_FILTER] = 21,
	[TOK_DOT] = 40,
	[TOK_NOT] = 45,
	[TOK_LBRACE] = 50,
	[TOK_LBRACKET] = 55,
	[TOK_LPAREN] = 60,
};

typedef struct parser {
	const char *text;
	const token *tokens;
	size_t pos;
	unsigned int depth;
	arena *arena;
	jmespath_error *err;
} parser;

static node *expression(parser *p, unsigned int bp);

static const token *current(const parser *p)
{
	return &p->tokens[p->pos];
}

static token_type lookahead(const parser *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p->tokens[p->pos + i].type == TOK_EOF)
			return TOK_EOF;
	}
	return p->tokens[p->pos + n].type;
}

static void advance(parser *p)
{
	if (p->tokens[p->pos].type != TOK_EOF)
		p->pos++;
}

static node *fail_at(parser *p, size_t offset, jmespath_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Sets an error of kind at byte offset of the expression; returns NULL. */
static node *fail_at(parser *p, size_t offset, jmespath_error_kind kind, const char *fmt, ...)
{
	char detail[200];
	size_t column = jmespath_column(p->text, offset);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);

	if (kind == JMESPATH_ERR_SYNTAX)
		jmespath_error_set(p->err, kind, column, "syntax error at column %zu: %s", column, detail);
	else
		jmespath_error_set(p->err, kind, column, "%s (column %zu)", detail, column);
	return NULL;
}

static node *fail_unexpected(parser *p, const token *t, const char *expected)
{
	if (expected)
		return fail_at(p, t->start, JMESPATH_ERR_SYNTAX, "unexpected %s, expected %s",
			jmespath_token_name(t->type), expected);
	return fail_at(p, t->start, JMESPATH_ERR_SYNTAX, "unexpected %s", jmespath_token_name(t->type));
}

static node *fail_nomem(parser *p)
{
	jmespath_error_set(p->err, JMESPATH_ERR_NOMEM, 0, "out of memory while parsing");
	return NULL;
}

static int match(parser *p, token_type type)
{
	if (current(p)->type != type) {
		fail_unexpected(p, current(p), jmespath_token_name(type));
		return -1;
	}
	advance(p);
	return 0;
}

static node *new_node(parser *p, node_type type, const token *at)
{
	node *n = jmespath_arena_alloc(p->arena, sizeof(*n));

	if (!n)
		return fail_nomem(p);
	n->type = type;
	n->offset = at->start;
	n->depth = 1;
	return n;
}

/* Raises n's height to cover child and enforces the nesting limit. */
static int cover(parser *p, node *n, const node *child)
{
	if (!child)
		return 0;
	if (child->depth + 1 > n->depth)
		n->depth = child->depth + 1;
	if (n->depth > JMESPATH_MAX_NESTING) {
		size_t column = jmespath_column(p->text, n->offset);

		jmespath_error_set(p->err, JMESPATH_ERR_LIMIT, column,
			"expression nested deeper than %u levels at column %zu; split it into "
			"several expressions", JMESPATH_MAX_NESTING, column);
		return -1;
	}
	return 0;
}

static node *new_binary(parser *p, node_type type, const token *at, node *left, node *right)
{
	node *n;

	if (!left || !right)
		return NULL;
	n = new_node(p, type, at);
	if (!n)
		return NULL;
	n->left = left;
	n->right = right;
	if (cover(p, n, left) < 0 || cover(p, n, right) < 0)
		return NULL;
	return n;
}

static node *new_unary(parser *p, node_type type, const token *at, node *child)
{
	node *n;

	if (!child)
		return NULL;
	n = new_node(p, type, at);
	if (!n)
		return NULL;
	n->left = child;
	if (cover(p, n, child) < 0)
		return NULL;
	return n;
}

/* Appends child to the list of n; tail tracks the last child. */
static int append_child(parser *p, node *n, node **tail, node *child)
{
	if (!child)
		return -1;
	if (*tail)
		(*tail)->next = child;
	else
		n->children = child;
	*tail = child;
	n->child_count++;
	return cover(p, n, child);
}

static node *last_child(node *n)
{
	node *c = n->children;

	while (c && c->next)
		c = c->next;
	return c;
}

static node *new_list2(parser *p, node_type type, const token *at, node *first, node *second)
{
	node *n;
	node *tail = NULL;

	if (!first || !second)
		return NULL;
	n = new_node(p, type, at);
	if (!n)
		return NULL;
	if (append_child(p, n, &tail, first) < 0 || append_child(p, n, &tail, second) < 0)
		return NULL;
	return n;
}

static node *current_node(parser *p)
{
	return new_node(p, NODE_CURRENT, current(p));
}

static node *parse_dot_rhs(parser *p, unsigned int bp);
static node *parse_multi_select_list(parser *p, const token *open);
static node *parse_multi_select_hash(parser *p, const token *open);

/* Parses what follows a projection: nothing, a bracket, a filter or a dot. */
static node *parse_projection_rhs(parser *p, unsigned int bp)
{
	const token *t = current(p);

	if (binding_power[t->type] < PROJECTION_STOP)
		return current_node(p);
	if (t->type == TOK_LBRACKET || t->type == TOK_FILTER)
		return expression(p, bp);
	if (t->type == TOK_DOT) {
		advance(p);
		return parse_dot_rhs(p, bp);
	}
	return fail_unexpected(p, t, "'.', '[' or '[?' after a projection");
}

static node *parse_dot_rhs(parser *p, unsigned int bp)
{
	const token *t = current(p);

	switch (t->type) {
	case TOK_UNQUOTED_IDENTIFIER:
	case TOK_QUOTED_IDENTIFIER:
	case TOK_STAR:
		return expression(p, bp);
	case TOK_LBRACKET:
		advance(p);
		return parse_multi_select_list(p, t);
	case TOK_LBRACE:
		advance(p);
		return parse_multi_select_hash(p, t);
	default:
		return fail_unexpected(p, t, "an identifier, '*', '[' or '{' after '.'");
	}
}

static node *parse_slice(parser *p, const token *open)
{
	node *n = new_node(p, NODE_SLICE, open);
	size_t part = 0;
	size_t step_offset = 0;

	if (!n)
		return NULL;

	while (current(p)->type != TOK_RBRACKET) {
		const token *t = current(p);

		if (t->type == TOK_COLON) {
			part++;
			if (part == 3)
				return fail_unexpected(p, t, "']' (a slice has at most three parts)");
		} else if (t->type == TOK_NUMBER) {
			step_offset = t->start;
			n->slice[part] = t->number;
			n->slice_set[part] = true;
		} else {
			return fail_unexpected(p, t, "a number, ':' or ']' in a slice");
		}
		advance(p);
	}
	advance(p);

	/* Checked after the closing bracket, so that a syntax error wins. */
	if (n->slice_set[2] && n->slice[2] == 0)
		return fail_at(p, step_offset, JMESPATH_ERR_INVALID_VALUE, "slice step cannot be 0");
	return n;
}

/* Parses [number] or [start:stop:step] after the opening bracket. */
static node *parse_index_expression(parser *p, const token *open)
{
	const token *t = current(p);
	node *n;

	if (t->type == TOK_COLON || lookahead(p, 1) == TOK_COLON)
		return parse_slice(p, open);

	n = new_node(p, NODE_INDEX, t);
	if (!n)
		return NULL;
	n->index = t->number;
	advance(p);
	if (match(p, TOK_RBRACKET) < 0)
		return NULL;
	return n;
}

/* Wraps left[right] in an index expression, projecting when right is a slice. */
static node *project_if_slice(parser *p, const token *at, node *left, node *right)
{
	node *index = new_list2(p, NODE_INDEX_EXPRESSION, at, left, right);

	if (!index)
		return NULL;
	if (right->type != NODE_SLICE)
		return index;
	return new_binary(p, NODE_PROJECTION, at, index,
		parse_projection_rhs(p, binding_power[TOK_STAR]));
}

static node *parse_multi_select_list(parser *p, const token *open)
{
	node *n = new_node(p, NODE_MULTI_SELECT_LIST, open);
	node *tail = NULL;

	if (!n)
		return NULL;

	for (;;) {
		if (append_child(p, n, &tail, expression(p, 0)) < 0)
			return NULL;
		if (current(p)->type == TOK_RBRACKET)
			break;
		if (current(p)->type != TOK_COMMA)
			return fail_unexpected(p, current(p), "',' or ']' in a multi-select list");
		advance(p);
	}
	advance(p);
	return n;
}

static node *parse_multi_select_hash(parser *p, const token *open)
{
	node *n = new_node(p, NODE_MULTI_SELECT_HASH, open);
	node *tail = NULL;

	if (!n)
		return NULL;

	for (;;) {
		const token *key = current(p);
		node *pair;

		if (key->type != TOK_UNQUOTED_IDENTIFIER && key->type != TOK_QUOTED_IDENTIFIER)
			return fail_unexpected(p, key, "a key (identifier) in a multi-select hash");
		advance(p);
		if (match(p, TOK_COLON) < 0)
			return NULL;

		pair = new_unary(p, NODE_KEY_VALUE, key, expression(p, 0));
		if (!pair)
			return NULL;
		pair->name = key->name;
		pair->name_len = key->name_len;
		if (append_child(p, n, &tail, pair) < 0)
			return NULL;

		if (current(p)->type == TOK_RBRACE)
			break;
		if (current(p)->type != TOK_COMMA)
			return fail_unexpected(p, current(p), "',' or '}' in a multi-select hash");
		advance(p);
	}
	advance(p);
	return n;
}

static node *parse_filter(parser *p, const token *open, node *left)
{
	node *condition;
	node *right;
	node *n;

	if (!left)
		return NULL;
	condition = expression(p, 0);
	if (!condition || match(p, TOK_RBRACKET) < 0)
		return NULL;

	right = parse_projection_rhs(p, binding_power[TOK_FILTER]);
	n = new_binary(p, NODE_FILTER_PROJECTION, open, left, right);
	if (!n)
		return NULL;
	n->condition = condition;
	if (cover(p, n, condition) < 0)
		return NULL;
	return n;
}

static node *parse_function(parser *p, const token *open, node *name)
{
	const function_def *fn;
	node *n;
	node *tail = NULL;

	if (name->type != NODE_FIELD)
		return fail_at(p, open->start, JMESPATH_ERR_SYNTAX, "'(' must follow a function name");

	n = new_node(p, NODE_FUNCTION, open);
	if (!n)
		return NULL;
	while (current(p)->type != TOK_RPAREN) {
		if (append_child(p, n, &tail, expression(p, 0)) < 0)
			return NULL;
		if (current(p)->type == TOK_COMMA) {
			advance(p);
			if (current(p)->type == TOK_RPAREN)
				return fail_unexpected(p, current(p), "a function argument after ','");
		} else if (current(p)->type != TOK_RPAREN) {
			return fail_unexpected(p, current(p), "',' or ')' in a function call");
		}
	}
	advance(p);

	fn = jmespath_function_lookup(name->name, name->name_len);
	if (!fn)
		return fail_at(p, name->offset, JMESPATH_ERR_UNKNOWN_FUNCTION,
			"unknown function '%.*s'", (int)name->name_len, name->name);
	if (n->child_count < fn->min_args || (!fn->variadic && n->child_count > fn->min_args))
		return fail_at(p, name->offset, JMESPATH_ERR_INVALID_ARITY,
			"%s() takes %s%zu argument%s, got %zu", fn->name,
			fn->variadic ? "at least " : "", fn->min_args, fn->min_args == 1 ? "" : "s",
			n->child_count);
	n->function = fn;
	n->name = fn->name;
	n->offset = name->offset;
	return n;
}

static node *nud_field(parser *p, const token *t)
{
	node *n = new_node(p, NODE_FIELD, t);

	if (!n)
		return NULL;
	n->name = t->name;
	n->name_len = t->name_len;
	if (t->type == TOK_QUOTED_IDENTIFIER && current(p)->type == TOK_LPAREN)
		return fail_at(p, t->start, JMESPATH_ERR_SYNTAX, "a quoted identifier cannot name a function");
	return n;
}

static node *nud_lbracket(parser *p, const token *t)
{
	token_type next = current(p)->type;

	if (next == TOK_NUMBER || next == TOK_COLON) {
		node *left = current_node(p);
		node *right = left ? parse_index_expression(p, t) : NULL;

		if (!right)
			return NULL;
		return project_if_slice(p, t, left, right);
	}
	if (next == TOK_STAR && lookahead(p, 1) == TOK_RBRACKET) {
		advance(p);
		advance(p);
		return new_binary(p, NODE_PROJECTION, t, current_node(p),
			parse_projection_rhs(p, binding_power[TOK_STAR]));
	}
	return parse_multi_select_list(p, t);
}

static node *nud(parser *p, const token *t)
{
	node *n;

	switch (t->type) {
	case TOK_LITERAL:
		n = new_node(p, NODE_LITERAL, t);
		if (n)
			n->literal = t->literal;
		return n;
	case TOK_UNQUOTED_IDENTIFIER:
	case TOK_QUOTED_IDENTIFIER:
		return nud_field(p, t);
	case TOK_STAR:
		if (current(p)->type == TOK_RBRACKET)
			return new_binary(p, NODE_VALUE_PROJECTION, t, current_node(p), current_node(p));
		return new_binary(p, NODE_VALUE_PROJECTION, t, current_node(p),
			parse_projection_rhs(p, binding_power[TOK_STAR]));
	case TOK_FILTER:
		return parse_filter(p, t, current_node(p));
	case TOK_LBRACE:
		return parse_multi_select_hash(p, t);
	case TOK_LPAREN:
		n = expression(p, 0);
		if (!n || match(p, TOK_RPAREN) < 0)
			return NULL;
		return n;
	case TOK_FLATTEN:
		return new_binary(p, NODE_PROJECTION, t, new_unary(p, NODE_FLATTEN, t, current_node(p)),
			parse_projection_rhs(p, binding_power[TOK_FLATTEN]));
	case TOK_NOT:
		return new_unary(p, NODE_NOT, t, expression(p, binding_power[TOK_NOT]));
	case TOK_LBRACKET:
		return nud_lbracket(p, t);
	case TOK_CURRENT:
		return new_node(p, NODE_CURRENT, t);
	case TOK_EXPREF:
		return new_unary(p, NODE_EXPREF, t, expression(p, binding_power[TOK_EXPREF]));
	default:
		return fail_unexpected(p, t, NULL);
	}
}

static node *led_dot(parser *p, const token *t, node *left)
{
	node *right;
	node *tail;

	if (current(p)->type == TOK_STAR) {
		advance(p);
		return new_binary(p, NODE_VALUE_PROJECTION, t, left,
			parse_projection_rhs(p, binding_power[TOK_DOT]));
	}

	right = parse_dot_rhs(p, binding_power[TOK_DOT]);
	if (!right)
		return NULL;
	if (left->type != NODE_SUBEXPRESSION)
		return new_list2(p, NODE_SUBEXPRESSION, t, left, right);
	tail = last_child(left);
	if (append_child(p, left, &tail, right) < 0)
		return NULL;
	return left;
}

static node *led_lbracket(parser *p, const token *t, node *left)
{
	token_type next = current(p)->type;

	if (next == TOK_NUMBER || next == TOK_COLON) {
		node *right = parse_index_expression(p, t);
		node *tail;

		if (!right)
			return NULL;
		if (left->type != NODE_INDEX_EXPRESSION || right->type == NODE_SLICE)
			return project_if_slice(p, t, left, right);
		tail = last_child(left);
		if (append_child(p, left, &tail, right) < 0)
			return NULL;
		return left;
	}

	if (match(p, TOK_STAR) < 0 || match(p, TOK_RBRACKET) < 0)
		return NULL;
	return new_binary(p, NODE_PROJECTION, t, left,
		parse_projection_rhs(p, binding_power[TOK_STAR]));
}

static node *led_comparator(parser *p, const token *t, node *left)
{
	static const comparator ops[TOK_COUNT] = {
		[TOK_EQ] = CMP_EQ, [TOK_NE] = CMP_NE, [TOK_LT] = CMP_LT,
		[TOK_LTE] = CMP_LTE, [TOK_GT] = CMP_GT, [TOK_GTE] = CMP_GTE,
	};
	node *n = new_binary(p, NODE_COMPARATOR, t, left, expression(p, binding_power[t->type]));

	if (n)
		n->op = ops[t->type];
	return n;
}

static node *led(parser *p, const token *t, node *left)
{
	switch (t->type) {
	case TOK_DOT:
		return led_dot(p, t, left);
	case TOK_PIPE:
		return new_binary(p, NODE_PIPE, t, left, expression(p, binding_power[TOK_PIPE]));
	case TOK_OR:
		return new_binary(p, NODE_OR, t, left, expression(p, binding_power[TOK_OR]));
	case TOK_AND:
		return new_binary(p, NODE_AND, t, left, expression(p, binding_power[TOK_AND]));
	case TOK_LPAREN:
		return parse_function(p, t, left);
	case TOK_FILTER:
		return parse_filter(p, t, left);
	case TOK_EQ:
	case TOK_NE:
	case TOK_LT:
	case TOK_LTE:
	case TOK_GT:
	case TOK_GTE:
		return led_comparator(p, t, left);
	case TOK_FLATTEN:
		return new_binary(p, NODE_PROJECTION, t, new_unary(p, NODE_FLATTEN, t, left),
			parse_projection_rhs(p, binding_power[TOK_FLATTEN]));
	case TOK_LBRACKET:
		return led_lbracket(p, t, left);
	default:
		return fail_unexpected(p, t, NULL);
	}
}

static node *expression(parser *p, unsigned int bp)
{
	const token *t = current(p);
	node *left;

	if (++p->depth > JMESPATH_MAX_NESTING) {
		size_t column = jmespath_column(p->text, t->start);

		jmespath_error_set(p->err, JMESPATH_ERR_LIMIT, column,
			"expression nested deeper than %u levels at column %zu; split it into "
			"several expressions", JMESPATH_MAX_NESTING, column);
		return NULL;
	}

	advance(p);
	left = nud(p, t);
	while (left && bp < binding_power[current(p)->type]) {
		t = current(p);
		advance(p);
		left = led(p, t, left);
	}

	p->depth--;
	return left;
}

node *jmespath_parse(const char *text, const token *tokens, arena *a, jmespath_error *err)
{
	parser p = { .text = text, .tokens = tokens, .arena = a, .err = err };
	node *root = expression(&p, 0);

	if (!root)
		return NULL;
	if (current(&p)->type != TOK_EOF)
		return fail_at(&p, current(&p)->start, JMESPATH_ERR_SYNTAX, "unexpected %s after a complete "
			"expression", jmespath_token_name(current(&p)->type));
	return root;
}
