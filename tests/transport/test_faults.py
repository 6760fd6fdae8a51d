"""Faults the transport must survive: retries, timeouts, cut and malformed responses, TLS, skew, endpoints."""
import re
import time

import pytest

from conftest import FAKE_KEY, FAKE_SECRET, FAKE_TOKEN, run_probe
from faultserver import FaultServer, RecordingProxy, make_self_signed

# Fixed inputs of the clock-skew case: local clock 2026-01-15T23:50:00Z, server clock 20 minutes ahead.
SKEW_LOCAL_CLOCK = "1768521000"
SKEW_KEY = "AKIDEXAMPLE"
SKEW_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SKEW_TOKEN = "FAKEsessionTOKEN/for+tests=="


@pytest.fixture(scope="module")
def faults():
    server = FaultServer()
    yield server
    server.stop()


def call(tmp_path, server, scenario, *args, env=None, secrets=(), extra=()):
    return run_probe(tmp_path, "--endpoint-url", server.url(scenario), "--region", "us-east-1",
                     "--backoff-base-ms", "20", *extra, *args, env=env, secrets=secrets)


def assert_names_call_and_endpoint(run, server, scenario, action="DescribeVpcPeeringConnections"):
    message = run.error["message"]
    assert action in message, message
    assert server.url(scenario) in message, message
    assert run.error["endpoint"] == server.url(scenario)
    assert run.error["action"] == action


def test_500_then_success_is_retried(tmp_path, faults):
    run = call(tmp_path, faults, "fail500", "describe")
    assert run.rc == 0, run.last
    assert run.last["attempts"] == 2
    warnings = run.log_lines("WARN")
    assert len(warnings) == 1, run.stderr
    assert "DescribeVpcPeeringConnections" in warnings[0]
    assert faults.url("fail500") in warnings[0]
    assert "retrying in" in warnings[0]


def test_503_until_max_attempts(tmp_path, faults):
    run = call(tmp_path, faults, "always503", "describe", extra=("--max-attempts", "4"))
    assert run.rc == -23, run.last
    assert run.error["attempts"] == 4
    assert run.error["http_status"] == 503
    assert run.error["aws_code"] == "Unavailable"
    assert run.error["request_id"] == "req-503-4"
    assert len(faults.requests("always503")) == 4
    assert len(run.log_lines("WARN")) == 3
    assert_names_call_and_endpoint(run, faults, "always503")
    assert "retry later" in run.error["message"]


def test_throttling_backs_off_then_fails(tmp_path, faults):
    run = call(tmp_path, faults, "throttle", "describe", extra=("--max-attempts", "3", "--backoff-base-ms", "200"))
    assert run.rc == -28, run.last
    assert run.error["aws_code"] == "RequestLimitExceeded"
    assert run.error["attempts"] == 3
    for line in run.log_lines("WARN"):
        assert "RequestLimitExceeded" in line
        assert "request id req-throttle-" in line
    assert "lower the call rate" in run.error["message"]


def test_throttling_once_then_success(tmp_path, faults):
    run = call(tmp_path, faults, "throttle_once", "describe")
    assert run.rc == 0, run.last
    assert run.last["attempts"] == 2


def test_backoff_has_full_jitter(tmp_path, faults):
    """Delays are drawn from [0, base * 2^(n-1)]: never above the ceiling, and not all equal."""
    delays = []
    for _ in range(3):
        run = call(tmp_path, faults, "throttle", "describe", extra=("--max-attempts", "4", "--backoff-base-ms", "40"))
        for line in run.log_lines("WARN"):
            attempt = int(re.search(r"attempt (\d+) of", line).group(1))
            delay = float(re.search(r"retrying in (\d+) ms", line).group(1))
            assert delay <= 40 * 2 ** (attempt - 1) + 1, line
            delays.append(delay)
    assert len(delays) == 9
    assert len(set(delays)) > 1


def test_slow_response_hits_attempt_timeout(tmp_path, faults):
    start = time.monotonic()
    run = call(tmp_path, faults, "slow", "describe", extra=("--attempt-timeout-ms", "500", "--max-attempts", "2"))
    elapsed = time.monotonic() - start
    assert run.rc == -21, run.last
    assert run.error["attempts"] == 2
    assert elapsed < 2.9
    assert_names_call_and_endpoint(run, faults, "slow")
    assert "timed out" in run.error["message"]


def test_hung_server_stops_at_deadline(tmp_path, faults):
    start = time.monotonic()
    run = call(tmp_path, faults, "hang", "describe", extra=("--deadline-ms", "1500", "--max-attempts", "10"))
    elapsed = time.monotonic() - start
    assert run.rc == -21, run.last
    assert elapsed < 5
    assert "deadline" in run.error["message"] or "timed out" in run.error["message"]


def test_cut_connection_is_retried_then_reported(tmp_path, faults):
    run = call(tmp_path, faults, "cut", "describe", extra=("--max-attempts", "2"))
    assert run.rc == -20, run.last
    assert run.error["attempts"] == 2
    assert_names_call_and_endpoint(run, faults, "cut")


@pytest.mark.parametrize("scenario,words", [
    ("truncated_xml", "unreadable response"),
    ("malformed", "unreadable response"),
    ("s3root", "<ListAllMyBucketsResult>"),
])
def test_bad_success_response_is_an_error(tmp_path, faults, scenario, words):
    run = call(tmp_path, faults, scenario, "describe")
    assert run.rc == -24, run.last
    assert run.error["attempts"] == 1
    assert run.error["http_status"] == 200
    assert words in run.error["message"]
    assert "endpoint URL" in run.error["message"]
    assert_names_call_and_endpoint(run, faults, scenario)
    assert "result" not in run.last


def test_connection_refused(tmp_path, faults):
    from conftest import free_port
    url = f"http://127.0.0.1:{free_port()}/"
    run = run_probe(tmp_path, "--endpoint-url", url, "--region", "us-east-1", "--max-attempts", "2",
                    "--backoff-base-ms", "10", "describe")
    assert run.rc == -20, run.last
    assert run.error["attempts"] == 2
    assert url in run.error["message"]
    assert "network" in run.error["message"]


def test_error_shapes_map_to_codes(tmp_path, faults):
    run = call(tmp_path, faults, "unauthorized", "delete", "pcx-1")
    assert run.rc == -27, run.last
    assert run.error["aws_code"] == "UnauthorizedOperation", run.last
    assert "IAM policy" in run.error["message"]
    run = call(tmp_path, faults, "denied", "whoami")
    assert run.rc == -27, run.last
    assert run.error["aws_code"] == "AccessDenied", run.last
    assert run.error["request_id"] == "req-denied"
    run = call(tmp_path, faults, "state", "delete", "pcx-1")
    assert run.rc == -23, run.last
    assert run.error["aws_code"] == "InvalidStateTransition", run.last
    assert run.error["attempts"] == 1
    run = call(tmp_path, faults, "authfail", "describe")
    assert run.rc == -26, run.last
    assert run.error["attempts"] == 1, run.last
    run = call(tmp_path, faults, "returnfalse", "reject", "pcx-1")
    assert run.rc == -24, run.last


def test_http_429_is_throttling(tmp_path, faults):
    run = call(tmp_path, faults, "too_many", "describe", extra=("--max-attempts", "2"))
    assert run.rc == -28, run.last
    assert run.error["attempts"] == 2
    assert run.error["http_status"] == 429


def test_expired_token_renews_credentials(tmp_path, faults):
    counter = tmp_path / "runs"
    script = tmp_path / "creds.sh"
    script.write_text(f'#!/bin/sh\nprintf x >> "{counter}"\n'
                      f'echo \'{{"Version": 1, "AccessKeyId": "{FAKE_KEY}", "SecretAccessKey": "{FAKE_SECRET}", '
                      f'"SessionToken": "{FAKE_TOKEN}", "Expiration": "2099-01-01T00:00:00Z"}}\'\n')
    script.chmod(0o755)
    config = tmp_path / "config"
    config.write_text(f"[profile temporary]\ncredential_process = {script}\n")
    env = {"AWS_CONFIG_FILE": str(config), "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}

    run = call(tmp_path, faults, "expired_token", "--profile", "temporary", "describe", env=env)
    assert run.rc == 0, run.last
    assert run.last["attempts"] == 2
    assert counter.read_text() == "xx"
    assert any("fetching new credentials" in line for line in run.log_lines("WARN")), run.stderr

    # Fixed credentials cannot be renewed: the error is reported at once.
    run = call(tmp_path, faults, "expired_token_always", "describe")
    assert run.rc == -26, run.last
    assert run.error["attempts"] == 1


def test_dry_run_operation_means_success(tmp_path, faults):
    run = call(tmp_path, faults, "dryrun", "--dry-run", "delete", "pcx-1")
    assert run.rc == 0, run.last
    assert faults.requests("dryrun")[-1]["params"]["DryRun"] == "true"
    run = call(tmp_path, faults, "dryrun", "--dry-run", "accept", "pcx-1")
    assert run.rc == 0, run.last
    assert run.last["result"] == {"DryRun": True}, run.last
    # Without DryRun the same response is an error.
    run = call(tmp_path, faults, "dryrun", "delete", "pcx-1")
    assert run.rc == -23
    assert run.error["aws_code"] == "DryRunOperation"


def test_pagination_follows_next_token(tmp_path, faults):
    run = call(tmp_path, faults, "paginate", "describe")
    assert run.rc == 0, run.last
    assert len(run.last["result"]["VpcPeeringConnections"]) == 2
    assert "NextToken" not in run.last["result"]
    requests = faults.requests("paginate")
    assert requests[-1]["params"]["NextToken"] == "t2"
    run = call(tmp_path, faults, "pageloop", "describe")
    assert run.rc == -24, run.last
    assert "NextToken" in run.error["message"], run.last


def skew_args(token):
    return ("--clock", SKEW_LOCAL_CLOCK, "--access-key", SKEW_KEY, "--secret-key", SKEW_SECRET,
            "--session-token", token)


def test_clock_skew_corrected_once_and_remembered(tmp_path, faults):
    run = call(tmp_path, faults, "skew", "--repeat", "2", "delete", "pcx-0aaaaaaaaaaaaaaa2",
               extra=skew_args(SKEW_TOKEN), secrets=(SKEW_SECRET, SKEW_TOKEN))
    assert [o["rc"] for o in run.outcomes] == [0, 0], run.stderr
    assert run.outcomes[0]["attempts"] == 2
    assert run.outcomes[1]["attempts"] == 1
    assert run.last["clock_offset"] == 1200

    requests = faults.requests("skew")
    assert len(requests) == 3
    dates = [r["headers"]["X-Amz-Date"] for r in requests]
    assert dates == ["20260115T235000Z", "20260116T001000Z", "20260116T001000Z"]
    for r, scope_date in zip(requests, ["20260115", "20260116", "20260116"]):
        auth = r["headers"]["Authorization"]
        assert f"Credential={SKEW_KEY}/{scope_date}/us-east-1/ec2/aws4_request" in auth
        assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token," in auth
        assert r["headers"]["X-Amz-Security-Token"] == SKEW_TOKEN
        signature = auth.rsplit("Signature=", 1)[1]
        assert signature not in run.stdout
        assert signature not in run.stderr
    assert any("clock" in line for line in run.log_lines("WARN")), run.stderr


def test_empty_session_token_is_not_sent(tmp_path, faults):
    run = call(tmp_path, faults, "ok", "describe", extra=skew_args(""), secrets=(SKEW_SECRET,))
    assert run.rc == 0, run.last
    headers = faults.requests("ok")[-1]["headers"]
    assert "X-Amz-Security-Token" not in headers
    assert "SignedHeaders=content-type;host;x-amz-date," in headers["Authorization"]


def test_client_shared_by_threads(tmp_path, faults):
    run = call(tmp_path, faults, "ok", "--threads", "8", "--repeat", "5", "describe")
    assert len(run.outcomes) == 40, run.stderr
    assert [o["rc"] for o in run.outcomes] == [0] * 40


def test_skew_learnt_while_threads_share_client(tmp_path, faults):
    """A server that checks the signing time: every call succeeds, each corrects the clock at most once."""
    run = call(tmp_path, faults, "skew_check", "--threads", "4", "--repeat", "3", "describe",
               extra=skew_args(SKEW_TOKEN), secrets=(SKEW_SECRET, SKEW_TOKEN))
    assert len(run.outcomes) == 12, run.stderr
    assert [o["rc"] for o in run.outcomes] == [0] * 12
    assert all(o["attempts"] <= 2 for o in run.outcomes)
    assert run.last["clock_offset"] == 1200


def test_auth_failure_with_skewed_date_retries_once(tmp_path, faults):
    run = call(tmp_path, faults, "authfail_skewed", "describe", extra=skew_args(SKEW_TOKEN),
               secrets=(SKEW_SECRET, SKEW_TOKEN))
    assert run.rc == 0, run.last
    assert run.last["attempts"] == 2
    assert [r["headers"]["X-Amz-Date"] for r in faults.requests("authfail_skewed")] == \
        ["20260115T235000Z", "20260116T001000Z"]


def test_extra_headers_are_signed(tmp_path, faults):
    run = call(tmp_path, faults, "ok", "describe", extra=("--header", "x-moto-account-id: 222222222222"))
    assert run.rc == 0, run.last
    headers = faults.requests("ok")[-1]["headers"]
    assert headers["x-moto-account-id"] == "222222222222"
    assert "x-moto-account-id" in headers["Authorization"].split("SignedHeaders=")[1]


def test_secret_never_printed_on_any_failure(tmp_path, faults):
    """The fake secret and token go through every failing path; run_probe checks all output for them."""
    for scenario in ("always503", "throttle", "malformed", "s3root", "authfail", "denied", "state", "cut"):
        run = call(tmp_path, faults, scenario, "describe", extra=("--session-token", FAKE_TOKEN,
                                                                  "--access-key", FAKE_KEY, "--secret-key", FAKE_SECRET,
                                                                  "--max-attempts", "2"))
        assert run.rc < 0, (scenario, run.last)
        assert run.error["message"], scenario


def test_endpoint_password_never_printed(tmp_path, faults):
    """A password in the endpoint URL's userinfo is masked in errors and logs, on success and on failure."""
    password = "endpointPassw0rd"
    for scenario, fails in (("ok", False), ("always503", True)):
        url = faults.url(scenario).replace("http://", "http://user:%s@" % password, 1)
        run = run_probe(tmp_path, "--endpoint-url", url, "--region", "us-east-1", "--backoff-base-ms", "20",
                        "--max-attempts", "2", "describe", secrets=(password,))
        assert (run.rc < 0) == fails, run.last
        if fails:
            assert "user:***@" not in run.error["message"], run.error
            assert "***@" in run.error["message"], run.error
            assert run.error["endpoint"].startswith("http://***@"), run.error
            assert run.log_lines("WARN"), run.stderr
            assert all("***@" in line for line in run.log_lines("WARN")), run.stderr
    run = run_probe(tmp_path, "--endpoint-url", "http://user:%s@[bad" % password, "--region", "us-east-1",
                    "describe", secrets=(password,))
    assert run.rc < 0, run.last
    assert "invalid endpoint URL" in run.error["message"], run.last


# ---- endpoints ----

def test_service_endpoint_variables(tmp_path, faults):
    env = {"AWS_ENDPOINT_URL": faults.url("s3root"), "AWS_ENDPOINT_URL_EC2": faults.url("ok")}
    run = run_probe(tmp_path, "--region", "us-east-1", "describe", env=env)
    assert run.rc == 0, run.last
    # STS has no variable of its own here, so it takes AWS_ENDPOINT_URL.
    run = run_probe(tmp_path, "--region", "us-east-1", "whoami", env=env)
    assert run.rc == -24, run.last
    assert run.error["endpoint"] == faults.url("s3root"), run.last
    # The explicit option wins over both variables.
    run = run_probe(tmp_path, "--region", "us-east-1", "--endpoint-url", faults.url("ok"), "whoami", env=env)
    assert run.rc == 0, run.last


def test_other_service_endpoint_variables(tmp_path, faults):
    env = {"AWS_ENDPOINT_URL": faults.url("s3root"), "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING": faults.url("ok")}
    run = run_probe(tmp_path, "--region", "us-east-1", "query", "elastic-load-balancing", "GetCallerIdentity",
                    "2011-06-15", env=env)
    assert run.rc == 0, run.last
    assert faults.requests("ok")[-1]["headers"]["Authorization"].split("/")[3] == "elastic-load-balancing"
    run = run_probe(tmp_path, "--region", "us-east-1", "query", "iam", "GetCallerIdentity", "2011-06-15", env=env)
    assert run.rc == -24, run.last
    assert run.error["endpoint"] == faults.url("s3root")
    run = run_probe(tmp_path, "--region", "us-east-1", "query-url", "iam", "not a url", "GetUser", "2010-05-08",
                    env=env)
    assert run.rc == -29, run.last


def test_invalid_endpoint_variable(tmp_path):
    run = run_probe(tmp_path, "--region", "us-east-1", "describe", env={"AWS_ENDPOINT_URL_EC2": "not a url"})
    assert run.rc == -29, run.last
    assert "AWS_ENDPOINT_URL_EC2" in run.error["message"]


def test_missing_region(tmp_path, faults):
    run = run_probe(tmp_path, "--endpoint-url", faults.url("ok"), "describe")
    assert run.rc == -29, run.last
    assert "AWS_REGION" in run.error["message"], run.last
    run = run_probe(tmp_path, "--endpoint-url", faults.url("ok"), "describe", env={"AWS_DEFAULT_REGION": "eu-west-3"})
    assert run.rc == 0, run.last
    assert run.last["region"] == "eu-west-3", run.last


@pytest.mark.parametrize("call_args,region,target", [
    (("describe",), "us-east-1", "ec2.us-east-1.amazonaws.com:443"),
    (("whoami",), "eu-central-1", "sts.eu-central-1.amazonaws.com:443"),
    (("publish", "arn:aws:sns:ap-southeast-2:111111111111:alerts", "m"), "us-east-1",
     "sns.ap-southeast-2.amazonaws.com:443"),
    (("describe",), "cn-north-1", "ec2.cn-north-1.amazonaws.com.cn:443"),
])
def test_default_regional_endpoints_through_proxy(tmp_path, call_args, region, target):
    """Without endpoint settings the client goes to the regional AWS endpoint, through libcurl's proxy
    variables; the local proxy records the CONNECT line and forwards nothing."""
    proxy = RecordingProxy()
    try:
        run = run_probe(tmp_path, "--region", region, "--max-attempts", "1", *call_args,
                        env={"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url})
    finally:
        proxy.stop()
    assert run.rc < 0
    assert proxy.lines
    assert proxy.lines[0] == f"CONNECT {target} HTTP/1.1", proxy.lines


# ---- TLS ----

@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    cert, key = make_self_signed(tmp_path_factory.mktemp("tls"))
    server = FaultServer(cert, key)
    server.cert = cert
    yield server
    server.stop()


def test_tls_without_ca_fails_verification(tmp_path, tls_server):
    run = run_probe(tmp_path, "--endpoint-url", tls_server.url("ok"), "--region", "us-east-1", "describe")
    assert run.rc == -22, run.last
    assert run.error["attempts"] == 1
    assert "AWS_CA_BUNDLE" in run.error["message"]
    assert tls_server.url("ok") in run.error["message"]
    assert not tls_server.requests("ok")


def test_tls_with_ca_bundle(tmp_path, tls_server):
    run = run_probe(tmp_path, "--endpoint-url", tls_server.url("ok"), "--region", "us-east-1",
                    "--ca-bundle", tls_server.cert, "describe")
    assert run.rc == 0, run.last
    run = run_probe(tmp_path, "--endpoint-url", tls_server.url("ok"), "--region", "us-east-1", "describe",
                    env={"AWS_CA_BUNDLE": tls_server.cert})
    assert run.rc == 0, run.last
