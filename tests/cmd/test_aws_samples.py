"""The real-shaped AWS samples (CloudTrail records, boto3 and CLI describe output) through `peerguard eval`.

Expectations were written by reading each sample: its owners, states and ids.
"""
from pathlib import Path

from conftest import AWS

POLICY = Path(__file__).parent / "data" / "samples.yml"
ACCOUNT = "111111111111"
NOW = "2021-06-08T08:00:00Z"


def evaluate(peerguard, sample, *extra):
    return peerguard("eval", "--policy", POLICY, "--account-id", ACCOUNT, "--now", NOW, *extra, AWS / sample)


def test_same_account_create_record(peerguard):
    run = evaluate(peerguard, "cloudtrail/create-vpc-peering-connection.same-account.json")
    assert run.returncode == 1, run.stderr
    (d,) = [d for d in run.decisions if d["policy"] == "create-event"]
    assert d["resource_id"] == "pcx-0ccccccccccccccc3"
    assert d["side"] == "both"
    assert d["state"] == "initiating-request"
    assert d["state_source"] == "event"
    assert d["state_time"] == "2021-06-08T07:37:56.000Z"
    assert d["event"]["caller"] == "arn:aws:iam::111111111111:user/test-user"
    assert d["event"]["region"] == "ap-northeast-1"
    # epoch-millisecond expirationTime 1623742676000 is 2021-06-15T07:37:56Z, after NOW
    assert d["matched"] is True
    assert d["action"] == "wait"
    assert d["region"] == "ap-northeast-1"


def test_delete_record_has_no_state(peerguard):
    run = evaluate(peerguard, "cloudtrail/delete-vpc-peering-connection.json")
    assert run.returncode == 1, run.stderr
    (d,) = run.decisions
    assert d["policy"] == "delete-event"
    assert d["resource_id"].startswith("pcx-")
    assert d["state"] == ""
    assert d["action"] == "wait"


def test_failed_call_is_skipped(peerguard):
    run = evaluate(peerguard, "cloudtrail/run-instances.failed-client-unauthorized.json")
    assert run.returncode == 0, run.stderr
    assert run.decisions == []
    assert run.stderr == ""


def test_log_file_without_peering_calls(peerguard):
    run = evaluate(peerguard, "cloudtrail/s3-log-file.records-envelope.json")
    assert run.returncode == 0, run.stderr
    assert run.decisions == []


def test_eventbridge_for_other_call(peerguard):
    run = evaluate(peerguard, "cloudtrail/eventbridge.delete-tgw-vpc-attachment.json")
    assert run.returncode == 0, run.stderr
    assert run.decisions == []


def test_cli_describe_output(peerguard):
    # This CLI output predates the Region fields, so the region comes from the command line.
    sample = "describe/awscli.describe-vpc-peering-connections.active-and-pending.json"
    run = evaluate(peerguard, sample, "--region", "us-east-1")
    assert run.returncode == 1, run.stderr
    foreign = [d for d in run.decisions if d["policy"] == "foreign-peer"]
    assert len(foreign) == 2
    active = foreign[0]
    assert active["resource_id"] == "pcx-11122233"
    assert active["matched"] is True
    assert active["violations"] == ["222222222222"]
    assert active["side"] == "requester"
    assert active["action"] == "delete"
    assert active["region"] == "us-east-1"
    assert foreign[1]["matched"] is False


def test_cli_describe_without_region_waits(peerguard):
    run = evaluate(peerguard, "describe/awscli.describe-vpc-peering-connections.active-and-pending.json")
    (active,) = [d for d in run.decisions if d["policy"] == "foreign-peer" and d["matched"]]
    assert active["action"] == "wait"
    assert "no region" in active["reason"]


def test_boto3_placebo_describe(peerguard):
    run = evaluate(peerguard, "describe/boto3.describe-vpc-peering-connections.cross-account-active.placebo.json")
    assert run.returncode == 1, run.stderr
    (d,) = [d for d in run.decisions if d["policy"] == "foreign-peer"]
    assert d["resource_id"] == "pcx-0ccccccc"
    assert d["action"] == "delete"
    assert d["region"] == "us-east-1"


def test_boto3_create_and_accept_responses(peerguard):
    run = evaluate(peerguard, "describe/boto3.create-vpc-peering-connection.placebo.json")
    (d,) = [d for d in run.decisions if d["policy"] == "foreign-peer"]
    assert d["state"] == "initiating-request"
    assert d["side"] == "neither"
    assert d["action"] == "none"
    run = evaluate(peerguard, "describe/boto3.accept-vpc-peering-connection.provisioning.placebo.json")
    (d,) = [d for d in run.decisions if d["policy"] == "foreign-peer"]
    assert d["state"] == "provisioning"


def test_delete_response_is_not_a_record(peerguard):
    run = evaluate(peerguard, "describe/boto3.delete-vpc-peering-connection.placebo.json")
    assert run.returncode == 2
    assert "not a CloudTrail event or describe record" in run.stderr
