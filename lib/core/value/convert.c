/*
 * c7n's ValueFilter.process_value_type: the value_type conversions applied
 * to the resource value r and the policy value v before the special values
 * and the operator.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

/* int(str(r).strip()), or 0 on ValueError.  str() of a float never parses as an int. */
static void to_integer(pyvalue *r)
{
	const char *s;
	size_t len;

	if (r->kind == PYVALUE_INT)
		return;
	s = pyvalue_str(r, &len);
	if (s == NULL || pystr_to_int(r, s, len) != 0)
		pyvalue_set_int(r, 0);
}

/* float(str(r).strip()), 0.0 on ValueError. */
static void to_float(pyvalue *r)
{
	const char *s;
	size_t len;
	double d = 0.0;

	if (r->kind == PYVALUE_INT)
		d = (double)r->i;
	else if (r->kind == PYVALUE_FLOAT)
		d = r->d;
	else if ((s = pyvalue_str(r, &len)) != NULL && pystr_to_float(&d, s, len) != 0)
		d = 0.0;
	pyvalue_set_float(r, d);
}

/* len(r), 0 on TypeError. */
static void to_size(pyvalue *r)
{
	const char *s;
	size_t len;
	long long size = 0;

	if ((s = pyvalue_str(r, &len)) != NULL)
		size = (long long)pystr_length(s, len);
	else if (r->kind == PYVALUE_LIST)
		size = (long long)json_array_size(r->json);
	else if (r->kind == PYVALUE_DICT)
		size = (long long)json_object_size(r->json);
	pyvalue_set_int(r, size);
}

static int to_unique_size(pyvalue *r)
{
	long long size = 0;
	int status = pyvalue_unique_len(&size, r);

	if (status == PY_FAIL)
		return status;
	pyvalue_set_int(r, status == PY_OK ? size : 0);
	return PY_OK;
}

static int to_date(pyvalue *pv)
{
	int64_t usec;
	int status = value_date_parse(pv, &usec);

	if (status == DATE_RAISE)
		return PY_RAISE;
	pyvalue_set_none(pv);
	if (status == DATE_OK) {
		pv->kind = PYVALUE_DATETIME;
		pv->usec = usec;
	}
	return PY_OK;
}

static double round_half_even(double x)
{
	double rounded = round(x);

	if (fabs(x - rounded) == 0.5)
		rounded = 2.0 * round(x / 2.0);
	return rounded;
}

/*
 * age:        r' = now - timedelta(days=v), v' = parse_date(r) or 0
 * expiration: r' = parse_date(r) or 0,      v' = now + timedelta(days=v)
 * so `op: gt, value: 30` under age reads "older than 30 days".
 */
static int to_age(pyvalue *r, pyvalue *v, int expiration, const value_match_env *env)
{
	double days, delta, now_seconds;
	int64_t now, threshold;
	int status;

	if (!pyvalue_is_number(v))
		return PY_RAISE;  /* TypeError from timedelta(), raised outside c7n's try */
	days = v->kind == PYVALUE_FLOAT ? v->d : (double)v->i;
	if (!(fabs(days) <= 999999999.0))
		return PY_RAISE;  /* OverflowError: days out of range */

	now_seconds = env != NULL ? env->now : 0.0;
	delta = round_half_even(days * 86400e6);
	if (!(fabs(now_seconds) <= 253402300800.0) || fabs(delta) > 1e18)
		return PY_RAISE;  /* OverflowError: date value out of range */
	now = (int64_t)round_half_even(now_seconds * 1e6);
	threshold = expiration ? now + (int64_t)delta : now - (int64_t)delta;
	if (threshold < VALUE_DATETIME_MIN_USEC || threshold > VALUE_DATETIME_MAX_USEC)
		return PY_RAISE;

	status = to_date(r);
	if (status != PY_OK)
		return status;
	if (r->kind == PYVALUE_NONE)
		pyvalue_set_int(r, 0);  /* c7n's "compatibility" 0, which no datetime orders against */

	pyvalue_set_none(v);
	v->kind = PYVALUE_DATETIME;
	v->usec = threshold;
	if (!expiration) {
		pyvalue tmp = *r;

		*r = *v;
		*v = tmp;
	}
	return PY_OK;
}

static int to_cidr(pyvalue *r, pyvalue *v)
{
	pyvalue policy, resource;
	int status;

	memset(&policy, 0, sizeof(policy));
	memset(&resource, 0, sizeof(resource));
	policy.owned = resource.owned = 1;

	status = value_cidr_parse(&policy, v);
	if (status == PY_OK)
		status = value_cidr_parse(&resource, r);
	if (status == PY_OK) {
		/* an address in the policy and a network on the resource: op(address, network) */
		int flip = policy.kind == PYVALUE_IP_ADDRESS && resource.kind == PYVALUE_IP_NETWORK;

		pyvalue_move(r, flip ? &policy : &resource);
		pyvalue_move(v, flip ? &resource : &policy);
	}
	pyvalue_clear(&policy);
	pyvalue_clear(&resource);
	return status;
}

static int to_cidr_size(pyvalue *r)
{
	pyvalue parsed;
	int status;

	memset(&parsed, 0, sizeof(parsed));
	parsed.owned = 1;
	status = value_cidr_parse(&parsed, r);
	if (status == PY_OK) {
		if (parsed.kind == PYVALUE_IP_NETWORK)
			pyvalue_set_int(r, parsed.ip.prefixlen);
		else if (parsed.kind == PYVALUE_NONE)
			pyvalue_set_int(r, 0);
		else
			status = PY_RAISE;  /* AttributeError: no attribute 'prefixlen' */
	}
	pyvalue_clear(&parsed);
	return status;
}

static int to_version(pyvalue *r, pyvalue *v)
{
	int status = value_version_parse(v, v);

	if (status == PY_OK)
		status = value_version_parse(r, r);
	return status;
}

int value_convert(value_type type, pyvalue *r, pyvalue *v, const value_match_env *env)
{
	const char *s;
	char *lower;
	size_t len, lower_len;
	pyvalue tmp;
	int status;

	switch (type) {
	case VALUE_TYPE_NORMALIZE:
		if ((s = pyvalue_str(r, &len)) == NULL)
			return PY_OK;
		pystr_strip(&s, &len);
		lower = pystr_lower(s, len, &lower_len);
		if (lower == NULL)
			return PY_FAIL;
		status = pyvalue_set_str(r, lower, lower_len);
		free(lower);
		return status;
	case VALUE_TYPE_INTEGER:
		to_integer(r);
		return PY_OK;
	case VALUE_TYPE_FLOAT:
		to_float(r);
		return PY_OK;
	case VALUE_TYPE_SIZE:
		to_size(r);
		return PY_OK;
	case VALUE_TYPE_UNIQUE_SIZE:
		return to_unique_size(r);
	case VALUE_TYPE_SWAP:
		tmp = *r;
		*r = *v;
		*v = tmp;
		return PY_OK;
	case VALUE_TYPE_DATE:
		status = to_date(v);
		return status == PY_OK ? to_date(r) : status;
	case VALUE_TYPE_AGE:
		return to_age(r, v, 0, env);
	case VALUE_TYPE_EXPIRATION:
		return to_age(r, v, 1, env);
	case VALUE_TYPE_CIDR:
		return to_cidr(r, v);
	case VALUE_TYPE_CIDR_SIZE:
		return to_cidr_size(r);
	case VALUE_TYPE_VERSION:
		return to_version(r, v);
	default:
		/* No conversion: none, expr (the caller resolved v) and resource_count (r is the count). */
		return PY_OK;
	}
}
