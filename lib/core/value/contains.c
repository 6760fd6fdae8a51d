/*
 * Python membership (`in`) and the set operations behind c7n's intersect,
 * difference and unique_size: set(x) takes the characters of a str, the
 * items of a list (each must be hashable) or the keys of a dict.
 */
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

/* One element of a Python set: a slice of text (a character or a dict key) or a list item. */
typedef struct set_item {
	const char *text;
	size_t len;
	pyvalue value;
} set_item;

typedef struct item_set {
	set_item *items;
	size_t count;
} item_set;

static int item_text(const set_item *item, const char **text, size_t *len)
{
	if (item->text != NULL) {
		*text = item->text;
		*len = item->len;
		return 1;
	}
	*text = pyvalue_str(&item->value, len);
	return *text != NULL;
}

/* Hash-equality for hashable JSON scalars and text, where 1, 1.0 and True are one element. */
static int item_eq(const set_item *a, const set_item *b)
{
	const char *ta, *tb;
	size_t la, lb;
	int same = 0;

	if (a->text != NULL || b->text != NULL) {
		if (!item_text(a, &ta, &la) || !item_text(b, &tb, &lb))
			return 0;
		return la == lb && memcmp(ta, tb, la) == 0;
	}
	if (pyvalue_eq(&same, &a->value, &b->value) != PY_OK)
		return 0;
	return same;
}

static int set_add(item_set *set, const set_item *item)
{
	set_item *grown = realloc(set->items, (set->count + 1) * sizeof(*grown));

	if (grown == NULL)
		return PY_FAIL;
	set->items = grown;
	set->items[set->count++] = *item;
	return PY_OK;
}

/*
 * Collects the elements iter(x) yields.  Returns PY_TYPE_ERROR when x is not
 * iterable, or when check_hashable is set and an element is unhashable.
 */
static int collect_items(item_set *set, const pyvalue *x, int check_hashable)
{
	set_item item;
	size_t pos, len, i;
	const char *text;
	void *iter;

	memset(set, 0, sizeof(*set));
	memset(&item, 0, sizeof(item));

	switch (x->kind) {
	case PYVALUE_STR:
		text = pyvalue_str(x, &len);
		pos = 0;
		while (pos < len) {
			size_t at = pos;

			pystr_next(text, len, &pos);
			item.text = text + at;
			item.len = pos - at;
			if (set_add(set, &item) != PY_OK)
				return PY_FAIL;
		}
		return PY_OK;
	case PYVALUE_LIST:
		for (i = 0; i < json_array_size(x->json); i++) {
			item.value = pyvalue_view(json_array_get(x->json, i));
			if (check_hashable && !pyvalue_is_hashable(&item.value))
				return PY_TYPE_ERROR;
			if (set_add(set, &item) != PY_OK)
				return PY_FAIL;
		}
		return PY_OK;
	case PYVALUE_TUPLE:
		return PY_OK;
	case PYVALUE_DICT:
		for (iter = json_object_iter(x->json); iter != NULL; iter = json_object_iter_next(x->json, iter)) {
			item.text = json_object_iter_key(iter);
			item.len = json_object_iter_key_len(iter);
			if (set_add(set, &item) != PY_OK)
				return PY_FAIL;
		}
		return PY_OK;
	default:
		return PY_TYPE_ERROR;
	}
}

static int set_has(const item_set *set, const set_item *item)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		if (item_eq(&set->items[i], item))
			return 1;
	}
	return 0;
}

static int is_ip_kind(const pyvalue *pv)
{
	return pv->kind == PYVALUE_IP_ADDRESS || pv->kind == PYVALUE_IP_NETWORK || pv->kind == PYVALUE_IP_LIST;
}

static int item_hashable(const set_item *item)
{
	return item->text != NULL || pyvalue_is_hashable(&item->value);
}

/* Collects set(x) without repeats, so each element stands once as in a Python set. */
static int collect_unique(item_set *unique, const pyvalue *x)
{
	item_set xs;
	size_t i;
	int status = collect_items(&xs, x, 1);

	memset(unique, 0, sizeof(*unique));
	for (i = 0; status == PY_OK && i < xs.count; i++) {
		if (!set_has(unique, &xs.items[i]))
			status = set_add(unique, &xs.items[i]);
	}
	free(xs.items);
	return status;
}

/*
 * CPython 3.11's set_intersection walks y, hashing each item (TypeError for
 * an unhashable one), and stops as soon as every element of set(x) was
 * found.  set_difference with a non-set y discards every item of y from a
 * copy, so any unhashable item raises.
 */
static int set_op(int *out, int difference, const pyvalue *x, const pyvalue *y)
{
	item_set xs, ys;
	size_t i, k, found = 0;
	char *seen = NULL;
	int status;

	*out = 0;
	if (is_ip_kind(x) || is_ip_kind(y))
		return value_ip_set_op(out, difference, x, y);

	memset(&ys, 0, sizeof(ys));
	status = collect_unique(&xs, x);
	if (status == PY_OK)
		status = collect_items(&ys, y, difference);
	if (status == PY_OK && (seen = calloc(xs.count + 1, 1)) == NULL)
		status = PY_FAIL;

	for (i = 0; status == PY_OK && i < ys.count; i++) {
		if (!difference && found > 0 && found >= xs.count)
			break;
		if (!item_hashable(&ys.items[i])) {
			status = PY_TYPE_ERROR;
			break;
		}
		for (k = 0; k < xs.count; k++) {
			if (!seen[k] && item_eq(&xs.items[k], &ys.items[i])) {
				seen[k] = 1;
				found++;
				break;
			}
		}
	}
	if (status == PY_OK)
		*out = difference ? found < xs.count : found > 0;

	free(seen);
	free(xs.items);
	free(ys.items);
	return status;
}

int pyvalue_intersect(int *out, const pyvalue *x, const pyvalue *y)
{
	return set_op(out, 0, x, y);
}

int pyvalue_difference(int *out, const pyvalue *x, const pyvalue *y)
{
	return set_op(out, 1, x, y);
}

int pyvalue_unique_len(long long *out, const pyvalue *x)
{
	item_set unique;
	int status = collect_unique(&unique, x);

	*out = status == PY_OK ? (long long)unique.count : 0;
	free(unique.items);
	return status;
}

static int list_contains(int *out, json_t *list, const pyvalue *item)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		pyvalue element = pyvalue_view(json_array_get(list, i));
		int status;

		if (item->json != NULL && element.json == item->json) {
			*out = 1;
			return PY_OK;
		}
		status = pyvalue_eq(out, &element, item);
		if (status != PY_OK || *out)
			return status;
	}
	*out = 0;
	return PY_OK;
}

int pyvalue_contains(int *out, const pyvalue *container, const pyvalue *item)
{
	const char *hay, *needle;
	size_t hay_len, needle_len;

	*out = 0;
	switch (container->kind) {
	case PYVALUE_LIST:
		return list_contains(out, container->json, item);
	case PYVALUE_TUPLE:
		return PY_OK;
	case PYVALUE_STR:
		/* 'in <string>' requires string as left operand */
		if (item->kind != PYVALUE_STR)
			return PY_TYPE_ERROR;
		hay = pyvalue_str(container, &hay_len);
		needle = pyvalue_str(item, &needle_len);
		*out = needle_len == 0 || memmem(hay, hay_len, needle, needle_len) != NULL;
		return PY_OK;
	case PYVALUE_DICT:
		if (!pyvalue_is_hashable(item))
			return PY_TYPE_ERROR;
		if (item->kind == PYVALUE_STR) {
			needle = pyvalue_str(item, &needle_len);
			*out = json_object_getn(container->json, needle, needle_len) != NULL;
		}
		return PY_OK;
	case PYVALUE_IP_NETWORK:
	case PYVALUE_IP_LIST:
		return value_ip_contains(out, container, item);
	default:
		/* None, numbers, datetimes, addresses and versions are not containers */
		return PY_TYPE_ERROR;
	}
}
