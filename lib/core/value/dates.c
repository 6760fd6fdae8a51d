/*
 * c7n's parse_date (c7n/utils.py): a string that is not all digits goes to
 * dateutil's parser.  Numbers and digit strings above DATE_FLOOR
 * (2006-03-19) are epoch seconds, or epoch milliseconds when seconds land
 * past year 9999.
 *
 * The dateutil part accepts the formats listed in docs/value-filter.md:
 * ISO-8601 (extended and basic), M/D/Y and D/M/Y with / - or ., month
 * names (ctime, RFC 2822, "Jan 15, 2026"), times with fractions and
 * AM/PM, and zones Z, UTC, GMT, +HH, +HHMM, +HH:MM.
 *
 * NOTE: c7n reads naive dates in the host's local time zone, but libpeerguard
 * reads them as UTC, so results agree with c7n run with TZ=UTC.  dateutil
 * fills a missing year, month or day from today and reads two-digit years;
 * those strings are not dates here.
 */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "core/value/pyvalue.h"

/* time.mktime((2006, 3, 19, 0, 0, 0, 0, 0, 0)) with TZ=UTC */
#define DATE_FLOOR 1142726400.0

/* The first second of year 2147485548, where glibc's localtime() fails with EOVERFLOW. */
#define LOCALTIME_LIMIT 67768036191676800.0

enum { STAMP_OK, STAMP_VALUE_ERROR, STAMP_RAISE };

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* CPython's _PyTime_RoundHalfEven. */
static double round_half_even(double x)
{
	double rounded = round(x);

	if (fabs(x - rounded) == 0.5)
		rounded = 2.0 * round(x / 2.0);
	return rounded;
}

/* datetime.fromtimestamp(t) for t > DATE_FLOOR, with the local zone taken as UTC. */
static int from_timestamp(double t, int64_t *usec)
{
	double whole, frac = modf(t, &whole);
	double micro = round_half_even(frac * 1e6);

	if (micro >= 1e6) {
		micro -= 1e6;
		whole += 1.0;
	}
	if (!(whole <= 9223372036854775807.0))
		return STAMP_RAISE;  /* OverflowError: timestamp out of range for platform time_t */
	if (whole >= LOCALTIME_LIMIT)
		return STAMP_RAISE;  /* OSError: Value too large for defined data type */
	if (whole > 253402300799.0)
		return STAMP_VALUE_ERROR;  /* year is out of range */

	*usec = (int64_t)whole * 1000000 + (int64_t)micro;
	return STAMP_OK;
}

static int parse_number(double t, int64_t *usec)
{
	int status;

	if (!(t > DATE_FLOOR))
		return DATE_NONE;

	status = from_timestamp(t, usec);
	if (status == STAMP_VALUE_ERROR)
		status = from_timestamp(t / 1000.0, usec);

	if (status == STAMP_OK)
		return DATE_OK;
	return status == STAMP_RAISE ? DATE_RAISE : DATE_NONE;
}

typedef struct date_fields {
	int year, month, day;
	int hour, minute, second, usec;
	int has_time, has_tz, tz_offset;  /* tz_offset in seconds east of UTC */
	int ampm;                         /* -1 none, 0 AM, 1 PM */
} date_fields;

typedef struct cursor {
	const char *s;
	size_t len, pos;
} cursor;

static int peek(const cursor *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

/* Reads a run of digits: its value (when it fits) and its length. */
static size_t read_digits(cursor *c, long *value)
{
	size_t start = c->pos;

	*value = 0;
	while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos])) {
		if (c->pos - start < 9)
			*value = *value * 10 + (c->s[c->pos] - '0');
		c->pos++;
	}
	return c->pos - start;
}

static size_t read_alpha(cursor *c)
{
	size_t start = c->pos;

	while (c->pos < c->len && isalpha((unsigned char)c->s[c->pos]))
		c->pos++;
	return c->pos - start;
}

static int word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(w, name, n) == 0;
}

/* dateutil's parserinfo.MONTHS: a full name, a three-letter abbreviation, or "Sept". */
static int month_number(const char *w, size_t n)
{
	static const char *const names[] = { "january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november", "december" };
	int i;

	for (i = 0; i < 12; i++) {
		if (word_is(w, n, names[i]) || (n == 3 && strncasecmp(w, names[i], 3) == 0))
			return i + 1;
	}
	return word_is(w, n, "sept") ? 9 : 0;
}

static int is_weekday(const char *w, size_t n)
{
	static const char *const names[] = { "monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday" };
	int i;

	for (i = 0; i < 7; i++) {
		if (word_is(w, n, names[i]) || (n == 3 && strncasecmp(w, names[i], 3) == 0))
			return 1;
	}
	return 0;
}

/* Fraction digits after '.' or ',': microseconds, digits past six truncated as dateutil does. */
static void read_fraction(cursor *c, date_fields *f)
{
	int digits = 0;

	f->usec = 0;
	while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos])) {
		if (digits < 6) {
			f->usec = f->usec * 10 + (c->s[c->pos] - '0');
			digits++;
		}
		c->pos++;
	}
	while (digits++ < 6)
		f->usec *= 10;
}

static int has_fraction(const cursor *c)
{
	return (peek(c) == '.' || peek(c) == ',') && c->pos + 1 < c->len &&
		isdigit((unsigned char)c->s[c->pos + 1]);
}

/* A time at the cursor: H[H]:MM[:SS[.f]], or the ISO basic HH, HHMM, HHMMSS[.f]. */
static int parse_time(cursor *c, date_fields *f)
{
	long value;
	size_t n = read_digits(c, &value);

	if (f->has_time || n == 0)
		return -1;
	f->has_time = 1;

	if (peek(c) == ':') {
		if (n > 2)
			return -1;
		f->hour = (int)value;
		c->pos++;
		if (read_digits(c, &value) != 2)
			return -1;
		f->minute = (int)value;
		if (peek(c) == ':') {
			c->pos++;
			if (read_digits(c, &value) != 2)
				return -1;
			f->second = (int)value;
			if (has_fraction(c)) {
				c->pos++;
				read_fraction(c, f);
			}
		}
		return 0;
	}

	if (n != 2 && n != 4 && n != 6)
		return -1;
	f->hour = (int)(n == 2 ? value : n == 4 ? value / 100 : value / 10000);
	f->minute = (int)(n == 4 ? value % 100 : n == 6 ? value / 100 % 100 : 0);
	f->second = (int)(n == 6 ? value % 100 : 0);
	if (n == 6 && has_fraction(c)) {
		c->pos++;
		read_fraction(c, f);
	}
	return 0;
}

/* A UTC offset at the cursor after its sign: HH, HHMM or HH:MM. */
static int parse_offset(cursor *c, int sign, date_fields *f)
{
	long value, minutes = 0;
	size_t n = read_digits(c, &value);
	int hours;

	if (n == 4) {
		hours = (int)(value / 100);
		minutes = value % 100;
	} else if (n == 2 || n == 1) {
		hours = (int)value;
		if (peek(c) == ':') {
			c->pos++;
			if (read_digits(c, &minutes) != 2)
				return -1;
		}
	} else {
		return -1;
	}
	if (hours > 23 || minutes > 59)
		return -1;
	f->has_tz = 1;
	f->tz_offset = sign * (hours * 3600 + (int)minutes * 60);
	return 0;
}

/* One part of a separated date: a number of up to 4 digits, or a month name (returned negated). */
static int date_part(cursor *c, long *value, size_t *ndigits)
{
	size_t start = c->pos, n;

	if (isalpha(peek(c))) {
		n = read_alpha(c);
		*value = -month_number(c->s + start, n);
		*ndigits = 0;
		return *value != 0 ? 0 : -1;
	}
	*ndigits = read_digits(c, value);
	return *ndigits >= 1 && *ndigits <= 4 ? 0 : -1;
}

static int set_date(date_fields *f, long y, long m, long d)
{
	if (f->year != 0 || f->month != 0 || f->day != 0)
		return -1;
	f->year = (int)y;
	f->month = (int)m;
	f->day = (int)d;
	return 0;
}

/*
 * A date written with separators: Y-M-D when the first part has four digits,
 * else M/D/Y, or D/M/Y when the first number cannot be a month.  A month may
 * be a name ("15-Jan-2026", "2026-Jan-15").
 */
static int parse_separated_date(cursor *c, long first, size_t first_digits, date_fields *f)
{
	int sep = peek(c);
	long b, d;
	size_t nb, nd;

	c->pos++;
	if (date_part(c, &b, &nb) != 0 || peek(c) != sep)
		return -1;
	c->pos++;
	if (date_part(c, &d, &nd) != 0 || d < 0)
		return -1;

	if (first_digits == 4) {
		if (nd > 2)
			return -1;
		return set_date(f, first, b < 0 ? -b : b, d);
	}
	if (nd != 4 || first_digits > 2)
		return -1;
	if (b < 0)
		return set_date(f, d, -b, first);
	if (first > 12)
		return set_date(f, d, b, first);
	return set_date(f, d, first, b);
}

/* After a date, 'T' (either case) followed by a digit starts the time. */
static int parse_date_time_separator(cursor *c, date_fields *f)
{
	if ((peek(c) == 'T' || peek(c) == 't') && c->pos + 1 < c->len && isdigit((unsigned char)c->s[c->pos + 1])) {
		c->pos++;
		return parse_time(c, f);
	}
	return 0;
}

static int parse_number_token(cursor *c, date_fields *f)
{
	size_t start = c->pos, n;
	long value;

	n = read_digits(c, &value);
	if (peek(c) == ':') {
		c->pos = start;
		return parse_time(c, f);
	}
	if ((peek(c) == '-' || peek(c) == '/' || peek(c) == '.') && c->pos + 1 < c->len &&
	    isalnum((unsigned char)c->s[c->pos + 1])) {
		if (parse_separated_date(c, value, n, f) != 0)
			return -1;
		return parse_date_time_separator(c, f);
	}
	if (n == 8) {
		if (set_date(f, value / 10000, value / 100 % 100, value % 100) != 0)
			return -1;
		return parse_date_time_separator(c, f);
	}
	if (n == 4 && f->year == 0) {
		f->year = (int)value;
		return 0;
	}
	if (n <= 2 && f->day == 0) {
		f->day = (int)value;
		return 0;
	}
	return -1;
}

static int parse_word(cursor *c, date_fields *f)
{
	size_t start = c->pos, n = read_alpha(c);
	const char *w = c->s + start;
	int month = month_number(w, n);
	size_t i;

	if (month != 0) {
		if (f->month != 0)
			return -1;
		f->month = month;
		return 0;
	}
	if (is_weekday(w, n))
		return 0;
	if (word_is(w, n, "am") || word_is(w, n, "pm")) {
		if (!f->has_time || f->ampm >= 0)
			return -1;
		f->ampm = word_is(w, n, "pm");
		return 0;
	}
	if (!f->has_time || f->has_tz || n > 5)
		return -1;

	/* dateutil's UTCZONE names, then an unknown upper-case name it ignores (leaving a naive time) */
	if ((n == 3 && (strncmp(w, "UTC", 3) == 0 || strncmp(w, "GMT", 3) == 0)) ||
	    (n == 1 && (w[0] == 'Z' || w[0] == 'z'))) {
		f->has_tz = 1;
		f->tz_offset = 0;
		/* "GMT+3" is POSIX style: the sign is inverted. */
		if (n == 3 && (peek(c) == '+' || peek(c) == '-')) {
			int sign = peek(c) == '+' ? -1 : 1;

			c->pos++;
			return parse_offset(c, sign, f);
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!isupper((unsigned char)w[i]))
			return -1;
	}
	return 0;
}

static int parse_fields(date_fields *f, const char *s, size_t len)
{
	cursor c = { s, len, 0 };

	memset(f, 0, sizeof(*f));
	f->ampm = -1;

	while (c.pos < c.len) {
		int ch = peek(&c), status;

		if (isspace(ch) || ch == ',') {
			c.pos++;
			continue;
		}
		if (isdigit(ch)) {
			status = parse_number_token(&c, f);
		} else if (isalpha(ch)) {
			status = parse_word(&c, f);
		} else if ((ch == '+' || ch == '-') && f->has_time && !f->has_tz) {
			c.pos++;
			status = parse_offset(&c, ch == '+' ? 1 : -1, f);
		} else {
			status = -1;
		}
		if (status != 0)
			return -1;
	}
	return 0;
}

static int check_fields(date_fields *f)
{
	if (f->year < 1 || f->year > 9999 || f->month < 1 || f->month > 12)
		return -1;
	if (f->day < 1 || f->day > days_in_month(f->year, f->month))
		return -1;
	if (f->ampm >= 0) {
		if (f->hour > 12)
			return -1;
		if (f->ampm == 1 && f->hour < 12)
			f->hour += 12;
		else if (f->ampm == 0 && f->hour == 12)
			f->hour = 0;
	}
	if (f->hour > 23 || f->minute > 59 || f->second > 59)
		return -1;
	return 0;
}

/* Runs dateutil's parse(s).astimezone(UTC), or returns -1 when s does not parse or leaves datetime's range. */
static int parse_text(const char *s, size_t len, int64_t *usec)
{
	date_fields f;
	int64_t seconds;

	if (parse_fields(&f, s, len) != 0 || check_fields(&f) != 0)
		return -1;

	seconds = days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
	seconds -= f.tz_offset;
	*usec = seconds * 1000000 + f.usec;
	if (*usec < VALUE_DATETIME_MIN_USEC || *usec > VALUE_DATETIME_MAX_USEC)
		return -1;  /* astimezone() raises OverflowError, which parse_date catches */
	return 0;
}

int value_date_parse(const pyvalue *value, int64_t *usec)
{
	const char *s;
	size_t len;
	double t;

	switch (value->kind) {
	case PYVALUE_DATETIME:
		*usec = value->usec;
		return DATE_OK;
	case PYVALUE_BOOL:
	case PYVALUE_INT:
		return parse_number((double)value->i, usec);
	case PYVALUE_FLOAT:
		return parse_number(value->d, usec);
	case PYVALUE_STR:
		break;
	default:
		return DATE_NONE;
	}

	s = pyvalue_str(value, &len);
	if (!pystr_is_digits(s, len) && parse_text(s, len, usec) == 0)
		return DATE_OK;
	if (pystr_to_float(&t, s, len) != 0)
		return DATE_NONE;
	return parse_number(t, usec);
}

int value_parse_date(json_t *value, double *out)
{
	pyvalue pv = pyvalue_view(value);
	int64_t usec;

	if (value_date_parse(&pv, &usec) != DATE_OK)
		return -1;
	*out = (double)(usec / 1000000) + (double)(usec % 1000000) / 1e6;
	return 0;
}
