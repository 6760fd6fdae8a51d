"""Errors raised while loading policies and evaluating input carry peerguard_error's fields."""
import json
import pickle

import pytest

from conftest import ACCOUNT, CASES, CONTEXT, POLICY, create_event, describe_record

BAD_OP = """\
policies:
  - name: first-ok
    resource: aws.peering-connection
    filters:
      - type: value
        key: Status.Code
        value: active
  - name: second-bad
    resource: aws.peering-connection
    filters:
      - type: value
        key: Status.Code
        op: equalz
        value: active
"""


def test_policy_error_fields_from_file(peerguard_module, tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(BAD_OP)
    with pytest.raises(peerguard_module.PolicyError) as info:
        peerguard_module.PolicySet.from_file(path)
    e = info.value
    assert e.code == -4
    assert e.file == str(path)
    assert e.line == 13
    assert e.column > 0
    assert e.policy == "second-bad"
    assert e.path.startswith("policies[1].filters[0]")
    assert "equalz" in e.message
    assert str(e) == e.message
    assert isinstance(e, peerguard_module.PeerguardError)


def test_policy_error_names_string_document(peerguard_module):
    with pytest.raises(peerguard_module.PolicyError) as info:
        peerguard_module.PolicySet.from_string(BAD_OP, name="inline.yml")
    assert info.value.file == "inline.yml"
    assert info.value.policy == "second-bad"
    assert info.value.line == 13


def test_unquoted_account_error_matches_case(peerguard_module):
    case = CASES / "B04"
    expected = json.loads((case / "expected.json").read_text())
    with pytest.raises(peerguard_module.PolicyError) as info:
        peerguard_module.PolicySet.from_file(case / "policy.yml")
    first = expected["errors"][0]
    assert info.value.path == first["path"]
    assert info.value.file.endswith("policy.yml")
    assert info.value.line > 0
    assert info.value.column > 0
    assert "quoted 12-digit" in info.value.message


def test_subset_loads_only_named_policy(peerguard_module):
    with peerguard_module.PolicySet.from_string(BAD_OP, policies=["first-ok"]) as ps:
        assert ps.names == ("first-ok",)


def test_unknown_policy_name_is_error(peerguard_module):
    with pytest.raises(peerguard_module.PeerguardError) as info:
        peerguard_module.PolicySet.from_string(POLICY, policies=["no-such-policy"])
    assert info.value.code in (-4, -10)
    assert "no-such-policy" in info.value.message


def test_missing_policy_file(peerguard_module, tmp_path):
    missing = tmp_path / "absent.yml"
    with pytest.raises(peerguard_module.FileReadError) as info:
        peerguard_module.PolicySet.from_file(missing)
    assert info.value.code == -6
    assert str(missing) in info.value.message


def test_policy_size_limit(peerguard_module):
    limits = peerguard_module.Limits(max_policy_bytes=64)
    with pytest.raises(peerguard_module.LimitError) as info:
        peerguard_module.PolicySet.from_string(POLICY, limits=limits)
    assert info.value.code == -7


def test_unreadable_input_raises_input_error(policy_set, peerguard_module):
    with pytest.raises(peerguard_module.InputError) as info:
        policy_set.evaluate_event(b"{not json", name="broken.json")
    assert info.value.code == -5
    assert "broken.json" in info.value.message


def test_bad_record_reported_others_evaluated(policy_set, peerguard_module):
    good = describe_record("pcx-0aaaaaaaaaaaaaaa1", ACCOUNT, "999999999999")
    document = {"VpcPeeringConnections": [good, "not a record"]}
    result = policy_set.evaluate_resources(document, **CONTEXT, name="mixed.json")
    assert [d.resource_id for d in result.decisions] == ["pcx-0aaaaaaaaaaaaaaa1"]
    assert len(result.errors) == 1
    assert isinstance(result.errors[0], peerguard_module.InputError)
    assert result.errors[0].file == "mixed.json"
    with pytest.raises(peerguard_module.InputError):
        result.raise_for_errors()


def test_account_id_must_be_string(policy_set):
    with pytest.raises(TypeError, match="leading zeros"):
        policy_set.evaluate_event(create_event("pcx-0aaaaaaaaaaaaaaa1"), account_id=111111111111)


def test_account_id_must_have_12_digits(policy_set, peerguard_module):
    with pytest.raises(peerguard_module.InvalidArgument) as info:
        policy_set.evaluate_event(create_event("pcx-0aaaaaaaaaaaaaaa1"), account_id="1234")
    assert isinstance(info.value, ValueError)
    assert "1234" in info.value.message


def test_bad_now_is_rejected(policy_set):
    with pytest.raises(ValueError, match="RFC 3339"):
        policy_set.evaluate_event(create_event("pcx-0aaaaaaaaaaaaaaa1"), now="yesterday")


def test_closed_set_rejects_evaluation(peerguard_module):
    ps = peerguard_module.PolicySet.from_string(POLICY)
    ps.close()
    ps.close()
    assert ps.closed
    with pytest.raises(ValueError, match="closed"):
        ps.evaluate_event(create_event("pcx-0aaaaaaaaaaaaaaa1"))


def test_error_survives_pickle(peerguard_module):
    with pytest.raises(peerguard_module.PolicyError) as info:
        peerguard_module.PolicySet.from_string(BAD_OP, name="inline.yml")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is peerguard_module.PolicyError
    assert copy.as_dict() == info.value.as_dict()
