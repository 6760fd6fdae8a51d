/*
 * Python str behaviour over UTF-8: code points, strip(), lower(), int() and
 * float() of a string, as CPython 3.11 does them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "core/value/pyvalue.h"

static locale_t utf8_locale;
static pthread_once_t utf8_locale_once = PTHREAD_ONCE_INIT;

static void utf8_locale_init(void)
{
	utf8_locale = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	if (utf8_locale == (locale_t)0)
		utf8_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* A locale with '.' as decimal point and, where C.UTF-8 exists, Unicode case tables. */
static locale_t get_locale(void)
{
	pthread_once(&utf8_locale_once, utf8_locale_init);
	return utf8_locale;
}

uint32_t pystr_next(const char *s, size_t len, size_t *pos)
{
	const unsigned char *p = (const unsigned char *)s + *pos;
	size_t left = len - *pos;
	uint32_t cp;
	size_t n, i;

	if (p[0] < 0x80) {
		*pos += 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		*pos += 1;
		return p[0];
	}

	if (n > left) {
		*pos += 1;
		return p[0];
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pos += 1;
			return p[0];
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*pos += n;
	return cp;
}

static size_t encode_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t pystr_length(const char *s, size_t len)
{
	size_t pos = 0, count = 0;

	while (pos < len) {
		pystr_next(s, len, &pos);
		count++;
	}
	return count;
}

/* The code points for which CPython's str.isspace() is true (Unicode 14). */
int pystr_is_space(uint32_t cp)
{
	if ((cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20))
		return 1;
	switch (cp) {
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}

void pystr_strip(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len, pos = 0, start, end = 0;

	while (pos < n) {
		size_t at = pos;

		if (!pystr_is_space(pystr_next(p, n, &pos))) {
			pos = at;
			break;
		}
	}
	start = pos;

	while (pos < n) {
		if (!pystr_is_space(pystr_next(p, n, &pos)))
			end = pos;
	}
	if (end < start)
		end = start;

	*s = p + start;
	*len = end - start;
}

static int is_cased(uint32_t cp, locale_t loc)
{
	return (uint32_t)towlower_l((wint_t)cp, loc) != cp || (uint32_t)towupper_l((wint_t)cp, loc) != cp;
}

/*
 * Capital sigma lowers to final sigma when a cased letter precedes it and
 * none follows.  NOTE: CPython also skips case-ignorable characters (such
 * as apostrophes) on both sides, but this check looks at direct neighbours only.
 */
static int is_final_sigma(const char *s, size_t len, size_t at, size_t next, locale_t loc)
{
	size_t back, pos;

	if (at == 0)
		return 0;
	back = at - 1;
	while (back > 0 && (((unsigned char)s[back]) & 0xc0) == 0x80)
		back--;
	pos = back;
	if (!is_cased(pystr_next(s, len, &pos), loc))
		return 0;
	if (next >= len)
		return 1;
	pos = next;
	return !is_cased(pystr_next(s, len, &pos), loc);
}

/*
 * NOTE: the case tables are glibc's C.UTF-8 ones, which may trail the
 * Unicode version of the Python that runs c7n by a release or two.
 */
char *pystr_lower(const char *s, size_t len, size_t *outlen)
{
	locale_t loc = get_locale();
	char *out = malloc(len * 2 + 1);
	size_t pos = 0, o = 0;

	if (out == NULL)
		return NULL;

	while (pos < len) {
		size_t at = pos;
		uint32_t cp = pystr_next(s, len, &pos);

		if (cp == 0x130) {
			/* LATIN CAPITAL LETTER I WITH DOT ABOVE lowers to two code points. */
			o += encode_utf8(out + o, 'i');
			o += encode_utf8(out + o, 0x307);
		} else if (cp == 0x3a3) {
			o += encode_utf8(out + o, is_final_sigma(s, len, at, pos, loc) ? 0x3c2 : 0x3c3);
		} else if (cp < 0x80) {
			out[o++] = (char)tolower((int)cp);
		} else {
			o += encode_utf8(out + o, (uint32_t)towlower_l((wint_t)cp, loc));
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * Copies the digits of a Python numeric literal body, dropping single
 * underscores between digits (PEP 515).  Returns the count of characters
 * consumed from s, stopping at the first character that is not a digit or
 * such an underscore.  *ndigits receives how many digits were copied.
 */
static size_t copy_digits(char *out, size_t *o, const char *s, size_t len, size_t *ndigits)
{
	size_t i = 0;

	*ndigits = 0;
	while (i < len) {
		if (isdigit((unsigned char)s[i])) {
			out[(*o)++] = s[i++];
			(*ndigits)++;
		} else if (s[i] == '_' && *ndigits > 0 && i + 1 < len && isdigit((unsigned char)s[i + 1])) {
			i++;
		} else {
			break;
		}
	}
	return i;
}

/* NOTE: CPython's int() and float() also accept non-ASCII decimal digits, but these accept ASCII only. */
int pystr_to_int(pyvalue *out, const char *s, size_t len)
{
	char *buf;
	size_t o = 0, used, ndigits, i = 0;
	int negative = 0;
	unsigned long long acc = 0;
	int overflow = 0;

	pystr_strip(&s, &len);
	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		negative = s[0] == '-';
		i = 1;
	}

	buf = malloc(len + 2);
	if (buf == NULL)
		return -1;
	buf[o++] = negative ? '-' : '+';
	used = copy_digits(buf, &o, s + i, len - i, &ndigits);
	buf[o] = '\0';
	if (ndigits == 0 || i + used != len) {
		free(buf);
		return -1;
	}

	for (i = 1; i < o; i++) {
		unsigned digit = (unsigned)(buf[i] - '0');

		if (acc > (ULLONG_MAX - digit) / 10) {
			overflow = 1;
			break;
		}
		acc = acc * 10 + digit;
	}

	if (!overflow && !negative && acc <= (unsigned long long)LLONG_MAX)
		pyvalue_set_int(out, (long long)acc);
	else if (!overflow && negative && acc <= (unsigned long long)LLONG_MAX + 1)
		pyvalue_set_int(out, acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc);
	else
		/* NOTE: Python ints are unbounded, but past 64 bits the value becomes the nearest double. */
		pyvalue_set_float(out, strtod_l(buf, NULL, get_locale()));

	free(buf);
	return 0;
}

static int match_word(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

int pystr_to_float(double *out, const char *s, size_t len)
{
	char *buf;
	size_t o = 0, i = 0, used, ndigits, mantissa_digits;
	int negative = 0;

	pystr_strip(&s, &len);
	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		negative = s[0] == '-';
		i = 1;
	}

	if (match_word(s + i, len - i, "inf") || match_word(s + i, len - i, "infinity")) {
		*out = negative ? -HUGE_VAL : HUGE_VAL;
		return 0;
	}
	if (match_word(s + i, len - i, "nan")) {
		*out = negative ? -NAN : NAN;
		return 0;
	}

	buf = malloc(len + 4);
	if (buf == NULL)
		return -1;
	buf[o++] = negative ? '-' : '+';

	used = copy_digits(buf, &o, s + i, len - i, &ndigits);
	i += used;
	mantissa_digits = ndigits;
	if (i < len && s[i] == '.') {
		buf[o++] = '.';
		i++;
		used = copy_digits(buf, &o, s + i, len - i, &ndigits);
		i += used;
		mantissa_digits += ndigits;
	}
	if (mantissa_digits == 0)
		goto invalid;

	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		buf[o++] = 'e';
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			buf[o++] = s[i++];
		used = copy_digits(buf, &o, s + i, len - i, &ndigits);
		i += used;
		if (ndigits == 0)
			goto invalid;
	}
	if (i != len)
		goto invalid;

	buf[o] = '\0';
	errno = 0;
	*out = strtod_l(buf, NULL, get_locale());
	free(buf);
	return 0;

invalid:
	free(buf);
	return -1;
}

int pystr_is_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}
