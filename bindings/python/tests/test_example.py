"""The example script, on saved describe output and events, and live against moto's EC2 server on 127.0.0.1."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import AWS, CASES, CONTEXT, HERE, SRC

EXAMPLE = HERE.parent / "examples" / "check_peering.py"

CROSS_ACCOUNT = """\
policies:
  - name: pcx-foreign
    resource: aws.peering-connection
    filters:
      - type: cross-account
    actions:
      - delete
  - name: pcx-foreign-event
    resource: aws.peering-connection
    mode:
      type: cloudtrail
      events:
        - source: ec2.amazonaws.com
          event: CreateVpcPeeringConnection
          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId
    filters:
      - type: cross-account
    actions:
      - delete
"""


def run_example(*args, env_update=None):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    env.update(env_update or {})
    return subprocess.run([sys.executable, str(EXAMPLE), *[str(a) for a in args]], capture_output=True,
                          text=True, env=env, timeout=120)


def test_example_on_files(tmp_path, peerguard_module):
    policy = tmp_path / "policy.yml"
    policy.write_text(CROSS_ACCOUNT)
    describe = AWS / "describe" / "boto3.describe-vpc-peering-connections.cross-account-active.placebo.json"
    describe_output = json.loads(describe.read_text())["data"]
    describe_file = tmp_path / "describe.json"
    describe_file.write_text(json.dumps(describe_output))
    event = json.loads((CASES / "B15" / "input.json").read_text())["events"]["eventbridge"]
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event))
    context_args = ["--account-id", CONTEXT["account_id"], "--region", CONTEXT["region"], "--now", CONTEXT["now"]]

    run = run_example("--policy", policy, *context_args, "--describe", describe_file, "--event", event_file, "--json")
    printed = [json.loads(line) for line in run.stdout.splitlines()]

    with peerguard_module.PolicySet.from_file(policy) as ps:
        want = ps.evaluate_resources(describe_output, **CONTEXT).decisions
        want += ps.evaluate_event(event, **CONTEXT).decisions
    assert printed == [d.to_dict() for d in want]
    assert run.returncode == (1 if any(d.matched for d in want) else 0), run.stderr
    assert any(d["state_source"] == "event" for d in printed)

    text = run_example("--policy", policy, *context_args, "--describe", describe_file)
    assert text.returncode == run.returncode
    assert text.stdout.count("\n  ") == len([d for d in want if d.state_source == "describe"])


def test_example_reports_policy_error(tmp_path):
    policy = tmp_path / "bad.yml"
    policy.write_text("policies:\n  - name: x\n    resource: aws.peering-connection\n    filters: 3\n")
    run = run_example("--policy", policy, "--event", policy)
    assert run.returncode == 2
    assert str(policy) in run.stderr
    assert "Traceback" not in run.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def moto_endpoint(tmp_path):
    pytest.importorskip("boto3")
    pytest.importorskip("moto.server")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    log = open(tmp_path / "moto.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto server did not start: {(tmp_path / 'moto.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_example_live_against_moto(tmp_path, moto_endpoint, peerguard_module):
    import boto3

    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    common = {"endpoint_url": moto_endpoint, "region_name": "us-east-1"}
    # moto keeps one account per set of credentials; an assumed role reaches the peer's account.
    sts = boto3.client("sts", **creds, **common)
    ours = sts.get_caller_identity()["Account"]
    role = sts.assume_role(RoleArn="arn:aws:iam::999999999999:role/peer", RoleSessionName="peer-test")
    peer_creds = role["Credentials"]
    peer = boto3.client("ec2", aws_access_key_id=peer_creds["AccessKeyId"],
                        aws_secret_access_key=peer_creds["SecretAccessKey"],
                        aws_session_token=peer_creds["SessionToken"], **common)
    peer_vpc = peer.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2 = boto3.client("ec2", **creds, **common)
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc, PeerOwnerId="999999999999")
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]

    policy = tmp_path / "policy.yml"
    policy.write_text(CROSS_ACCOUNT)
    run = run_example("--policy", policy, "--policy-name", "pcx-foreign", "--account-id", ours, "--region",
                      "us-east-1", "--live", "--endpoint-url", moto_endpoint, "--json",
                      env_update={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    assert run.returncode == 1, run.stderr
    printed = {d["resource_id"]: d for d in map(json.loads, run.stdout.splitlines())}
    decision = printed[pcx_id]
    assert decision["matched"] is True
    assert decision["side"] == "requester"
    assert decision["state"] == "pending-acceptance"
    assert decision["violations"] == ["999999999999"]
    assert decision["api_call"] == "DeleteVpcPeeringConnection"

    # The same decision from boto3's own response object, datetimes and ResponseMetadata included.
    with peerguard_module.PolicySet.from_file(policy, ["pcx-foreign"]) as ps:
        direct = ps.evaluate_resources(ec2.describe_vpc_peering_connections(), account_id=ours, region="us-east-1")
    by_id = {d.resource_id: d for d in direct}
    assert by_id[pcx_id].api_call == decision["api_call"]
    assert by_id[pcx_id].violations == tuple(decision["violations"])
