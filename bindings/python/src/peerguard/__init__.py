"""Python bindings for libpeerguard: load Cloud Custodian policies and decide what to do about VPC peering.

    import peerguard

    with peerguard.PolicySet.from_file("policies.yml") as policies:
        result = policies.evaluate_resources(ec2.describe_vpc_peering_connections(),
                                             account_id="111111111111")
        for decision in result.matched:
            print(decision.resource_id, decision.action, decision.api_call, decision.region)

The package loads libpeerguard.so.0 on first use, from PEERGUARD_LIBRARY (a
full path), else from pkg-config's libdir for libpeerguard, else through the
system loader.
"""
from __future__ import annotations

from ._native import load_library
from .decision import Decision, EventInfo, PeerInfo, Result
from .errors import (EvaluationError, ExpressionError, FileReadError, InputError, InvalidArgument,
                     LibraryNotFound, LimitError, NotFoundError, PeerguardError, PolicyError)
from .policy_set import Limits, PolicySet, evaluate_file

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "EvaluationError",
    "EventInfo",
    "ExpressionError",
    "FileReadError",
    "InputError",
    "InvalidArgument",
    "LibraryNotFound",
    "LimitError",
    "NotFoundError",
    "Limits",
    "PeerInfo",
    "PeerguardError",
    "PolicyError",
    "PolicySet",
    "Result",
    "evaluate_file",
    "library_version",
    "load_library",
]


def library_version() -> str:
    """Return the version of the loaded libpeerguard, such as "0.1.0"."""
    return load_library().peerguard_version()
