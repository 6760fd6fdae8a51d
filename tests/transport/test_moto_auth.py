"""Signatures and credential sources against moto with request authentication switched on."""
import json
import os
import stat
import sys
import textwrap

import pytest

from conftest import FAKE_KEY, FAKE_SECRET, MotoServer, ensure_moto, run_probe

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/peerguard-test"


@pytest.fixture(scope="module")
def auth_moto():
    """A moto server of its own, with an IAM user, its access key and a role, then authentication on."""
    reason = ensure_moto()
    if reason:
        print("SKIP moto authentication tests: " + reason)
        pytest.skip(reason)
    boto3 = pytest.importorskip("boto3", reason="boto3 (installed with moto) sets up IAM in moto")
    server = MotoServer()
    try:
        iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="peerguard")
        iam.put_user_policy(UserName="peerguard", PolicyName="all", PolicyDocument=ALLOW_ALL)
        key = iam.create_access_key(UserName="peerguard")["AccessKey"]
        iam.create_role(RoleName="peerguard-test", AssumeRolePolicyDocument=TRUST_ALL)
        iam.put_role_policy(RoleName="peerguard-test", PolicyName="all", PolicyDocument=ALLOW_ALL)
        server.post("/moto-api/reset-auth", b"0")
        server.key_id = key["AccessKeyId"]
        server.secret = key["SecretAccessKey"]
        yield server
    finally:
        server.stop()


def probe(tmp_path, server, *args, env=None):
    return run_probe(tmp_path, "--endpoint-url", server.url, "--region", "us-east-1", *args, env=env,
                     secrets=(server.secret,))


def real_env(server):
    return {"AWS_ACCESS_KEY_ID": server.key_id, "AWS_SECRET_ACCESS_KEY": server.secret}


def test_signed_request_accepted(tmp_path, auth_moto):
    run = probe(tmp_path, auth_moto, "describe", env=real_env(auth_moto))
    assert run.rc == 0, run.last
    run = probe(tmp_path, auth_moto, "whoami", env=real_env(auth_moto))
    assert run.rc == 0, run.last
    assert run.last["result"]["Arn"].endswith(":user/peerguard")


def test_wrong_secret_fails_without_retry(tmp_path, auth_moto):
    env = {"AWS_ACCESS_KEY_ID": auth_moto.key_id, "AWS_SECRET_ACCESS_KEY": FAKE_SECRET}
    run = probe(tmp_path, auth_moto, "describe", env=env)
    assert run.rc == -26, run.last
    assert run.error["aws_code"] in ("AuthFailure", "SignatureDoesNotMatch")
    assert run.error["http_status"] in (401, 403)
    assert run.error["attempts"] == 1
    assert "DescribeVpcPeeringConnections" in run.error["message"]
    assert auth_moto.url in run.error["message"]
    assert "secret" in run.error["message"]


def test_unknown_key_fails(tmp_path, auth_moto):
    run = probe(tmp_path, auth_moto, "describe")
    assert run.rc == -26, run.last


def test_session_token_is_signed(tmp_path, auth_moto):
    run = probe(tmp_path, auth_moto, "assume-role", ROLE_ARN, env=real_env(auth_moto))
    assert run.rc == 0, run.stderr
    assert ":assumed-role/peerguard-test/" in run.last["result"]["Arn"]


def test_role_arn_option(tmp_path, auth_moto):
    run = probe(tmp_path, auth_moto, "--role-arn", ROLE_ARN, "describe", env=real_env(auth_moto))
    assert run.rc == 0, run.stderr
    assert run.last["access_key_id"] != auth_moto.key_id


# ---- credential sources ----

def write(path, text):
    path.write_text(textwrap.dedent(text))
    return str(path)


def files_env(tmp_path, credentials=None, config=None, **extra):
    env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    if credentials is not None:
        env["AWS_SHARED_CREDENTIALS_FILE"] = write(tmp_path / "credentials", credentials)
    if config is not None:
        env["AWS_CONFIG_FILE"] = write(tmp_path / "config", config)
    env.update(extra)
    return env


def test_credentials_file_default_profile(tmp_path, auth_moto):
    env = files_env(tmp_path, credentials=f"""
        [default]
        aws_access_key_id = {auth_moto.key_id}
        aws_secret_access_key = {auth_moto.secret}
        [other]
        aws_access_key_id = {auth_moto.key_id}
        aws_secret_access_key = {FAKE_SECRET}
        """)
    assert probe(tmp_path, auth_moto, "whoami", env=env).rc == 0
    env["AWS_PROFILE"] = "other"
    assert probe(tmp_path, auth_moto, "whoami", env=env).rc == -26


def test_environment_beats_files_unless_profile_named(tmp_path, auth_moto):
    env = files_env(tmp_path, config=f"""
        [profile dev]
        region = us-east-1
        aws_access_key_id = {auth_moto.key_id}
        aws_secret_access_key = {auth_moto.secret}
        """, AWS_ACCESS_KEY_ID=auth_moto.key_id, AWS_SECRET_ACCESS_KEY=FAKE_SECRET)
    # AWS_PROFILE does not outrank the environment keys ...
    env["AWS_PROFILE"] = "dev"
    assert probe(tmp_path, auth_moto, "whoami", env=env).rc == -26
    # ... but a profile named in the options does.
    assert probe(tmp_path, auth_moto, "--profile", "dev", "whoami", env=env).rc == 0


def test_profile_region_is_used(tmp_path, auth_moto):
    env = files_env(tmp_path, config=f"""
        [default]
        region = eu-west-1
        aws_access_key_id = {auth_moto.key_id}
        aws_secret_access_key = {auth_moto.secret}
        """)
    run = run_probe(tmp_path, "--endpoint-url", auth_moto.url, "describe", env=env, secrets=(auth_moto.secret,))
    assert run.rc == 0, run.last
    assert run.last["region"] == "eu-west-1"


def process_script(tmp_path, body, name="creds.py"):
    script = tmp_path / name
    script.write_text("#!" + sys.executable + "\n" + textwrap.dedent(body))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_credential_process(tmp_path, auth_moto):
    counter = tmp_path / "runs"
    script = process_script(tmp_path, f"""
        import json, sys, datetime
        open({str(counter)!r}, "a").write("x")
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(sys.argv[1]))
        print(json.dumps({{"Version": 1, "AccessKeyId": {auth_moto.key_id!r},
                          "SecretAccessKey": {auth_moto.secret!r},
                          "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}))
        """)
    env = files_env(tmp_path, config=f"""
        [profile long]
        credential_process = "{script}" 3600
        [profile short]
        credential_process = '{script}' 120
        """)
    run = probe(tmp_path, auth_moto, "--profile", "long", "--repeat", "2", "whoami", env=env)
    assert [o["rc"] for o in run.outcomes] == [0, 0], run.stderr
    assert counter.read_text() == "x"

    # Credentials that expire within five minutes are fetched again before each use.
    counter.write_text("")
    run = probe(tmp_path, auth_moto, "--profile", "short", "--repeat", "2", "whoami", env=env)
    assert [o["rc"] for o in run.outcomes] == [0, 0], run.stderr
    assert len(counter.read_text()) >= 3


def test_credential_process_failures(tmp_path, auth_moto):
    failing = process_script(tmp_path, "import sys\nsys.exit(3)\n", "fail.py")
    garbage = process_script(tmp_path, f"print('not json {FAKE_SECRET}')\n", "garbage.py")
    wrong_version = process_script(tmp_path, 'print(\'{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"}\')\n',
                                   "version.py")
    env = files_env(tmp_path, config=f"""
        [profile failing]
        credential_process = {failing}
        [profile garbage]
        credential_process = {garbage}
        [profile version]
        credential_process = {wrong_version}
        [profile missing]
        credential_process = {tmp_path}/does-not-exist
        """)
    for profile, words in (("failing", "exit status 3"), ("garbage", "not JSON"), ("version", "Version 1"),
                           ("missing", "cannot run")):
        run = probe(tmp_path, auth_moto, "--profile", profile, "whoami", env=env)
        assert run.rc == -25, (profile, run.last)
        assert words in run.error["message"], run.error["message"]


def test_role_profile_with_source_profile(tmp_path, auth_moto):
    env = files_env(tmp_path, credentials=f"""
        [base]
        aws_access_key_id = {auth_moto.key_id}
        aws_secret_access_key = {auth_moto.secret}
        """, config=f"""
        [profile admin]
        role_arn = {ROLE_ARN}
        source_profile = base
        role_session_name = audit
        [profile loop-a]
        role_arn = {ROLE_ARN}
        source_profile = loop-b
        [profile loop-b]
        role_arn = {ROLE_ARN}
        source_profile = loop-a
        [profile no-source]
        role_arn = {ROLE_ARN}
        """)
    run = probe(tmp_path, auth_moto, "--profile", "admin", "whoami", env=env)
    assert run.rc == 0, run.stderr
    assert run.last["result"]["Arn"].endswith(":assumed-role/peerguard-test/audit")

    run = probe(tmp_path, auth_moto, "--profile", "loop-a", "whoami", env=env)
    assert run.rc == -29, run.last
    assert "loop" in run.error["message"], run.last
    run = probe(tmp_path, auth_moto, "--profile", "no-source", "whoami", env=env)
    assert run.rc == -29, run.last
    assert "source_profile" in run.error["message"], run.last
    run = probe(tmp_path, auth_moto, "--profile", "absent", "whoami", env=env)
    assert run.rc == -29, run.last
    assert "not found" in run.error["message"], run.last


def test_no_credentials_anywhere(tmp_path, auth_moto):
    run = probe(tmp_path, auth_moto, "whoami", env=files_env(tmp_path))
    assert run.rc == -25, run.last
    assert "AWS_ACCESS_KEY_ID" in run.error["message"]
    run = probe(tmp_path, auth_moto, "whoami", env={"AWS_SECRET_ACCESS_KEY": None})
    assert run.rc == -25, run.last
