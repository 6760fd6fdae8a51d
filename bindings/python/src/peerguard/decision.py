"""Decisions and results, built from the library's decision JSON.

A Decision has one attribute per key of the decision JSON that
peerguard_decision_to_json writes.  Decision.to_dict() rebuilds that JSON
object with the same keys in the same order, so a decision can be stored or
compared with the output of `peerguard eval`.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from .errors import PeerguardError

# Keys of the decision JSON in the order the library writes them.  The last
# three (actions, event, explain) appear only in some decisions.
_KEYS = ("policy", "resource_id", "matched", "side", "state", "state_source", "state_time", "action",
         "api_call", "region", "reason", "account_id", "requester", "accepter", "violations",
         "policy_revision", "actions", "event", "explain")


@dataclass(frozen=True)
class PeerInfo:
    """One side of a peering connection: its VPC's owner account, VPC id and region."""

    owner_id: Optional[str] = None
    vpc_id: Optional[str] = None
    region: Optional[str] = None

    @classmethod
    def from_dict(cls, data: Optional[Mapping[str, Any]]) -> "PeerInfo":
        data = data or {}
        return cls(owner_id=data.get("owner_id"), vpc_id=data.get("vpc_id"), region=data.get("region"))

    def to_dict(self) -> Dict[str, Any]:
        return {"owner_id": self.owner_id, "vpc_id": self.vpc_id, "region": self.region}


@dataclass(frozen=True)
class EventInfo:
    """The CloudTrail record a decision came from."""

    id: Optional[str] = None
    name: Optional[str] = None
    time: Optional[str] = None
    source: Optional[str] = None
    region: Optional[str] = None
    account: Optional[str] = None
    caller: Optional[str] = None
    envelope_id: Optional[str] = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "EventInfo":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    def to_dict(self) -> Dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Decision:
    """One policy's decision about one peering connection.

    action is "none", "reject", "delete" or "wait".  api_call is the EC2
    call for it: "RejectVpcPeeringConnection", "DeleteVpcPeeringConnection",
    "DescribeVpcPeeringConnections" while waiting, or "".  region is the
    region to send that call to.  side is our side of the connection:
    "unknown", "neither", "requester", "accepter" or "both".
    """

    policy: str
    resource_id: str
    matched: bool
    side: str
    state: str
    state_source: str
    state_time: str
    action: str
    api_call: str
    region: str
    reason: str
    account_id: Optional[str]
    requester: PeerInfo
    accepter: PeerInfo
    violations: Tuple[str, ...]
    policy_revision: str
    # The policy's actions, passed through when the policy matched, else None.
    actions: Optional[Tuple[Mapping[str, Any], ...]] = field(default=None, hash=False)
    # Set when the state came from a CloudTrail record.
    event: Optional[EventInfo] = None
    # The filter clauses that decided, when evaluated with explain=True.
    explain: Optional[Tuple[Mapping[str, Any], ...]] = field(default=None, hash=False)
    # Keys that this package does not know yet, kept so that to_dict() loses nothing.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Decision":
        """Build a decision from the decision JSON object."""
        actions = data.get("actions")
        explain = data.get("explain")
        event = data.get("event")
        return cls(
            policy=data["policy"],
            resource_id=data["resource_id"],
            matched=bool(data["matched"]),
            side=data["side"],
            state=data["state"],
            state_source=data["state_source"],
            state_time=data["state_time"],
            action=data["action"],
            api_call=data["api_call"],
            region=data["region"],
            reason=data["reason"],
            account_id=data.get("account_id"),
            requester=PeerInfo.from_dict(data.get("requester")),
            accepter=PeerInfo.from_dict(data.get("accepter")),
            violations=tuple(data.get("violations") or ()),
            policy_revision=data["policy_revision"],
            actions=tuple(actions) if actions is not None else None,
            event=EventInfo.from_dict(event) if event is not None else None,
            explain=tuple(explain) if explain is not None else None,
            extra={k: v for k, v in data.items() if k not in _KEYS},
        )

    def to_dict(self) -> Dict[str, Any]:
        """Return the decision JSON object, keys in the library's order."""
        out: Dict[str, Any] = {
            "policy": self.policy,
            "resource_id": self.resource_id,
            "matched": self.matched,
            "side": self.side,
            "state": self.state,
            "state_source": self.state_source,
            "state_time": self.state_time,
            "action": self.action,
            "api_call": self.api_call,
            "region": self.region,
            "reason": self.reason,
            "account_id": self.account_id,
            "requester": self.requester.to_dict(),
            "accepter": self.accepter.to_dict(),
            "violations": list(self.violations),
            "policy_revision": self.policy_revision,
        }
        if self.actions is not None:
            out["actions"] = list(self.actions)
        if self.event is not None:
            out["event"] = self.event.to_dict()
        if self.explain is not None:
            out["explain"] = list(self.explain)
        out.update(self.extra)
        return out

    @property
    def state_datetime(self) -> Optional[_dt.datetime]:
        """state_time as an aware datetime, or None when it is empty."""
        return parse_time(self.state_time)

    @property
    def needs_action(self) -> bool:
        """True when the policy matched and an EC2 call has to be made now or after a wait."""
        return self.matched and self.action != "none"


def parse_time(text: str) -> Optional[_dt.datetime]:
    """Parse an RFC 3339 timestamp such as 2026-01-15T12:00:00Z into an aware datetime."""
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    value = _dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value


@dataclass(frozen=True)
class Result:
    """The decisions of one evaluation and the errors of the records that could not be read.

    The library evaluates every readable record even when others fail, so
    errors is not empty while decisions may still hold results.
    """

    decisions: Tuple[Decision, ...]
    errors: Tuple[PeerguardError, ...] = ()

    def __iter__(self) -> Iterator[Decision]:
        return iter(self.decisions)

    def __len__(self) -> int:
        return len(self.decisions)

    @property
    def matched(self) -> List[Decision]:
        """The decisions whose policy matched."""
        return [d for d in self.decisions if d.matched]

    def raise_for_errors(self) -> "Result":
        """Raise the first error when there is one; return self otherwise."""
        if self.errors:
            raise self.errors[0]
        return self
