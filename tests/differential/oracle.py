"""Cloud Custodian itself, run offline, as the reference for filter results.

Import this module only inside the virtual environment that has c7n.  On
import it blocks sockets, sets fake credentials, sets TZ=UTC (c7n reads
naive dates in the host zone; libpeerguard reads them as UTC) and freezes
the clock c7n's value filters and its date parser read to generate.NOW.
"""
import contextlib
import copy
import datetime as real_datetime
import logging
import os
import socket
import time
import types


def _refuse_connect(*args, **kwargs):
    raise OSError("network access is disabled in the differential test")


os.environ.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="differential-test-fake",
                  AWS_DEFAULT_REGION="us-east-1", TZ="UTC")
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_SESSION_TOKEN", None)
time.tzset()
logging.disable(logging.WARNING)  # c7n logs a warning for every expr that selects nothing
socket.socket.connect = _refuse_connect
socket.socket.connect_ex = _refuse_connect
socket.create_connection = _refuse_connect

import c7n  # noqa: E402
import c7n.filters.core as c7n_core  # noqa: E402
import c7n.utils as c7n_utils  # noqa: E402
from c7n import schema as c7n_schema  # noqa: E402
from c7n.config import Config  # noqa: E402
from c7n.policy import Policy  # noqa: E402
from c7n.resources import load_resources  # noqa: E402
from c7n.utils import yaml_load  # noqa: E402

from generate import NOW  # noqa: E402

load_resources(("aws.peering-connection",))
SCHEMA = c7n_schema.generate(["aws.peering-connection"])
ACCOUNT_ID = "111111111111"
REGION = "us-east-1"


class _FrozenDatetime(real_datetime.datetime):
    """datetime whose now() is generate.NOW, for c7n's age and expiration thresholds."""

    @classmethod
    def now(cls, tz=None):
        if tz is None:
            return NOW.replace(tzinfo=None)
        return NOW.astimezone(tz)


c7n_core.datetime = types.SimpleNamespace(datetime=_FrozenDatetime, timedelta=real_datetime.timedelta,
                                          timezone=real_datetime.timezone, date=real_datetime.date)

# dateutil fills a missing year, month or day from today; take them from NOW instead.
_dateutil_parse = c7n_utils.parse


def _parse_at_now(text, *args, **kwargs):
    kwargs.setdefault("default", NOW.replace(tzinfo=None, hour=0, minute=0, second=0))
    return _dateutil_parse(text, *args, **kwargs)


c7n_utils.parse = _parse_at_now


def version():
    """Return the c7n version in use."""
    from importlib.metadata import version as dist_version
    return dist_version("c7n")


class Outcome:
    """What one engine did with one case: rejected, error, or the matched ids."""

    def __init__(self, kind, ids=(), message=""):
        self.kind = kind            # "rejected", "error" or "matched"
        self.ids = sorted(ids)      # a multiset, kept sorted
        self.message = message

    def __eq__(self, other):
        if self.kind != other.kind:
            return False
        return self.kind != "matched" or self.ids == other.ids

    def __repr__(self):
        if self.kind == "matched":
            return "matched %s" % self.ids
        return "%s (%s)" % (self.kind, self.message.strip().splitlines()[0][:160] if self.message else "")


def policies_from_yaml(text):
    """Parse a policy file the way c7n does; returns the list of policy dicts."""
    return (yaml_load(text) or {}).get("policies") or []


def run_policy(data, records, patches=()):
    """Validate data (one policy dict) as `custodian run` does and filter a copy of records.

    patches are context managers (see deviations.py) active during the run.
    """
    errors = c7n_schema.validate({"policies": [data]}, SCHEMA)
    if errors:
        return Outcome("rejected", message="schema: %s" % errors[0])
    options = Config.empty(account_id=ACCOUNT_ID, region=REGION)
    try:
        policy = Policy(copy.deepcopy(data), options)
        policy.validate()
        policy.expand_variables(policy.get_variables())
        policy.validate()
    except Exception as e:  # c7n raises PolicyValidationError, AssertionError, ValueError, KeyError
        return Outcome("rejected", message="%s: %s" % (type(e).__name__, e))

    resources = copy.deepcopy(records)
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch())
        try:
            matched = policy.resource_manager.filter_resources(resources)
        except Exception as e:  # any crash of the filter code aborts the policy in c7n
            return Outcome("error", message="%s: %s" % (type(e).__name__, e))
    return Outcome("matched", [r["VpcPeeringConnectionId"] for r in matched])
