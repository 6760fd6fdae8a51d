"""Evaluating events and describe output given as dicts, JSON text, bytes and files."""
import datetime as dt
import gzip
import json
import logging

import pytest

from conftest import ACCOUNT, AWS, CONTEXT, POLICY, create_event, describe_record

FOREIGN = "999999999999"
PCX = "pcx-0aaaaaaaaaaaaaaa1"


def dicts(result):
    return [d.to_dict() for d in result.decisions]


def test_event_dict_string_bytes_agree(policy_set):
    event = create_event(PCX)
    from_dict = policy_set.evaluate_event(event, **CONTEXT)
    from_str = policy_set.evaluate_event(json.dumps(event), **CONTEXT)
    from_bytes = policy_set.evaluate_event(json.dumps(event).encode(), **CONTEXT)
    from_gzip = policy_set.evaluate_event(gzip.compress(json.dumps(event).encode()), **CONTEXT)
    assert len(from_dict.decisions) == 1
    assert dicts(from_dict) == dicts(from_str) == dicts(from_bytes) == dicts(from_gzip)


def test_event_decision_fields(policy_set):
    event = create_event(PCX)
    (d,) = policy_set.evaluate_event(event, **CONTEXT).decisions
    assert d.policy == "pcx-foreign-event"
    assert d.resource_id == PCX
    assert d.matched is True
    assert d.side == "requester"
    assert d.state == "initiating-request"
    assert d.state_source == "event"
    assert d.state_datetime == dt.datetime(2026, 1, 15, 11, 58, tzinfo=dt.timezone.utc)
    assert d.violations == (FOREIGN,)
    assert d.account_id == ACCOUNT
    assert d.requester.owner_id == ACCOUNT
    assert d.accepter.owner_id == FOREIGN
    assert d.event.id == "ev-0001"
    assert d.event.name == "CreateVpcPeeringConnection"
    assert d.event.envelope_id == "env-ev-0001"
    assert d.event.caller.endswith("assumed-role/dev/alice")
    assert d.actions == ({"type": "webhook", "url": "http://127.0.0.1:9/hook"},)
    assert d.explain is None
    assert d.policy_revision == policy_set.revision
    assert d.extra == {}
    assert d.reason


def test_event_wrappings_agree(policy_set):
    envelope = create_event(PCX)
    record = envelope["detail"]
    log_file = {"Records": [record]}
    sns = {"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification", "MessageId": "m-1",
                                                          "Message": json.dumps(envelope)}}]}
    json_lines = json.dumps(record) + "\n" + json.dumps(create_event("pcx-0aaaaaaaaaaaaaaa2")["detail"]) + "\n"
    ids = {}
    for name, doc in (("record", record), ("log", log_file), ("sns", sns), ("lines", json_lines),
                      ("envelope", envelope)):
        ids[name] = [d.resource_id for d in policy_set.evaluate_event(doc, **CONTEXT).decisions]
    assert ids["record"] == ids["log"] == ids["sns"] == ids["envelope"] == [PCX]
    assert ids["lines"] == [PCX, "pcx-0aaaaaaaaaaaaaaa2"]


def test_account_defaults_to_recipient(policy_set):
    (d,) = policy_set.evaluate_event(create_event(PCX), now=CONTEXT["now"]).decisions
    assert d.account_id == ACCOUNT
    assert d.side == "requester"


def test_resources_decide_by_state(policy_set):
    records = [describe_record("pcx-0aaaaaaaaaaaaaaa1", FOREIGN, ACCOUNT, "pending-acceptance"),
               describe_record("pcx-0aaaaaaaaaaaaaaa2", ACCOUNT, FOREIGN, "active"),
               describe_record("pcx-0aaaaaaaaaaaaaaa3", ACCOUNT, "222222222222", "active"),
               describe_record("pcx-0aaaaaaaaaaaaaaa4", FOREIGN, ACCOUNT, "rejected")]
    result = policy_set.evaluate_resources({"VpcPeeringConnections": records}, **CONTEXT)
    by_id = {d.resource_id: d for d in result}
    assert set(by_id) == {r["VpcPeeringConnectionId"] for r in records}
    assert all(d.policy == "pcx-foreign-describe" for d in result)
    assert by_id["pcx-0aaaaaaaaaaaaaaa1"].side == "accepter"
    assert by_id["pcx-0aaaaaaaaaaaaaaa1"].api_call == "RejectVpcPeeringConnection"
    assert by_id["pcx-0aaaaaaaaaaaaaaa2"].api_call == "DeleteVpcPeeringConnection"
    assert by_id["pcx-0aaaaaaaaaaaaaaa2"].region == "us-east-1"
    assert by_id["pcx-0aaaaaaaaaaaaaaa3"].matched is False
    assert by_id["pcx-0aaaaaaaaaaaaaaa3"].action == "none"
    assert by_id["pcx-0aaaaaaaaaaaaaaa4"].action == "none"
    assert [d.resource_id for d in result.matched] == ["pcx-0aaaaaaaaaaaaaaa1", "pcx-0aaaaaaaaaaaaaaa2",
                                                       "pcx-0aaaaaaaaaaaaaaa4"]
    assert result.errors == ()


EXPIRING = """\
policies:
  - name: pcx-expiring-soon
    resource: aws.peering-connection
    filters:
      - type: value
        key: ExpirationTime
        value_type: expiration
        op: less-than
        value: 3
"""


def boto3_response(expiration):
    """describe_vpc_peering_connections() as boto3 returns it: datetimes and ResponseMetadata."""
    record = describe_record(PCX, FOREIGN, ACCOUNT, "pending-acceptance", ExpirationTime=expiration)
    return {"VpcPeeringConnections": [record],
            "ResponseMetadata": {"RequestId": "c7b8362a-e776-4762-a54d-11f460714f41", "HTTPStatusCode": 200,
                                 "HTTPHeaders": {"date": "Thu, 15 Jan 2026 12:00:00 GMT"}, "RetryAttempts": 0}}


def test_boto3_datetimes_are_converted(peerguard_module):
    utc = dt.timezone.utc
    with peerguard_module.PolicySet.from_string(EXPIRING) as ps:
        soon = ps.evaluate_resources(boto3_response(dt.datetime(2026, 1, 16, 9, 0, tzinfo=utc)), **CONTEXT)
        late = ps.evaluate_resources(boto3_response(dt.datetime(2026, 1, 30, 9, 0, tzinfo=utc)), **CONTEXT)
        as_text = ps.evaluate_resources(boto3_response("2026-01-16T09:00:00.000Z"), **CONTEXT)
        offset = ps.evaluate_resources(
            boto3_response(dt.datetime(2026, 1, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))), **CONTEXT)
    assert [d.matched for d in soon] == [True]
    assert [d.matched for d in late] == [False]
    assert dicts(soon) == dicts(as_text) == dicts(offset)
    assert soon.errors == late.errors == ()


def test_boto3_pages_are_merged(policy_set):
    pages = [{"VpcPeeringConnections": [describe_record("pcx-0aaaaaaaaaaaaaaa1", FOREIGN, ACCOUNT)],
              "NextToken": "t1", "ResponseMetadata": {}},
             {"VpcPeeringConnections": [describe_record("pcx-0aaaaaaaaaaaaaaa2", ACCOUNT, FOREIGN)],
              "ResponseMetadata": {}}]
    result = policy_set.evaluate_resources(pages, **CONTEXT)
    assert [d.resource_id for d in result] == ["pcx-0aaaaaaaaaaaaaaa1", "pcx-0aaaaaaaaaaaaaaa2"]


def test_single_record_and_list(policy_set):
    record = describe_record(PCX, FOREIGN, ACCOUNT)
    one = policy_set.evaluate_resources(record, **CONTEXT)
    many = policy_set.evaluate_resources([record], **CONTEXT)
    assert dicts(one) == dicts(many)
    assert len(one) == 1


def test_real_boto3_sample(policy_set):
    sample = json.loads((AWS / "describe" / "boto3.describe-vpc-peering-connections.cross-account-active"
                                            ".placebo.json").read_text())["data"]
    assert "ResponseMetadata" in sample
    result = policy_set.evaluate_resources(sample, **CONTEXT)
    assert [d.resource_id for d in result] == [r["VpcPeeringConnectionId"]
                                               for r in sample["VpcPeeringConnections"]]
    assert result.errors == ()


def test_now_forms_agree(policy_set):
    record = describe_record(PCX, FOREIGN, ACCOUNT)
    when = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)
    forms = [CONTEXT["now"], when, when.timestamp(), int(when.timestamp()), when.replace(tzinfo=None)]
    times = {policy_set.evaluate_resources(record, account_id=ACCOUNT, now=n).decisions[0].state_time
             for n in forms}
    assert times == {"2026-01-15T12:00:00.000Z"}


def test_explain_and_matched_only(policy_set):
    records = [describe_record("pcx-0aaaaaaaaaaaaaaa1", FOREIGN, ACCOUNT),
               describe_record("pcx-0aaaaaaaaaaaaaaa2", ACCOUNT, "222222222222")]
    plain = policy_set.evaluate_resources(records, **CONTEXT)
    explained = policy_set.evaluate_resources(records, **CONTEXT, explain=True)
    only = policy_set.evaluate_resources(records, **CONTEXT, matched_only=True)
    assert all(d.explain is None for d in plain)
    assert all(d.explain for d in explained)
    assert "explain" in explained.decisions[0].to_dict()
    assert [d.resource_id for d in only] == ["pcx-0aaaaaaaaaaaaaaa1"]


def test_evaluate_file_matches_in_memory(policy_set, tmp_path, peerguard_module):
    event = create_event(PCX)
    path = tmp_path / "event.json.gz"
    path.write_bytes(gzip.compress(json.dumps(event).encode()))
    from_file = policy_set.evaluate_file(path, **CONTEXT)
    from_memory = policy_set.evaluate_event(event, **CONTEXT)
    assert dicts(from_file) == dicts(from_memory)

    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    one_call = peerguard_module.evaluate_file(policy, path, **CONTEXT)
    assert dicts(one_call) == dicts(from_memory)


def test_evaluate_missing_file(policy_set, peerguard_module, tmp_path):
    with pytest.raises(peerguard_module.FileReadError):
        policy_set.evaluate_file(tmp_path / "absent.json", **CONTEXT)


def test_invalid_kind(policy_set):
    with pytest.raises(ValueError, match="kind"):
        policy_set.evaluate({}, "logs")


def test_unsupported_document_type(policy_set):
    with pytest.raises(TypeError, match="dict"):
        policy_set.evaluate_event(42)


def test_set_properties(policy_set):
    assert policy_set.names == ("pcx-foreign-event", "pcx-foreign-describe")
    assert len(policy_set) == 2
    assert list(policy_set) == list(policy_set.names)
    assert len(policy_set.revision) == 64
    assert "2 policies" in repr(policy_set)


def test_decision_round_trip_and_hash(policy_set):
    result = policy_set.evaluate_event(create_event(PCX), **CONTEXT)
    d = result.decisions[0]
    again = type(d).from_dict(json.loads(json.dumps(d.to_dict())))
    assert again == d
    assert hash(again) == hash(d)
    with pytest.raises(AttributeError):
        d.action = "none"


SUBSTRING_IN = """\
policies:
  - name: pcx-status-substring
    resource: aws.peering-connection
    filters:
      - type: value
        key: Status.Code
        op: in
        value: pending-acceptance
"""


def test_load_warnings_are_logged(peerguard_module, caplog):
    # op in with a string value is a substring test in Cloud Custodian: loading warns about it.
    with caplog.at_level(logging.WARNING, logger="peerguard"):
        ps = peerguard_module.PolicySet.from_string(SUBSTRING_IN, name="substring.yml")
    with ps:
        assert len(ps.warnings) == 1
        assert "substring.yml:8" in ps.warnings[0]
        assert "pcx-status-substring" in ps.warnings[0]
    logged = [r.getMessage() for r in caplog.records if r.name == "peerguard"]
    assert logged == list(ps.warnings)
