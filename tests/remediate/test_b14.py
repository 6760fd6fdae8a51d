"""Case B14: the same CreateVpcPeeringConnection event delivered twice, NotFound right after creation.

The EC2 replies are the case's scripted ones, served in order by a local EC2 Query endpoint
that records every call; notifications go to a local webhook sink.
"""
import json

import pytest

from conftest import CASES, aws_env, read_audit, run_peerguard

CASE = CASES / "B14"


@pytest.fixture
def case():
    if not CASE.exists():
        pytest.skip(f"case B14 not found under {CASES}")
    return json.loads((CASE / "input.json").read_text()), json.loads((CASE / "expected.json").read_text())


def deliver(tmp_path, delivery, context, server, webhook, index):
    event_file = tmp_path / f"delivery-{index}.json"
    event_file.write_text(json.dumps(delivery["event"]))
    server.load(delivery["aws_responses_in_order"])
    return run_peerguard([
        "remediate", "--policy", CASE / "policy.yml", "--execute",
        "--account-id", context["account_id"], "--region", context["region"],
        "--endpoint-url", server.url, "--now", context["now"],
        "--state-file", tmp_path / "state.jsonl", "--audit-log", tmp_path / "audit.jsonl",
        "--webhook-url", f"{webhook.url}/hook?token=not-for-logs", "--poll-ms", "20",
        event_file], env=aws_env(tmp_path))


def test_b14_two_deliveries(tmp_path, peerguard_bin, case, scripted_ec2, webhook):
    data, expected = case
    context = data["context"]
    runs = []
    for i, delivery in enumerate(data["deliveries"], 1):
        run = deliver(tmp_path, delivery, context, scripted_ec2, webhook, i)
        calls = [c["action"] for c in scripted_ec2.calls]
        runs.append((run, calls, len(webhook.posts)))

    first, second = runs
    want1 = expected["decision"]["delivery-1"]
    want2 = expected["decision"]["delivery-2"]

    assert first[0].returncode == 0, first[0]
    assert first[1] == want1["calls"]
    assert [r["outcome"] for r in first[0].reports] == [want1["result"]]
    assert first[2] == 1

    assert second[0].returncode == 0, second[0]
    assert second[1] == want2["calls"]
    assert "DeleteVpcPeeringConnection" not in second[1]
    assert [r["outcome"] for r in second[0].reports] == [want2["result"]]
    assert second[2] == 1, "a repeated event must not notify again"


def test_b14_audit_path(tmp_path, peerguard_bin, case, scripted_ec2, webhook):
    data, _ = case
    deliver(tmp_path, data["deliveries"][0], data["context"], scripted_ec2, webhook, 1)
    steps = [(r["step"], r.get("state"), r.get("action") or r.get("call")) for r in read_audit(tmp_path / "audit.jsonl")]
    assert steps[0][0] == "received"
    assert steps[1:] == [
        ("planned", "not-found", "wait"),
        ("planned", "pending-acceptance", "delete"),
        ("acted", None, "DeleteVpcPeeringConnection"),
        ("verified", "deleting", None),
        ("notified", None, None),
    ]


def test_b14_notification_content(tmp_path, peerguard_bin, case, scripted_ec2, webhook):
    data, _ = case
    run = deliver(tmp_path, data["deliveries"][0], data["context"], scripted_ec2, webhook, 1)
    assert run.returncode == 0, run
    body = webhook.posts[0]["json"]
    event = data["deliveries"][0]["event"]["detail"]
    assert body["account_id"] == "111111111111"
    assert body["region"] == "us-east-1"
    assert body["caller"] == event["userIdentity"]["arn"]
    assert body["event"]["id"] == event["eventID"]
    assert body["event"]["time"] == event["eventTime"]
    assert body["connection"]["id"] == "pcx-0b140000000000001"
    assert body["connection"]["requester"]["owner_id"] == "111111111111"
    assert body["connection"]["accepter"]["owner_id"] == "999999999999"
    assert [s["step"] for s in body["steps"]] == ["planned", "planned", "acted", "verified"]
    assert body["final_state"] == "deleting"
    assert body["exposure"]["ever_active"] is False
    assert body["exposure"]["from"] == "event-time"
    assert 5 <= body["exposure"]["seconds"] < 60


def test_b14_no_secret_in_outputs(tmp_path, peerguard_bin, case, scripted_ec2, webhook):
    data, _ = case
    run = deliver(tmp_path, data["deliveries"][0], data["context"], scripted_ec2, webhook, 1)
    texts = [run.stdout, run.stderr, (tmp_path / "audit.jsonl").read_text(), (tmp_path / "state.jsonl").read_text(),
             json.dumps([p["json"] for p in webhook.posts])]
    for text in texts:
        assert "EXAMPLEKEY" not in text
        assert "not-for-logs" not in text
