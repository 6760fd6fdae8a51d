/*
 * c7n's ComparableVersion, a distutils LooseVersion whose == never raises
 * TypeError.  LooseVersion splits a string on r'(\d+ | [a-z]+ | \.)' (VERBOSE),
 * keeps every non-empty piece but '.', and turns digit runs into ints, so
 * "1.0-rc1" is [1, 0, '-', 'rc', 1].  Versions compare as those lists.
 *
 * NOTE: Python's \d also matches non-ASCII decimal digits, but here only 0-9 do.
 */
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

enum { PIECE_DIGITS, PIECE_LOWER, PIECE_DOT, PIECE_OTHER };

static int piece_class(char c)
{
	if (c >= '0' && c <= '9')
		return PIECE_DIGITS;
	if (c >= 'a' && c <= 'z')
		return PIECE_LOWER;
	if (c == '.')
		return PIECE_DOT;
	return PIECE_OTHER;
}

static int split_version(pyvalue *out, const char *s, size_t len)
{
	value_version_part *parts;
	char *text;
	size_t i = 0, count = 0;

	text = malloc(len + 1);
	parts = calloc(len > 0 ? len : 1, sizeof(*parts));
	if (text == NULL || parts == NULL) {
		free(text);
		free(parts);
		return PY_FAIL;
	}
	memcpy(text, s, len);
	text[len] = '\0';

	while (i < len) {
		int cls = piece_class(text[i]);
		size_t start = i;

		/* A dot matches alone, and the other classes run as long as they last. */
		i++;
		while (cls != PIECE_DOT && i < len && piece_class(text[i]) == cls)
			i++;
		if (cls == PIECE_DOT)
			continue;

		parts[count].is_number = cls == PIECE_DIGITS;
		parts[count].text = text + start;
		parts[count].len = i - start;
		if (cls == PIECE_DIGITS) {
			while (parts[count].len > 1 && parts[count].text[0] == '0') {
				parts[count].text++;
				parts[count].len--;
			}
		}
		count++;
	}

	pyvalue_clear(out);
	out->kind = PYVALUE_VERSION;
	out->has_version = 1;
	out->parts = parts;
	out->part_count = count;
	out->version_text = text;
	return PY_OK;
}

int value_version_parse(pyvalue *out, const pyvalue *value)
{
	const char *s;
	size_t len;

	if (!pyvalue_truthy(value)) {
		/* LooseVersion(falsy) skips parse(), leaving no .version attribute */
		pyvalue_clear(out);
		out->kind = PYVALUE_VERSION;
		return PY_OK;
	}
	s = pyvalue_str(value, &len);
	if (s == NULL)
		return PY_RAISE;  /* TypeError from re.split on a non-string, outside c7n's try */
	return split_version(out, s, len);
}

static int part_cmp(const value_version_part *a, const value_version_part *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if (a->is_number && a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->text, b->text, n);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int part_eq(const value_version_part *a, const value_version_part *b)
{
	return a->is_number == b->is_number && part_cmp(a, b) == 0;
}

/* LooseVersion._cmp turns a str operand into a LooseVersion first. */
static int as_version(pyvalue *tmp, const pyvalue **pv)
{
	int status;

	memset(tmp, 0, sizeof(*tmp));
	tmp->owned = 1;
	if ((*pv)->kind != PYVALUE_STR)
		return PY_OK;
	status = value_version_parse(tmp, *pv);
	*pv = tmp;
	return status;
}

int value_version_eq(int *out, const pyvalue *a, const pyvalue *b)
{
	pyvalue ta, tb;
	size_t i;
	int status;

	*out = 0;
	status = as_version(&ta, &a);
	if (status == PY_OK)
		status = as_version(&tb, &b);
	else
		memset(&tb, 0, sizeof(tb));

	if (status == PY_OK && (!a->has_version || !b->has_version))
		status = PY_RAISE;  /* AttributeError: no attribute 'version' */
	if (status == PY_OK && a->part_count == b->part_count) {
		*out = 1;
		for (i = 0; i < a->part_count && *out; i++)
			*out = part_eq(&a->parts[i], &b->parts[i]);
	}

	pyvalue_clear(&ta);
	pyvalue_clear(&tb);
	return status;
}

int value_version_cmp(int *cmp, const pyvalue *a, const pyvalue *b)
{
	size_t i;

	*cmp = 0;
	if (!a->has_version || !b->has_version)
		return PY_RAISE;

	for (i = 0; i < a->part_count && i < b->part_count; i++) {
		const value_version_part *pa = &a->parts[i], *pb = &b->parts[i];

		if (part_eq(pa, pb))
			continue;
		if (pa->is_number != pb->is_number)
			return PY_TYPE_ERROR;  /* '<' not supported between int and str */
		*cmp = part_cmp(pa, pb);
		return PY_OK;
	}
	*cmp = a->part_count < b->part_count ? -1 : a->part_count > b->part_count;
	return PY_OK;
}
