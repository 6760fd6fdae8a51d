"""The transport against moto's server: peering calls across accounts, STS, SNS, signatures, credentials."""
import json
import os
import subprocess
import textwrap

import pytest

from conftest import FAKE_SECRET, clean_env, run_probe

REQUESTER = "111111111111"
ACCEPTER = "222222222222"


def aws(tmp_path, moto, account, *args, region="us-east-1", env=None, secrets=()):
    return run_probe(tmp_path, "--endpoint-url", moto.url, "--region", region,
                     "--header", f"x-moto-account-id: {account}", *args, env=env, secrets=secrets)


def create_vpc(tmp_path, moto, account, cidr, region="us-east-1"):
    run = aws(tmp_path, moto, account, "query", "ec2", "CreateVpc", "2016-11-15", "CidrBlock", cidr, region=region)
    assert run.rc == 0, run.stderr
    return run.last["result"]["vpc"]["vpcId"]


def create_peering(tmp_path, moto, vpc, peer_vpc, peer_owner=None, peer_region=None):
    args = ["create", vpc, peer_vpc]
    if peer_owner:
        args.append(peer_owner)
    if peer_region:
        args.append(peer_region)
    run = aws(tmp_path, moto, REQUESTER, *args)
    assert run.rc == 0, run.stderr
    return run.last["result"]["VpcPeeringConnection"]["VpcPeeringConnectionId"]


def describe(tmp_path, moto, account, *ids, region="us-east-1"):
    run = aws(tmp_path, moto, account, "describe", *ids, region=region)
    assert run.rc == 0, run.stderr
    return {p["VpcPeeringConnectionId"]: p for p in run.last["result"]["VpcPeeringConnections"]}


def test_cross_account_lifecycle(tmp_path, moto):
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer_vpc = create_vpc(tmp_path, moto, ACCEPTER, "10.1.0.0/16")
    pcx = create_peering(tmp_path, moto, vpc, peer_vpc, ACCEPTER)

    seen = describe(tmp_path, moto, ACCEPTER)
    assert seen[pcx]["Status"]["Code"] == "pending-acceptance"
    assert seen[pcx]["RequesterVpcInfo"]["OwnerId"] == REQUESTER
    assert seen[pcx]["AccepterVpcInfo"]["OwnerId"] == ACCEPTER
    assert seen[pcx]["AccepterVpcInfo"]["VpcId"] == peer_vpc
    assert isinstance(seen[pcx]["Tags"], list)

    # Only the accepter may accept or reject.
    run = aws(tmp_path, moto, REQUESTER, "accept", pcx)
    assert run.rc == -23, run.last
    assert run.error["aws_code"] == "OperationNotPermitted"
    assert run.error["http_status"] == 400
    assert run.error["attempts"] == 1
    assert "AcceptVpcPeeringConnection" in run.error["message"]
    assert moto.url in run.error["message"]
    assert run.log_lines("ERROR"), run.stderr

    run = aws(tmp_path, moto, ACCEPTER, "reject", pcx)
    assert run.rc == 0, run.last
    assert describe(tmp_path, moto, REQUESTER, pcx)[pcx]["Status"]["Code"] == "rejected"

    # A second reject hits the state machine.
    run = aws(tmp_path, moto, ACCEPTER, "reject", pcx)
    assert run.rc == -23
    assert run.error["aws_code"] == "InvalidStateTransition"


def test_accept_then_delete(tmp_path, moto):
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer_vpc = create_vpc(tmp_path, moto, ACCEPTER, "10.1.0.0/16")
    pcx = create_peering(tmp_path, moto, vpc, peer_vpc, ACCEPTER)

    run = aws(tmp_path, moto, ACCEPTER, "accept", pcx)
    assert run.rc == 0, run.last
    assert run.last["result"]["VpcPeeringConnection"]["Status"]["Code"] == "active"

    run = aws(tmp_path, moto, ACCEPTER, "reject", pcx)
    assert run.error["aws_code"] == "InvalidStateTransition"

    run = aws(tmp_path, moto, REQUESTER, "delete", pcx)
    assert run.rc == 0, run.last
    assert describe(tmp_path, moto, REQUESTER, pcx)[pcx]["Status"]["Code"] == "deleted"


def test_cross_region_accept_needs_accepter_region(tmp_path, moto):
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer_vpc = create_vpc(tmp_path, moto, REQUESTER, "10.1.0.0/16", region="eu-west-1")
    pcx = create_peering(tmp_path, moto, vpc, peer_vpc, REQUESTER, "eu-west-1")

    assert pcx in describe(tmp_path, moto, REQUESTER, region="eu-west-1")
    assert pcx not in describe(tmp_path, moto, REQUESTER, region="ap-south-1")
    run = aws(tmp_path, moto, REQUESTER, "accept", pcx, region="us-east-1")
    assert run.error["aws_code"] == "OperationNotPermitted"
    assert "region" in run.error["aws_message"]
    run = aws(tmp_path, moto, REQUESTER, "accept", pcx, region="eu-west-1")
    assert run.rc == 0, run.last


def test_describe_many_ids(tmp_path, moto):
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    ids = []
    for i in range(11):
        peer = create_vpc(tmp_path, moto, REQUESTER, f"10.{i + 1}.0.0/16")
        ids.append(create_peering(tmp_path, moto, vpc, peer))
    seen = describe(tmp_path, moto, REQUESTER, *ids)
    assert sorted(seen) == sorted(ids)
    seen = describe(tmp_path, moto, REQUESTER, ids[1], ids[10])
    assert sorted(seen) == sorted([ids[1], ids[10]])


def test_describe_command_pipes_boto3_shape(tmp_path, moto):
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer_vpc = create_vpc(tmp_path, moto, ACCEPTER, "10.1.0.0/16")
    pcx = create_peering(tmp_path, moto, vpc, peer_vpc, ACCEPTER)

    run = run_probe(tmp_path, "describe-cmd", "--region", "us-east-1", "--endpoint-url", moto.url,
                    "--header", f"x-moto-account-id: {REQUESTER}", "--filter", "status-code=pending-acceptance")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [p["VpcPeeringConnectionId"] for p in doc["VpcPeeringConnections"]] == [pcx]
    assert doc["VpcPeeringConnections"][0]["Status"]["Code"] == "pending-acceptance"


def test_describe_command_errors_exit_2(tmp_path, moto):
    run = run_probe(tmp_path, "describe-cmd", "--endpoint-url", moto.url)
    assert run.returncode == 2
    assert "no region" in run.stderr
    run = run_probe(tmp_path, "describe-cmd", "--region", "us-east-1", "--endpoint-url", "ftp://127.0.0.1/")
    assert run.returncode == 2
    assert "invalid endpoint URL" in run.stderr
    run = run_probe(tmp_path, "describe-cmd", "--filter", "novalue")
    assert run.returncode == 2
    assert "--filter" in run.stderr
    run = run_probe(tmp_path, "describe-cmd", "--help")
    assert run.returncode == 0
    for option in ("--region", "--profile", "--role-arn", "--endpoint-url"):
        assert option in run.stdout


def test_dry_run_is_not_checked_by_moto(tmp_path, moto):
    """moto ignores DryRun on delete and performs it; the client warns that the endpoint ignored it."""
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer = create_vpc(tmp_path, moto, REQUESTER, "10.1.0.0/16")
    pcx = create_peering(tmp_path, moto, vpc, peer)
    run = aws(tmp_path, moto, REQUESTER, "--dry-run", "delete", pcx)
    assert run.rc == 0
    assert any("ignored DryRun" in line for line in run.log_lines("WARN")), run.stderr


def test_sts_and_sns(tmp_path, moto):
    run = aws(tmp_path, moto, REQUESTER, "whoami")
    assert run.rc == 0, run.last
    assert run.last["result"]["Account"] == REQUESTER

    run = aws(tmp_path, moto, REQUESTER, "query", "sns", "CreateTopic", "2010-03-31", "Name", "alerts")
    assert run.rc == 0, run.last
    topic = run.last["result"]["TopicArn"]
    assert topic.startswith("arn:aws:sns:us-east-1:")
    run = aws(tmp_path, moto, REQUESTER, "publish", topic, "peering pcx-1 removed")
    assert run.rc == 0, run.last
    assert run.last["result"]

    run = aws(tmp_path, moto, REQUESTER, "publish", "arn:aws:sns:us-east-1:111111111111:missing", "x")
    assert run.rc == -23
    assert run.error["aws_code"] == "NotFound"


def test_assume_role_acts_in_the_role_account(tmp_path, moto):
    role = f"arn:aws:iam::{ACCEPTER}:role/peerguard"
    run = run_probe(tmp_path, "--endpoint-url", moto.url, "--region", "us-east-1", "assume-role", role)
    assert run.rc == 0, run.last
    assert run.last["result"]["Account"] == ACCEPTER
    assert "assumed-role/peerguard" in run.last["result"]["Arn"]


def test_account_template_reaches_each_account(tmp_path, moto):
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer_vpc = create_vpc(tmp_path, moto, ACCEPTER, "10.1.0.0/16")
    pcx = create_peering(tmp_path, moto, vpc, peer_vpc, ACCEPTER)

    # moto maps the assumed role's keys to the role's account, without any account header.
    run = run_probe(tmp_path, "--endpoint-url", moto.url, "--region", "us-east-1",
                    "--role-template", "arn:aws:iam::{account_id}:role/peerguard", "--account", ACCEPTER,
                    "--repeat", "2", "whoami")
    assert run.rc == 0, run.stderr
    assert [o["result"]["Account"] for o in run.outcomes] == [ACCEPTER, ACCEPTER]
    # The role was assumed once for both calls: the cached credentials were reused.
    assert len([l for l in run.stderr.splitlines() if "sts AssumeRole" in l and "attempt 1" in l]) == 1

    run = run_probe(tmp_path, "--endpoint-url", moto.url, "--region", "us-east-1",
                    "--role-template", "arn:aws:iam::{account_id}:role/peerguard", "--account", ACCEPTER, "describe")
    assert run.rc == 0, run.last
    assert [p["VpcPeeringConnectionId"] for p in run.last["result"]["VpcPeeringConnections"]] == [pcx]

    run = run_probe(tmp_path, "--endpoint-url", moto.url, "--region", "us-east-1",
                    "--role-template", "arn:aws:iam::role/no-placeholder", "--account", ACCEPTER, "describe")
    assert run.rc == -3
    assert "{account_id}" in run.error["message"]


def test_account_credentials_refreshed_before_expiry(tmp_path, moto):
    """moto's role credentials last an hour; 58 minutes later they are within the five-minute margin."""
    import time as clock
    base = ["--endpoint-url", moto.url, "--region", "us-east-1",
            "--role-template", "arn:aws:iam::{account_id}:role/peerguard", "--account", ACCEPTER]

    def assume_calls(run):
        return len([l for l in run.stderr.splitlines() if "sts AssumeRole" in l and "attempt 1" in l])

    run = run_probe(tmp_path, *base, "--clock", str(int(clock.time()) + 60), "--repeat", "2", "whoami")
    assert [o["rc"] for o in run.outcomes] == [0, 0], run.stderr
    assert assume_calls(run) == 1
    run = run_probe(tmp_path, *base, "--clock", str(int(clock.time()) + 3480), "--repeat", "2", "whoami")
    assert [o["rc"] for o in run.outcomes] == [0, 0], run.stderr
    assert assume_calls(run) == 3


def test_query_other_service_at_resource_url(tmp_path, moto):
    """SQS speaks the Query protocol too: create a queue, then send and receive at the queue's URL."""
    run = aws(tmp_path, moto, REQUESTER, "query", "sqs", "CreateQueue", "2012-11-05", "QueueName", "peerguard-events")
    assert run.rc == 0, run.last
    queue_url = run.last["result"]["QueueUrl"]
    assert queue_url.endswith("/peerguard-events")

    run = aws(tmp_path, moto, REQUESTER, "query-url", "sqs", queue_url, "SendMessage", "2012-11-05",
              "MessageBody", '{"detail": {"eventName": "CreateVpcPeeringConnection"}}')
    assert run.rc == 0, run.last
    run = aws(tmp_path, moto, REQUESTER, "query-url", "sqs", queue_url, "ReceiveMessage", "2012-11-05",
              "MaxNumberOfMessages", "1")
    assert run.rc == 0, run.last
    message = run.last["result"]["Message"]
    assert json.loads(message["Body"])["detail"]["eventName"] == "CreateVpcPeeringConnection"

    run = aws(tmp_path, moto, REQUESTER, "query", "Not A Service", "X", "2012-11-05")
    assert run.rc == -3, run.last


def peerguard_with_describe():
    """The peerguard program, when it was built with the describe command; else None."""
    binary = os.environ.get("PEERGUARD_BIN")
    if not binary or not os.path.exists(binary):
        return None
    probe = subprocess.run([binary, "describe", "--help"], capture_output=True, text=True)
    return binary if probe.returncode == 0 else None


def test_describe_pipes_into_eval(tmp_path, moto):
    binary = peerguard_with_describe()
    if not binary:
        pytest.skip("the peerguard program has no describe command in this build")
    vpc = create_vpc(tmp_path, moto, REQUESTER, "10.0.0.0/16")
    peer_vpc = create_vpc(tmp_path, moto, "999999999999", "10.1.0.0/16")
    pcx = create_peering(tmp_path, moto, vpc, peer_vpc, "999999999999")
    policy = tmp_path / "policy.yml"
    policy.write_text(textwrap.dedent("""\
        policies:
          - name: pcx-unknown-peer
            resource: aws.peering-connection
            filters:
              - type: cross-account
                whitelist: ["222222222222"]
            actions:
              - type: delete
        """))

    env = clean_env(tmp_path)
    describe = subprocess.run([binary, "describe", "--region", "us-east-1", "--endpoint-url", moto.url,
                               "--header", f"x-moto-account-id: {REQUESTER}"],
                              capture_output=True, text=True, env=env, timeout=60)
    assert describe.returncode == 0, describe.stderr
    evaluate = subprocess.run([binary, "eval", "--policy", str(policy), "--account-id", REQUESTER, "-"],
                              input=describe.stdout, capture_output=True, text=True, env=env, timeout=60)
    assert evaluate.returncode == 1, evaluate.stderr
    decisions = [json.loads(line) for line in evaluate.stdout.splitlines() if line.startswith("{")]
    matched = [d for d in decisions if d["matched"]]
    assert [d["resource_id"] for d in matched] == [pcx]
    assert FAKE_SECRET not in describe.stderr + evaluate.stdout + evaluate.stderr
