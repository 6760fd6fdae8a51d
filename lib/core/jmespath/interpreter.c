/*
 * Tree-walking evaluator.
 *
 * Every node visit costs one step, and so does every element a projection
 * or function touches, so max_steps bounds the time of a search.  The
 * recursion depth is the height of the syntax tree, which the parser
 * limits to JMESPATH_MAX_NESTING.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath_internal.h"

/* Function calls with more arguments than this allocate their argument array. */
#define INLINE_ARGS 8

static int fail_nomem(eval_ctx *ctx)
{
	jmespath_error_set(ctx->err, JMESPATH_ERR_NOMEM, 0, "out of memory during evaluation");
	return -1;
}

int jmespath_charge(eval_ctx *ctx, uint64_t n)
{
	/* steps never passes max_steps, so the subtraction cannot wrap. */
	if (n <= ctx->max_steps - ctx->steps) {
		ctx->steps += n;
		return 0;
	}
	ctx->steps = ctx->max_steps;
	jmespath_error_set(ctx->err, JMESPATH_ERR_LIMIT, 0,
		"evaluation needs more than %" PRIu64 " steps (max_steps); simplify the expression "
		"or raise the limit", ctx->max_steps);
	return -1;
}

static json_t *ref_or_null(json_t *v)
{
	return v ? json_incref(v) : json_null();
}

/* Appends a new reference to array unless it is null; the reference is consumed either way. */
static int append_unless_null(eval_ctx *ctx, json_t *array, json_t *v)
{
	if (json_is_null(v))
		return 0;
	if (json_array_append_new(array, v) < 0)
		return fail_nomem(ctx);
	return 0;
}

static int eval_chain(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	json_t *current = json_incref(value);

	for (const node *child = n->children; child; child = child->next) {
		json_t *next;

		if (jmespath_eval(&next, ctx, child, current) < 0) {
			json_decref(current);
			return -1;
		}
		json_decref(current);
		current = next;
	}
	*out = current;
	return 0;
}

static json_t *eval_index(const node *n, json_t *value)
{
	int64_t size;
	int64_t i = n->index;

	if (!json_is_array(value))
		return json_null();
	size = (int64_t)json_array_size(value);
	if (i < 0)
		i += size;
	if (i < 0 || i >= size)
		return json_null();
	return json_incref(json_array_get(value, (size_t)i));
}

/* Resolves one slice bound the way Python's slice.indices() does. */
static int64_t slice_bound(int64_t v, int64_t size, int64_t lower, int64_t upper)
{
	if (v < 0) {
		v += size;
		return v < lower ? lower : v;
	}
	return v > upper ? upper : v;
}

static int eval_slice(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	int64_t size, step, start, stop, lower, upper;
	json_t *result;

	if (!json_is_array(value)) {
		*out = json_null();
		return 0;
	}

	size = (int64_t)json_array_size(value);
	step = n->slice_set[2] ? n->slice[2] : 1;
	lower = step < 0 ? -1 : 0;
	upper = step < 0 ? size - 1 : size;
	start = n->slice_set[0] ? slice_bound(n->slice[0], size, lower, upper) : (step < 0 ? upper : lower);
	stop = n->slice_set[1] ? slice_bound(n->slice[1], size, lower, upper) : (step < 0 ? lower : upper);

	result = json_array();
	if (!result)
		return fail_nomem(ctx);

	/* The bounds lie in [-1, size], so the differences below cannot overflow. */
	for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
		if (jmespath_charge(ctx, 1) < 0) {
			json_decref(result);
			return -1;
		}
		if (json_array_append(result, json_array_get(value, (size_t)i)) < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
		if (step > 0 ? stop - i <= step : i - stop <= -step)
			break;
	}
	*out = result;
	return 0;
}

/* Applies the right side of a projection to each element of elements, dropping nulls. */
static int project(json_t **out, eval_ctx *ctx, const node *n, json_t *elements, bool filter)
{
	json_t *result = json_array();
	size_t i;
	json_t *element;

	if (!result)
		return fail_nomem(ctx);

	json_array_foreach(elements, i, element) {
		json_t *v;

		if (filter) {
			json_t *condition;
			bool keep;

			if (jmespath_eval(&condition, ctx, n->condition, element) < 0)
				goto fail;
			keep = jmespath_is_truthy(condition);
			json_decref(condition);
			if (!keep)
				continue;
		}
		if (jmespath_eval(&v, ctx, n->right, element) < 0 || append_unless_null(ctx, result, v) < 0)
			goto fail;
	}
	*out = result;
	return 0;

fail:
	json_decref(result);
	return -1;
}

static int eval_projection(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	json_t *base;
	json_t *elements;
	int rc;

	if (jmespath_eval(&base, ctx, n->left, value) < 0)
		return -1;

	if (n->type == NODE_VALUE_PROJECTION) {
		const char *key;
		json_t *member;

		if (!json_is_object(base)) {
			json_decref(base);
			*out = json_null();
			return 0;
		}
		elements = json_array();
		if (!elements) {
			json_decref(base);
			return fail_nomem(ctx);
		}
		json_object_foreach(base, key, member) {
			if (json_array_append(elements, member) < 0) {
				json_decref(elements);
				json_decref(base);
				return fail_nomem(ctx);
			}
		}
		json_decref(base);
	} else {
		if (!json_is_array(base)) {
			json_decref(base);
			*out = json_null();
			return 0;
		}
		elements = base;
	}

	rc = project(out, ctx, n, elements, n->type == NODE_FILTER_PROJECTION);
	json_decref(elements);
	return rc;
}

static int eval_flatten(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	json_t *base;
	json_t *result;
	json_t *element;
	size_t i;

	if (jmespath_eval(&base, ctx, n->left, value) < 0)
		return -1;
	if (!json_is_array(base)) {
		json_decref(base);
		*out = json_null();
		return 0;
	}

	result = json_array();
	if (!result) {
		json_decref(base);
		return fail_nomem(ctx);
	}
	json_array_foreach(base, i, element) {
		bool nested = json_is_array(element);

		if (jmespath_charge(ctx, nested ? json_array_size(element) : 1) < 0)
			goto fail;
		if ((nested ? json_array_extend(result, element) : json_array_append(result, element)) < 0) {
			fail_nomem(ctx);
			goto fail;
		}
	}
	json_decref(base);
	*out = result;
	return 0;

fail:
	json_decref(result);
	json_decref(base);
	return -1;
}

static int compare(json_t **out, eval_ctx *ctx, comparator op, json_t *a, json_t *b)
{
	int order;

	if (op == CMP_EQ || op == CMP_NE) {
		int equal = jmespath_equal(ctx, a, b);

		if (equal < 0)
			return -1;
		*out = json_boolean(op == CMP_EQ ? equal : !equal);
		return 0;
	}

	/*
	 * Ordering is defined for two numbers, and (as in jmespath.py 1.0, which
	 * Cloud Custodian uses) for two strings.  Any other pair gives null.
	 */
	if (json_is_number(a) && json_is_number(b)) {
		order = jmespath_compare_numbers(a, b);
	} else if (json_is_string(a) && json_is_string(b)) {
		order = jmespath_compare_strings(a, b);
	} else {
		*out = json_null();
		return 0;
	}

	switch (op) {
	case CMP_LT: *out = json_boolean(order < 0); break;
	case CMP_LTE: *out = json_boolean(order <= 0); break;
	case CMP_GT: *out = json_boolean(order > 0); break;
	default: *out = json_boolean(order >= 0); break;
	}
	return 0;
}

static int eval_comparator(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	json_t *a;
	json_t *b;
	int rc;

	if (jmespath_eval(&a, ctx, n->left, value) < 0)
		return -1;
	if (jmespath_eval(&b, ctx, n->right, value) < 0) {
		json_decref(a);
		return -1;
	}
	rc = compare(out, ctx, n->op, a, b);
	json_decref(a);
	json_decref(b);
	return rc;
}

/* Evaluates a || b and a && b: the left value decides whether the right one is needed. */
static int eval_logical(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	json_t *left;
	bool truthy;

	if (jmespath_eval(&left, ctx, n->left, value) < 0)
		return -1;
	truthy = jmespath_is_truthy(left);
	if (truthy == (n->type == NODE_OR)) {
		*out = left;
		return 0;
	}
	json_decref(left);
	return jmespath_eval(out, ctx, n->right, value);
}

static int eval_pipe(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	json_t *left;
	int rc;

	if (jmespath_eval(&left, ctx, n->left, value) < 0)
		return -1;
	rc = jmespath_eval(out, ctx, n->right, left);
	json_decref(left);
	return rc;
}

static int eval_multi_select(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	bool is_list = n->type == NODE_MULTI_SELECT_LIST;
	json_t *result;

	if (json_is_null(value)) {
		*out = json_null();
		return 0;
	}

	result = is_list ? json_array() : json_object();
	if (!result)
		return fail_nomem(ctx);

	for (const node *child = n->children; child; child = child->next) {
		json_t *v;
		int rc;

		if (jmespath_eval(&v, ctx, is_list ? child : child->left, value) < 0) {
			json_decref(result);
			return -1;
		}
		if (is_list)
			rc = json_array_append_new(result, v);
		else
			rc = json_object_setn_new(result, child->name, child->name_len, v);
		if (rc < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
	}
	*out = result;
	return 0;
}

static int eval_function(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	function_arg inline_args[INLINE_ARGS];
	function_arg *args = inline_args;
	size_t argc = 0;
	int rc = -1;

	if (n->child_count > INLINE_ARGS) {
		args = calloc(n->child_count, sizeof(*args));
		if (!args)
			return fail_nomem(ctx);
	}

	/* An expression reference is passed unevaluated; the function applies it. */
	for (const node *child = n->children; child; child = child->next, argc++) {
		args[argc].expref = NULL;
		args[argc].value = NULL;
		if (child->type == NODE_EXPREF)
			args[argc].expref = child->left;
		else if (jmespath_eval(&args[argc].value, ctx, child, value) < 0)
			goto done;
	}

	rc = jmespath_function_call(out, ctx, n->function, args, argc);

done:
	for (size_t i = 0; i < argc; i++)
		json_decref(args[i].value);
	if (args != inline_args)
		free(args);
	return rc;
}

int jmespath_eval(json_t **out, eval_ctx *ctx, const node *n, json_t *value)
{
	if (jmespath_charge(ctx, 1) < 0)
		return -1;

	switch (n->type) {
	case NODE_CURRENT:
		*out = json_incref(value);
		return 0;
	case NODE_FIELD:
		*out = ref_or_null(json_is_object(value) ? json_object_getn(value, n->name, n->name_len) : NULL);
		return 0;
	case NODE_SUBEXPRESSION:
	case NODE_INDEX_EXPRESSION:
		return eval_chain(out, ctx, n, value);
	case NODE_INDEX:
		*out = eval_index(n, value);
		return 0;
	case NODE_SLICE:
		return eval_slice(out, ctx, n, value);
	case NODE_PROJECTION:
	case NODE_VALUE_PROJECTION:
	case NODE_FILTER_PROJECTION:
		return eval_projection(out, ctx, n, value);
	case NODE_FLATTEN:
		return eval_flatten(out, ctx, n, value);
	case NODE_COMPARATOR:
		return eval_comparator(out, ctx, n, value);
	case NODE_OR:
	case NODE_AND:
		return eval_logical(out, ctx, n, value);
	case NODE_NOT: {
		json_t *v;

		if (jmespath_eval(&v, ctx, n->left, value) < 0)
			return -1;
		*out = json_boolean(!jmespath_is_truthy(v));
		json_decref(v);
		return 0;
	}
	case NODE_PIPE:
		return eval_pipe(out, ctx, n, value);
	case NODE_MULTI_SELECT_LIST:
	case NODE_MULTI_SELECT_HASH:
		return eval_multi_select(out, ctx, n, value);
	case NODE_LITERAL:
		*out = json_incref(n->literal);
		return 0;
	case NODE_FUNCTION:
		return eval_function(out, ctx, n, value);
	case NODE_EXPREF:
		jmespath_error_set(ctx->err, JMESPATH_ERR_INVALID_TYPE, 0,
			"an expression reference (&...) can only be a function argument");
		return -1;
	case NODE_KEY_VALUE:
		break;
	}
	jmespath_error_set(ctx->err, JMESPATH_ERR_SYNTAX, 0, "internal error: unknown node type %d",
		(int)n->type);
	return -1;
}

int jmespath_search(json_t **out, const jmespath_expr *expr, json_t *data,
	const jmespath_limits *limits, jmespath_error *err)
{
	eval_ctx ctx = { .err = err };
	eval_ctx size_ctx = { .err = err };
	json_t *result;

	if (err)
		memset(err, 0, sizeof(*err));
	*out = NULL;
	ctx.max_steps = limits && limits->max_steps ? limits->max_steps : JMESPATH_DEFAULT_MAX_STEPS;
	size_ctx.max_steps = ctx.max_steps;

	if (jmespath_eval(&result, &ctx, jmespath_root(expr), data ? data : json_null()) < 0)
		return -1;

	/*
	 * Multi-selects share their elements, so [@, @] applied n times makes a
	 * result of 2^n values out of n arrays.  Bound the expanded size here so
	 * that no caller serialises or walks an exponentially large value.
	 */
	if (jmespath_charge_size(&size_ctx, result) < 0) {
		json_decref(result);
		if (err && err->kind == JMESPATH_ERR_LIMIT)
			jmespath_error_set(err, JMESPATH_ERR_LIMIT, 0,
				"the result has more than %" PRIu64 " values and %u-byte string blocks "
				"(max_steps); select less or raise the limit", ctx.max_steps,
				JMESPATH_BYTES_PER_STEP);
		return -1;
	}

	*out = result;
	return 0;
}
