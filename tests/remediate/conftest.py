"""Shared fixtures of the remediation tests: the peerguard binary, test credentials, local servers."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from awsfake import ScriptedEC2, WebhookSink  # noqa: E402

SOURCE = Path(os.environ.get("PEERGUARD_SOURCE", Path(__file__).resolve().parents[2]))
SHARED = Path(os.environ.get("PEERGUARD_SHARED", SOURCE.parent / "shared"))
BIN = os.environ.get("PEERGUARD_BIN", str(SOURCE / "build" / "tools" / "peerguard" / "peerguard"))
CASES = SHARED / "testdata" / "cases"

# The AWS documentation's example keys: test endpoints accept any key, and these are no secret.
TEST_ACCESS_KEY = "AKIDEXAMPLE"
TEST_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def aws_env(tmp_path):
    """An environment with test credentials and no shared AWS files, so nothing real is read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": TEST_SECRET_KEY,
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_REGION": "us-east-1",
    })
    return env


class Run:
    """The outcome of one peerguard invocation, with its JSON report lines parsed."""

    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.reports = []
        for line in proc.stdout.splitlines():
            if line.startswith("{") and line.endswith("}"):
                self.reports.append(json.loads(line))

    def __repr__(self):
        return f"Run(rc={self.returncode})\n--- stderr ---\n{self.stderr[-4000:]}"


def run_peerguard(args, env, stdin=None, timeout=120):
    proc = subprocess.run([BIN, *[str(a) for a in args]], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)
    return Run(proc)


def read_audit(path):
    """The audit log's records, in order."""
    if not Path(path).exists():
        return []
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


@pytest.fixture
def peerguard_bin():
    if not Path(BIN).exists():
        pytest.fail(f"peerguard binary not found at {BIN}; build first or set PEERGUARD_BIN")
    return BIN


@pytest.fixture
def scripted_ec2():
    server = ScriptedEC2([])
    yield server
    server.close()


@pytest.fixture
def webhook():
    sink = WebhookSink()
    yield sink
    sink.close()
