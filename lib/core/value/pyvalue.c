/*
 * Python equality, ordering and truthiness over pyvalues (CPython 3.11
 * rules: bool is an int, int and float compare exactly, lists compare
 * element by element, anything else across types is unequal and unordered).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

void pyvalue_from_json(pyvalue *pv, json_t *json)
{
	*pv = pyvalue_view(json);
	pv->owned = 1;
	if (pv->json != NULL)
		json_incref(pv->json);
}

pyvalue pyvalue_view(json_t *json)
{
	pyvalue pv;

	memset(&pv, 0, sizeof(pv));
	switch (json == NULL ? JSON_NULL : json_typeof(json)) {
	case JSON_TRUE:
		pv.kind = PYVALUE_BOOL;
		pv.i = 1;
		break;
	case JSON_FALSE:
		pv.kind = PYVALUE_BOOL;
		break;
	case JSON_INTEGER:
		pv.kind = PYVALUE_INT;
		pv.i = json_integer_value(json);
		break;
	case JSON_REAL:
		pv.kind = PYVALUE_FLOAT;
		pv.d = json_real_value(json);
		break;
	case JSON_STRING:
		pv.kind = PYVALUE_STR;
		pv.json = json;
		break;
	case JSON_ARRAY:
		pv.kind = PYVALUE_LIST;
		pv.json = json;
		break;
	case JSON_OBJECT:
		pv.kind = PYVALUE_DICT;
		pv.json = json;
		break;
	default:
		pv.kind = PYVALUE_NONE;
		break;
	}
	return pv;
}

void pyvalue_clear(pyvalue *pv)
{
	if (pv->owned) {
		json_decref(pv->json);
		free(pv->ip_items);
		free(pv->parts);
		free(pv->version_text);
	}
	memset(pv, 0, sizeof(*pv));
	pv->kind = PYVALUE_NONE;
	pv->owned = 1;
}

void pyvalue_move(pyvalue *to, pyvalue *from)
{
	if (to == from)
		return;
	pyvalue_clear(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
	from->kind = PYVALUE_NONE;
	from->owned = 1;
}

void pyvalue_set_none(pyvalue *pv)
{
	pyvalue_clear(pv);
}

void pyvalue_set_int(pyvalue *pv, long long i)
{
	pyvalue_clear(pv);
	pv->kind = PYVALUE_INT;
	pv->i = i;
}

void pyvalue_set_float(pyvalue *pv, double d)
{
	pyvalue_clear(pv);
	pv->kind = PYVALUE_FLOAT;
	pv->d = d;
}

int pyvalue_set_str(pyvalue *pv, const char *s, size_t len)
{
	json_t *str = json_stringn_nocheck(s, len);

	if (str == NULL)
		return PY_FAIL;
	pyvalue_clear(pv);
	pv->kind = PYVALUE_STR;
	pv->json = str;
	return PY_OK;
}

const char *pyvalue_str(const pyvalue *pv, size_t *len)
{
	if (pv->kind != PYVALUE_STR)
		return NULL;
	*len = json_string_length(pv->json);
	return json_string_value(pv->json);
}

int pyvalue_is_number(const pyvalue *pv)
{
	return pv->kind == PYVALUE_BOOL || pv->kind == PYVALUE_INT || pv->kind == PYVALUE_FLOAT;
}

/* Lists and dicts have no hash, and LooseVersion defines __eq__ without __hash__. */
int pyvalue_is_hashable(const pyvalue *pv)
{
	return pv->kind != PYVALUE_LIST && pv->kind != PYVALUE_DICT && pv->kind != PYVALUE_VERSION;
}

int pyvalue_truthy(const pyvalue *pv)
{
	switch (pv->kind) {
	case PYVALUE_NONE:
	case PYVALUE_TUPLE:
		return 0;
	case PYVALUE_BOOL:
	case PYVALUE_INT:
		return pv->i != 0;
	case PYVALUE_FLOAT:
		return pv->d != 0.0;
	case PYVALUE_STR:
		return json_string_length(pv->json) > 0;
	case PYVALUE_LIST:
		return json_array_size(pv->json) > 0;
	case PYVALUE_DICT:
		return json_object_size(pv->json) > 0;
	default:
		/* datetimes, ipaddress objects, IPv4List and versions have no __bool__ or __len__ */
		return 1;
	}
}

/* Compares an int with a double exactly, as CPython's float_richcompare does. */
static int cmp_int_double(long long i, double d)
{
	double t;
	long long ti;

	if (isnan(d))
		return 2;
	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;

	t = trunc(d);
	ti = (long long)t;
	if (i != ti)
		return i < ti ? -1 : 1;
	if (d > t)
		return -1;
	if (d < t)
		return 1;
	return 0;
}

int pyvalue_number_cmp(const pyvalue *a, const pyvalue *b)
{
	if (a->kind != PYVALUE_FLOAT && b->kind != PYVALUE_FLOAT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->kind == PYVALUE_FLOAT && b->kind == PYVALUE_FLOAT) {
		if (isnan(a->d) || isnan(b->d))
			return 2;
		return a->d < b->d ? -1 : a->d > b->d;
	}
	if (a->kind == PYVALUE_FLOAT) {
		int c = cmp_int_double(b->i, a->d);

		return c == 2 ? 2 : -c;
	}
	return cmp_int_double(a->i, b->d);
}

static int str_cmp(const pyvalue *a, const pyvalue *b)
{
	size_t la = json_string_length(a->json), lb = json_string_length(b->json);
	int c = memcmp(json_string_value(a->json), json_string_value(b->json), la < lb ? la : lb);

	if (c != 0)
		return c < 0 ? -1 : 1;
	return la < lb ? -1 : la > lb;
}

static int eq_depth(int *out, const pyvalue *a, const pyvalue *b, int depth);

/*
 * Finds the first index where two lists hold unequal items, as CPython's
 * list_richcompare does; *index is the shorter length when there is none.
 */
static int first_difference(size_t *index, json_t *a, json_t *b, int depth)
{
	size_t i, na = json_array_size(a), nb = json_array_size(b);

	for (i = 0; i < na && i < nb; i++) {
		pyvalue ea = pyvalue_view(json_array_get(a, i));
		pyvalue eb = pyvalue_view(json_array_get(b, i));
		int status, same;

		if (ea.json != NULL && ea.json == eb.json)
			continue;
		status = eq_depth(&same, &ea, &eb, depth + 1);
		if (status != PY_OK)
			return status;
		if (!same)
			break;
	}
	*index = i;
	return PY_OK;
}

static int list_eq(int *out, json_t *a, json_t *b, int depth)
{
	size_t n = json_array_size(a), index;
	int status;

	*out = 0;
	if (n != json_array_size(b))
		return PY_OK;
	status = first_difference(&index, a, b, depth);
	*out = status == PY_OK && index == n;
	return status;
}

static int dict_eq(int *out, json_t *a, json_t *b, int depth)
{
	const char *key;
	json_t *value;

	*out = 0;
	if (json_object_size(a) != json_object_size(b))
		return PY_OK;
	json_object_foreach(a, key, value) {
		json_t *other = json_object_get(b, key);
		pyvalue ea, eb;
		int status, same;

		if (other == NULL)
			return PY_OK;
		if (other == value)
			continue;
		ea = pyvalue_view(value);
		eb = pyvalue_view(other);
		status = eq_depth(&same, &ea, &eb, depth + 1);
		if (status != PY_OK)
			return status;
		if (!same)
			return PY_OK;
	}
	*out = 1;
	return PY_OK;
}

static int eq_depth(int *out, const pyvalue *a, const pyvalue *b, int depth)
{
	*out = 0;
	if (depth > PYVALUE_MAX_DEPTH)
		return PY_RAISE;

	if (pyvalue_is_number(a) && pyvalue_is_number(b)) {
		*out = pyvalue_number_cmp(a, b) == 0;
		return PY_OK;
	}
	if (a->kind == PYVALUE_VERSION || b->kind == PYVALUE_VERSION) {
		if ((a->kind == PYVALUE_VERSION || a->kind == PYVALUE_STR) &&
		    (b->kind == PYVALUE_VERSION || b->kind == PYVALUE_STR))
			return value_version_eq(out, a, b);
		return PY_OK;
	}
	if (a->kind != b->kind)
		return PY_OK;

	switch (a->kind) {
	case PYVALUE_NONE:
	case PYVALUE_TUPLE:
		*out = 1;
		return PY_OK;
	case PYVALUE_STR:
		*out = str_cmp(a, b) == 0;
		return PY_OK;
	case PYVALUE_LIST:
		return list_eq(out, a->json, b->json, depth);
	case PYVALUE_DICT:
		return dict_eq(out, a->json, b->json, depth);
	case PYVALUE_DATETIME:
		*out = a->usec == b->usec;
		return PY_OK;
	case PYVALUE_IP_ADDRESS:
	case PYVALUE_IP_NETWORK:
		*out = value_ip_eq(a, b);
		return PY_OK;
	default:
		/* IPv4List has no __eq__: distinct objects are unequal */
		return PY_OK;
	}
}

int pyvalue_eq(int *out, const pyvalue *a, const pyvalue *b)
{
	return eq_depth(out, a, b, 0);
}

static int apply_order(value_op op, int c)
{
	if (c == 2)
		return 0;
	switch (op) {
	case VALUE_OP_GT:
		return c > 0;
	case VALUE_OP_GE:
		return c >= 0;
	case VALUE_OP_LT:
		return c < 0;
	default:
		return c <= 0;
	}
}

static int order_depth(int *out, value_op op, const pyvalue *a, const pyvalue *b, int depth);

/* CPython's list_richcompare: the first unequal items decide, else the lengths. */
static int list_order(int *out, value_op op, json_t *a, json_t *b, int depth)
{
	size_t na = json_array_size(a), nb = json_array_size(b), index;
	int status = first_difference(&index, a, b, depth);

	if (status != PY_OK)
		return status;
	if (index < na && index < nb) {
		pyvalue ea = pyvalue_view(json_array_get(a, index));
		pyvalue eb = pyvalue_view(json_array_get(b, index));

		return order_depth(out, op, &ea, &eb, depth + 1);
	}
	*out = apply_order(op, na < nb ? -1 : na > nb);
	return PY_OK;
}

static int order_depth(int *out, value_op op, const pyvalue *a, const pyvalue *b, int depth)
{
	int c, status;

	*out = 0;
	if (depth > PYVALUE_MAX_DEPTH)
		return PY_RAISE;

	if (pyvalue_is_number(a) && pyvalue_is_number(b)) {
		*out = apply_order(op, pyvalue_number_cmp(a, b));
		return PY_OK;
	}
	if (a->kind != b->kind)
		return PY_TYPE_ERROR;

	switch (a->kind) {
	case PYVALUE_STR:
		c = str_cmp(a, b);
		break;
	case PYVALUE_LIST:
		return list_order(out, op, a->json, b->json, depth);
	case PYVALUE_TUPLE:
		c = 0;
		break;
	case PYVALUE_DATETIME:
		c = a->usec < b->usec ? -1 : a->usec > b->usec;
		break;
	case PYVALUE_IP_ADDRESS:
	case PYVALUE_IP_NETWORK:
		status = value_ip_order(&c, a, b);
		if (status != PY_OK)
			return status;
		break;
	case PYVALUE_VERSION:
		status = value_version_cmp(&c, a, b);
		if (status != PY_OK)
			return status;
		break;
	default:
		return PY_TYPE_ERROR;
	}
	*out = apply_order(op, c);
	return PY_OK;
}

int pyvalue_order(int *out, value_op op, const pyvalue *a, const pyvalue *b)
{
	return order_depth(out, op, a, b, 0);
}
