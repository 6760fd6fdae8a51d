/*
 * The reduce filter: group resources, sort each group, then discard and
 * limit per group, as Cloud Custodian 0.9.x's ReduceFilter does.
 *
 * Values are read as c7n reads them: group-by and sort-by keys resolve like
 * value filter keys, value_type string compares Python's str() of the
 * value, number its float() and date c7n's parse_date.  A missing value
 * takes a sentinel that sorts first or last (null-order).  Groups are
 * keyed by the str() of their value and kept in order of first appearance.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval.h"
#include "core/internal.h"
#include "core/value/pyvalue.h"

/* ---- loading ---- */

static int reduce_oom(load_ctx *lc)
{
	return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory loading %s", lc->file);
}

static int load_sort_spec(sort_spec *spec, load_ctx *lc, const ynode *node, const char *path)
{
	static const char *const keys[] = { "key", "value_type", "value_regex", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *key = node, *vtype = NULL, *regex = NULL;

	spec->type = SORT_STRING;
	if (node->kind == YNODE_MAPPING) {
		if (load_check_keys(lc, node, path, keys, "reduce sort", "key, value_type, value_regex") < 0)
			return PEERGUARD_EPOLICY;
		key = ynode_map_get(node, "key");
		vtype = ynode_map_get(node, "value_type");
		regex = ynode_map_get(node, "value_regex");
	} else if (!ynode_is_string(node)) {
		return load_fail(lc, node, path, "must be a key or a mapping with key, value_type and value_regex; got %s",
			ynode_type_name(node));
	}

	/* A mapping without key reads every value as missing, as c7n does. */
	if (key) {
		snprintf(sub, sizeof(sub), "%s.key", path);
		if (value_key_load(lc, &spec->key, key, node == key ? path : sub) < 0)
			return PEERGUARD_EPOLICY;
	}
	if (vtype) {
		snprintf(sub, sizeof(sub), "%s.value_type", path);
		if (!ynode_is_string(vtype))
			return load_fail(lc, vtype, sub, "value_type must be string, number or date");
		if (strcmp(vtype->value, "string") == 0)
			spec->type = SORT_STRING;
		else if (strcmp(vtype->value, "number") == 0)
			spec->type = SORT_NUMBER;
		else if (strcmp(vtype->value, "date") == 0)
			spec->type = SORT_DATE;
		else
			return load_fail(lc, vtype, sub, "unknown value_type '%s'; use string, number or date", vtype->value);
	}
	if (regex) {
		snprintf(sub, sizeof(sub), "%s.value_regex", path);
		if (load_value_regex(&spec->regex, lc, regex, sub) < 0)
			return PEERGUARD_EPOLICY;
	}
	return 0;
}

/* Reads a whole number of resources (limit, discard). */
static int load_count(long *out, load_ctx *lc, const ynode *node, const char *path, const char *name)
{
	char *end;

	if (node->kind != YNODE_SCALAR || node->type != YSCALAR_INT)
		return load_fail(lc, node, path, "%s must be a whole number of resources, got %s", name,
			ynode_type_name(node));
	*out = strtol(node->value, &end, 0);
	if (*out < 0)
		return load_fail(lc, node, path, "%s must not be negative, got %s", name, node->value);
	return 0;
}

static int load_percent(double *out, load_ctx *lc, const ynode *node, const char *path, const char *name)
{
	if (node->kind != YNODE_SCALAR || (node->type != YSCALAR_INT && node->type != YSCALAR_FLOAT))
		return load_fail(lc, node, path, "%s must be a number from 0 to 100, got %s", name, ynode_type_name(node));
	*out = strtod(node->value, NULL);
	if (!(*out >= 0 && *out <= 100))
		return load_fail(lc, node, path, "%s must be from 0 to 100, got %s", name, node->value);
	return 0;
}

int reduce_load(reduce_spec **out, load_ctx *lc, const ynode *node, const char *path)
{
	static const char *const keys[] = { "type", "group-by", "sort-by", "order", "null-order", "limit",
		"limit-percent", "discard", "discard-percent", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	reduce_spec *r = calloc(1, sizeof(*r));
	const ynode *n;
	int nulls_last = 1;

	*out = r;
	if (!r)
		return reduce_oom(lc);
	if (load_check_keys(lc, node, path, keys, "reduce",
		"group-by, sort-by, order, null-order, limit, limit-percent, discard, discard-percent") < 0)
		return PEERGUARD_EPOLICY;

	if ((n = ynode_map_get(node, "group-by"))) {
		snprintf(sub, sizeof(sub), "%s.group-by", path);
		r->has_group_by = 1;
		if (load_sort_spec(&r->group_by, lc, n, sub) < 0)
			return PEERGUARD_EPOLICY;
	}
	if ((n = ynode_map_get(node, "sort-by"))) {
		snprintf(sub, sizeof(sub), "%s.sort-by", path);
		r->has_sort_by = 1;
		if (load_sort_spec(&r->sort_by, lc, n, sub) < 0)
			return PEERGUARD_EPOLICY;
	}
	if ((n = ynode_map_get(node, "order"))) {
		snprintf(sub, sizeof(sub), "%s.order", path);
		r->has_order = 1;
		if (ynode_is_string(n) && strcmp(n->value, "randomize") == 0)
			return load_fail(lc, n, sub,
				"order randomize is not supported: decisions must be repeatable; use asc, desc or reverse with sort-by");
		if (ynode_is_string(n) && strcmp(n->value, "asc") == 0)
			r->order = ORDER_ASC;
		else if (ynode_is_string(n) && strcmp(n->value, "desc") == 0)
			r->order = ORDER_DESC;
		else if (ynode_is_string(n) && strcmp(n->value, "reverse") == 0)
			r->order = ORDER_REVERSE;
		else
			return load_fail(lc, n, sub, "order must be asc, desc or reverse");
	}
	if ((n = ynode_map_get(node, "null-order"))) {
		snprintf(sub, sizeof(sub), "%s.null-order", path);
		if (ynode_is_string(n) && strcmp(n->value, "first") == 0)
			nulls_last = 0;
		else if (!ynode_is_string(n) || strcmp(n->value, "last") != 0)
			return load_fail(lc, n, sub, "null-order must be first or last");
	}

	/* c7n gives a missing value the sentinel that sorts first in exactly these two cases. */
	r->nulls_first = (nulls_last && r->order == ORDER_DESC) || (!nulls_last && r->order != ORDER_DESC);

	if ((n = ynode_map_get(node, "limit"))) {
		snprintf(sub, sizeof(sub), "%s.limit", path);
		if (load_count(&r->limit, lc, n, sub, "limit") < 0)
			return PEERGUARD_EPOLICY;
	}
	if ((n = ynode_map_get(node, "discard"))) {
		snprintf(sub, sizeof(sub), "%s.discard", path);
		if (load_count(&r->discard, lc, n, sub, "discard") < 0)
			return PEERGUARD_EPOLICY;
	}
	if ((n = ynode_map_get(node, "limit-percent"))) {
		snprintf(sub, sizeof(sub), "%s.limit-percent", path);
		if (load_percent(&r->limit_percent, lc, n, sub, "limit-percent") < 0)
			return PEERGUARD_EPOLICY;
	}
	if ((n = ynode_map_get(node, "discard-percent"))) {
		snprintf(sub, sizeof(sub), "%s.discard-percent", path);
		if (load_percent(&r->discard_percent, lc, n, sub, "discard-percent") < 0)
			return PEERGUARD_EPOLICY;
	}
	return 0;
}

/* ---- Python's str() of a JSON value ---- */

/* Writes repr(d) the way CPython does: the shortest digits that read back, fixed or exponent form. */
static void write_float_repr(FILE *out, double d)
{
	char buf[64], digits[32];
	int prec, exp10, ndigits = 0, point;
	const char *e;

	if (isnan(d)) {
		fputs("nan", out);
		return;
	}
	if (isinf(d)) {
		fputs(d < 0 ? "-inf" : "inf", out);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (signbit(d))
		fputc('-', out);

	/* buf is [-]D[.DDD]e[+-]XX: collect the digits without trailing zeros. */
	for (const char *p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[ndigits++] = *p;
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;
	digits[ndigits] = '\0';
	e = strchr(buf, 'e');
	exp10 = atoi(e + 1);

	if (exp10 < -4 || exp10 >= 16) {
		fputc(digits[0], out);
		if (ndigits > 1)
			fprintf(out, ".%s", digits + 1);
		fprintf(out, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
		return;
	}
	point = exp10 + 1;
	if (point <= 0) {
		fputs("0.", out);
		for (int i = 0; i < -point; i++)
			fputc('0', out);
		fputs(digits, out);
	} else if (point >= ndigits) {
		fputs(digits, out);
		for (int i = ndigits; i < point; i++)
			fputc('0', out);
		fputs(".0", out);
	} else {
		fprintf(out, "%.*s.%s", point, digits, digits + point);
	}
}

/* Writes repr(s) of a str: quotes, backslash escapes and \xNN for control characters. */
static void write_str_repr(FILE *out, const char *s, size_t len)
{
	char quote = memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';

	fputc(quote, out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == (unsigned char)quote)
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] <= 0xa0) {
			/* U+0080..U+00A0 are not printable, so Python escapes them. */
			fprintf(out, "\\x%02x", (unsigned char)s[i + 1]);
			i++;
		} else
			fputc(c, out);
	}
	fputc(quote, out);
}

static void write_py(FILE *out, json_t *v, int nested)
{
	size_t i;
	const char *k;
	json_t *item;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (nested)
			write_str_repr(out, json_string_value(v), json_string_length(v));
		else
			fwrite(json_string_value(v), 1, json_string_length(v), out);
		break;
	case JSON_INTEGER:
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		write_float_repr(out, json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("True", out);
		break;
	case JSON_FALSE:
		fputs("False", out);
		break;
	case JSON_NULL:
		fputs("None", out);
		break;
	case JSON_ARRAY:
		fputc('[', out);
		json_array_foreach(v, i, item) {
			if (i)
				fputs(", ", out);
			write_py(out, item, 1);
		}
		fputc(']', out);
		break;
	case JSON_OBJECT:
		fputc('{', out);
		i = 0;
		json_object_foreach(v, k, item) {
			if (i++)
				fputs(", ", out);
			write_str_repr(out, k, strlen(k));
			fputs(": ", out);
			write_py(out, item, 1);
		}
		fputc('}', out);
		break;
	}
}

/* Returns a new string holding Python's str(v), or NULL when out of memory. */
static char *py_str(json_t *v, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (!out)
		return NULL;
	write_py(out, v, 0);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- sort values ---- */

/* One value to group or sort by: a str, a float or a date, after c7n's conversion. */
typedef struct sort_value {
	char *text;        /* SORT_STRING: the str(); every type: the group name */
	size_t len;
	double number;     /* SORT_NUMBER */
	int64_t usec;      /* SORT_DATE */
} sort_value;

/* The sentinel c7n gives a missing value: '' or '\uffff', -inf or inf, datetime.min or max. */
static int sentinel_value(sort_value *out, const sort_spec *spec, int nulls_first)
{
	char buf[64];

	switch (spec->type) {
	case SORT_STRING:
		snprintf(buf, sizeof(buf), "%s", nulls_first ? "" : "\xef\xbf\xbf");
		break;
	case SORT_NUMBER:
		out->number = nulls_first ? -INFINITY : INFINITY;
		snprintf(buf, sizeof(buf), "%s", nulls_first ? "-inf" : "inf");
		break;
	case SORT_DATE:
		out->usec = nulls_first ? VALUE_DATETIME_MIN_USEC : VALUE_DATETIME_MAX_USEC;
		snprintf(buf, sizeof(buf), "%s", nulls_first ? "0001-01-01 00:00:00+00:00" : "9999-12-31 23:59:59.999999+00:00");
		break;
	}
	out->text = string_dup(buf);
	out->len = strlen(buf);
	return out->text ? 0 : -1;
}

/*
 * Reads the group-by or sort-by value of one resource (c7n's _value_to_sort).
 * Returns 0, or -1 when the value cannot be converted and c7n would raise
 * (float() of a list, a date out of range); env->err then holds the reason.
 */
static int read_sort_value(sort_value *out, const sort_spec *spec, int nulls_first, json_t *resource,
	const filter *f, eval_env *env)
{
	json_t *v = NULL;
	int missing = 1;

	memset(out, 0, sizeof(*out));
	if (spec->key.text && key_resolve(&v, &spec->key, resource, env) < 0)
		return -1;
	if (v && spec->regex && eval_value_regex(&v, spec->regex, f, env) < 0) {
		json_decref(v);
		return -1;
	}

	if (v && spec->type == SORT_NUMBER) {
		missing = 0;
		if (json_is_string(v)) {
			missing = pystr_to_float(&out->number, json_string_value(v), json_string_length(v)) < 0;
		} else if (json_is_number(v) || json_is_boolean(v)) {
			out->number = json_is_boolean(v) ? (double)json_is_true(v) : json_number_value(v);
		} else {
			json_decref(v);
			return eval_fail(env, f, PEERGUARD_EEVAL,
				"reduce: a number sort value is a list or mapping, which Cloud Custodian cannot convert with float()");
		}
		if (!missing) {
			char *text = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&text, &len);

			if (mem) {
				write_float_repr(mem, out->number);
				fclose(mem);
			}
			out->text = text;
			out->len = len;
		}
	} else if (v && spec->type == SORT_DATE) {
		pyvalue pv = pyvalue_view(v);
		int rc = value_date_parse(&pv, &out->usec);

		if (rc == DATE_RAISE) {
			json_decref(v);
			return eval_fail(env, f, PEERGUARD_EEVAL,
				"reduce: a date sort value is out of range, which makes Cloud Custodian's parse_date raise");
		}
		missing = rc != DATE_OK;
		if (!missing) {
			char buf[40];

			snprintf(buf, sizeof(buf), "%lld", (long long)out->usec);
			out->text = string_dup(buf);
			out->len = strlen(buf);
		}
	} else if (v) {
		missing = 0;
		out->text = py_str(v, &out->len);
	}
	json_decref(v);

	if (missing)
		return sentinel_value(out, spec, nulls_first) < 0 ? eval_fail(env, f, PEERGUARD_ENOMEM, "out of memory") : 0;
	return out->text ? 0 : eval_fail(env, f, PEERGUARD_ENOMEM, "out of memory");
}

static int sort_less(const sort_value *a, const sort_value *b, sort_type type)
{
	size_t n;
	int c;

	switch (type) {
	case SORT_NUMBER:
		return a->number < b->number;
	case SORT_DATE:
		return a->usec < b->usec;
	case SORT_STRING:
		break;
	}
	/* UTF-8 byte order is code point order, which is how Python orders str. */
	n = a->len < b->len ? a->len : b->len;
	c = memcmp(a->text, b->text, n);
	return c < 0 || (c == 0 && a->len < b->len);
}

typedef struct sort_ctx {
	const sort_value *values;  /* indexed by item */
	sort_type type;
	int descending;
} sort_ctx;

/* Stable merge sort of items by values[item], like Python's sorted(key=..., reverse=...). */
static void merge_sort(size_t *items, size_t *tmp, size_t n, const sort_ctx *sc)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(items, tmp, mid, sc);
	merge_sort(items + mid, tmp, n - mid, sc);
	while (i < mid && j < n) {
		const sort_value *left = &sc->values[items[i]], *right = &sc->values[items[j]];
		int right_first = sc->descending ? sort_less(left, right, sc->type) : sort_less(right, left, sc->type);

		tmp[k++] = right_first ? items[j++] : items[i++];
	}
	while (i < mid)
		tmp[k++] = items[i++];
	while (j < n)
		tmp[k++] = items[j++];
	memcpy(items, tmp, n * sizeof(*items));
}

/* Puts items in c7n's order: reversed for reverse, else sorted by values (stable). */
static int reorder(size_t *items, size_t n, const sort_value *values, sort_type type, reduce_order order)
{
	sort_ctx sc = { values, type, order == ORDER_DESC };
	size_t *tmp;

	if (order == ORDER_REVERSE) {
		for (size_t i = 0; i < n / 2; i++) {
			size_t t = items[i];

			items[i] = items[n - 1 - i];
			items[n - 1 - i] = t;
		}
		return 0;
	}
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!tmp)
		return -1;
	merge_sort(items, tmp, n, &sc);
	free(tmp);
	return 0;
}

/* ---- applying ---- */

typedef struct group {
	size_t first;       /* batch position of the first member, whose value names and orders the group */
	size_t start;       /* the group's members are members[start..start+count) */
	size_t count;
} group;

/*
 * Puts the batch positions that did not fail into groups by the str() of
 * their group-by value, in order of first appearance.  Stores each group's
 * members, in batch order, in members.  Returns the number of groups, or
 * -1 when out of memory.
 */
static long make_groups(group *groups, size_t *members, size_t *owner, const sort_value *keys, const size_t *idx,
	size_t total, const eval_record *records)
{
	json_t *names = json_object();
	size_t n_groups = 0, *fill;

	if (!names)
		return -1;
	for (size_t p = 0; p < total; p++) {
		json_t *known;

		if (records[idx[p]].failed)
			continue;
		known = json_object_getn(names, keys[p].text, keys[p].len);
		if (known) {
			owner[p] = (size_t)json_integer_value(known);
		} else {
			owner[p] = n_groups;
			groups[n_groups].first = p;
			if (json_object_setn_new(names, keys[p].text, keys[p].len, json_integer((json_int_t)n_groups)) < 0) {
				json_decref(names);
				return -1;
			}
			n_groups++;
		}
		groups[owner[p]].count++;
	}
	json_decref(names);

	/* Lay the groups out one after another, then fill them in batch order. */
	fill = calloc(n_groups ? n_groups : 1, sizeof(*fill));
	if (!fill)
		return -1;
	for (size_t g = 1; g < n_groups; g++)
		groups[g].start = groups[g - 1].start + groups[g - 1].count;
	for (size_t p = 0; p < total; p++)
		if (!records[idx[p]].failed)
			members[groups[owner[p]].start + fill[owner[p]]++] = p;
	free(fill);
	return (long)n_groups;
}

int reduce_apply(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env)
{
	const reduce_spec *spec = f->reduce;
	size_t total = *n, n_groups = 0, out = 0;
	sort_value *keys = calloc(total ? total : 1, sizeof(*keys));
	sort_value *sorts = calloc(total ? total : 1, sizeof(*sorts));
	size_t *owner = calloc(total ? total : 1, sizeof(*owner));
	group *groups = calloc(total ? total : 1, sizeof(*groups));
	size_t *order = calloc(total ? total : 1, sizeof(*order));
	size_t *kept = calloc(total ? total : 1, sizeof(*kept));
	size_t *members = calloc(total ? total : 1, sizeof(*members));
	long groups_made;
	int sort_members = spec->has_sort_by || spec->has_order;
	int rc = -1;

	if (!keys || !sorts || !owner || !groups || !order || !kept || !members)
		goto done;

	/*
	 * Read every value first.  A value c7n cannot convert aborts its whole
	 * run, but here it fails only that resource, which then takes no part.
	 */
	for (size_t p = 0; p < total; p++) {
		eval_record *rec = &records[idx[p]];

		eval_bind(env, rec);
		if (read_sort_value(&keys[p], &spec->group_by, spec->nulls_first, resources[idx[p]], f, env) < 0 ||
		    (sort_members && spec->order != ORDER_REVERSE &&
		     read_sort_value(&sorts[p], &spec->sort_by, spec->nulls_first, resources[idx[p]], f, env) < 0))
			rec->failed = 1;
	}

	groups_made = make_groups(groups, members, owner, keys, idx, total, records);
	if (groups_made < 0)
		goto done;
	n_groups = (size_t)groups_made;

	if (sort_members)
		for (size_t g = 0; g < n_groups; g++)
			if (reorder(members + groups[g].start, groups[g].count, sorts, spec->sort_by.type, spec->order) < 0)
				goto done;
	for (size_t g = 0; g < n_groups; g++)
		order[g] = groups[g].first;
	if ((spec->has_group_by || spec->has_order) &&
	    reorder(order, n_groups, keys, spec->group_by.type, spec->order) < 0)
		goto done;

	/* Per group: discard first, then limit what is left. */
	for (size_t o = 0; o < n_groups; o++) {
		group *g = &groups[owner[order[o]]];
		size_t drop = (size_t)spec->discard, count, keep;

		if (spec->discard_percent > 0) {
			size_t pct = (size_t)(spec->discard_percent / 100 * (double)g->count);

			if (pct > drop)
				drop = pct;
		}
		if (drop > g->count)
			drop = g->count;
		count = g->count - drop;
		keep = count;
		if (spec->limit_percent > 0)
			keep = (size_t)(spec->limit_percent / 100 * (double)count);
		if (spec->limit > 0 && (size_t)spec->limit < keep)
			keep = (size_t)spec->limit;
		for (size_t m = drop; m < drop + keep; m++)
			kept[out++] = idx[members[g->start + m]];
	}
	memcpy(idx, kept, out * sizeof(*idx));
	*n = out;
	rc = 0;

done:
	for (size_t p = 0; keys && p < total; p++) {
		free(keys[p].text);
		free(sorts[p].text);
	}
	free(members);
	free(keys);
	free(sorts);
	free(owner);
	free(groups);
	free(order);
	free(kept);
	return rc;
}
