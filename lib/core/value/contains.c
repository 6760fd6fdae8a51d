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

/* Collects the elements iter(x) yields; PY_TYPE_ERROR when x is not iterable or an element is unhashable. */
static int collect_items(item_set *set, const pyvalue *x)
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
			if (!pyvalue_is_hashable(&item.value))
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

/*
 * set(x) and the items of y, both collected in full first: CPython walks
 * all of y even after a common element, so any unhashable item raises.
 */
static int collect_pair(item_set *xs, item_set *ys, const pyvalue *x, const pyvalue *y)
{
	int status = collect_items(xs, x);

	if (status == PY_OK)
		status = collect_items(ys, y);
	return status;
}

static int set_op(int *out, int difference, const pyvalue *x, const pyvalue *y)
{
	item_set xs, ys;
	size_t i;
	int status;

	*out = 0;
	if (is_ip_kind(x) || is_ip_kind(y))
		return value_ip_set_op(out, difference, x, y);

	memset(&ys, 0, sizeof(ys));
	status = collect_pair(&xs, &ys, x, y);
	if (status == PY_OK) {
		for (i = 0; i < xs.count; i++) {
			int in_y = set_has(&ys, &xs.items[i]);

			if (difference ? !in_y : in_y) {
				*out = 1;
				break;
			}
		}
	}
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
	item_set xs, unique;
	size_t i;
	int status;

	*out = 0;
	memset(&unique, 0, sizeof(unique));
	status = collect_items(&xs, x);
	for (i = 0; status == PY_OK && i < xs.count; i++) {
		if (!set_has(&unique, &xs.items[i]))
			status = set_add(&unique, &xs.items[i]);
	}
	if (status == PY_OK)
		*out = (long long)unique.count;
	free(xs.items);
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
