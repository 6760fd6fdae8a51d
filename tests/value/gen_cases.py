#!/usr/bin/env python3
"""Write the value filter cases that c7n's own code decides.

Run with c7n 0.9.x installed (pip install c7n) and TZ=UTC, because c7n reads
naive dates in local time:

    TZ=UTC python3 tests/value/gen_cases.py cases > tests/value/c7n_cases.inc
    TZ=UTC python3 tests/value/gen_cases.py dates > tests/value/c7n_dates.inc

The C test never runs Python; it asserts the outcomes recorded here.  A case
where c7n raises (not TypeError) is recorded as "no match", which is what
libpeerguard returns there, and flagged so the table shows it.
"""
import datetime
import json
import sys
import warnings

import c7n.filters.core as core
from c7n.filters.core import ValueFilter
from c7n.version import version

warnings.simplefilter("ignore")

MISSING = object()
NOW = 1780272000  # 2026-06-01T00:00:00Z, the clock for age and expiration


class FixedDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.fromtimestamp(NOW, tz)


class FixedModule:
    datetime = FixedDatetime


core.datetime = FixedModule


def run(op, vtype, r, v, value_regex=None):
    data = {"type": "value", "key": "k", "value": v}
    if op is not None:
        data["op"] = op
    if vtype is not None:
        data["value_type"] = vtype
    if value_regex is not None:
        data["value_regex"] = value_regex
    f = ValueFilter(data)
    if vtype == "resource_count":
        resources = [{}] * r
        try:
            # process() returns the same list object when op(len(resources), value) is true
            return f.process(resources) is resources, False
        except Exception:
            return False, True
    resource = {} if r is MISSING else {"k": r}
    try:
        return bool(f.match(resource)), False
    except Exception:
        return False, True


SCALARS = [MISSING, None, True, False, 0, 1, 1.0, 2, -3, 2.5, "5", "abc", "", "ABC",
           "a%sb", [], [1, 2], ["a", "b"], [1, [1]], {}, {"a": 1}, [1.0, True], "bc"]
POLICY = [None, True, 0, 1, 2, 2.5, "5", "abc", "", "b", "absent", "present",
          "not-null", "empty", [], [1, 2], ["a", "b"], [1, [1]], ["abc", 1], "a*"]
OPS = [None, "eq", "equal", "ne", "not-equal", "gt", "greater-than", "ge", "gte", "lt",
       "less-than", "le", "lte", "in", "ni", "not-in", "contains", "regex", "regex-case",
       "glob", "intersect", "difference", "mod"]

TARGETED = [
    # Python equality and ordering across types
    ("eq", None, 9007199254740993, 9007199254740992.0),
    ("gt", None, 9007199254740993, 9007199254740992.0),
    ("eq", None, [1, [2, "x"]], [1.0, [2, "x"]]),
    ("lt", None, [1, 2], [1, 2, 0]),
    ("gt", None, [1, "a"], [1, 2]),
    ("gt", None, [2, "a"], [1, 2]),
    ("eq", None, {"a": [1, 2]}, {"a": [1.0, 2]}),
    ("lt", None, {"a": 1}, {"a": 2}),
    ("gt", None, "b", "abc"),
    ("lt", None, "Z", "a"),
    ("gt", None, "é", "z"),
    ("gt", None, "1.10.0", "1.9"),
    ("ge", None, True, 1),
    # membership
    ("in", None, "active", "inactive"),
    ("in", None, 5, [5.0]),
    ("in", None, True, [1]),
    ("in", None, [1, 2], [[1, 2], 3]),
    ("in", None, [1, 2], [1, 2]),
    ("not-in", None, MISSING, ["a"]),
    ("ni", None, MISSING, ["a"]),
    ("in", None, MISSING, [None]),
    ("not-in", None, MISSING, "abc"),
    ("contains", None, {"a": 1}, "a"),
    ("contains", None, {"a": 1}, ["a"]),
    ("contains", None, ["x", "y"], "y"),
    ("contains", None, "xyz", "yz"),
    ("contains", None, "xyz", 1),
    ("contains", None, 5, 5),
    # sets
    ("intersect", None, "abc", ["c"]),
    ("intersect", None, ["a", "b"], "b"),
    ("intersect", None, [1, 2], [2.0]),
    ("intersect", None, [1, 2], [3, [1]]),
    ("intersect", None, [1, [2]], [1]),
    ("intersect", None, {"k": 1}, ["k"]),
    ("intersect", None, [1], 1),
    ("difference", None, ["a", "b"], ["a", "b", "c"]),
    ("difference", None, ["a", "b"], ["a"]),
    ("difference", None, [], [[1]]),
    ("difference", None, "aab", "ab"),
    ("difference", None, "abc", "ab"),
    ("difference", None, [1, True], [1.0]),
    # mod
    ("mod", None, 5, 2), ("mod", None, 4, 2), ("mod", None, -4, 3), ("mod", None, 4, -2),
    ("mod", None, 5.5, 2), ("mod", None, 6.0, 2), ("mod", None, 6, 1.5), ("mod", None, 5, 0),
    ("mod", None, 5.0, 0.0), ("mod", None, True, 2), ("mod", None, "x", 2), ("mod", None, 5, "2"),
    ("mod", None, "%d", 5), ("mod", None, "%d", "x"), ("mod", None, "%s", ""), ("mod", None, "%.0s", "x"),
    ("mod", None, "%5s", ""), ("mod", None, "%%", 5), ("mod", None, "%(a)s", {"a": 1}),
    ("mod", None, "%(b)s", {"a": 1}), ("mod", None, "%(a)s", [1]), ("mod", None, "%(a)s", "x"),
    ("mod", None, "abc", {}), ("mod", None, "", {}), ("mod", None, "%s %s", 1), ("mod", None, "%c", 65),
    ("mod", None, "%c", "ab"), ("mod", None, "%x", 2.5), ("mod", None, "%f", "x"), ("mod", None, "%q", 1),
    ("mod", None, "abc%", 1), ("mod", None, "%*s", 3), ("mod", None, "%ld", 3), ("mod", None, "%r", ""),
    ("mod", None, "%(a)s%s", {"a": ""}),
    # regex
    ("regex", None, "abc", "A"), ("regex-case", None, "abc", "A"), ("regex", None, "abc", "b"),
    ("regex", None, "abc", "a$"), ("regex", None, "abc\n", "abc$"), ("regex", None, "abc\n", r"abc\Z"),
    ("regex", None, "abc", r"abc\Z"), ("regex", None, "pcx-123", r"pcx-\d+"),
    ("regex", None, "٣", r"\d"), ("regex", None, "abab", r"(?P<x>ab)(?P=x)"),
    ("regex", None, "aaa", "a{,2}"), ("regex", None, "{,2}", "a{,2}"), ("regex", None, "a", r"\u0061"),
    ("regex", None, "[", "[[]"), ("regex", None, ":", "[[:alpha:]]"), ("regex", None, "a]", "[[:alpha:]]"),
    ("regex", None, "\x0b", r"\v"), ("regex", None, "\n", r"\v"), ("regex", None, 5, "5"),
    ("regex", None, "5", 5), ("regex", None, None, "x"), ("regex", None, "ÉTÉ", "été"),
    ("regex-case", None, "ÉTÉ", "été"), ("regex", None, "x\ny", "(?s)x.y"), ("regex", None, "x\ny", "x.y"),
    ("regex", None, "AB", "(?i)ab"), ("regex-case", None, "ab", "(?x) a # one [ or {,2}\n [b]"),
    ("regex-case", None, "a b", "(?x) a [ ] b"), ("regex-case", None, "AB", "a(?i)b"), ("regex-case", None, "ab", "(?s)(?i)AB"), ("regex", None, "é", r"\w"), ("regex", None, "é", r"(?a)\w"),
    # glob
    ("glob", None, "abc", "a*"), ("glob", None, "abc", "A*"), ("glob", None, "abc", "*c"),
    ("glob", None, "abc", "a?c"), ("glob", None, "abc", "a[bx]c"), ("glob", None, "abc", "a[!b]c"),
    ("glob", None, "abc", "a[^b]c"), ("glob", None, "a^c", "a[^b]c"), ("glob", None, "a[c", "a[c"),
    ("glob", None, "a]c", "a[]]c"), ("glob", None, "abc", "a[a-c]c"), ("glob", None, "abc", "a[c-a]c"),
    ("glob", None, "a-c", "a[c-a]c"), ("glob", None, "abc", "a[!]c"), ("glob", None, "a\nc", "a?c"),
    ("glob", None, "a\\c", "a\\c"), ("glob", None, "a\\c", "a[\\]c"), ("glob", None, "a-c", "a[a-]c"),
    ("glob", None, "a-c", "a[-z]c"), ("glob", None, "abc", "ab"), ("glob", None, "ab", "abc"),
    ("glob", None, "é", "?"), ("glob", None, "xyz", "*y*"), ("glob", None, "aaa", "a*a*a*a"),
    ("glob", None, "abc", "[a-b-c]bc"), ("glob", None, "-bc", "[a-b-c]bc"), ("glob", None, "cbc", "[a-b-c]bc"),
    ("glob", None, "b", "[z-a-c]"), ("glob", None, "-", "[z-a-c]"), ("glob", None, "a", "[!z-a]"),
    ("glob", None, 5, "*"), ("glob", None, "5", 5),
    # value types: normalize, integer, float, size, unique_size, swap
    ("eq", "normalize", " ACTIVE ", "active"), ("eq", "normalize", "ACTIVE", "ACTIVE"),
    ("eq", "normalize", 5, 5), ("eq", "normalize", "ΟΔΟΣ", "οδος"), ("eq", "normalize", "\u2003X\u3000", "x"),
    ("eq", "integer", "5", 5), ("eq", "integer", " 5 ", 5), ("eq", "integer", "1_000", 1000),
    ("eq", "integer", "1__000", 0), ("eq", "integer", "+5", 5), ("eq", "integer", "-0", 0),
    ("eq", "integer", "5.0", 0), ("eq", "integer", 5.0, 0), ("eq", "integer", True, 0),
    ("eq", "integer", "0x10", 0), ("eq", "integer", MISSING, 0), ("gt", "integer", "99999999999999999999", 5),
    ("eq", "integer", [1], 0), ("in", "integer", MISSING, [0]), ("eq", "integer", "007", 7),
    ("eq", "float", "1.5", 1.5), ("eq", "float", " 1e3 ", 1000), ("eq", "float", "1_0.5", 10.5),
    ("eq", "float", "nan", 0.0), ("ne", "float", "nan", 0.0), ("gt", "float", "inf", 1e308),
    ("gt", "float", "-Infinity", -1e308), ("eq", "float", "0x10", 0), ("eq", "float", True, 0),
    ("eq", "float", 3, 3.0), ("eq", "float", ".5", 0.5), ("eq", "float", "5.", 5), ("eq", "float", "e5", 0),
    ("eq", "size", "abc", 3), ("eq", "size", "été", 3), ("eq", "size", [1, 2], 2), ("eq", "size", {"a": 1}, 1),
    ("eq", "size", 5, 0), ("eq", "size", MISSING, 0), ("gt", "size", MISSING, -1),
    ("eq", "unique_size", [1, 1.0, True, "1"], 2), ("eq", "unique_size", [[1]], 0),
    ("eq", "unique_size", "aab", 2), ("eq", "unique_size", {"a": 1, "b": 2}, 2), ("eq", "unique_size", 5, 0),
    ("in", "swap", ["x", "y"], "x"), ("in", "swap", "xyz", "y"), ("gt", "swap", 5, 3), ("lt", "swap", 5, 3),
    ("eq", "swap", MISSING, "absent"), ("in", "swap", MISSING, "x"),
    # special values
    ("eq", None, MISSING, "absent"), ("ne", None, MISSING, "absent"), ("gt", None, MISSING, "absent"),
    ("eq", None, "x", "absent"), ("eq", None, "x", "present"), ("ne", None, "x", "present"),
    ("eq", None, MISSING, "present"), ("eq", None, 0, "empty"), ("eq", None, 0.0, "empty"),
    ("eq", None, False, "empty"), ("eq", None, [], "empty"), ("eq", None, {}, "empty"), ("eq", None, "", "empty"),
    ("eq", None, "x", "empty"), ("eq", None, "x", "not-null"), ("eq", None, 0, "not-null"),
    ("eq", None, MISSING, "not-null"), ("eq", None, MISSING, None), ("eq", None, None, None),
    ("eq", None, "null", None), ("in", None, MISSING, "empty"), ("eq", "size", [], "empty"),
    ("eq", None, "absent", "absent"),
    # date, age, expiration
    ("gt", "date", "2026-01-15", "2026-01-01"), ("lt", "date", "2026-01-15T12:00:00Z", "2026-01-15T12:00:01Z"),
    ("eq", "date", "2026-01-15T12:00:00+05:30", "2026-01-15T06:30:00Z"), ("eq", "date", "garbage", "2026-01-01"),
    ("ne", "date", "garbage", "2026-01-01"), ("eq", "date", "garbage", "also garbage"),
    ("eq", "date", 1768478400, "2026-01-15T12:00:00Z"), ("eq", "date", 1768478400000, "2026-01-15T12:00:00Z"),
    ("eq", "date", "1768478400", "2026-01-15T12:00:00Z"), ("eq", "date", "20260115", "2026-01-15"),
    ("ne", "date", "1e20", "2026-01-15"), ("ne", "date", "inf", "2026-01-15"),
    ("ne", "date", 67768036191676784, "2026-01-15"), ("ne", "date", 67768036191676800, "2026-01-15"),
    ("ne", "date", 260000000000000, "2026-01-15"), ("ne", "date", "nan", "2026-01-15"),
    ("eq", "date", "Jan 15 2026", "2026-01-15"), ("eq", "date", "Thu, 15 Jan 2026 12:00:00 GMT", "2026-01-15T12:00:00Z"),
    ("eq", "date", "01/02/2026", "2026-01-02"), ("eq", "date", "15/01/2026", "2026-01-15"),
    ("eq", "date", "2026-01-15 10:00 PM", "2026-01-15T22:00:00Z"), ("eq", "date", "20260115T120000Z", "2026-01-15T12:00:00Z"),
    ("eq", "date", "2026-01-15T12:00:00.5Z", "2026-01-15T12:00:00.500Z"), ("gt", "date", MISSING, "2026-01-01"),
    ("gt", "date", "2024-02-29", "2024-02-28"), ("eq", "date", "2026-02-29", "2026-03-01"),
    ("eq", "date", "Thu Jan 15 12:00:00 UTC 2026", "2026-01-15T12:00:00Z"),
    ("eq", "date", "2026-01-15 12:00:00 GMT+0100", "2026-01-15T13:00:00Z"),
    ("gt", "age", "2026-01-01T00:00:00Z", 30), ("gt", "age", "2026-05-25T00:00:00Z", 30),
    ("lt", "age", "2026-05-25T00:00:00Z", 30), ("gt", "age", MISSING, 30), ("lt", "age", MISSING, 30),
    ("ne", "age", MISSING, 30), ("gt", "age", "2026-05-31T12:00:00Z", 0.25), ("gt", "age", "2026-05-31T12:00:00Z", 0.75),
    ("gt", "age", "2026-01-01", "30"), ("gt", "age", 1767225600, 30), ("gt", "age", "2026-01-01", True),
    ("lt", "expiration", "2026-06-15T00:00:00Z", 30), ("lt", "expiration", "2026-08-15T00:00:00Z", 30),
    ("gt", "expiration", "2026-08-15T00:00:00Z", 30), ("lt", "expiration", MISSING, 30),
    ("lte", "expiration", "2026-05-31T00:00:00Z", 0),
    # cidr, cidr_size
    ("in", "cidr", "10.1.0.0/16", "10.0.0.0/8"), ("in", "cidr", "10.0.0.0/8", "10.1.0.0/16"),
    ("in", "cidr", "10.0.0.1", "10.0.0.0/8"), ("in", "cidr", "11.0.0.1", "10.0.0.0/8"),
    ("in", "cidr", "10.0.0.0/8", "10.0.0.1"), ("in", "cidr", "10.0.0.1", ["10.0.0.0/8", "192.168.0.0/16"]),
    ("in", "cidr", "192.168.1.0/24", ["10.0.0.0/8", "192.168.0.0/16"]), ("in", "cidr", "10.0.0.1", ["10.0.0.1"]),
    ("in", "cidr", "10.0.0.2", ["10.0.0.1"]), ("not-in", "cidr", "10.0.0.1", "10.0.0.0/8"),
    ("eq", "cidr", "10.0.0.0/8", "10.0.0.0/255.0.0.0"), ("eq", "cidr", "10.0.0.0/8", "10.0.0.0/0.255.255.255"),
    ("eq", "cidr", "10.0.0.1/8", "10.0.0.0/8"), ("eq", "cidr", "10.0.0.01", "10.0.0.1"),
    ("eq", "cidr", "garbage", "10.0.0.0/8"), ("eq", "cidr", "garbage", "junk"), ("eq", "cidr", MISSING, "10.0.0.0/8"),
    ("in", "cidr", MISSING, "10.0.0.0/8"), ("eq", "cidr", 5, "10.0.0.0/8"), ("gt", "cidr", "10.0.0.2", "10.0.0.1"),
    ("gt", "cidr", "10.0.0.0/16", "10.0.0.0/8"), ("gt", "cidr", "10.0.0.1", "10.0.0.0/8"),
    ("contains", "cidr", ["10.0.0.0/8"], "10.1.2.3"), ("contains", "cidr", "10.0.0.0/8", "10.1.2.3"),
    # c7n builds set() of every address, so the networks stay small enough for Python
    ("intersect", "cidr", "10.0.0.0/15", "10.1.0.0/16"), ("intersect", "cidr", "10.0.0.0/16", "10.1.0.0/16"),
    ("difference", "cidr", "10.0.0.0/16", "10.0.0.0/15"), ("difference", "cidr", "10.0.0.0/15", "10.0.0.0/16"),
    ("eq", "cidr", "::1", "::1"), ("eq", "cidr", "::1", "0:0::1"), ("in", "cidr", ["10.0.0.0/8", 5], "10.0.0.1"),
    ("in", "cidr", "10.0.0.0/8", {"a": 1}), ("eq", "cidr", "10.0.0.0/33", "10.0.0.0/33"),
    ("eq", "cidr_size", "10.0.0.0/8", 8), ("eq", "cidr_size", "10.0.0.0/255.255.0.0", 16),
    ("eq", "cidr_size", "garbage", 0), ("eq", "cidr_size", "10.0.0.1", 32), ("eq", "cidr_size", MISSING, 0),
    ("eq", "cidr_size", ["10.0.0.0/8"], 8), ("gt", "cidr_size", "10.0.0.0/24", 16),
    # version
    ("gt", "version", "1.10", "1.9"), ("eq", "version", "1.0", "1.0.0"), ("lt", "version", "1.0", "1.0.0"),
    ("eq", "version", "1.01", "1.1"), ("gt", "version", "1.0a", "1.0"), ("gt", "version", "1.0", "1.0a"),
    ("eq", "version", "1.0A", "1.0"), ("gt", "version", "1.0A", "1.0"), ("gt", "version", "2.0-rc1", "2.0-rc0"),
    ("gt", "version", "5.7.mysql_aurora.2.11.2", "5.7.mysql_aurora.2.9.1"), ("eq", "version", "5", "present"),
    ("eq", "version", "5", "absent"), ("eq", "version", "not-null", "not-null"), ("eq", "version", "", "1"),
    ("eq", "version", MISSING, "1"), ("eq", "version", 5, "1"), ("in", "version", "1.0", ["1.0"]),
    ("ne", "version", "1.0", "1.1"), ("ge", "version", "11.2", "11.2"),
    # value_regex, applied to r before everything else
    ("eq", None, "delete_after=2026-01-15", "2026-01-15", r".*delete_after=(\d{4}-\d{2}-\d{2}).*"),
    ("eq", None, "nothing", "absent", r".*delete_after=(\d+).*"),
    ("eq", None, 5, "absent", r"(\d)"), ("eq", None, "Abc", "absent", r"a(b)"),
    ("eq", None, "ab", "absent", r"a(x)?b"), ("lte", "expiration", "keep delete_after=2026-06-10", 30, r".*delete_after=(\S+)"),
    ("in", None, MISSING, [None], r"(x)"), ("not-in", None, "zz", ["a"], r"(x)"),
]


def c_string(value):
    if value is MISSING:
        return "NULL"
    text = json.dumps(value, ensure_ascii=False)
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def c_name(name):
    return "NULL" if name is None else '"%s"' % name


def main():
    cases = []
    for op in OPS:
        for r in SCALARS:
            for v in POLICY:
                cases.append((op, None, r, v, None))
    cases.extend(t if len(t) == 5 else t + (None,) for t in TARGETED)
    for count in (0, 1, 3):
        for op, v in (("gt", 1), ("eq", 3), ("lt", 2), ("in", [1, 3]), ("gt", [1]), ("mod", 0), ("ne", 1)):
            cases.append((op, "resource_count", count, v, None))

    out = sys.stdout
    out.write("/* Generated by tests/value/gen_cases.py from c7n %s's ValueFilter; do not edit. */\n" % version)
    out.write("/* { op, value_type, r (NULL: key missing), v, value_regex, matched, c7n raised } */\n")
    for op, vtype, r, v, regex in cases:
        matched, raised = run(op, vtype, r, v, regex)
        if vtype == "resource_count":
            r_text = str(r)
        else:
            r_text = c_string(r)
        out.write("{ %s, %s, %s, %s, %s, %d, %d },\n" % (
            c_name(op), c_name(vtype), '"%s"' % r if vtype == "resource_count" else r_text,
            c_string(v), "NULL" if regex is None else c_string(regex), matched, raised))


DATES = [
    "2026-01-15", "2026-01-15T12:00:00", "2026-01-15T12:00:00Z", "2026-01-15T12:00:00+05:30",
    "2026-01-15T12:00:00.123456Z", "2026-01-15T12:00:00.1234567-08:00", "2026-01-15 12:00:00",
    "2026-01-15T12:00:00,5Z", "2026-01-15t12:00:00z", "2026-01-15T12:00:00 Z", "2026-01-15T12Z",
    "2026-01-15T1230", "20260115T120000Z", "2026-1-5", "01-15-2026", "01/02/2026", "15/01/2026",
    "2026/01/15 10:00", "15.01.2026", "2026.01.15", "Jan 15 2026", "January 15, 2026",
    "15 Jan 2026", "15-Jan-2026", "2026-Jan-15", "Thu, 15 Jan 2026 12:00:00 GMT",
    "Thu, 15 Jan 2026 12:00:00 +0100", "Thu Jan 15 12:00:00 UTC 2026", "Thursday January 15 2026",
    "Jan 15, 2026 10:00:00 AM", "2026-01-15 12:00 AM", "2026-01-15 10:00 PM", "2026-01-15 12:00 PST",
    "2026-01-15 12:00:00 GMT+0100", "12:00 2026-01-15", "Sept 1 2026", " 2026-01-15 ",
    "2024-02-29", "2026-02-29", "2026-13-01", "2026-01-15T25:00:00", "2026-01-15T23:59:60",
    "2026-01-15T12.5", "2026-01-15 noon", "2026-01-15 12:00 est", "2026-01-15 12:00 ABCDEF",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.999999",
    "garbage", "", "  ", "now", "5", "2026", "20260115", "20260115120000", "1768478400",
    "1768478400000", "1768478400.5", "1.7684784e9", " 1768478400 ", "1_768_478_400",
    "+1768478400", "0x65", "nan", "inf", "1e20", "1142726400", "1142726401",
    1768478400, 1768478400000, 1768478400.25, 1142726400, 1142726401, 253402300799,
    253402300800, 250000000000000, 260000000000000, 6e16, 67768036191676784, 67768036191676800, 1e17, 1e19, 0, -5, True, None, [1], {"a": 1},
]


def dates():
    from c7n.utils import parse_date
    out = sys.stdout
    out.write("/* Generated by tests/value/gen_cases.py from c7n %s's parse_date; do not edit. */\n" % version)
    out.write("/* { value, is a date, seconds since the epoch, c7n raised } */\n")
    for value in DATES:
        try:
            parsed, raised = parse_date(value), 0
        except Exception:
            parsed, raised = None, 1
        seconds = parsed.timestamp() if parsed is not None else 0.0
        out.write("{ %s, %d, %r, %d },\n" % (c_string(value), parsed is not None, seconds, raised))


if sys.argv[1:] == ["dates"]:
    dates()
else:
    main()
