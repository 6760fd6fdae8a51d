"""PolicySet: a loaded, immutable set of Cloud Custodian policies and its evaluations."""
from __future__ import annotations

import ctypes
import datetime as _dt
import json
import logging
import os
import threading
from dataclasses import dataclass, fields
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _native
from ._encode import describe_output as _describe_output, to_bytes
from .decision import Decision, Result, parse_time
from .errors import PeerguardError, error_from_struct

LOG = logging.getLogger("peerguard")

_LEVELS = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO, 3: logging.DEBUG}
_KINDS = {"auto": _native.INPUT_AUTO, "events": _native.INPUT_EVENTS,
          "resources": _native.INPUT_RESOURCES}

PathLike = Union[str, "os.PathLike[str]"]
Now = Union[None, int, float, str, _dt.datetime]


def _log_to_logging(level: int, message: str) -> None:
    LOG.log(_LEVELS.get(level, logging.DEBUG), "%s", message)


# One callback object for every evaluation; it must outlive every C call that may use it.
_EVAL_LOG_FN = _native.make_log_fn(_log_to_logging)


@dataclass(frozen=True)
class Limits:
    """Limits on hostile input (struct peerguard_limits); 0 keeps the library's default."""

    max_input_bytes: int = 0
    max_policy_bytes: int = 0
    max_depth: int = 0
    max_yaml_aliases: int = 0
    max_policies: int = 0
    max_filters: int = 0
    regex_match_limit: int = 0
    regex_heap_limit_kib: int = 0
    jmespath_max_steps: int = 0
    jmespath_max_length: int = 0

    def to_struct(self) -> _native.LimitsStruct:
        return _native.LimitsStruct(**{f.name: getattr(self, f.name) for f in fields(self)})


def _path_bytes(path: PathLike) -> bytes:
    return os.fsencode(os.fspath(path))


def _epoch(now: Now) -> float:
    """Convert now to seconds since the epoch; 0.0 lets the library read the clock."""
    if now is None:
        return 0.0
    if isinstance(now, bool):
        raise TypeError("now must be None, seconds since the epoch, a datetime or an RFC 3339 string")
    if isinstance(now, (int, float)):
        return float(now)
    if isinstance(now, str):
        try:
            parsed = parse_time(now)
        except ValueError:
            raise ValueError(f"now '{now}' is not an RFC 3339 time such as 2026-01-15T12:00:00Z") from None
        now = parsed
    if isinstance(now, _dt.datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=_dt.timezone.utc)
        return now.timestamp()
    raise TypeError(f"now must be None, seconds since the epoch, a datetime or an RFC 3339 string, "
                    f"not {type(now).__name__}")


def _context(account_id: Optional[str], region: Optional[str], now: Now, explain: bool,
             matched_only: bool) -> _native.ContextStruct:
    if account_id is not None and not isinstance(account_id, str):
        raise TypeError(f"account_id must be a 12-digit string such as '012345678901', not "
                        f"{type(account_id).__name__}: an integer loses leading zeros")
    if region is not None and not isinstance(region, str):
        raise TypeError(f"region must be a string such as 'us-east-1', not {type(region).__name__}")
    ctx = _native.ContextStruct()
    ctx.version = _native.CONTEXT_VERSION
    ctx.account_id = account_id.encode("utf-8") if account_id is not None else None
    ctx.region = region.encode("utf-8") if region is not None else None
    ctx.now = _epoch(now)
    ctx.flags = 0
    if explain:
        ctx.flags |= _native.FLAG_EXPLAIN
    if matched_only:
        ctx.flags |= _native.FLAG_MATCHED_ONLY
    ctx.log = _EVAL_LOG_FN
    return ctx


def _load_options(policies: Optional[Iterable[str]], base_dir: Optional[PathLike],
                  limits: Optional[Limits], log_fn: Any) -> Tuple[_native.LoadOptionsStruct, Any]:
    """Build peerguard_load_options; the second value keeps the name array alive during the call."""
    opts = _native.LoadOptionsStruct()
    opts.version = _native.LOAD_OPTIONS_VERSION
    if limits is not None:
        opts.limits = limits.to_struct()
    if base_dir is not None:
        opts.base_dir = _path_bytes(base_dir)
    keep: Any = None
    if policies is not None:
        if isinstance(policies, str):
            policies = [policies]
        names = [n.encode("utf-8") for n in policies]
        if not names:
            raise ValueError("policies is empty; pass None to load every policy")
        keep = (ctypes.c_char_p * (len(names) + 1))(*names, None)
        opts.only = ctypes.cast(keep, ctypes.POINTER(ctypes.c_char_p))
    opts.log = log_fn
    return opts, keep


class PolicySet:
    """A compiled, immutable set of Cloud Custodian policies.

    Any number of threads may evaluate against one set at the same time;
    the C calls run without the GIL.  close() waits for evaluations that
    are running and then frees the set.  Use it as a context manager, or
    call close(); a set that is garbage-collected is freed as well.
    """

    def __init__(self, handle: Any, warnings: Sequence[str] = ()) -> None:
        # Use from_file or from_string; handle is a peerguard_policy_set pointer.
        self._lib = _native.lib()
        self._handle = handle
        self._cond = threading.Condition(threading.Lock())
        self._users = 0
        self._closed = False
        self.warnings: Tuple[str, ...] = tuple(warnings)
        self.names: Tuple[str, ...] = tuple(
            self._lib.peerguard_policy_set_name(handle, i)
            for i in range(self._lib.peerguard_policy_set_count(handle)))
        self.revision: str = self._lib.peerguard_policy_set_revision(handle) or ""

    # -- loading ---------------------------------------------------------

    @classmethod
    def _load(cls, call: Any, policies: Optional[Iterable[str]], base_dir: Optional[PathLike],
              limits: Optional[Limits]) -> "PolicySet":
        warnings: List[str] = []

        def collect(level: int, message: str) -> None:
            if level <= 1:
                warnings.append(message)
            _log_to_logging(level, message)

        log_fn = _native.make_log_fn(collect)
        opts, keep = _load_options(policies, base_dir, limits, log_fn)
        handle = _native.SET_P()
        err = _native.ErrorStruct()
        call(ctypes.byref(handle), ctypes.byref(opts), err)
        del keep, log_fn
        return cls(handle, warnings)

    @classmethod
    def from_file(cls, path: PathLike, policies: Optional[Iterable[str]] = None, *,
                  base_dir: Optional[PathLike] = None, limits: Optional[Limits] = None) -> "PolicySet":
        """Load a policy file, YAML or JSON.

        policies names the policies to load (every one when None); a name
        that matches no policy is a PolicyError.  Relative value_from and
        whitelist_from file URLs resolve against base_dir, by default the
        policy file's directory.  Raises PolicyError, FileReadError or
        LimitError, each naming the file, line, column and policy.
        """
        lib = _native.lib()
        encoded = _path_bytes(path)
        return cls._load(lambda out, opts, err: lib.peerguard_policy_set_load_file(out, encoded, opts, err),
                         policies, base_dir, limits)

    @classmethod
    def from_string(cls, text: Union[str, bytes], name: Optional[str] = None, *,
                    policies: Optional[Iterable[str]] = None, base_dir: Optional[PathLike] = None,
                    limits: Optional[Limits] = None) -> "PolicySet":
        """Load a policy document held in memory; name stands for it in error messages."""
        lib = _native.lib()
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        encoded_name = name.encode("utf-8") if name is not None else None
        return cls._load(
            lambda out, opts, err: lib.peerguard_policy_set_load_string(out, data, len(data), encoded_name,
                                                                        opts, err),
            policies, base_dir, limits)

    # -- lifetime ----------------------------------------------------------

    def _enter(self) -> Any:
        with self._cond:
            if self._closed:
                raise ValueError("the PolicySet is closed")
            self._users += 1
            return self._handle

    def _leave(self) -> None:
        with self._cond:
            self._users -= 1
            if self._users == 0:
                self._cond.notify_all()

    def close(self) -> None:
        """Free the set after the evaluations that are running end.  Calling it again does nothing."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            while self._users:
                self._cond.wait()
            handle, self._handle = self._handle, None
        if handle:
            self._lib.peerguard_policy_set_free(handle)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "PolicySet":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # No evaluation can be running: each one holds a reference to self.
        handle = getattr(self, "_handle", None)
        if handle:
            self._handle = None
            self._closed = True
            self._lib.peerguard_policy_set_free(handle)

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self.names)} policies"
        return f"<PolicySet {state} revision={self.revision[:12]}>"

    # -- evaluation --------------------------------------------------------

    def evaluate(self, document: Any, kind: str = "auto", *, account_id: Optional[str] = None,
                 region: Optional[str] = None, now: Now = None, explain: bool = False,
                 matched_only: bool = False, name: Optional[str] = None) -> Result:
        """Evaluate one document of the given kind ("auto", "events" or "resources").

        document is a dict or list (encoded as JSON, datetimes as ISO-8601
        strings), JSON text, or bytes (JSON, JSON lines, or gzip).  name
        stands for the document in error messages.  Records that cannot be
        read are returned in Result.errors; InputError is raised only when
        nothing in the document could be read.
        """
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
        data = to_bytes(document, "document")
        ctx = _context(account_id, region, now, explain, matched_only)
        encoded_name = name.encode("utf-8") if name is not None else None

        def call(out: Any, handle: Any, err: _native.ErrorStruct) -> None:
            self._lib.peerguard_evaluate(out, handle, ctypes.byref(ctx), _KINDS[kind], data, len(data),
                                         encoded_name, err)

        return self._run(call)

    def evaluate_event(self, event: Any, account_id: Optional[str] = None, region: Optional[str] = None,
                       now: Now = None, explain: bool = False, *, matched_only: bool = False,
                       name: Optional[str] = None) -> Result:
        """Evaluate CloudTrail input: a record, an EventBridge event, an SNS message, a log file or JSON lines.

        Only policies in cloudtrail mode whose events list the record's
        source and name decide on it.  account_id defaults to each record's
        recipientAccountId.
        """
        return self.evaluate(event, "events", account_id=account_id, region=region, now=now,
                             explain=explain, matched_only=matched_only, name=name)

    def evaluate_resources(self, describe_output: Any, account_id: Optional[str] = None,
                           region: Optional[str] = None, now: Now = None, explain: bool = False, *,
                           matched_only: bool = False, name: Optional[str] = None) -> Result:
        """Evaluate DescribeVpcPeeringConnections output against the pull and periodic policies.

        Takes boto3's describe_vpc_peering_connections() response as it is
        returned (ResponseMetadata is ignored, datetimes are written as
        ISO-8601), a list of paginator pages, a list of records, one
        record, or the same as JSON text or bytes.  Without account_id the
        decisions have no side and no action.
        """
        return self.evaluate(_describe_output(describe_output), "resources", account_id=account_id,
                             region=region, now=now, explain=explain, matched_only=matched_only, name=name)

    def evaluate_file(self, path: PathLike, kind: str = "auto", *, account_id: Optional[str] = None,
                      region: Optional[str] = None, now: Now = None, explain: bool = False,
                      matched_only: bool = False) -> Result:
        """Read a file (plain or gzip) and evaluate it; kind is "auto", "events" or "resources"."""
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
        encoded = _path_bytes(path)
        ctx = _context(account_id, region, now, explain, matched_only)

        def call(out: Any, handle: Any, err: _native.ErrorStruct) -> None:
            self._lib.peerguard_evaluate_file(out, handle, ctypes.byref(ctx), _KINDS[kind], encoded, err)

        return self._run(call)

    def _run(self, call: Any) -> Result:
        """Run one evaluation call and convert its peerguard_result, which is freed here."""
        lib = self._lib
        out = _native.RESULT_P()
        err = _native.ErrorStruct()
        handle = self._enter()
        try:
            call(ctypes.byref(out), handle, err)
        finally:
            self._leave()
        try:
            decisions = tuple(_decision(lib, lib.peerguard_result_get(out, i))
                              for i in range(lib.peerguard_result_count(out)))
            errors: List[PeerguardError] = []
            for i in range(lib.peerguard_result_error_count(out)):
                lib.peerguard_result_error(out, i, err)
                errors.append(error_from_struct(err))
        finally:
            lib.peerguard_result_free(out)
        return Result(decisions=decisions, errors=tuple(errors))


def _decision(lib: Any, handle: Any) -> Decision:
    text = ctypes.c_void_p()
    lib.peerguard_decision_to_json(ctypes.byref(text), handle, 0)
    return Decision.from_dict(json.loads(_native.take_string(text)))


def evaluate_file(policy_path: PathLike, input_path: PathLike, *, policies: Optional[Iterable[str]] = None,
                  kind: str = "auto", account_id: Optional[str] = None, region: Optional[str] = None,
                  now: Now = None, explain: bool = False, matched_only: bool = False) -> Result:
    """Load a policy file, evaluate one input file against it, and free the set: `peerguard eval` in one call."""
    with PolicySet.from_file(policy_path, policies) as policy_set:
        return policy_set.evaluate_file(input_path, kind, account_id=account_id, region=region, now=now,
                                        explain=explain, matched_only=matched_only)
