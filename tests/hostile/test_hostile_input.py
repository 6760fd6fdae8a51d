"""Hostile input through every input path of the peerguard command.

Each payload (invalid UTF-8, NUL bytes raw and escaped, numbers past the
range of a double or a 64-bit integer, duplicate keys, 100,000 levels of
nested arrays, a 100 MB string) goes into each input path: the policy
file, a CloudTrail event, describe output, gzip input, the JMESPath
expression and document of `peerguard query`, and a whitelist_from file.
Every run must end within a time bound, without a signal or a sanitizer
report, in either a clear error that names the input or the correct
decision.
"""
import gzip
import json
import os
import subprocess

import pytest

BIN = os.environ.get("PEERGUARD_BIN", "peerguard")
SANITIZED = os.environ.get("PEERGUARD_SANITIZED") == "1"
TIMEOUT = 240 if SANITIZED else 60
BIG = 100 * 1024 * 1024

# JSON payloads: the bytes of one JSON value, placed as field "X" of a record.
JSON_PAYLOADS = {
    "invalid-utf8": b'"\xff\xfe\xc0\x80"',
    "nul-raw": b'"a\x00b"',
    "nul-escaped": b'"a\\u0000b"',
    "huge-real": b"1e400",
    "huge-integer": b"99999999999999999999999",
    "duplicate-keys": b'{"a": 1, "a": 2}',
    "deep-arrays": b"[" * 100000 + b"]" * 100000,
    "big-string": None,  # built on demand: 100 MB
}

# What a CloudTrail, describe or gzip input gives: a word of the error, or None for a decision.
RECORD_OUTCOME = {
    "invalid-utf8": "invalid JSON",
    "nul-raw": "invalid JSON",
    "nul-escaped": "invalid JSON",
    "huge-real": "overflow",
    "huge-integer": "too big integer",
    "duplicate-keys": "duplicate",
    "deep-arrays": "max_depth",
    "big-string": None,
}

POLICY = """policies:
  - name: events
    resource: peering-connection
    mode:
      type: cloudtrail
      events:
        - source: ec2.amazonaws.com
          event: CreateVpcPeeringConnection
          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId
    filters:
      - type: cross-account
  - name: sweep
    resource: peering-connection
    filters:
      - type: cross-account
"""


def payload(name):
    if name == "big-string":
        return b'"' + b"a" * BIG + b'"'
    return JSON_PAYLOADS[name]


def event_doc(value):
    return (b'{"eventSource": "ec2.amazonaws.com", "eventName": "CreateVpcPeeringConnection",'
            b' "recipientAccountId": "111111111111", "X": ' + value + b','
            b' "responseElements": {"vpcPeeringConnection": {"vpcPeeringConnectionId": "pcx-1",'
            b' "requesterVpcInfo": {"ownerId": "111111111111"}, "accepterVpcInfo": {"ownerId": "999999999999"}}}}')


def describe_doc(value):
    return (b'{"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},'
            b' "X": ' + value + b', "RequesterVpcInfo": {"OwnerId": "111111111111"},'
            b' "AccepterVpcInfo": {"OwnerId": "999999999999"}}]}')


def run(*args):
    """Runs peerguard; a timeout or a signal fails the test."""
    try:
        proc = subprocess.run([BIN, *[str(a) for a in args]], capture_output=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"peerguard {args[0]} did not finish within {TIMEOUT} s")
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {stderr[-2000:]}"
    assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr[-4000:]
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode}: {stderr[-2000:]}"
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), stderr


def assert_clear_error(rc, stderr, input_name, word, status=2):
    assert rc == status, f"expected an error mentioning '{word}', got exit {rc}"
    if input_name:
        assert input_name in stderr, stderr[:500]
    assert word in stderr, stderr[:500]
    # One message, not a dump of the input.
    assert len(stderr) < 4096, f"error message is {len(stderr)} bytes"


def decisions(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def assert_foreign_peer_matched(rc, stdout, policy):
    got = [d for d in decisions(stdout) if d["policy"] == policy]
    assert rc == 1, stdout[:500]
    assert [d["resource_id"] for d in got] == ["pcx-1"]
    assert got[0]["matched"] is True
    assert got[0]["violations"] == ["999999999999"]


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / "policy.yml"
    path.write_text(POLICY)
    return path


@pytest.mark.parametrize("name", JSON_PAYLOADS)
def test_event_input(name, tmp_path, policy_file):
    path = tmp_path / "event.json"
    path.write_bytes(event_doc(payload(name)))
    rc, out, err = run("eval", "--policy", policy_file, "--input-kind", "events", "--account-id",
                       "111111111111", path)
    if RECORD_OUTCOME[name]:
        assert_clear_error(rc, err, "event.json", RECORD_OUTCOME[name])
    else:
        assert_foreign_peer_matched(rc, out, "events")


@pytest.mark.parametrize("name", JSON_PAYLOADS)
def test_describe_input(name, tmp_path, policy_file):
    path = tmp_path / "describe.json"
    path.write_bytes(describe_doc(payload(name)))
    rc, out, err = run("eval", "--policy", policy_file, "--input-kind", "resources", "--account-id",
                       "111111111111", path)
    if RECORD_OUTCOME[name]:
        assert_clear_error(rc, err, "describe.json", RECORD_OUTCOME[name])
    else:
        assert_foreign_peer_matched(rc, out, "sweep")


@pytest.mark.parametrize("name", JSON_PAYLOADS)
def test_gzip_input(name, tmp_path, policy_file):
    path = tmp_path / "log.json.gz"
    path.write_bytes(gzip.compress(event_doc(payload(name)), 1))
    rc, out, err = run("eval", "--policy", policy_file, "--account-id", "111111111111", path)
    if RECORD_OUTCOME[name]:
        assert_clear_error(rc, err, "log.json.gz", RECORD_OUTCOME[name])
    else:
        assert_foreign_peer_matched(rc, out, "events")


def test_gzip_input_truncated(tmp_path, policy_file):
    path = tmp_path / "cut.json.gz"
    path.write_bytes(gzip.compress(event_doc(b"1") * 100)[:60])
    rc, _, err = run("eval", "--policy", policy_file, path)
    assert_clear_error(rc, err, "cut.json.gz", "truncated")


def test_gzip_input_corrupt(tmp_path, policy_file):
    data = bytearray(gzip.compress(event_doc(b"1")))
    data[20:40] = b"\xff" * 20
    path = tmp_path / "corrupt.json.gz"
    path.write_bytes(bytes(data))
    rc, _, err = run("eval", "--policy", policy_file, path)
    assert_clear_error(rc, err, "corrupt.json.gz", "gzip")


# YAML payloads placed as the value of a value filter: (bytes, error word or None for a decision).
POLICY_PAYLOADS = {
    "invalid-utf8": (b'"ok" \xff\xfe', "invalid YAML"),
    "nul-raw": (b"a\x00b", "NUL"),
    "nul-escaped": (b'"a\\0b"', None),
    "huge-real": (b"1.0e+400", None),
    "huge-integer": (b"99999999999999999999999", None),
    "duplicate-keys": (b"{a: 1, a: 2}", "duplicate key"),
    "deep-arrays": (b"[" * 100000 + b"]" * 100000, "max_depth"),
    "big-string": (None, "max_policy_bytes"),
}


@pytest.mark.parametrize("name", POLICY_PAYLOADS)
def test_policy_file(name, tmp_path):
    value, word = POLICY_PAYLOADS[name]
    if value is None:
        value = b'"' + b"a" * BIG + b'"'
    path = tmp_path / "hostile.yml"
    path.write_bytes(b"policies:\n  - name: p\n    resource: peering-connection\n    filters:\n"
                     b"      - type: value\n        key: Status.Code\n        value: " + value + b"\n")
    record = tmp_path / "describe.json"
    record.write_bytes(describe_doc(b"1"))
    rc, out, err = run("eval", "--policy", path, record)
    if word:
        assert_clear_error(rc, err, "hostile.yml", word)
        rc, _, err = run("validate", path)
        assert_clear_error(rc, err, "hostile.yml", word)
    else:
        # The value is not "active", so nothing matches.
        assert rc == 0, err
        assert [d["matched"] for d in decisions(out)] == [False]


# whitelist_from files: (bytes, format, error word or None when 999999999999 stays foreign).
VALUE_FILES = {
    "invalid-utf8": (b"\xff\xfe\n222222222222\n", "txt", "UTF-8"),
    "invalid-utf8-csv": (b"\xff,222222222222\n", "csv", "UTF-8"),
    "nul-raw": (b"2222\x002222\n222222222222\n", "txt", "NUL"),
    "huge-real": (b'["222222222222", 1e400]', "json", "overflow"),
    "huge-integer": (b'["222222222222", 99999999999999999999999]', "json", "too big integer"),
    "duplicate-keys": (b'{"a": ["222222222222"], "a": ["333333333333"]}', "json", None),
    "deep-arrays": (b"[" * 100000 + b"]" * 100000, "json", "depth"),
    "big-string": (None, "txt", None),
}


@pytest.mark.parametrize("name", VALUE_FILES)
def test_whitelist_from_file(name, tmp_path):
    data, fmt, word = VALUE_FILES[name]
    if data is None:
        data = b"2" * BIG + b"\n222222222222\n"
    (tmp_path / "allow.data").write_bytes(data)
    policy = tmp_path / "allow.yml"
    policy.write_text("policies:\n  - name: sweep\n    resource: peering-connection\n    filters:\n"
                      "      - type: cross-account\n"
                      f"        whitelist_from: {{url: allow.data, format: {fmt}}}\n")
    record = tmp_path / "describe.json"
    record.write_bytes(describe_doc(b"1"))
    rc, out, err = run("eval", "--policy", policy, "--account-id", "111111111111", record)
    if word:
        assert_clear_error(rc, err, "allow.data", word)
    else:
        assert_foreign_peer_matched(rc, out, "sweep")


# JMESPath documents for `peerguard query`: error word, or the expected result.  The
# 100 MB string is a limit met while searching (exit status 1), charged as string blocks.
QUERY_DOCUMENTS = {
    "invalid-utf8": "invalid JSON",
    "nul-raw": "invalid JSON",
    "nul-escaped": '"a\\u0000b"',
    "huge-real": "overflow",
    "huge-integer": "too big integer",
    "duplicate-keys": '{"a":2}',
    "deep-arrays": "depth",
    "big-string": "limit",
}


@pytest.mark.parametrize("name", QUERY_DOCUMENTS)
def test_query_document(name, tmp_path):
    path = tmp_path / "doc.json"
    path.write_bytes(describe_doc(payload(name)))
    rc, out, err = run("query", "--compact", "VpcPeeringConnections[0].X", path)
    want = QUERY_DOCUMENTS[name]
    if want.startswith(('"', "{")):
        assert rc == 0, err
        assert out.strip() == want
    elif want == "limit":
        assert_clear_error(rc, err, None, "max_steps", status=1)
    else:
        assert_clear_error(rc, err, "doc.json", want)


# JMESPath expressions: (expression, error word or the expected result).  An argument
# may be at most 128 KiB on Linux, so the nesting stops at 30,000 levels; --max-length
# lets the parser see it.  A literal that is not valid JSON is a string, as in
# jmespath.py's legacy literals (Python's json module would read 1e400 as inf).
QUERY_EXPRESSIONS = {
    "invalid-utf8": (b"VpcPeeringConnections[0].\xff", "syntax error"),
    "deep-brackets": (b"[" * 30000 + b"]" * 30000, "nested deeper"),
    "deep-parentheses": (b"(" * 30000 + b"a" + b")" * 30000, "nested deeper"),
    "too-long": (b"a." * 3000 + b"a", "limit"),
    "huge-real-literal": (b"`1e400`", '"1e400"'),
    "huge-integer-literal": (b"`99999999999999999999999`", '"99999999999999999999999"'),
    "duplicate-keys-literal": (b'`{"a": 1, "a": 2}`', '{"a":2}'),
}


@pytest.mark.parametrize("name", QUERY_EXPRESSIONS)
def test_query_expression(name, tmp_path):
    expr, want = QUERY_EXPRESSIONS[name]
    path = tmp_path / "doc.json"
    path.write_bytes(describe_doc(b"1"))
    try:
        max_length = b"4096" if name == "too-long" else b"1000000"
        proc = subprocess.run([BIN.encode(), b"query", b"--compact", b"--max-length", max_length, expr,
                               str(path).encode()],
                              capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"peerguard query did not finish within {TIMEOUT} s")
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 2), f"exit {proc.returncode}: {stderr[-2000:]}"
    assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr[-4000:]
    if want.startswith(("{", '"')):
        assert proc.returncode == 0, stderr
        assert proc.stdout.decode().strip() == want
    else:
        assert proc.returncode == 2
        assert want in stderr, stderr[:500]
        assert len(stderr) < 4096 + 2 * len(expr), "error message is a dump"
