/*
 * Built-in functions of the JMESPath specification, plus Cloud Custodian's
 * split and from_json (c7n.utils.C7NJmespathFunctions).
 *
 * jmespath_function_call checks every argument against the signature before the
 * implementation runs, so implementations may assume their types.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath_internal.h"

static int fail_nomem(eval_ctx *ctx)
{
	jmespath_error_set(ctx->err, JMESPATH_ERR_NOMEM, 0, "out of memory during evaluation");
	return -1;
}

/* Stores v in *out, or fails with an out-of-memory error when v is NULL. */
static int give(json_t **out, eval_ctx *ctx, json_t *v)
{
	if (!v)
		return fail_nomem(ctx);
	*out = v;
	return 0;
}

static int charge_bytes(eval_ctx *ctx, size_t bytes)
{
	return jmespath_charge(ctx, 1 + bytes / JMESPATH_BYTES_PER_STEP);
}

/* ---- Stable sorting --------------------------------------------------- */

typedef int (*sort_compare)(const json_t *const *keys, size_t a, size_t b);

static int compare_number_keys(const json_t *const *keys, size_t a, size_t b)
{
	return jmespath_compare_numbers(keys[a], keys[b]);
}

static int compare_string_keys(const json_t *const *keys, size_t a, size_t b)
{
	return jmespath_compare_strings(keys[a], keys[b]);
}

/*
 * Sorts order[0..n) by keys with a bottom-up merge sort, which is stable:
 * sort_by must keep the input order of equal keys.
 */
static int stable_sort(size_t *order, size_t n, const json_t *const *keys, sort_compare cmp)
{
	size_t *buffer;

	if (n < 2)
		return 0;
	buffer = malloc(n * sizeof(*buffer));
	if (!buffer)
		return -1;

	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				buffer[k++] = cmp(keys, order[j], order[i]) < 0 ? order[j++] : order[i++];
			while (i < mid)
				buffer[k++] = order[i++];
			while (j < hi)
				buffer[k++] = order[j++];
		}
		memcpy(order, buffer, n * sizeof(*order));
	}
	free(buffer);
	return 0;
}

/* Charges roughly n log2 n comparisons for a sort of n elements. */
static int charge_sort(eval_ctx *ctx, size_t n)
{
	uint64_t log = 1;

	while (((size_t)1 << log) < n && log < 63)
		log++;
	return jmespath_charge(ctx, (uint64_t)n * log);
}

/* ---- Argument checking ------------------------------------------------ */

static const struct {
	unsigned int bit;
	const char *name;
} type_names[] = {
	{ ARG_NUMBER, "number" },
	{ ARG_STRING, "string" },
	{ ARG_BOOLEAN, "boolean" },
	{ ARG_ARRAY, "array" },
	{ ARG_OBJECT, "object" },
	{ ARG_NULL, "null" },
	{ ARG_EXPREF, "expression reference (&...)" },
	{ ARG_ARRAY_NUMBER, "array of numbers" },
	{ ARG_ARRAY_STRING, "array of strings" },
};

static void describe_types(char *buf, size_t size, unsigned int mask)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!(mask & type_names[i].bit))
			continue;
		if (used >= size)
			break;
		used += snprintf(buf + used, used < size ? size - used : 0, "%s%s",
			used ? " or " : "", type_names[i].name);
	}
}

static unsigned int value_type_bit(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return ARG_OBJECT;
	case JSON_ARRAY: return ARG_ARRAY;
	case JSON_STRING: return ARG_STRING;
	case JSON_INTEGER:
	case JSON_REAL: return ARG_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE: return ARG_BOOLEAN;
	default: return ARG_NULL;
	}
}

/* Tests whether every element of array has the type bit; charges one step per element. */
static int array_all_of(eval_ctx *ctx, const json_t *array, unsigned int bit)
{
	size_t i;
	json_t *element;

	if (jmespath_charge(ctx, json_array_size(array)) < 0)
		return -1;
	json_array_foreach(array, i, element) {
		if (value_type_bit(element) != bit)
			return 0;
	}
	return 1;
}

/* Returns 1 when arg has one of the types in mask, 0 when not, -1 on a limit error. */
static int arg_matches(eval_ctx *ctx, unsigned int mask, const function_arg *arg)
{
	unsigned int bit;
	int all;

	if (arg->expref)
		return (mask & ARG_EXPREF) != 0;

	bit = value_type_bit(arg->value);
	if (mask & bit)
		return 1;
	if (bit != ARG_ARRAY)
		return 0;

	if (mask & ARG_ARRAY_NUMBER) {
		all = array_all_of(ctx, arg->value, ARG_NUMBER);
		if (all != 0)
			return all;
	}
	if (mask & ARG_ARRAY_STRING)
		return array_all_of(ctx, arg->value, ARG_STRING);
	return 0;
}

static int fail_type(eval_ctx *ctx, const function_def *fn, size_t index, unsigned int mask,
	const function_arg *arg)
{
	char expected[160];
	const char *got = arg->expref ? "an expression reference" : jmespath_type_name(arg->value);
	bool typed_array = (mask & (ARG_ARRAY_NUMBER | ARG_ARRAY_STRING)) && json_is_array(arg->value);

	describe_types(expected, sizeof(expected), mask);
	jmespath_error_set(ctx->err, JMESPATH_ERR_INVALID_TYPE, 0,
		"%s() argument %zu must be %s, got %s%s", fn->name, index + 1, expected, got,
		typed_array ? " with elements of other types" : "");
	return -1;
}

int jmespath_function_call(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	for (size_t i = 0; i < argc; i++) {
		size_t slot = i < fn->min_args ? i : fn->min_args - 1;
		unsigned int mask = fn->types[slot];
		int ok = arg_matches(ctx, mask, &args[i]);

		if (ok < 0)
			return -1;
		if (!ok)
			return fail_type(ctx, fn, i, mask, &args[i]);
	}
	return fn->call(out, ctx, fn, args, argc);
}

/* ---- Evaluating expression references --------------------------------- */

/*
 * Evaluates the expression reference on every element of array and
 * returns the keys in a new malloc'd array of new references.  With
 * key_types set, every key must be a number or a string, all of one type,
 * which is stored in *key_type.
 */
static int eval_keys(json_t ***out, eval_ctx *ctx, const function_def *fn, const node *expref,
	const json_t *array, bool key_types, unsigned int *key_type)
{
	size_t n = json_array_size(array);
	json_t **keys = calloc(n ? n : 1, sizeof(*keys));
	size_t done = 0;

	if (!keys)
		return fail_nomem(ctx);

	for (; done < n; done++) {
		unsigned int bit;

		if (jmespath_eval(&keys[done], ctx, expref, json_array_get(array, done)) < 0)
			goto fail;
		if (!key_types)
			continue;

		bit = value_type_bit(keys[done]);
		if (done == 0)
			*key_type = bit;
		if ((bit != ARG_NUMBER && bit != ARG_STRING) || bit != *key_type) {
			jmespath_error_set(ctx->err, JMESPATH_ERR_INVALID_TYPE, 0,
				"%s() expression must give all numbers or all strings, got %s for element %zu",
				fn->name, jmespath_type_name(keys[done]), done);
			done++;
			goto fail;
		}
	}
	*out = keys;
	return 0;

fail:
	for (size_t i = 0; i < done; i++)
		json_decref(keys[i]);
	free(keys);
	return -1;
}

static void free_keys(json_t **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(keys[i]);
	free(keys);
}

/* ---- Numbers ---------------------------------------------------------- */

static int fn_abs(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	const json_t *v = args[0].value;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i == INT64_MIN)
			return give(out, ctx, json_real(-(double)i));
		return give(out, ctx, json_integer(i < 0 ? -i : i));
	}
	return give(out, ctx, json_real(fabs(json_real_value(v))));
}

static int fn_ceil(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	if (json_is_integer(args[0].value))
		return give(out, ctx, json_incref(args[0].value));
	return give(out, ctx, jmespath_number_from_double(ceil(json_real_value(args[0].value))));
}

static int fn_floor(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	if (json_is_integer(args[0].value))
		return give(out, ctx, json_incref(args[0].value));
	return give(out, ctx, jmespath_number_from_double(floor(json_real_value(args[0].value))));
}

/*
 * Sums an array of numbers.  Returns true with the sum in *isum while every
 * term is an integer and no partial sum overflows, else false with *dsum.
 */
static bool sum_numbers(const json_t *array, json_int_t *isum, double *dsum)
{
	bool integral = true;
	size_t i;
	json_t *element;

	*isum = 0;
	*dsum = 0;
	json_array_foreach(array, i, element) {
		json_int_t next;

		if (integral && json_is_integer(element) &&
		    !__builtin_add_overflow(*isum, json_integer_value(element), &next)) {
			*isum = next;
			continue;
		}
		if (integral) {
			/* Switch to doubles, starting from the sum of the terms before this one. */
			*dsum = (double)*isum;
			integral = false;
		}
		*dsum += json_number_value(element);
	}
	return integral;
}

/* Stores a real result, or fails when it overflowed the double range (JSON has no infinity). */
static int give_real(json_t **out, eval_ctx *ctx, const function_def *fn, double d)
{
	if (!isfinite(d)) {
		jmespath_error_set(ctx->err, JMESPATH_ERR_INVALID_VALUE, 0,
			"%s() result is beyond the range of a double", fn->name);
		return -1;
	}
	return give(out, ctx, json_real(d));
}

static int fn_sum(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	json_int_t isum;
	double dsum;

	if (sum_numbers(args[0].value, &isum, &dsum))
		return give(out, ctx, json_integer(isum));
	return give_real(out, ctx, fn, dsum);
}

static int fn_avg(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	size_t n = json_array_size(args[0].value);
	json_int_t isum;
	double dsum;

	if (n == 0)
		return give(out, ctx, json_null());
	if (sum_numbers(args[0].value, &isum, &dsum))
		dsum = (double)isum;
	return give_real(out, ctx, fn, dsum / (double)n);
}

/*
 * Rewrites text that Python's int() or float() accepts ("+4", "007",
 * ".5", "5.", " 1e3 ") as a JSON number, so that jansson reads it without
 * depending on the C locale.  Returns a new string, or NULL when text is
 * not a decimal number.
 */
static char *normalise_number(const char *text, size_t len)
{
	size_t i = 0, end = len;
	char *buf = malloc(len + 3);
	size_t n = 0;
	size_t digits;

	if (!buf)
		return NULL;

	while (i < end && strchr(" \t\n\r\f\v", text[i]) && text[i])
		i++;
	while (end > i && strchr(" \t\n\r\f\v", text[end - 1]) && text[end - 1])
		end--;

	if (i < end && (text[i] == '+' || text[i] == '-')) {
		if (text[i] == '-')
			buf[n++] = '-';
		i++;
	}

	/* Integer part without leading zeros, "0" when empty. */
	while (i + 1 < end && text[i] == '0' && text[i + 1] >= '0' && text[i + 1] <= '9')
		i++;
	digits = 0;
	while (i < end && text[i] >= '0' && text[i] <= '9') {
		buf[n++] = text[i++];
		digits++;
	}
	if (digits == 0)
		buf[n++] = '0';

	if (i < end && text[i] == '.') {
		size_t fraction = 0;

		buf[n++] = text[i++];
		while (i < end && text[i] >= '0' && text[i] <= '9') {
			buf[n++] = text[i++];
			fraction++;
		}
		if (fraction == 0 && digits == 0)
			goto invalid;
		if (fraction == 0)
			buf[n++] = '0';
	} else if (digits == 0) {
		goto invalid;
	}

	if (i < end && (text[i] == 'e' || text[i] == 'E')) {
		size_t exponent = 0;

		buf[n++] = text[i++];
		if (i < end && (text[i] == '+' || text[i] == '-'))
			buf[n++] = text[i++];
		while (i < end && text[i] >= '0' && text[i] <= '9') {
			buf[n++] = text[i++];
			exponent++;
		}
		if (exponent == 0)
			goto invalid;
	}

	if (i != end)
		goto invalid;
	buf[n] = '\0';
	return buf;

invalid:
	free(buf);
	return NULL;
}

static int fn_to_number(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	json_t *v = args[0].value;
	json_error_t jerr;
	json_t *number;
	char *text;

	if (json_is_number(v))
		return give(out, ctx, json_incref(v));
	if (!json_is_string(v))
		return give(out, ctx, json_null());

	if (charge_bytes(ctx, json_string_length(v)) < 0)
		return -1;
	text = normalise_number(json_string_value(v), json_string_length(v));
	if (!text)
		return give(out, ctx, json_null());

	/* Integers beyond 64 bits become reals; reals beyond the double range give null. */
	number = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!number)
		number = json_loads(text, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
	free(text);
	return give(out, ctx, number ? number : json_null());
}

/* ---- Strings ---------------------------------------------------------- */

static size_t utf8_length(const char *s, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	}
	return count;
}

static int fn_starts_with(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	size_t len = json_string_length(args[0].value);
	size_t prefix = json_string_length(args[1].value);

	return give(out, ctx, json_boolean(prefix <= len &&
		memcmp(json_string_value(args[0].value), json_string_value(args[1].value), prefix) == 0));
}

static int fn_ends_with(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	size_t len = json_string_length(args[0].value);
	size_t suffix = json_string_length(args[1].value);

	return give(out, ctx, json_boolean(suffix <= len &&
		memcmp(json_string_value(args[0].value) + len - suffix, json_string_value(args[1].value),
			suffix) == 0));
}

static int fn_join(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	const json_t *glue = args[0].value;
	const json_t *parts = args[1].value;
	size_t glue_len = json_string_length(glue);
	size_t total = 0;
	size_t i, n = 0;
	json_t *part;
	char *buf;
	json_t *result;

	json_array_foreach(parts, i, part) {
		if (charge_bytes(ctx, json_string_length(part) + glue_len) < 0)
			return -1;
		total += json_string_length(part) + (i ? glue_len : 0);
	}

	buf = malloc(total + 1);
	if (!buf)
		return fail_nomem(ctx);
	json_array_foreach(parts, i, part) {
		if (i) {
			memcpy(buf + n, json_string_value(glue), glue_len);
			n += glue_len;
		}
		memcpy(buf + n, json_string_value(part), json_string_length(part));
		n += json_string_length(part);
	}

	result = json_stringn_nocheck(buf, n);
	free(buf);
	return give(out, ctx, result);
}

static int fn_split(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	const char *sep = json_string_value(args[0].value);
	size_t sep_len = json_string_length(args[0].value);
	const char *s = json_string_value(args[1].value);
	size_t len = json_string_length(args[1].value);
	const char *start = s;
	const char *end = s + len;
	json_t *result;

	if (sep_len == 0) {
		jmespath_error_set(ctx->err, JMESPATH_ERR_INVALID_VALUE, 0,
			"split() separator cannot be an empty string");
		return -1;
	}
	if (charge_bytes(ctx, len) < 0)
		return -1;

	/* Same as Python's str.split(sep): every occurrence splits, empty parts are kept. */
	result = json_array();
	if (!result)
		return fail_nomem(ctx);
	for (;;) {
		const char *hit = memmem(start, (size_t)(end - start), sep, sep_len);
		const char *part_end = hit ? hit : end;

		if (jmespath_charge(ctx, 1) < 0) {
			json_decref(result);
			return -1;
		}
		if (json_array_append_new(result, json_stringn_nocheck(start, (size_t)(part_end - start))) < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
		if (!hit)
			break;
		start = hit + sep_len;
	}
	*out = result;
	return 0;
}

static int fn_from_json(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	json_error_t jerr;
	json_t *parsed;

	if (charge_bytes(ctx, json_string_length(args[0].value)) < 0)
		return -1;
	parsed = json_loadb(json_string_value(args[0].value), json_string_length(args[0].value),
		JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	return give(out, ctx, parsed ? parsed : json_null());
}

static int fn_to_string(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	json_t *v = args[0].value;
	char *text;
	json_t *result;

	if (json_is_string(v))
		return give(out, ctx, json_incref(v));

	/* Charge the full size first: a small shared structure can print as a huge document. */
	if (jmespath_charge_size(ctx, v) < 0)
		return -1;
	text = jmespath_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text)
		return fail_nomem(ctx);
	result = json_string_nocheck(text);
	free(text);
	return give(out, ctx, result);
}

/* ---- Collections ------------------------------------------------------ */

static int fn_length(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	const json_t *v = args[0].value;
	size_t len;

	if (json_is_string(v))
		len = utf8_length(json_string_value(v), json_string_length(v));
	else if (json_is_array(v))
		len = json_array_size(v);
	else
		len = json_object_size(v);
	return give(out, ctx, json_integer((json_int_t)len));
}

static int fn_contains(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	const json_t *subject = args[0].value;
	const json_t *search = args[1].value;
	size_t i;
	json_t *element;

	if (json_is_string(subject)) {
		/* A string contains only strings; jmespath.py raises TypeError for anything else. */
		bool found = json_is_string(search) &&
			memmem(json_string_value(subject), json_string_length(subject),
				json_string_value(search), json_string_length(search)) != NULL;

		if (charge_bytes(ctx, json_string_length(subject)) < 0)
			return -1;
		return give(out, ctx, json_boolean(found));
	}

	json_array_foreach(subject, i, element) {
		int equal = jmespath_equal(ctx, element, search);

		if (equal < 0)
			return -1;
		if (equal)
			return give(out, ctx, json_true());
	}
	return give(out, ctx, json_false());
}

/* keys() and values(): a new array of the object's member names or values, in member order. */
static int object_members(json_t **out, eval_ctx *ctx, const json_t *object, bool names)
{
	json_t *result = json_array();
	const char *key;
	size_t key_len;
	json_t *member;

	if (!result)
		return fail_nomem(ctx);
	if (jmespath_charge(ctx, json_object_size(object)) < 0) {
		json_decref(result);
		return -1;
	}
	json_object_keylen_foreach((json_t *)object, key, key_len, member) {
		json_t *item = names ? json_stringn_nocheck(key, key_len) : json_incref(member);

		if (json_array_append_new(result, item) < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
	}
	*out = result;
	return 0;
}

static int fn_keys(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return object_members(out, ctx, args[0].value, true);
}

static int fn_values(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return object_members(out, ctx, args[0].value, false);
}

static int fn_merge(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	json_t *result = json_object();

	if (!result)
		return fail_nomem(ctx);
	for (size_t i = 0; i < argc; i++) {
		if (jmespath_charge(ctx, json_object_size(args[i].value)) < 0) {
			json_decref(result);
			return -1;
		}
		if (json_object_update(result, args[i].value) < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
	}
	*out = result;
	return 0;
}

static int fn_not_null(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	for (size_t i = 0; i < argc; i++) {
		if (!json_is_null(args[i].value))
			return give(out, ctx, json_incref(args[i].value));
	}
	return give(out, ctx, json_null());
}

static int reverse_string(json_t **out, eval_ctx *ctx, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	char *buf;
	size_t n = 0;
	json_t *result;

	if (charge_bytes(ctx, len) < 0)
		return -1;
	buf = malloc(len + 1);
	if (!buf)
		return fail_nomem(ctx);

	/* Copy code points from the last one back, each with its continuation bytes. */
	for (size_t end = len; end > 0;) {
		size_t start = end - 1;

		while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
			start--;
		memcpy(buf + n, s + start, end - start);
		n += end - start;
		end = start;
	}

	result = json_stringn_nocheck(buf, n);
	free(buf);
	return give(out, ctx, result);
}

static int fn_reverse(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	const json_t *v = args[0].value;
	size_t n;
	json_t *result;

	if (json_is_string(v))
		return reverse_string(out, ctx, v);

	n = json_array_size(v);
	if (jmespath_charge(ctx, n) < 0)
		return -1;
	result = json_array();
	if (!result)
		return fail_nomem(ctx);
	for (size_t i = n; i > 0; i--) {
		if (json_array_append(result, json_array_get(v, i - 1)) < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
	}
	*out = result;
	return 0;
}

static int fn_to_array(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	json_t *result;

	if (json_is_array(args[0].value))
		return give(out, ctx, json_incref(args[0].value));
	result = json_array();
	if (!result || json_array_append(result, args[0].value) < 0) {
		json_decref(result);
		return fail_nomem(ctx);
	}
	*out = result;
	return 0;
}

static int fn_type(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return give(out, ctx, json_string(jmespath_type_name(args[0].value)));
}

static int fn_map(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	json_t *result = json_array();
	size_t i;
	json_t *element;

	if (!result)
		return fail_nomem(ctx);

	/* Unlike a projection, map keeps null results. */
	json_array_foreach(args[1].value, i, element) {
		json_t *v;

		if (jmespath_eval(&v, ctx, args[0].expref, element) < 0) {
			json_decref(result);
			return -1;
		}
		if (json_array_append_new(result, v) < 0) {
			json_decref(result);
			return fail_nomem(ctx);
		}
	}
	*out = result;
	return 0;
}

/* ---- Ordering --------------------------------------------------------- */

static sort_compare comparer_for(const json_t *sample)
{
	return json_is_string(sample) ? compare_string_keys : compare_number_keys;
}

/* max and min: want is 1 for the largest element, -1 for the smallest. */
static int extreme(json_t **out, eval_ctx *ctx, const json_t *array, int want)
{
	size_t n = json_array_size(array);
	const json_t *const *elements;
	sort_compare cmp;
	size_t best = 0;
	json_t **items;

	if (n == 0)
		return give(out, ctx, json_null());

	items = malloc(n * sizeof(*items));
	if (!items)
		return fail_nomem(ctx);
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(array, i);
	elements = (const json_t *const *)items;
	cmp = comparer_for(elements[0]);

	for (size_t i = 1; i < n; i++) {
		if (cmp(elements, i, best) * want > 0)
			best = i;
	}
	*out = json_incref(items[best]);
	free(items);
	return 0;
}

static int fn_max(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return extreme(out, ctx, args[0].value, 1);
}

static int fn_min(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return extreme(out, ctx, args[0].value, -1);
}

/* max_by and min_by: the first element whose key is the largest (want 1) or smallest (-1). */
static int extreme_by(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	int want)
{
	const json_t *array = args[0].value;
	size_t n = json_array_size(array);
	unsigned int key_type = 0;
	json_t **keys;
	sort_compare cmp;
	size_t best = 0;

	if (n == 0)
		return give(out, ctx, json_null());
	if (eval_keys(&keys, ctx, fn, args[1].expref, array, true, &key_type) < 0)
		return -1;

	cmp = comparer_for(keys[0]);
	for (size_t i = 1; i < n; i++) {
		if (cmp((const json_t *const *)keys, i, best) * want > 0)
			best = i;
	}
	free_keys(keys, n);
	*out = json_incref(json_array_get(array, best));
	return 0;
}

static int fn_max_by(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return extreme_by(out, ctx, fn, args, 1);
}

static int fn_min_by(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	return extreme_by(out, ctx, fn, args, -1);
}

/* Builds a new array of array's elements in the order given by keys. */
static int sorted_array(json_t **out, eval_ctx *ctx, const json_t *array, json_t *const *keys)
{
	size_t n = json_array_size(array);
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	json_t *result = NULL;

	if (!order)
		return fail_nomem(ctx);
	if (charge_sort(ctx, n) < 0) {
		free(order);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;

	if (n > 0 && stable_sort(order, n, (const json_t *const *)keys, comparer_for(keys[0])) < 0)
		goto nomem;

	result = json_array();
	if (!result)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append(result, json_array_get(array, order[i])) < 0)
			goto nomem;
	}
	free(order);
	*out = result;
	return 0;

nomem:
	json_decref(result);
	free(order);
	return fail_nomem(ctx);
}

static int fn_sort(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc)
{
	const json_t *array = args[0].value;
	size_t n = json_array_size(array);
	json_t **keys = malloc((n ? n : 1) * sizeof(*keys));
	int rc;

	if (!keys)
		return fail_nomem(ctx);
	for (size_t i = 0; i < n; i++)
		keys[i] = json_array_get(array, i);
	rc = sorted_array(out, ctx, array, keys);
	free(keys);
	return rc;
}

static int fn_sort_by(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc)
{
	const json_t *array = args[0].value;
	unsigned int key_type = 0;
	json_t **keys;
	int rc;

	if (eval_keys(&keys, ctx, fn, args[1].expref, array, true, &key_type) < 0)
		return -1;
	rc = sorted_array(out, ctx, array, keys);
	free_keys(keys, json_array_size(array));
	return rc;
}

/* ---- Table ------------------------------------------------------------ */

/* Sorted by name. */
static const function_def functions[] = {
	{ "abs", 1, false, { ARG_NUMBER }, fn_abs },
	{ "avg", 1, false, { ARG_ARRAY_NUMBER }, fn_avg },
	{ "ceil", 1, false, { ARG_NUMBER }, fn_ceil },
	{ "contains", 2, false, { ARG_ARRAY | ARG_STRING, ARG_ANY }, fn_contains },
	{ "ends_with", 2, false, { ARG_STRING, ARG_STRING }, fn_ends_with },
	{ "floor", 1, false, { ARG_NUMBER }, fn_floor },
	{ "from_json", 1, false, { ARG_STRING }, fn_from_json },
	{ "join", 2, false, { ARG_STRING, ARG_ARRAY_STRING }, fn_join },
	{ "keys", 1, false, { ARG_OBJECT }, fn_keys },
	{ "length", 1, false, { ARG_STRING | ARG_ARRAY | ARG_OBJECT }, fn_length },
	{ "map", 2, false, { ARG_EXPREF, ARG_ARRAY }, fn_map },
	{ "max", 1, false, { ARG_ARRAY_NUMBER | ARG_ARRAY_STRING }, fn_max },
	{ "max_by", 2, false, { ARG_ARRAY, ARG_EXPREF }, fn_max_by },
	{ "merge", 1, true, { ARG_OBJECT }, fn_merge },
	{ "min", 1, false, { ARG_ARRAY_NUMBER | ARG_ARRAY_STRING }, fn_min },
	{ "min_by", 2, false, { ARG_ARRAY, ARG_EXPREF }, fn_min_by },
	{ "not_null", 1, true, { ARG_ANY }, fn_not_null },
	{ "reverse", 1, false, { ARG_STRING | ARG_ARRAY }, fn_reverse },
	{ "sort", 1, false, { ARG_ARRAY_NUMBER | ARG_ARRAY_STRING }, fn_sort },
	{ "sort_by", 2, false, { ARG_ARRAY, ARG_EXPREF }, fn_sort_by },
	{ "split", 2, false, { ARG_STRING, ARG_STRING }, fn_split },
	{ "starts_with", 2, false, { ARG_STRING, ARG_STRING }, fn_starts_with },
	{ "sum", 1, false, { ARG_ARRAY_NUMBER }, fn_sum },
	{ "to_array", 1, false, { ARG_ANY }, fn_to_array },
	{ "to_number", 1, false, { ARG_ANY }, fn_to_number },
	{ "to_string", 1, false, { ARG_ANY }, fn_to_string },
	{ "type", 1, false, { ARG_ANY }, fn_type },
	{ "values", 1, false, { ARG_OBJECT }, fn_values },
};

const function_def *jmespath_function_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		if (strlen(functions[i].name) == len && memcmp(functions[i].name, name, len) == 0)
			return &functions[i];
	}
	return NULL;
}
