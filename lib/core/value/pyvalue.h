/*
 * Python values and operations for the value filter, internal to lib/core/value.
 *
 * c7n compares Python objects: JSON-shaped ones from the resource and the
 * policy, plus the objects its value_type conversions build (datetimes,
 * ipaddress networks, LooseVersion).  A pyvalue is one such object, and the
 * functions here reproduce CPython 3.11's ==, <, in, set() and % on them.
 */
#ifndef PEERGUARD_CORE_VALUE_PYVALUE_H
#define PEERGUARD_CORE_VALUE_PYVALUE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/value_match.h"

/* Outcome of one Python operation. */
enum {
	PY_FAIL = -1,      /* a C failure (out of memory, regex limit), with a message in errbuf */
	PY_OK = 0,
	PY_TYPE_ERROR = 1, /* Python raised TypeError, which c7n turns into "no match" */
	PY_RAISE = 2       /* Python raised another exception, so c7n aborts the policy run */
};

/* Python's default recursion limit, reached by deeply nested lists. */
#define PYVALUE_MAX_DEPTH 1000

typedef enum pyvalue_kind {
	PYVALUE_NONE,
	PYVALUE_BOOL,
	PYVALUE_INT,
	PYVALUE_FLOAT,
	PYVALUE_STR,        /* json holds the string */
	PYVALUE_LIST,       /* json holds the array */
	PYVALUE_DICT,       /* json holds the object */
	PYVALUE_TUPLE,      /* the empty tuple that in/not-in put for a missing value */
	PYVALUE_DATETIME,   /* an aware datetime */
	PYVALUE_IP_ADDRESS,
	PYVALUE_IP_NETWORK,
	PYVALUE_IP_LIST,    /* c7n's IPv4List: the parsed items of a list */
	PYVALUE_VERSION     /* c7n's ComparableVersion, a LooseVersion */
} pyvalue_kind;

/* An IPv4 or IPv6 address or network, as Python's ipaddress module holds it. */
typedef struct value_ip {
	int version;          /* 4 or 6 */
	uint8_t bytes[16];    /* network byte order, of which IPv4 uses the first 4 */
	int prefixlen;        /* networks only */
	char scope[64];       /* IPv6 scope id ("%eth0" without the %), or "" */
} value_ip;

/* One item of an IPv4List: what parse_cidr made of a list element. */
typedef struct value_ip_item {
	pyvalue_kind kind;    /* PYVALUE_NONE, PYVALUE_IP_ADDRESS or PYVALUE_IP_NETWORK */
	value_ip ip;
} value_ip_item;

/* One component of a LooseVersion: a number or a string. */
typedef struct value_version_part {
	int is_number;
	const char *text;     /* digits without leading zeros, or the string */
	size_t len;
} value_version_part;

typedef struct pyvalue {
	pyvalue_kind kind;
	int owned;            /* 1: pyvalue_clear releases json and the arrays */
	long long i;          /* BOOL (0 or 1), INT */
	double d;             /* FLOAT */
	json_t *json;         /* STR, LIST, DICT */
	int64_t usec;         /* DATETIME: microseconds since the epoch, UTC */
	value_ip ip;          /* IP_ADDRESS, IP_NETWORK */
	value_ip_item *ip_items; /* IP_LIST */
	size_t ip_count;
	value_version_part *parts; /* VERSION */
	size_t part_count;
	int has_version;      /* VERSION: 0 when built from a falsy value (no .version attribute) */
	char *version_text;   /* VERSION: owned copy the parts point into */
} pyvalue;

/* pyvalue.c */

/** Sets *pv to the Python value of json (NULL is None), taking a new reference. */
void pyvalue_from_json(pyvalue *pv, json_t *json);
/** Returns a view of json that holds no reference, so clearing it releases nothing. */
pyvalue pyvalue_view(json_t *json);
void pyvalue_set_none(pyvalue *pv);
void pyvalue_set_int(pyvalue *pv, long long i);
void pyvalue_set_float(pyvalue *pv, double d);
/** Sets *pv to a new string copied from s, or returns PY_FAIL when out of memory. */
int pyvalue_set_str(pyvalue *pv, const char *s, size_t len);
/** Releases what an owned pyvalue holds and leaves None behind. */
void pyvalue_clear(pyvalue *pv);
/** Moves *from into *to, clearing *to first and leaving None in *from. */
void pyvalue_move(pyvalue *to, pyvalue *from);

const char *pyvalue_str(const pyvalue *pv, size_t *len);
int pyvalue_is_number(const pyvalue *pv);
int pyvalue_is_hashable(const pyvalue *pv);
/** Returns Python's bool(pv). */
int pyvalue_truthy(const pyvalue *pv);
/** Stores Python's a == b in *out, or returns PY_RAISE for a LooseVersion without .version. */
int pyvalue_eq(int *out, const pyvalue *a, const pyvalue *b);
/** Stores a <op> b for an ordering op (gt, ge, lt, le) in *out, or returns PY_TYPE_ERROR. */
int pyvalue_order(int *out, value_op op, const pyvalue *a, const pyvalue *b);
/** Compares two Python numbers (bool, int, float) exactly: -1, 0 or 1, and 2 when either is NaN. */
int pyvalue_number_cmp(const pyvalue *a, const pyvalue *b);

/* contains.c */

/** Stores Python's `item in container` in *out. */
int pyvalue_contains(int *out, const pyvalue *container, const pyvalue *item);
/** Stores bool(set(x).intersection(y)) in *out. */
int pyvalue_intersect(int *out, const pyvalue *x, const pyvalue *y);
/** Stores bool(set(x).difference(y)) in *out. */
int pyvalue_difference(int *out, const pyvalue *x, const pyvalue *y);
/** Stores len(set(x)) in *out, or returns PY_TYPE_ERROR. */
int pyvalue_unique_len(long long *out, const pyvalue *x);

/* mod.c */

/** Stores bool(r % v) in *out: numeric modulo, or printf-style formatting when r is a str. */
int pyvalue_mod(int *out, const pyvalue *r, const pyvalue *v);

/* pystr.c: Python str behaviour over UTF-8 */

/** Decodes the code point at s[*pos] and advances *pos.  An invalid byte decodes as itself. */
uint32_t pystr_next(const char *s, size_t len, size_t *pos);
size_t pystr_length(const char *s, size_t len);
int pystr_is_space(uint32_t cp);
/** Narrows s/len to Python's str.strip() of it. */
void pystr_strip(const char **s, size_t *len);
/** Returns a new buffer with Python's str.lower() of s, or NULL when out of memory. */
char *pystr_lower(const char *s, size_t len, size_t *outlen);
/** Parses Python's int(s) into *out (INT, or FLOAT past 64 bits), or returns -1 on ValueError. */
int pystr_to_int(pyvalue *out, const char *s, size_t len);
/** Parses Python's float(s), or returns -1 on ValueError. */
int pystr_to_float(double *out, const char *s, size_t len);
/** Returns Python's str.isdigit() for ASCII digits (non-ASCII digits count as not digits). */
int pystr_is_digits(const char *s, size_t len);

/* cidr.c: c7n's parse_cidr and the ipaddress objects */

/** Sets *out to parse_cidr(value): None, an address, a network or an IPv4List.  Returns PY_RAISE where c7n raises. */
int value_cidr_parse(pyvalue *out, const pyvalue *value);
int value_ip_eq(const pyvalue *a, const pyvalue *b);
/** Orders two addresses or two networks of one IP version, or returns PY_TYPE_ERROR. */
int value_ip_order(int *cmp, const pyvalue *a, const pyvalue *b);
/** Python `item in container` for a network or IPv4List container. */
int value_ip_contains(int *out, const pyvalue *container, const pyvalue *item);
/** Stores whether set(x) & set(y) (or set(x) - set(y)) is non-empty when x or y is an ipaddress object. */
int value_ip_set_op(int *out, int difference, const pyvalue *x, const pyvalue *y);

/* version.c: c7n's ComparableVersion */

/** Sets *out to ComparableVersion(value), or returns PY_RAISE where LooseVersion raises. */
int value_version_parse(pyvalue *out, const pyvalue *value);
/** Tests a version for equality with a version or a str, or returns PY_RAISE when an operand has no .version. */
int value_version_eq(int *out, const pyvalue *a, const pyvalue *b);
/** Stores -1, 0 or 1 comparing two versions, or returns PY_TYPE_ERROR when an int meets a str. */
int value_version_cmp(int *cmp, const pyvalue *a, const pyvalue *b);

/* dates.c */

enum { DATE_OK = 0, DATE_NONE = 1, DATE_RAISE = 2 };
/** Runs c7n's parse_date on value: DATE_OK with *usec set, DATE_NONE, or DATE_RAISE where c7n raises. */
int value_date_parse(const pyvalue *value, int64_t *usec);
#define VALUE_DATETIME_MIN_USEC (-62135596800LL * 1000000LL)
#define VALUE_DATETIME_MAX_USEC (253402300799LL * 1000000LL + 999999LL)

/* regex.c */

/**
 * Runs re.match(re, subject): stores 1 or 0 in *matched and, when span is not
 * NULL, the byte span of group 1 (-1, -1 when it did not take part).  Returns
 * PY_FAIL with a message when a PCRE2 limit is hit.
 */
int value_regex_run(int *matched, long span[2], const value_regex *re, const char *subject,
	size_t len, const value_match_env *env, char *errbuf, size_t errlen);

/** Returns the number of capture groups of a compiled pattern. */
int value_regex_groups(const value_regex *re);

/* glob.c */

/** Returns fnmatch.fnmatchcase(name, pattern): 1 or 0, or PY_FAIL when out of memory. */
int value_glob_match(const char *name, size_t name_len, const char *pattern, size_t pattern_len);

/* convert.c */

/** Applies value_type conversion to *r and *v as c7n's process_value_type does. */
int value_convert(value_type type, pyvalue *r, pyvalue *v, const value_match_env *env);

/* match.c */

/** Writes a printf-style message to errbuf (may be NULL). */
void value_error(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
