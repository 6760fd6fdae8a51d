/*
 * c7n's mod operator, bool(r % v): Python's numeric modulo, or printf-style
 * formatting when r is a str (CPython 3.11 PyUnicode_Format).  Only the
 * truth of the result matters, so formatting tracks whether any character
 * would be written and which exception would be raised.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "core/value/pyvalue.h"

static int numeric_mod(int *out, const pyvalue *r, const pyvalue *v)
{
	double a, b;

	if (r->kind != PYVALUE_FLOAT && v->kind != PYVALUE_FLOAT) {
		if (v->i == 0)
			return PY_RAISE;  /* ZeroDivisionError: integer modulo by zero */
		*out = v->i == -1 ? 0 : r->i % v->i != 0;
		return PY_OK;
	}

	a = r->kind == PYVALUE_FLOAT ? r->d : (double)r->i;
	b = v->kind == PYVALUE_FLOAT ? v->d : (double)v->i;
	if (b == 0.0)
		return PY_RAISE;  /* ZeroDivisionError: float modulo */

	/* Python's float % differs from fmod only in the sign of a non-zero result. */
	*out = fmod(a, b) != 0.0;
	return PY_OK;
}

/* The argument state of PyUnicode_Format for a single, non-tuple argument. */
typedef struct format_args {
	pyvalue current;   /* the argument the next conversion takes (a view) */
	int fresh;         /* 1 until a conversion took current */
	int is_tuple;      /* the empty tuple: there is no argument at all */
	int mapping;       /* v is a list or a dict, so %(key) may look keys up */
	const pyvalue *dict;
} format_args;

static int next_arg(pyvalue *arg, format_args *args)
{
	if (args->is_tuple || !args->fresh)
		return PY_TYPE_ERROR;  /* not enough arguments for format string */
	args->fresh = 0;
	*arg = args->current;
	return PY_OK;
}

/* Looks up %(key) in the mapping and makes the value the next argument. */
static int lookup_key(format_args *args, const char *key, size_t len)
{
	json_t *value;

	if (!args->mapping)
		return PY_TYPE_ERROR;  /* format requires a mapping */
	if (args->dict->kind != PYVALUE_DICT)
		return PY_TYPE_ERROR;  /* list indices must be integers or slices, not str */

	value = json_object_getn(args->dict->json, key, len);
	if (value == NULL)
		return PY_RAISE;  /* KeyError */
	args->current = pyvalue_view(value);
	args->fresh = 1;
	args->is_tuple = 0;
	return PY_OK;
}

/* Reads a run of digits as a width or precision, or returns PY_RAISE when it is too big. */
static int read_count(const char *s, size_t len, size_t *i, long long *count)
{
	*count = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (*count > (INT_MAX - (s[*i] - '0')) / 10)
			return PY_RAISE;  /* ValueError: width too big */
		*count = *count * 10 + (s[*i] - '0');
		(*i)++;
	}
	return PY_OK;
}

static int star_arg(long long *count, format_args *args)
{
	pyvalue arg;
	int status = next_arg(&arg, args);

	if (status != PY_OK)
		return status;
	if (arg.kind != PYVALUE_INT && arg.kind != PYVALUE_BOOL)
		return PY_TYPE_ERROR;  /* * wants int */
	*count = arg.i;
	return PY_OK;
}

/*
 * Stores in *len how many characters conversion `conv` writes for arg before
 * width and precision apply.  Only emptiness matters, so 1 stands for any
 * non-empty text.
 */
static int convert_length(long long *len, char conv, const pyvalue *arg)
{
	size_t slen = 0;
	const char *text = pyvalue_str(arg, &slen);

	switch (conv) {
	case 's':
		*len = text != NULL ? (long long)pystr_length(text, slen) : 1;
		return PY_OK;
	case 'r':
	case 'a':
		*len = 1;
		return PY_OK;
	case 'd':
	case 'i':
	case 'u':
		if (arg->kind == PYVALUE_FLOAT && !isfinite(arg->d))
			return PY_RAISE;  /* cannot convert float NaN or infinity to integer */
		*len = 1;
		return pyvalue_is_number(arg) ? PY_OK : PY_TYPE_ERROR;
	case 'o':
	case 'x':
	case 'X':
		*len = 1;
		return arg->kind == PYVALUE_INT || arg->kind == PYVALUE_BOOL ? PY_OK : PY_TYPE_ERROR;
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		*len = 1;
		return pyvalue_is_number(arg) ? PY_OK : PY_TYPE_ERROR;
	case 'c':
		*len = 1;
		if (arg->kind == PYVALUE_INT || arg->kind == PYVALUE_BOOL)
			return arg->i >= 0 && arg->i < 0x110000 ? PY_OK : PY_RAISE;
		if (text != NULL && pystr_length(text, slen) == 1)
			return PY_OK;
		return PY_TYPE_ERROR;  /* %c requires int or char */
	default:
		return PY_RAISE;  /* ValueError: unsupported format character */
	}
}

/* Parses the conversion after a '%' at s[*i] and sets *written when it writes a character. */
static int format_one(int *written, const char *s, size_t len, size_t *i, format_args *args)
{
	long long width = 0, prec = -1, out_len;
	pyvalue arg;
	int status;
	char conv;

	/* Only "%%" right after the '%' writes a '%', so "%5%" is an unsupported conversion. */
	if (*i < len && s[*i] == '%') {
		(*i)++;
		*written = 1;
		return PY_OK;
	}

	if (*i < len && s[*i] == '(') {
		size_t start = ++(*i);
		int depth = 1;

		while (*i < len && depth > 0) {
			if (s[*i] == ')')
				depth--;
			else if (s[*i] == '(')
				depth++;
			(*i)++;
		}
		if (depth > 0)
			return args->mapping ? PY_RAISE : PY_TYPE_ERROR;  /* incomplete format key */
		status = lookup_key(args, s + start, *i - start - 1);
		if (status != PY_OK)
			return status;
	}

	while (*i < len && strchr("-+ #0", s[*i]) != NULL)
		(*i)++;

	if (*i < len && s[*i] == '*') {
		(*i)++;
		status = star_arg(&width, args);
		if (status != PY_OK)
			return status;
		width = width < 0 ? -width : width;
	} else if ((status = read_count(s, len, i, &width)) != PY_OK) {
		return status;
	}

	if (*i < len && s[*i] == '.') {
		(*i)++;
		if (*i < len && s[*i] == '*') {
			(*i)++;
			status = star_arg(&prec, args);
			if (status != PY_OK)
				return status;
			prec = prec < 0 ? 0 : prec;
		} else if ((status = read_count(s, len, i, &prec)) != PY_OK) {
			return status;
		}
	}

	if (*i < len && (s[*i] == 'h' || s[*i] == 'l' || s[*i] == 'L'))
		(*i)++;
	if (*i >= len)
		return PY_RAISE;  /* ValueError: incomplete format */

	conv = s[(*i)++];
	status = next_arg(&arg, args);
	if (status != PY_OK)
		return status;
	status = convert_length(&out_len, conv, &arg);
	if (status != PY_OK)
		return status;
	if ((conv == 's' || conv == 'r' || conv == 'a') && prec >= 0 && out_len > prec)
		out_len = prec;
	*written = out_len > 0 || width > 0;
	return PY_OK;
}

static int format_mod(int *out, const pyvalue *r, const pyvalue *v)
{
	format_args args;
	size_t len, i = 0;
	const char *s = pyvalue_str(r, &len);
	int status;

	memset(&args, 0, sizeof(args));
	args.current = *v;
	args.current.owned = 0;
	args.fresh = 1;
	args.is_tuple = v->kind == PYVALUE_TUPLE;
	args.mapping = v->kind == PYVALUE_LIST || v->kind == PYVALUE_DICT;
	args.dict = v;

	*out = 0;
	while (i < len) {
		int written = 0;

		if (s[i] != '%') {
			*out = 1;
			i++;
			continue;
		}
		i++;
		status = format_one(&written, s, len, &i, &args);
		if (status != PY_OK) {
			*out = 0;
			return status;
		}
		*out |= written;
	}

	if (!args.is_tuple && args.fresh && !args.mapping) {
		*out = 0;
		return PY_TYPE_ERROR;  /* not all arguments converted during string formatting */
	}
	return PY_OK;
}

int pyvalue_mod(int *out, const pyvalue *r, const pyvalue *v)
{
	*out = 0;
	if (r->kind == PYVALUE_STR)
		return format_mod(out, r, v);
	if (!pyvalue_is_number(r) || !pyvalue_is_number(v))
		return PY_TYPE_ERROR;
	return numeric_mod(out, r, v);
}
