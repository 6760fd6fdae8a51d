"""Shared helpers for the command tests: locate the binary and the shared test data, run peerguard."""
import json
import os
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("PEERGUARD_SOURCE", Path(__file__).resolve().parents[2]))
SHARED = Path(os.environ.get("PEERGUARD_SHARED", SOURCE.parent / "shared"))
BIN = os.environ.get("PEERGUARD_BIN", str(SOURCE / "build" / "tools" / "peerguard" / "peerguard"))
CASES = SHARED / "testdata" / "cases"
AWS = SHARED / "testdata" / "aws"


class Run:
    """The outcome of one peerguard invocation."""

    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.decisions = []
        for line in proc.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                self.decisions.append(json.loads(line))

    def matched_ids(self, policy=None):
        return sorted(d["resource_id"] for d in self.decisions
                      if d["matched"] and (policy is None or d["policy"] == policy))


def run_peerguard(*args, stdin=None, timeout=60):
    proc = subprocess.run([BIN, *[str(a) for a in args]], input=stdin, capture_output=True,
                          text=True, timeout=timeout)
    return Run(proc)


def context_args(context):
    args = []
    if context.get("account_id"):
        args += ["--account-id", context["account_id"]]
    if context.get("region"):
        args += ["--region", context["region"]]
    if context.get("now"):
        args += ["--now", context["now"]]
    return args


@pytest.fixture
def peerguard():
    if not Path(BIN).exists():
        pytest.fail(f"peerguard binary not found at {BIN}; build first or set PEERGUARD_BIN")
    return run_peerguard
