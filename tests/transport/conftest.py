"""Shared helpers of the transport integration tests: the probe program, moto, secrets checks."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("PEERGUARD_SOURCE", Path(__file__).resolve().parents[2]))
BUILD = Path(os.environ.get("PEERGUARD_BUILD", SOURCE / "build"))
PROBE = BUILD / "tests" / "transport" / "pg_transport_probe"

# Recognisable fake credentials: no log line, error or output may ever contain the secret or token.
FAKE_KEY = "AKIDPEERGUARDFAKE001"
FAKE_SECRET = "pgFAKEsecret/DoNotLog+0123456789abcdefXYZ"
FAKE_TOKEN = "pgFAKEtoken/DoNotLog+session==0123456789"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ProbeRun:
    """The outcome of one probe invocation: one JSON line per call, and the log on stderr."""

    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.outcomes = []
        for line in proc.stdout.splitlines():
            if line.startswith('{"rc":'):
                self.outcomes.append(json.loads(line))

    @property
    def last(self):
        assert self.outcomes, f"the probe printed no outcome; stderr:\n{self.stderr}"
        return self.outcomes[-1]

    @property
    def rc(self):
        return self.last["rc"]

    @property
    def error(self):
        return self.last.get("error", {})

    def log_lines(self, level):
        return [line for line in self.stderr.splitlines() if line.startswith(level + ":")]


def clean_env(tmp_path, extra=None):
    """An environment without the caller's AWS settings, proxies or files, plus extra."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["HOME"] = str(tmp_path)
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    env["AWS_ACCESS_KEY_ID"] = FAKE_KEY
    env["AWS_SECRET_ACCESS_KEY"] = FAKE_SECRET
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_probe(tmp_path, *args, env=None, secrets=(), timeout=60):
    """Runs the probe, then checks that no secret appears in anything it printed."""
    assert PROBE.exists(), f"{PROBE} is missing: build the project first"
    proc = subprocess.run([str(PROBE), *[str(a) for a in args]], capture_output=True, text=True,
                          timeout=timeout, env=clean_env(tmp_path, env))
    run = ProbeRun(proc)
    for secret in (FAKE_SECRET, FAKE_TOKEN, *secrets):
        if not secret:
            continue
        encoded = urllib.request.quote(secret, safe="")
        for where, text in (("stdout", run.stdout), ("stderr", run.stderr)):
            assert secret not in text, f"a secret leaked into {where}:\n{text}"
            assert encoded not in text, f"a percent-encoded secret leaked into {where}:\n{text}"
    return run


def moto_importable():
    return subprocess.run([sys.executable, "-c", "import moto.server"], capture_output=True).returncode == 0


def ensure_moto():
    """Returns None when moto's server can run, else the reason to skip."""
    if moto_importable():
        return None
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "moto[server]"],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode == 0 and moto_importable():
        return None
    return "moto cannot be imported and 'pip install moto[server]' failed: " + proc.stderr.strip()[-300:]


class MotoServer:
    """moto_server on 127.0.0.1 and a free port, stopped by stop()."""

    def __init__(self, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        server_env = dict(os.environ)
        server_env.pop("MOTO_ACCOUNT_ID", None)
        server_env.update(env or {})
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.post("/moto-api/reset", b"")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto_server did not start within 30 s")

    def post(self, path, body):
        # A form content type would make moto's Flask app swallow the body.
        req = urllib.request.Request(self.url + path, data=body, method="POST",
                                     headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def moto_server():
    reason = ensure_moto()
    if reason:
        print("SKIP moto tests: " + reason)
        pytest.skip(reason)
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def moto(moto_server):
    """The shared moto server, with its state reset before each test."""
    moto_server.post("/moto-api/reset", b"")
    return moto_server
