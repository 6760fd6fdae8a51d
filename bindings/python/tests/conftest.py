"""Shared paths and fixtures for the binding tests.

The tests import the package from bindings/python/src when it is not
installed, and load the library from PEERGUARD_LIBRARY (meson test sets it
to the built libpeerguard.so.0).  Case data comes from PEERGUARD_SHARED.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

SOURCE = Path(os.environ.get("PEERGUARD_SOURCE", HERE.parents[2]))
SHARED = Path(os.environ.get("PEERGUARD_SHARED", SOURCE.parent / "shared"))
BUILD = Path(os.environ.get("PEERGUARD_BUILD", SOURCE / "build"))
BIN = Path(os.environ.get("PEERGUARD_BIN", BUILD / "tools" / "peerguard" / "peerguard"))
CASES = SHARED / "testdata" / "cases"
AWS = SHARED / "testdata" / "aws"
HEADER = SOURCE / "include" / "peerguard" / "peerguard.h"
SANITIZED = os.environ.get("PEERGUARD_SANITIZED") == "1"

ACCOUNT = "111111111111"
CONTEXT = {"account_id": ACCOUNT, "region": "us-east-1", "now": "2026-01-15T12:00:00Z"}

# A cloudtrail-mode policy and a pull-mode policy, both removing foreign peers; the Go tests use it too.
POLICY = (HERE.parents[1] / "testdata" / "foreign-peers.yml").read_text()


def describe_record(pcx, requester, accepter, state="pending-acceptance", **extra):
    record = {
        "VpcPeeringConnectionId": pcx,
        "Status": {"Code": state, "Message": state},
        "RequesterVpcInfo": {"OwnerId": requester, "VpcId": "vpc-0aaaaaaaaaaaaaaa1", "Region": "us-east-1",
                             "CidrBlock": "10.1.0.0/16"},
        "AccepterVpcInfo": {"OwnerId": accepter, "VpcId": "vpc-0bbbbbbbbbbbbbbb2", "Region": "us-east-1",
                            "CidrBlock": "10.2.0.0/16"},
        "Tags": [],
    }
    record.update(extra)
    return record


def create_event(pcx, requester=ACCOUNT, accepter="999999999999", event_id="ev-0001"):
    """A CloudTrail CreateVpcPeeringConnection record wrapped in an EventBridge envelope."""
    record = {
        "eventVersion": "1.08",
        "eventID": event_id,
        "eventTime": "2026-01-15T11:58:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "CreateVpcPeeringConnection",
        "awsRegion": "us-east-1",
        "recipientAccountId": ACCOUNT,
        "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/dev/alice"},
        "requestParameters": {"vpcId": "vpc-0aaaaaaaaaaaaaaa1", "peerOwnerId": accepter},
        "responseElements": {
            "vpcPeeringConnection": {
                "vpcPeeringConnectionId": pcx,
                "status": {"code": "initiating-request", "message": "Initiating Request to " + accepter},
                "requesterVpcInfo": {"ownerId": requester, "vpcId": "vpc-0aaaaaaaaaaaaaaa1",
                                     "region": "us-east-1", "cidrBlock": "10.1.0.0/16"},
                "accepterVpcInfo": {"ownerId": accepter, "vpcId": "vpc-0ccccccccccccccc3",
                                    "region": "us-east-1"},
                "expirationTime": 1768910280000,
            }
        },
    }
    return {
        "version": "0",
        "id": "env-" + event_id,
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": ACCOUNT,
        "time": "2026-01-15T11:58:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": record,
    }


def run_cli(*args, timeout=120):
    """Run `peerguard` and return (returncode, decisions as dicts, stderr)."""
    proc = subprocess.run([str(BIN), *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout)
    decisions = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc.returncode, decisions, proc.stderr


@pytest.fixture(scope="session")
def peerguard_module():
    import peerguard

    peerguard.load_library()
    return peerguard


@pytest.fixture
def policy_set(peerguard_module):
    with peerguard_module.PolicySet.from_string(POLICY, name="test-policy.yml") as ps:
        yield ps


@pytest.fixture(scope="session")
def cli():
    if not BIN.exists():
        pytest.fail(f"peerguard binary not found at {BIN}; build it or set PEERGUARD_BIN")
    return run_cli
