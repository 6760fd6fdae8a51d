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
import re

import c7n.filters.core as c7n_core
from c7n.resources.vpc import CrossAccountPeer
from c7n.utils import jmespath_search, parse_date

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


class Deviation:
    """One documented deviation: a name, the reason, and a c7n patch or a rejection message pattern."""

    def __init__(self, name, reason, patch=None, message=None):
        self.name = name
        self.reason = reason
        self.patch = patch
        self.message = re.compile(message) if message else None


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
    Deviation("reject-unquoted-account",
              "An unquoted 12-digit account id is a YAML integer (octal with a leading zero); "
              "libpeerguard rejects it instead of comparing a number with string owner ids.",
              message=r"account id must be a quoted"),
    Deviation("reject-braces",
              "A string with unbalanced braces fails c7n's variable expansion only in some "
              "positions; libpeerguard rejects it everywhere.",
              message=r"invalid variable syntax"),
    Deviation("reject-key-syntax",
              "An invalid JMESPath key fails in c7n only when the filter first runs (LexerError, "
              "ParseError); libpeerguard rejects it when the policy loads.",
              message=r"(JMESPath|jmespath|expression)"),
    Deviation("reject-tag-key-transforms",
              "tag_key_transforms is not implemented.",
              message=r"tag_key_transforms is not supported"),
    Deviation("reject-mod-zero",
              "op mod with value 0 raises ZeroDivisionError in c7n, which aborts the whole policy; "
              "libpeerguard rejects the policy when it loads.",
              message=r"mod.*(zero|0)"),
    Deviation("reject-randomize",
              "reduce with order: randomize picks resources at random in c7n; libpeerguard needs "
              "decisions that can be repeated and rejects it.",
              message=r"randomize"),
]

BY_NAME = {d.name: d for d in DEVIATIONS}
PATCHES = [d for d in DEVIATIONS if d.patch]


def rejection_deviation(message):
    """Return the rejection deviation whose pattern finds libpeerguard's load error message, or None."""
    for d in DEVIATIONS:
        if d.message and d.message.search(message):
            return d
    return None
