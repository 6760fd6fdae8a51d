"""Remote value_from and whitelist_from URLs end to end: the peerguard command
fetches them from an HTTP server on 127.0.0.1 that this module starts, and
from S3 in moto's server, then decides on a describe record."""
import gzip
import http.server
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import FAKE_SECRET, FAKE_TOKEN, clean_env

PEERGUARD = Path(os.environ.get("PEERGUARD_BIN", ""))
OURS = "111111111111"
PARTNER = "222222222222"
STRANGER = "333333333333"
HEADER_TOKEN = "hdrTOKEN-DoNotLog-7c1e"
ALLOW_JSON = json.dumps({"partners": [PARTNER]}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves allowlists in each format, errors, redirects, a large body and a slow one."""

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        port = self.server.server_address[1]
        path = self.path.split("?")[0]
        if path == "/allow.json":
            self.send(200, ALLOW_JSON)
        elif path == "/allow.csv":
            self.send(200, f"account,name\n{PARTNER},partner\n".encode())
        elif path == "/allow.txt":
            self.send(200, f"{PARTNER}\n".encode())
        elif path == "/encoded/allow.json":
            # Content-Encoding: gzip, as a server replies to c7n's Accept-Encoding: gzip.
            if "gzip" not in self.headers.get("Accept-Encoding", ""):
                self.send(406)
            else:
                self.send(200, gzip.compress(ALLOW_JSON), [("Content-Encoding", "gzip")])
        elif path == "/bomb.txt.gz":
            self.send(200, gzip.compress(b"1" * 3000000), [("Content-Type", "application/gzip")])
        elif path == "/allow.txt.gz":
            self.send(200, gzip.compress(f"{PARTNER}\n".encode()), [("Content-Type", "application/gzip")])
        elif path == "/auth/allow.json":
            if self.headers.get("Authorization") == f"Bearer {HEADER_TOKEN}":
                self.send(200, ALLOW_JSON)
            else:
                self.send(401, b"missing token")
        elif path == f"/accounts/{OURS}.txt":
            self.send(200, f"{PARTNER}\n".encode())
        elif path == "/error":
            self.send(503, b"try later")
        elif path == "/redirect":
            self.send(302, headers=[("Location", "/allow.json")])
        elif path == "/redirect-other-host":
            # localhost is another host name than 127.0.0.1: the policy's headers must not follow.
            self.send(302, headers=[("Location", f"http://localhost:{port}/auth/allow.json")])
        elif path == "/redirect-file":
            self.send(302, headers=[("Location", "file:///etc/passwd")])
        elif path == "/redirect-loop":
            self.send(302, headers=[("Location", "/redirect-loop")])
        elif path == "/big.txt":
            self.send(200, (PARTNER + "\n").encode() * 10000)
        elif path == "/slow.txt":
            time.sleep(3)
            self.send(200, f"{PARTNER}\n".encode())
        else:
            self.send(404, b"not found")


@pytest.fixture(scope="module")
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def whitelist_policy(url, extra=""):
    return ("policies:\n"
            "  - name: foreign-peers\n"
            "    resource: aws.peering-connection\n"
            "    filters:\n"
            "      - type: cross-account\n"
            "        whitelist_from:\n"
            f"          url: '{url}'\n"
            f"{extra}")


def record(peer):
    return json.dumps({"VpcPeeringConnections": [{
        "VpcPeeringConnectionId": "pcx-0123456789abcdef0", "Status": {"Code": "active"},
        "RequesterVpcInfo": {"OwnerId": OURS, "Region": "us-east-1", "VpcId": "vpc-1"},
        "AccepterVpcInfo": {"OwnerId": peer, "Region": "us-east-1", "VpcId": "vpc-2"}}]})


def run_eval(tmp_path, policy, peer, *options, env=None):
    """Runs peerguard eval; returns (exit status, decisions, stderr) after checking no secret leaked."""
    assert PEERGUARD.exists(), f"PEERGUARD_BIN {PEERGUARD} is missing: build the project first"
    (tmp_path / "policy.yml").write_text(policy)
    (tmp_path / "describe.json").write_text(record(peer))
    proc = subprocess.run([str(PEERGUARD), "eval", "--policy", str(tmp_path / "policy.yml"), "--account-id", OURS,
                           "--now", "2026-01-15T12:00:00Z", *options, str(tmp_path / "describe.json")],
                          capture_output=True, text=True, timeout=60, env=clean_env(tmp_path, env))
    for secret in (FAKE_SECRET, FAKE_TOKEN, HEADER_TOKEN):
        assert secret not in proc.stdout + proc.stderr, f"a secret leaked:\n{proc.stdout}\n{proc.stderr}"
    decisions = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc.returncode, decisions, proc.stderr


def assert_partner_trusted(tmp_path, policy, *options, env=None):
    """The partner's connection does not match and a stranger's does."""
    rc, decisions, stderr = run_eval(tmp_path, policy, PARTNER, *options, env=env)
    assert rc == 0, stderr
    assert [d["matched"] for d in decisions] == [False]
    rc, decisions, stderr = run_eval(tmp_path, policy, STRANGER, *options, env=env)
    assert rc == 1, stderr
    assert decisions[0]["violations"] == [STRANGER]


@pytest.mark.parametrize("path,extra", [
    ("/allow.json", "          expr: partners\n"),
    ("/allow.csv", "          format: csv2dict\n          expr: account\n"),
    ("/allow.txt", ""),
    ("/encoded/allow.json", "          expr: partners\n"),
    ("/allow.txt.gz", ""),
    ("/redirect", "          format: json\n          expr: partners\n"),
])
def test_http_formats(tmp_path, web, path, extra):
    assert_partner_trusted(tmp_path, whitelist_policy(web + path, extra))


def test_http_headers_sent(tmp_path, web):
    extra = f"          expr: partners\n          headers: {{Authorization: 'Bearer {HEADER_TOKEN}'}}\n"
    assert_partner_trusted(tmp_path, whitelist_policy(web + "/auth/allow.json", extra))


def test_http_wrong_token_hidden(tmp_path, web):
    extra = "          expr: partners\n          headers: {Authorization: 'Bearer hdrTOKEN-DoNotLog-wrong'}\n"
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy(web + "/auth/allow.json", extra), STRANGER)
    assert rc == 2
    assert decisions == []
    assert "HTTP 401" in stderr
    assert "hdrTOKEN-DoNotLog-wrong" not in stderr


def test_http_redirect_to_other_host_drops_headers(tmp_path, web):
    extra = f"          format: json\n          expr: partners\n          headers: {{Authorization: 'Bearer {HEADER_TOKEN}'}}\n"
    rc, _, stderr = run_eval(tmp_path, whitelist_policy(web + "/redirect-other-host", extra), STRANGER)
    assert rc == 2
    assert "HTTP 401" in stderr


@pytest.mark.parametrize("path,options,message", [
    ("/error", (), "answered HTTP 503"),
    ("/missing.json", (), "answered HTTP 404"),
    ("/redirect-file", (), "not http or https"),
    ("/redirect-loop", (), "redirected more than 5 times"),
    ("/big.txt", ("--fetch-max-bytes", "1000"), "larger than 1000 bytes"),
    ("/slow.txt", ("--fetch-timeout", "0.5"), "timed out"),
])
def test_http_failures_fail_load(tmp_path, web, path, options, message):
    extra = "          format: txt\n"
    start = time.monotonic()
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy(web + path + "?sig=SIGdoNotLog", extra), STRANGER,
                                     *options)
    assert rc == 2
    assert decisions == []
    assert message in stderr
    assert "policy.yml:7" in stderr
    assert "SIGdoNotLog" not in stderr
    assert time.monotonic() - start < 10


def test_no_remote_values_refuses(tmp_path, web):
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy(web + "/allow.txt"), STRANGER, "--no-remote-values")
    assert rc == 2
    assert decisions == []
    assert "is remote" in stderr
    assert "--no-remote-values" in stderr


def test_dynamic_url_account_id(tmp_path, web):
    assert_partner_trusted(tmp_path, whitelist_policy(web + "/accounts/{account_id}.txt"))


def test_dynamic_url_with_region(tmp_path, web):
    """{region} fills from --region; the query string is not part of the file's path."""
    assert_partner_trusted(tmp_path, whitelist_policy(web + "/accounts/{account_id}.txt?r={region}"),
                           "--region", "eu-west-1")


def test_dynamic_url_without_region_fails_closed(tmp_path, web):
    """A variable with no value fails the record instead of fetching the URL as written."""
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy(web + "/accounts/{account_id}.txt?r={region}"),
                                     STRANGER)
    assert rc == 2, stderr
    assert [d["matched"] for d in decisions] == [False]
    assert "uses {region}" in stderr, stderr
    assert "--region" in stderr, stderr


def test_dynamic_url_without_account_fails_closed(tmp_path, web):
    (tmp_path / "policy.yml").write_text(whitelist_policy(web + "/accounts/{account_id}.txt"))
    (tmp_path / "describe.json").write_text(record(STRANGER))
    proc = subprocess.run([str(PEERGUARD), "eval", "--policy", str(tmp_path / "policy.yml"), "--now",
                           "2026-01-15T12:00:00Z", str(tmp_path / "describe.json")],
                          capture_output=True, text=True, timeout=60, env=clean_env(tmp_path))
    assert proc.returncode == 2, proc.stderr
    assert '"matched":true' not in proc.stdout
    assert "uses {account_id}" in proc.stderr, proc.stderr
    assert "--account-id" in proc.stderr, proc.stderr


def test_gzip_object_bounded_by_fetch_limit(tmp_path, web):
    """A small .gz object that decompresses past --fetch-max-bytes fails instead of filling memory."""
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy(web + "/bomb.txt.gz"), STRANGER,
                                     "--fetch-max-bytes", "1000000")
    assert rc == 2, stderr
    assert "decompresses to more than 1000000 bytes" in stderr, stderr
    assert "--fetch-max-bytes" in stderr, stderr


@pytest.mark.parametrize("password", ["S3CRET/PASS", "S3CRET#PASS", "S3CRET?PASS"])
def test_password_with_delimiters_never_printed(tmp_path, web, password):
    url = web.replace("http://", "http://user:%s@" % password, 1) + "/allow.txt"
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy(url), STRANGER)
    assert "S3CRET" not in stderr, stderr
    assert "PASS" not in stderr, stderr
    assert "***@" in stderr or rc in (0, 1), stderr


def test_dynamic_url_failure_fails_closed(tmp_path, web):
    policy = whitelist_policy(web + "/accounts/{account_id}/missing.txt")
    rc, decisions, stderr = run_eval(tmp_path, policy, STRANGER)
    assert rc == 2
    assert [d["matched"] for d in decisions] == [False]
    assert f"/accounts/{OURS}/missing.txt" in stderr
    assert "HTTP 404" in stderr


def test_validate_fetches(tmp_path, web):
    (tmp_path / "ok.yml").write_text(whitelist_policy(web + "/allow.txt"))
    (tmp_path / "bad.yml").write_text(whitelist_policy(web + "/error", "          format: txt\n"))
    proc = subprocess.run([str(PEERGUARD), "validate", str(tmp_path / "ok.yml"), str(tmp_path / "bad.yml")],
                          capture_output=True, text=True, timeout=60, env=clean_env(tmp_path))
    assert proc.returncode == 2
    assert "ok.yml: 1 policy valid" in proc.stdout
    assert "bad.yml" in proc.stderr
    assert "HTTP 503" in proc.stderr


# ---------------------------------------------------------------- s3 in moto


@pytest.fixture
def bucket(moto):
    boto3 = pytest.importorskip("boto3")
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                      aws_secret_access_key="test")
    s3.create_bucket(Bucket="peerguard-lists")
    s3.put_object(Bucket="peerguard-lists", Key="allow.json", Body=ALLOW_JSON)
    s3.put_object(Bucket="peerguard-lists", Key="lists/allow.txt.gz", Body=gzip.compress(f"{PARTNER}\n".encode()))
    s3.put_object(Bucket="peerguard-lists", Key=f"accounts/{OURS}/allow.txt", Body=f"{PARTNER}\n".encode())
    return moto


def s3_env(moto):
    return {"AWS_ENDPOINT_URL_S3": moto.url, "AWS_REGION": "us-east-1", "AWS_SESSION_TOKEN": FAKE_TOKEN}


@pytest.mark.parametrize("url,extra", [
    ("s3://peerguard-lists/allow.json", "          expr: partners\n"),
    ("s3://peerguard-lists/lists/allow.txt.gz", ""),
    ("s3://peerguard-lists/accounts/{account_id}/allow.txt", ""),
    ("s3://peerguard-lists/lists/allow.txt.gz?region=eu-west-1", ""),
])
def test_s3_whitelist_from(tmp_path, bucket, url, extra):
    assert_partner_trusted(tmp_path, whitelist_policy(url, extra), env=s3_env(bucket))


def test_s3_missing_key(tmp_path, bucket):
    rc, decisions, stderr = run_eval(tmp_path, whitelist_policy("s3://peerguard-lists/nope.txt"), STRANGER,
                                     env=s3_env(bucket))
    assert rc == 2
    assert decisions == []
    assert "NoSuchKey" in stderr


def test_s3_sweep_endpoint_option(tmp_path, bucket):
    """sweep loads the policy with the fetcher, addressing S3 through --endpoint-url."""
    (tmp_path / "policy.yml").write_text(whitelist_policy("s3://peerguard-lists/allow.json",
                                                          "          expr: partners\n"))
    (tmp_path / "accounts.txt").write_text("123456789012\n")
    env = clean_env(tmp_path, {"AWS_SESSION_TOKEN": FAKE_TOKEN})
    command = [str(PEERGUARD), "sweep", "--policy", str(tmp_path / "policy.yml"), "--accounts",
               str(tmp_path / "accounts.txt"), "--regions", "us-east-1", "--endpoint-url", bucket.url]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    output = proc.stdout + proc.stderr
    assert FAKE_SECRET not in output
    assert FAKE_TOKEN not in output
    assert "could not be fetched" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr

    (tmp_path / "policy.yml").write_text(whitelist_policy("s3://peerguard-lists/nope.json"))
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2
    assert "NoSuchKey" in proc.stderr
