"""Documented deviations of libpeerguard from Cloud Custodian 0.9.53.

docs/custodian-compatibility.md lists the same deviations with the same
names; keep the two in step.

A behavioural deviation is written as a patch: a context manager that
makes c7n behave the way libpeerguard does on purpose.  A mismatch counts
as documented when c7n with the patches applied gives libpeerguard's
answer.  A rejection deviation is a policy that libpeerguard refuses to
load while c7n accepts it; it is recognised by libpeerguard's message.
"""
import contextlib
import datetime
import ipaddress
import re

import c7n.filters.core as c7n_core
from c7n.resolver import ValuesFrom
from c7n.resources.vpc import CrossAccountPeer
import c7n.utils as c7n_utils
from c7n.utils import jmespath_search, parse_date
from dateutil import parser as dateutil_parser
from jmespath.exceptions import JMESPathError

DATE_TYPES = ("age", "expiration", "date")
SPECIAL_VALUES = ("absent", "present", "not-null", "empty")


@contextlib.contextmanager
def _patched(owner, name, replacement):
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


def unparseable_dates_never_match():
    """A missing or unparseable date never matches an age, expiration or date filter."""
    original = c7n_core.ValueFilter.match

    def match(self, i):
        vtype = self.data.get("value_type")
        value = self.data.get("value")
        if vtype in DATE_TYPES and value not in SPECIAL_VALUES and i is not None:
            r = self.get_resource_value(self.data.get("key"), i)
            if parse_date(r) is None:
                return False
        return original(self, i)

    return _patched(c7n_core.ValueFilter, "match", match)


def raise_is_no_match():
    """An exception inside a value filter makes it false for that record instead of aborting the run.

    JMESPath errors in a key still fail: libpeerguard reports them too.
    """
    original_match = c7n_core.ValueFilter.match
    original_process = c7n_core.ValueFilter.process

    def match(self, i):
        try:
            return original_match(self, i)
        except JMESPathError:
            raise
        except Exception:
            return False

    def process(self, resources, event=None):
        if self.data.get("value_type") != "resource_count":
            return original_process(self, resources, event)
        try:
            return original_process(self, resources, event)
        except Exception:
            return []

    stack = contextlib.ExitStack()
    stack.enter_context(_patched(c7n_core.ValueFilter, "match", match))
    stack.enter_context(_patched(c7n_core.ValueFilter, "process", process))
    return stack


def tags_not_a_list_are_no_tags():
    """A Tags value that is not a list reads as no tags for tag: keys."""
    original = c7n_core.BaseValueFilter.get_resource_value

    def get_resource_value(self, k, i, regex=None):
        if k.startswith("tag:") and "Tags" in i and not isinstance(i["Tags"], list):
            i = {key: value for key, value in i.items() if key != "Tags"}
        return original(self, k, i, regex)

    return _patched(c7n_core.BaseValueFilter, "get_resource_value", get_resource_value)


class _FourDigitYears(dateutil_parser.parserinfo):
    """dateutil parser settings that refuse two-digit years instead of guessing the century."""

    def convertyear(self, year, century_specified=False):
        if year < 100 and not century_specified:
            raise ValueError("two-digit year %d" % year)
        return super().convertyear(year, century_specified)


def partial_dates_are_not_dates():
    """A string that names no full date (no year, month or day, or a two-digit year) is not a date."""
    original = c7n_utils.parse

    def parse(text, *args, **kwargs):
        kwargs.pop("default", None)
        kwargs["parserinfo"] = _FourDigitYears()
        first = original(text, *args, default=datetime.datetime(2001, 1, 1), **kwargs)
        second = original(text, *args, default=datetime.datetime(2002, 2, 2), **kwargs)
        if first.date() != second.date():
            raise ValueError("not a full date: %r" % (text,))
        return first

    return _patched(c7n_utils, "parse", parse)


class _IPv6Network(ipaddress.IPv6Network):
    """IPv6 network with c7n's override that makes `network in network` mean subnet-of."""

    def __contains__(self, other):
        if other is None:
            return False
        if isinstance(other, ipaddress._BaseNetwork):
            return self.supernet_of(other)
        return super().__contains__(other)


class _IPList(c7n_utils.IPv4List):
    """c7n's IPv4List, counting IPv6 networks and addresses too."""

    def __contains__(self, other):
        if other is None:
            return False
        in_networks = any([other in item for item in self.ipv4_list
                           if isinstance(item, (c7n_utils.IPv4Network, _IPv6Network))])
        in_addresses = any([other == item for item in self.ipv4_list
                            if isinstance(item, (ipaddress.IPv4Address, ipaddress.IPv6Address))])
        return in_networks or in_addresses


def ipv6_networks_parse():
    """parse_cidr reads IPv6 networks as networks (c7n reads every string with '/' as IPv4Network)."""
    def parse_cidr(value):
        if isinstance(value, (list, set)):
            return _IPList([parse_cidr(item) for item in value])
        if "/" not in value:
            try:
                return ipaddress.ip_address(str(value))
            except ValueError:
                return None
        for klass in (c7n_utils.IPv4Network, _IPv6Network):
            try:
                return klass(str(value))
            except ValueError:
                pass
        return None

    return _patched(c7n_core, "parse_cidr", parse_cidr)


def blank_lines_are_not_data():
    """csv, csv2dict and txt sources skip blank lines."""
    original = ValuesFrom.get_contents

    def get_contents(self):
        contents, fmt = original(self)
        if fmt in ("csv", "csv2dict", "txt"):
            contents = "".join(line for line in contents.splitlines(True) if line.strip())
        return contents, fmt

    return _patched(ValuesFrom, "get_contents", get_contents)


def single_source_value_is_one_value():
    """A value_from expr that selects one string gives a one-value set, not a string to search."""
    original = ValuesFrom.get_values

    def get_values(self):
        values = original(self)
        return {values} if isinstance(values, str) else values

    return _patched(ValuesFrom, "get_values", get_values)


def cross_account_every_record():
    """cross-account checks every record and both owners, and returns a record once."""
    def process(self, resources, event=None):
        accounts = self.get_accounts()
        results = []
        for r in resources:
            foreign = []
            for path in ("AccepterVpcInfo.OwnerId", "RequesterVpcInfo.OwnerId"):
                account = jmespath_search(path, r)
                if account and account not in accounts and account not in foreign:
                    foreign.append(account)
            if foreign:
                r["c7n:CrossAccountViolations"] = foreign
                results.append(r)
        return results

    return _patched(CrossAccountPeer, "process", process)


def turkic_i_without_case():
    """Case-insensitive regex ops treat U+0130 and U+0131 (dotted I, dotless i) as caseless letters."""
    original = c7n_core.regex_match

    def regex_match(value, regex):
        if isinstance(value, str) and isinstance(regex, str) and not any(c in regex for c in "\u0130\u0131"):
            value = value.replace("\u0130", "\u2603").replace("\u0131", "\u2603")
        return original(value, regex)

    stack = contextlib.ExitStack()
    stack.enter_context(_patched(c7n_core, "regex_match", regex_match))
    operators = dict(c7n_core.OPERATORS, regex=regex_match)
    stack.enter_context(_patched(c7n_core, "OPERATORS", operators))
    return stack


class Deviation:
    """One documented difference: a name, the reason, and a c7n patch or a rejection message pattern.

    defect marks a libpeerguard bug that is known and not yet fixed, as
    opposed to a deliberate deviation; the harness reports those apart.
    """

    def __init__(self, name, reason, patch=None, message=None, defect=False):
        self.name = name
        self.reason = reason
        self.patch = patch
        self.message = re.compile(message) if message else None
        self.defect = defect


DEVIATIONS = [
    Deviation("unparseable-date",
              "A missing or unparseable date never matches value_type age, expiration or date. c7n "
              "compares it as 0 or None, so ordered operators are false but ne (and not-in) match "
              "every such record, which would remove connections on a typo.",
              patch=unparseable_dates_never_match),
    Deviation("cross-account-batch",
              "c7n 0.9.x checks the owners of the first record only (its owner expressions are a "
              "consumed map iterator) and returns a record twice when both owners are foreign. "
              "libpeerguard checks every record, both owners, once each.",
              patch=cross_account_every_record),
    Deviation("partial-date",
              "dateutil, which c7n uses, fills a missing year, month or day from today's date, so "
              "' 7', '1.5' or '2:00' are dates whose value changes with the clock, and it guesses "
              "the century of a two-digit year. libpeerguard does not read them as dates: they never match, and value_type date rejects them "
              "as the policy value.",
              patch=partial_dates_are_not_dates, message=r"value_type date needs a date value"),
    Deviation("ipv6-cidr",
              "c7n's parse_cidr reads every string with '/' as an IPv4 network, so an IPv6 CIDR is "
              "None there: it is in no network and its cidr_size is 0. libpeerguard reads IPv6 "
              "networks, with the same subnet-of rule for `network in network`.",
              patch=ipv6_networks_parse),
    Deviation("blank-source-lines",
              "A blank line in a csv, csv2dict or txt source is not data. c7n's txt reader adds an "
              "empty string for it, and its csv2dict reader, which zips the rows into columns, "
              "then loses every value.",
              patch=blank_lines_are_not_data),
    Deviation("value-from-single-string",
              "When a value_from expr selects one string, c7n compares against that string, so op "
              "in becomes a substring test ('1111' is in '111111111111'). libpeerguard takes it as "
              "a set of one value.",
              patch=single_source_value_is_one_value),
    Deviation("reject-empty-source",
              "A value_from or whitelist_from source that yields no values (an empty file, a "
              "csv2dict file with only a header row, an expr that selects nothing) is an error. "
              "c7n's empty set trusts no account or flags every peer, and its None makes every "
              "in and not-in false.",
              message=r"yields no values|selects nothing"),
    Deviation("reject-list-item-key",
              "c7n's schema lets a list-item filter omit key and then raises KeyError when it "
              "runs; libpeerguard rejects it when the policy loads.",
              message=r"a list-item filter needs a key"),
    Deviation("reject-list-item-attrs",
              "c7n validates list-item attrs only when they first run on a non-empty list; "
              "libpeerguard validates them when the policy loads.",
              message=r"\.attrs\[\d+\]"),
    Deviation("raise-is-no-match",
              "Where c7n raises inside a value filter with anything but a TypeError (parse_cidr or "
              "LooseVersion of a value of the wrong type, x % 0, a date out of range) its whole policy "
              "run aborts. libpeerguard treats the filter as false for that record, as c7n treats a "
              "TypeError, and goes on with the other records.",
              patch=raise_is_no_match),
    Deviation("tags-not-a-list",
              "A Tags value that is not a list (null) makes every tag: key raise in c7n; libpeerguard "
              "reads it as a record without tags.",
              patch=tags_not_a_list_are_no_tags),
    Deviation("reject-age-days",
              "value_type age and expiration take a number of days; c7n raises TypeError outside its "
              "comparison when the value is a string, libpeerguard rejects the policy.",
              message=r"needs a number of days"),
    Deviation("reject-unquoted-account",
              "An unquoted 12-digit account id is a YAML integer (octal with a leading zero); "
              "libpeerguard rejects it instead of comparing a number with string owner ids.",
              message=r"account id must be a quoted"),
    Deviation("reject-key-syntax",
              "An invalid JMESPath key fails in c7n only when the filter first runs (LexerError, "
              "ParseError); libpeerguard rejects it when the policy loads.",
              message=r"invalid JMESPath expression"),
    Deviation("reject-tag-key-transforms",
              "tag_key_transforms is not implemented.",
              message=r"tag_key_transforms is not supported"),
    Deviation("reject-other-filters",
              "missing-route, marked-for-op, tag-count, config-compliance, finding, ops-item and "
              "json-diff read route tables, AWS Config, Security Hub or SSM, which the decision core "
              "has no access to; a policy that uses one is rejected. c7n 0.9.x's missing-route also "
              "raises KeyError on every record that has a Region.",
              message=r"filter type '[a-z-]+' exists in Cloud Custodian but libpeerguard does not evaluate it"),
    Deviation("reject-reduce-settings",
              "reduce limit and discard must be whole numbers (c7n raises TypeError slicing with a "
              "float), and a sort value_type must be string, number or date (c7n reads any other "
              "as string).",
              message=r"(limit|discard) must be a whole number|value_type: unknown value_type"),
    Deviation("defect-turkic-i",
              "libpeerguard defect, to fix in lib/core/value/regex.c: Python's re.IGNORECASE matches "
              "U+0130 (dotted capital I) and U+0131 (dotless small i) against [a-z] and [A-Z] by "
              "their simple case mappings; PCRE2's caseless matching does not, so op regex misses them.",
              patch=turkic_i_without_case, defect=True),
    Deviation("reject-randomize",
              "reduce with order: randomize picks resources at random in c7n; libpeerguard needs "
              "decisions that can be repeated and rejects it.",
              message=r"order randomize is not supported"),
]

BY_NAME = {d.name: d for d in DEVIATIONS}
PATCHES = [d for d in DEVIATIONS if d.patch]


def rejection_deviation(message):
    """Return the rejection deviation whose pattern finds libpeerguard's load error message, or None.

    Only the text after "policy 'NAME', PATH: " is searched, so a policy name cannot match.
    """
    m = re.search(r"policy '[^']*', (\S*): (.*)", message)
    text = "%s: %s" % (m.group(1), m.group(2)) if m else message
    for d in DEVIATIONS:
        if d.message and d.message.search(text):
            return d
    return None
