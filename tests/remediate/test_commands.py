"""The remediate, sweep, watch and canary commands against moto's server and the fault proxy.

moto supplies EC2 (peering state and side rules), STS (AssumeRole maps a role ARN to its
account), SNS and SQS; the fault proxy adds DryRun, delete rules, provisioning and IAM
denial where a test needs them (see faultproxy.py).
"""
import json
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from awsfake import WebhookSink
from conftest import BIN, aws_env, read_audit, run_peerguard
from faultproxy import FaultProxy
from motoenv import CROSS_ACCOUNT_POLICY, OURS, UNKNOWN, MotoServer, client, create_event, moto_unavailable

pytestmark = pytest.mark.skipif(moto_unavailable() is not None, reason=moto_unavailable() or "")

ALLOWED = "222222222222"
HEADER = f"x-moto-account-id: {OURS}"
PROM_LINE = re.compile(r'^(# (HELP|TYPE) \w+ .+|\w+(\{(\w+="[^"]*",?)+\})? -?[0-9.e+]+)$')


@pytest.fixture(scope="module")
def aws():
    moto = MotoServer()
    proxy = FaultProxy(moto.url, provisioning_ms=0)
    yield moto, proxy
    proxy.close()
    moto.close()


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "policy.yml"
    path.write_text(CROSS_ACCOUNT_POLICY)
    return path


def make_pcx(moto, requester, accepter, cidrs=("10.1.0.0/16", "10.9.0.0/16")):
    """Create a VPC in each (account, region) and a request between them; return the boto3 connection."""
    r_ec2 = client("ec2", moto.url, *requester)
    a_ec2 = client("ec2", moto.url, *accepter)
    r_vpc = r_ec2.create_vpc(CidrBlock=cidrs[0])["Vpc"]["VpcId"]
    a_vpc = a_ec2.create_vpc(CidrBlock=cidrs[1])["Vpc"]["VpcId"]
    pcx = r_ec2.create_vpc_peering_connection(VpcId=r_vpc, PeerVpcId=a_vpc, PeerOwnerId=accepter[0],
                                              PeerRegion=accepter[1])["VpcPeeringConnection"]
    pcx["RequesterVpcInfo"].setdefault("Region", requester[1])
    pcx["AccepterVpcInfo"].setdefault("Region", accepter[1])
    return pcx


def state_of(moto, pcx, account, region):
    found = client("ec2", moto.url, account, region).describe_vpc_peering_connections(
        VpcPeeringConnectionIds=[pcx["VpcPeeringConnectionId"]])["VpcPeeringConnections"]
    return found[0]["Status"]["Code"] if found else "gone"


def write_event(tmp_path, pcx, caller, name="event.json"):
    path = tmp_path / name
    path.write_text(json.dumps(create_event(pcx, caller)))
    return path


def remediate_args(policy, proxy, tmp_path, *extra):
    return ["remediate", "--policy", policy, "--account-id", OURS, "--header", HEADER, "--endpoint-url", proxy.url,
            "--audit-log", tmp_path / "audit.jsonl", "--state-file", tmp_path / "state.jsonl", "--poll-ms", "10",
            "--deadline", "20", *extra]


def check_prometheus(text):
    for line in text.splitlines():
        assert PROM_LINE.match(line), f"not Prometheus text format: {line!r}"


def test_dry_run_plans_without_acting(aws, policy, tmp_path):
    moto, proxy = aws
    pcx = make_pcx(moto, (OURS, "us-east-1"), (UNKNOWN, "us-east-1"))
    run = run_peerguard(remediate_args(policy, proxy, tmp_path, write_event(tmp_path, pcx, OURS)), aws_env(tmp_path))
    assert run.returncode == 0, run
    assert [r["outcome"] for r in run.reports] == ["planned"]
    assert state_of(moto, pcx, OURS, "us-east-1") == "pending-acceptance"
    acted = [r for r in read_audit(tmp_path / "audit.jsonl") if r["step"] == "acted"]
    assert [(a["call"], a["dry_run"], a["result"]) for a in acted] == [("DeleteVpcPeeringConnection", True, "would-succeed")]


def test_dry_run_reports_missing_permission(aws, policy, tmp_path):
    moto, proxy = aws
    pcx = make_pcx(moto, (UNKNOWN, "us-east-1"), (OURS, "us-east-1"))
    proxy.denied.add("RejectVpcPeeringConnection")
    try:
        run = run_peerguard(remediate_args(policy, proxy, tmp_path, write_event(tmp_path, pcx, UNKNOWN)),
                            aws_env(tmp_path))
    finally:
        proxy.denied.clear()
    assert run.returncode == 1, run
    assert [r["outcome"] for r in run.reports] == ["denied"]
    assert "ec2:RejectVpcPeeringConnection" in run.reports[0]["reason"]
    assert state_of(moto, pcx, OURS, "us-east-1") == "pending-acceptance"


def test_sns_and_policy_webhook_notified(aws, tmp_path):
    moto, proxy = aws
    sink = WebhookSink()
    sns = client("sns", moto.url, OURS)
    sqs = client("sqs", moto.url, OURS)
    topic = sns.create_topic(Name="peerguard-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="alerts-copy")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    policy = tmp_path / "policy.yml"
    policy.write_text(CROSS_ACCOUNT_POLICY.replace("      - type: reject\n        fallback: delete\n",
                                                   "      - type: reject\n        fallback: delete\n"
                                                   f"      - type: webhook\n        url: {sink.url}/hook\n", 1))
    pcx = make_pcx(moto, (OURS, "us-east-1"), (UNKNOWN, "us-east-1"))
    try:
        run = run_peerguard(remediate_args(policy, proxy, tmp_path, "--execute", "--sns-topic-arn", topic,
                                           write_event(tmp_path, pcx, OURS)), aws_env(tmp_path))
        assert run.returncode == 0, run
        assert len(sink.posts) == 1
        hook = sink.posts[0]["json"]
    finally:
        sink.close()

    assert hook["outcome"] == "remediated"
    assert hook["severity"] == "info"
    assert hook["connection"]["accepter"]["owner_id"] == UNKNOWN
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    assert len(messages) == 1
    published = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert published["decision_id"] == hook["decision_id"]
    assert published["final_state"] == "deleted"
    notified = [r for r in read_audit(tmp_path / "audit.jsonl") if r["step"] == "notified"]
    assert sorted(r["channel"] for r in notified) == ["sns", "webhook"]
    assert all(r["result"] == "sent" for r in notified)


def test_unsafe_outcome_escalates(aws, tmp_path):
    moto, proxy = aws
    sink = WebhookSink()
    policy = tmp_path / "policy.yml"
    policy.write_text(CROSS_ACCOUNT_POLICY.replace("        fallback: delete\n", "", 1))
    pcx = make_pcx(moto, (UNKNOWN, "us-east-1"), (OURS, "us-east-1"))
    client("ec2", moto.url, OURS).accept_vpc_peering_connection(VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
    try:
        run = run_peerguard(remediate_args(policy, proxy, tmp_path, "--execute", "--webhook-url", f"{sink.url}/x",
                                           write_event(tmp_path, pcx, UNKNOWN)), aws_env(tmp_path))
        posts = list(sink.posts)
    finally:
        sink.close()
    assert run.returncode == 1, run
    assert [r["outcome"] for r in run.reports] == ["unsafe"]
    assert "ESCALATION" in run.stderr
    assert [p["json"]["severity"] for p in posts] == ["critical"]
    assert posts[0]["json"]["exposure"]["ever_active"] is True
    steps = [r["step"] for r in read_audit(tmp_path / "audit.jsonl")]
    assert steps[-2:] == ["escalated", "notified"]
    assert state_of(moto, pcx, OURS, "us-east-1") == "active"


def test_two_workers_one_remediation(aws, policy, tmp_path):
    moto, proxy = aws
    sink = WebhookSink()
    pcx = make_pcx(moto, (OURS, "us-east-1"), (UNKNOWN, "us-east-1"))
    event = write_event(tmp_path, pcx, OURS)
    args = [BIN, *map(str, remediate_args(policy, proxy, tmp_path, "--execute", "--webhook-url", f"{sink.url}/x",
                                          event))]
    try:
        procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=aws_env(tmp_path)) for _ in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
        posts = len(sink.posts)
    finally:
        sink.close()
    assert [p.returncode for p in procs] == [0, 0], outs
    outcomes = sorted(json.loads(o[0].splitlines()[0])["outcome"] for o in outs)
    assert outcomes == ["already-remediated", "remediated"]
    assert posts == 1
    deletes = [r for r in read_audit(tmp_path / "audit.jsonl") if r["step"] == "acted"]
    assert len(deletes) == 1


def test_sweep_across_accounts_with_roles(aws, tmp_path):
    moto, proxy = aws
    # Both accounts belong to the organisation, so each trusts the other.
    policy = tmp_path / "policy.yml"
    policy.write_text(CROSS_ACCOUNT_POLICY.replace(f'["{ALLOWED}"]', f'["{OURS}", "{ALLOWED}"]'))
    ours_unknown = make_pcx(moto, (OURS, "us-east-1"), (UNKNOWN, "us-east-1"), ("10.11.0.0/16", "10.12.0.0/16"))
    unknown_ours = make_pcx(moto, (UNKNOWN, "eu-west-1"), (OURS, "eu-west-1"), ("10.13.0.0/16", "10.14.0.0/16"))
    allowed = make_pcx(moto, (OURS, "us-east-1"), (ALLOWED, "us-east-1"), ("10.15.0.0/16", "10.16.0.0/16"))
    to_allowed = make_pcx(moto, (UNKNOWN, "us-east-1"), (ALLOWED, "us-east-1"), ("10.17.0.0/16", "10.18.0.0/16"))
    client("ec2", moto.url, ALLOWED).accept_vpc_peering_connection(
        VpcPeeringConnectionId=to_allowed["VpcPeeringConnectionId"])
    accounts = tmp_path / "accounts.txt"
    accounts.write_text(f"# organisation\n{OURS}\n\"{ALLOWED}\",prod\n")
    metrics = tmp_path / "sweep.prom"

    run = run_peerguard(["sweep", "--policy", policy, "--accounts", accounts, "--regions", "us-east-1,eu-west-1",
                         "--role-arn", "arn:aws:iam::{account_id}:role/peerguard", "--endpoint-url", proxy.url,
                         "--execute", "--concurrency", "3", "--poll-ms", "10", "--format", "json",
                         "--audit-log", tmp_path / "audit.jsonl", "--metrics-file", metrics], aws_env(tmp_path))
    assert run.returncode == 0, run
    doc = json.loads(run.stdout)
    rows = {(r["account_id"], r["region"]): (r["seen"], r["matched"], r["remediated"], r["failed"]) for r in doc["rows"]}
    # Other tests in this module leave connections behind for the sweep, so counts are lower bounds.
    assert rows[(OURS, "eu-west-1")][2] >= 1
    assert rows[(ALLOWED, "us-east-1")][2] >= 1
    assert all(row[3] == 0 for row in rows.values())
    assert all(row[0] >= row[1] >= row[2] for row in rows.values())
    assert state_of(moto, ours_unknown, OURS, "us-east-1") == "deleted"
    assert state_of(moto, unknown_ours, OURS, "eu-west-1") == "rejected"
    assert state_of(moto, to_allowed, ALLOWED, "us-east-1") == "deleted"
    assert state_of(moto, allowed, OURS, "us-east-1") == "pending-acceptance"
    text = metrics.read_text()
    check_prometheus(text)
    assert re.search(f'peerguard_sweep_connections{{account="{OURS}",region="eu-west-1",kind="remediated"}} [1-9]', text)


def test_sweep_shards_split_accounts(aws, policy, tmp_path):
    moto, proxy = aws
    ids = [f"{n:012d}" for n in (111111111111, 222222222222, 333333333333, 444444444444, 555555555555, 12345)]
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("\n".join(ids) + "\n")

    def fnv1a(s):
        h = 2166136261
        for c in s.encode():
            h = ((h ^ c) * 16777619) & 0xFFFFFFFF
        return h

    seen = []
    for shard in range(2):
        run = run_peerguard(["sweep", "--policy", policy, "--accounts", accounts, "--regions", "us-east-1",
                             "--role-arn", "arn:aws:iam::{account_id}:role/peerguard", "--endpoint-url", proxy.url,
                             "--shard", f"{shard}/2", "--format", "json"], aws_env(tmp_path))
        assert run.returncode == 0, run
        mine = [r["account_id"] for r in json.loads(run.stdout)["rows"]]
        assert mine == [a for a in ids if fnv1a(a) % 2 == shard]
        seen += mine
    assert sorted(seen) == sorted(ids)


def test_sweep_reports_quiet_pipeline(aws, policy, tmp_path):
    moto, proxy = aws
    accounts = tmp_path / "accounts.txt"
    accounts.write_text(f"{ALLOWED}\n")
    run = run_peerguard(["sweep", "--policy", policy, "--accounts", accounts, "--regions", "ap-south-1",
                         "--role-arn", "arn:aws:iam::{account_id}:role/peerguard", "--endpoint-url", proxy.url,
                         "--audit-log", tmp_path / "audit.jsonl", "--max-quiet", "60",
                         "--metrics-file", tmp_path / "m.prom"], aws_env(tmp_path))
    assert run.returncode == 3, run
    assert "event pipeline is quiet" in run.stderr
    assert "peerguard_sweep_pipeline_quiet 1" in (tmp_path / "m.prom").read_text()


def test_sweep_rejects_bad_accounts_file(policy, tmp_path):
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("111111111111\n12345\n")
    run = run_peerguard(["sweep", "--policy", policy, "--accounts", accounts, "--regions", "us-east-1"],
                        aws_env(tmp_path))
    assert run.returncode == 2
    assert "line 2" in run.stderr
    assert "12-digit" in run.stderr


def test_watch_sqs_deletes_after_audit(aws, policy, tmp_path):
    moto, proxy = aws
    sqs = client("sqs", moto.url, OURS)
    queue = sqs.create_queue(QueueName="peering-events")["QueueUrl"]
    pcx = make_pcx(moto, (OURS, "us-east-1"), (UNKNOWN, "us-east-1"))
    event = json.dumps(create_event(pcx, OURS))
    for body in (event, event, "this is not an event"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    metrics = tmp_path / "watch.prom"

    run = run_peerguard(["watch", "--policy", policy, "--sqs-queue-url", queue, "--once", "--wait-seconds", "1",
                         "--account-id", OURS, "--header", HEADER, "--endpoint-url", proxy.url, "--execute",
                         "--audit-log", tmp_path / "audit.jsonl", "--state-file", tmp_path / "state.jsonl",
                         "--poll-ms", "10", "--metrics-file", metrics], aws_env(tmp_path), timeout=120)
    assert run.returncode == 0, run
    assert sorted(r["outcome"] for r in run.reports) == ["already-remediated", "remediated"]
    assert state_of(moto, pcx, OURS, "us-east-1") == "deleted"
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
    text = metrics.read_text()
    check_prometheus(text)
    assert 'peerguard_sqs_messages_total{result="deleted"} 3' in text
    assert "peerguard_events_received_total 3" in text
    assert re.search(r"peerguard_event_to_verified_seconds_count 1\b", text)
    received = [r for r in read_audit(tmp_path / "audit.jsonl") if r["step"] == "received"]
    assert len(received) == 2, "the unreadable message has no decision to record"


def test_watch_stdin_reports_quiet(aws, policy, tmp_path):
    moto, proxy = aws
    pcx = make_pcx(moto, (OURS, "us-east-1"), (UNKNOWN, "us-east-1"))
    metrics = tmp_path / "watch.prom"
    proc = subprocess.Popen([BIN, "watch", "--policy", str(policy), "-", "--account-id", OURS, "--header", HEADER,
                             "--endpoint-url", proxy.url, "--execute", "--poll-ms", "10", "--max-quiet", "1",
                             "--metrics-file", str(metrics)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=aws_env(tmp_path))
    proc.stdin.write(json.dumps(create_event(pcx, OURS)) + "\n")
    proc.stdin.flush()
    # Wait until the quiet gauge is written: a loaded machine (a sanitizer build) may take a while.
    quiet_metrics = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if metrics.exists():
            quiet_metrics = metrics.read_text()
            if re.search(r"^peerguard_pipeline_quiet 1$", quiet_metrics, re.M):
                break
        time.sleep(0.2)
    # The gauge and the log line are checked one after the other: give the next poll time to log.
    time.sleep(1.0)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert [json.loads(line)["outcome"] for line in out.splitlines()] == ["remediated"]
    assert "no event has arrived" in err
    assert re.search(r"^peerguard_pipeline_quiet 1$", quiet_metrics, re.M), quiet_metrics


def test_canary_removed_by_sweep(aws, policy, tmp_path):
    moto, proxy = aws
    ours = client("ec2", moto.url, OURS)
    canary_vpc = ours.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    peer_vpc = client("ec2", moto.url, UNKNOWN).create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    accounts = tmp_path / "accounts.txt"
    accounts.write_text(f"{OURS}\n")
    env = aws_env(tmp_path)
    canary = subprocess.Popen([BIN, "canary", "--canary-vpc", canary_vpc, "--canary-peer-account", UNKNOWN,
                               "--canary-peer-vpc", peer_vpc, "--bound", "20", "--poll-ms", "100",
                               "--header", HEADER, "--endpoint-url", proxy.url, "--region", "us-east-1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    done = threading.Event()

    def sweeper():
        while not done.is_set():
            run_peerguard(["sweep", "--policy", policy, "--accounts", accounts, "--regions", "us-east-1",
                           "--header", HEADER, "--endpoint-url", proxy.url, "--execute", "--poll-ms", "10"], env)
            time.sleep(0.3)

    thread = threading.Thread(target=sweeper, daemon=True)
    thread.start()
    out, err = canary.communicate(timeout=60)
    done.set()
    thread.join()
    assert canary.returncode == 0, err
    report = json.loads(out)
    assert report["within_bound"] is True
    assert report["final_state"] == "deleted"
    assert 0 < report["seconds"] < 20


def test_canary_alerts_when_bound_passes(aws, tmp_path):
    moto, proxy = aws
    sink = WebhookSink()
    ours = client("ec2", moto.url, OURS)
    canary_vpc = ours.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    peer_vpc = client("ec2", moto.url, UNKNOWN).create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
    try:
        run = run_peerguard(["canary", "--canary-vpc", canary_vpc, "--canary-peer-account", UNKNOWN,
                             "--canary-peer-vpc", peer_vpc, "--bound", "1", "--poll-ms", "100", "--header", HEADER,
                             "--endpoint-url", proxy.url, "--region", "us-east-1", "--webhook-url", f"{sink.url}/a",
                             "--metrics-file", tmp_path / "c.prom"], aws_env(tmp_path))
        posts = list(sink.posts)
    finally:
        sink.close()
    assert run.returncode == 1, run
    report = json.loads(run.stdout)
    assert report["within_bound"] is False
    assert [p["json"]["connection"] for p in posts] == [report["connection"]]
    assert state_of(moto, {"VpcPeeringConnectionId": report["connection"]}, OURS, "us-east-1") == "deleted"
    assert "peerguard_canary_within_bound 0" in (tmp_path / "c.prom").read_text()
