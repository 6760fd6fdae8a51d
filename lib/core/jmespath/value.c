/* JSON value semantics of JMESPath: truthiness, types, ordering, equality and serialisation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath_internal.h"

bool jmespath_is_truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_FALSE:
	case JSON_NULL:
		return false;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return true;
	}
}

const char *jmespath_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

int jmespath_compare_numbers(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a);
		json_int_t y = json_integer_value(b);

		return (x > y) - (x < y);
	}

	{
		double x = json_number_value(a);
		double y = json_number_value(b);

		return (x > y) - (x < y);
	}
}

int jmespath_compare_strings(const json_t *a, const json_t *b)
{
	size_t la = json_string_length(a);
	size_t lb = json_string_length(b);
	int order = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);

	if (order != 0)
		return order;
	return (la > lb) - (la < lb);
}

static int depth_exceeded(eval_ctx *ctx)
{
	jmespath_error_set(ctx->err, JMESPATH_ERR_LIMIT, 0,
		"a value is nested deeper than %u levels", JMESPATH_MAX_DATA_DEPTH);
	return -1;
}

static int equal_at(eval_ctx *ctx, const json_t *a, const json_t *b, unsigned int depth)
{
	if (depth > JMESPATH_MAX_DATA_DEPTH)
		return depth_exceeded(ctx);
	if (jmespath_charge(ctx, 1) < 0)
		return -1;

	/* Shared values are equal without a walk; multi-selects share elements a lot. */
	if (a == b)
		return 1;
	if (json_is_number(a) && json_is_number(b))
		return jmespath_compare_numbers(a, b) == 0;
	if (json_typeof(a) != json_typeof(b))
		return 0;

	switch (json_typeof(a)) {
	case JSON_STRING:
		return jmespath_compare_strings(a, b) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++) {
			int eq = equal_at(ctx, json_array_get(a, i), json_array_get(b, i), depth + 1);

			if (eq <= 0)
				return eq;
		}
		return 1;
	case JSON_OBJECT: {
		const char *key;
		size_t key_len;
		json_t *member;

		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_keylen_foreach((json_t *)a, key, key_len, member) {
			json_t *other = json_object_getn(b, key, key_len);
			int eq;

			if (!other)
				return 0;
			eq = equal_at(ctx, member, other, depth + 1);
			if (eq <= 0)
				return eq;
		}
		return 1;
	}
	default:
		/* true, false and null: same type means same value. */
		return 1;
	}
}

int jmespath_equal(eval_ctx *ctx, const json_t *a, const json_t *b)
{
	return equal_at(ctx, a, b, 0);
}

static int charge_size_at(eval_ctx *ctx, const json_t *v, unsigned int depth)
{
	size_t i;
	json_t *child;
	const char *key;

	if (depth > JMESPATH_MAX_DATA_DEPTH)
		return depth_exceeded(ctx);

	switch (json_typeof(v)) {
	case JSON_STRING:
		return jmespath_charge(ctx, 1 + json_string_length(v) / JMESPATH_BYTES_PER_STEP);
	case JSON_ARRAY:
		if (jmespath_charge(ctx, 1) < 0)
			return -1;
		json_array_foreach(v, i, child) {
			if (charge_size_at(ctx, child, depth + 1) < 0)
				return -1;
		}
		return 0;
	case JSON_OBJECT:
		if (jmespath_charge(ctx, 1) < 0)
			return -1;
		json_object_foreach((json_t *)v, key, child) {
			if (charge_size_at(ctx, child, depth + 1) < 0)
				return -1;
		}
		return 0;
	default:
		return jmespath_charge(ctx, 1);
	}
}

int jmespath_charge_size(eval_ctx *ctx, const json_t *v)
{
	return charge_size_at(ctx, v, 0);
}

json_t *jmespath_number_from_double(double d)
{
	/* 2^63 is exact as a double; integral values in [-2^63, 2^63) fit json_int_t. */
	if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

/* Returns the fewest significant digits (1 to 17) that read back as d. */
static int shortest_digits(double d)
{
	char buf[40];

	for (int digits = 1; digits < 17; digits++) {
		snprintf(buf, sizeof(buf), "%.*g", digits, d);
		if (strtod(buf, NULL) == d)
			return digits;
	}
	return 17;
}

/*
 * Returns the precision that prints d in its shortest form, and without an
 * exponent below 1e16 as Python's repr does: 1000.0, not 1e3.
 */
static int real_digits(double d)
{
	int digits = shortest_digits(d);
	double magnitude = fabs(d);

	if (magnitude >= 1 && magnitude < 1e16) {
		int integer_digits = (int)floor(log10(magnitude)) + 1;

		if (integer_digits > digits)
			digits = integer_digits;
	}
	return digits;
}

static int max_real_digits(const json_t *v, unsigned int depth)
{
	int digits = 0;
	size_t i;
	json_t *child;
	const char *key;

	if (depth > JMESPATH_MAX_DATA_DEPTH)
		return 17;

	switch (json_typeof(v)) {
	case JSON_REAL:
		return real_digits(json_real_value(v));
	case JSON_ARRAY:
		json_array_foreach(v, i, child) {
			int d = max_real_digits(child, depth + 1);

			digits = d > digits ? d : digits;
		}
		return digits;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, child) {
			int d = max_real_digits(child, depth + 1);

			digits = d > digits ? d : digits;
		}
		return digits;
	default:
		return 0;
	}
}

char *jmespath_dumps(const json_t *value, size_t flags)
{
	int digits = max_real_digits(value, 0);

	/*
	 * jansson prints every real with one precision.  The largest shortest
	 * precision over the value prints each real in its shortest form as
	 * long as it is at most 15, the digits a double always holds.
	 * NOTE: when one real needs 16 or 17 digits, the others print with
	 * that precision too (0.1 as 0.10000000000000001), which still reads
	 * back as the same double.
	 */
	if (digits > 0)
		flags = (flags & ~(size_t)JSON_REAL_PRECISION(31)) | JSON_REAL_PRECISION(digits);
	return json_dumps(value, flags);
}
