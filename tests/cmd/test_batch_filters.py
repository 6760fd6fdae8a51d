"""value_from, whitelist_from, list-item and reduce through `peerguard eval`.

The expected results are Cloud Custodian 0.9.53's, except where a
comment names a documented deviation; tests/differential checks the same
behaviour against c7n itself.
"""
import json

import pytest

from conftest import run_peerguard

ACCOUNT = "111111111111"


def record(n, **fields):
    r = {"VpcPeeringConnectionId": "pcx-%d" % n, "Status": {"Code": "active"},
         "AccepterVpcInfo": {"OwnerId": ACCOUNT, "VpcId": "vpc-a%d" % n, "Region": "us-east-1"},
         "RequesterVpcInfo": {"OwnerId": ACCOUNT, "VpcId": "vpc-r%d" % n, "Region": "us-east-1"}}
    r.update(fields)
    return r


def requester(n, owner):
    return record(n, RequesterVpcInfo={"OwnerId": owner, "VpcId": "vpc-r%d" % n, "Region": "us-east-1"})


def evaluate(tmp_path, filters, records):
    """Return the run of one policy with filters over records."""
    policy = tmp_path / "policy.yml"
    policy.write_text(json.dumps({"policies": [{"name": "p", "resource": "peering-connection",
                                                "filters": filters}]}))
    inp = tmp_path / "records.json"
    inp.write_text(json.dumps({"VpcPeeringConnections": records}))
    return run_peerguard("eval", "--policy", policy, "--account-id", ACCOUNT,
                         "--now", "2026-06-15T12:00:00Z", inp)


def source(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return "file://%s" % path


NAMES = [record(0, Name="alpha"), record(1, Name="beta"), record(2, Name="gamma"), record(3)]


def test_value_from_json_expr(tmp_path):
    url = source(tmp_path, "names.json", '{"names": [{"n": "alpha"}, {"n": "gamma"}]}')
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "in",
                               "value_from": {"url": url, "expr": "names[].n"}}], NAMES)
    assert run.returncode == 1, run.stderr
    assert run.matched_ids() == ["pcx-0", "pcx-2"]


def test_value_from_json_expr_single_string(tmp_path):
    # Deviation value-from-single-string: c7n keeps the string, so `in` would test for a
    # substring and "alpha" would match "alphabet"; here the string is one value.
    url = source(tmp_path, "names.json", '{"first": "alphabet", "second": "beta"}')
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "in",
                               "value_from": {"url": url, "expr": "first"}}], NAMES)
    assert run.matched_ids() == []
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "in",
                               "value_from": {"url": url, "expr": "second"}}], NAMES)
    assert run.matched_ids() == ["pcx-1"]


def test_value_from_csv_integer_column(tmp_path):
    url = source(tmp_path, "names.csv", "id,name\n1,beta\n2,\"gamma\"\n")
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "in",
                               "value_from": {"url": url, "expr": 1}}], NAMES)
    assert run.matched_ids() == ["pcx-1", "pcx-2"]


def test_value_from_csv_missing_column(tmp_path):
    url = source(tmp_path, "names.csv", "alpha,beta\ngamma\n")
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "in",
                               "value_from": {"url": url, "expr": 1}}], NAMES)
    assert run.returncode == 2
    assert "no column 1" in run.stderr


def test_value_from_csv2dict_column(tmp_path):
    url = source(tmp_path, "names.csv", "name,team\nalpha,red\nbeta,blue\n")
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "not-in",
                               "value_from": {"url": url, "format": "csv2dict", "expr": "name"}}], NAMES)
    assert run.matched_ids() == ["pcx-2", "pcx-3"]


def test_value_from_csv2dict_header_only(tmp_path):
    # Deviation reject-empty-source: c7n reads no values and not-in matches everything.
    url = source(tmp_path, "names.csv", "alpha,beta\n")
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "not-in",
                               "value_from": {"url": url, "format": "csv2dict"}}], NAMES)
    assert run.returncode == 2
    assert "yields no values" in run.stderr
    assert run.matched_ids() == []


def test_value_from_txt_strips_lines(tmp_path):
    url = source(tmp_path, "names.txt", "  alpha  \r\nbeta\n")
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "in", "value_from": {"url": url}}], NAMES)
    assert run.matched_ids() == ["pcx-0", "pcx-1"]


def test_value_from_txt_blank_line(tmp_path):
    # Deviation blank-source-lines: c7n adds "" for the blank line, so the record whose
    # Name is "" would be trusted by not-in; here it is not.
    url = source(tmp_path, "names.txt", "alpha\n\nbeta\n")
    records = NAMES + [record(4, Name="")]
    run = evaluate(tmp_path, [{"type": "value", "key": "Name", "op": "not-in", "value_from": {"url": url}}],
                   records)
    assert run.matched_ids() == ["pcx-2", "pcx-3", "pcx-4"]


@pytest.mark.parametrize("name, text, settings", [
    ("accounts.json", '[{"id": "222222222222"}]', {"expr": "[].id"}),
    ("accounts.csv", "222222222222,vendor\n", {"expr": 0}),
    ("accounts.csv", "account\n222222222222\n", {"format": "csv2dict", "expr": "account"}),
    ("accounts.txt", "222222222222\n", {}),
])
def test_whitelist_from_sources(tmp_path, name, text, settings):
    url = source(tmp_path, name, text)
    records = [requester(0, "222222222222"), requester(1, "999999999999"), record(2)]
    run = evaluate(tmp_path, [{"type": "cross-account", "whitelist_from": dict(settings, url=url)}], records)
    assert run.returncode == 1, run.stderr
    assert run.matched_ids() == ["pcx-1"]


def test_whitelist_from_keeps_leading_zero(tmp_path):
    url = source(tmp_path, "accounts.txt", "012345678901\n")
    records = [requester(0, "012345678901"), requester(1, "12345678901")]
    run = evaluate(tmp_path, [{"type": "cross-account", "whitelist_from": {"url": url}}], records)
    assert run.matched_ids() == ["pcx-1"]


CIDRS = [
    record(0, CidrBlockSet=[{"CidrBlock": "10.0.0.0/16"}, {"CidrBlock": "192.168.0.0/24"}]),
    record(1, CidrBlockSet=[{"CidrBlock": "172.16.0.0/16"}]),
    record(2, CidrBlockSet=[]),
    record(3),
]


def test_list_item_any_item(tmp_path):
    run = evaluate(tmp_path, [{"type": "list-item", "key": "CidrBlockSet", "attrs": [
        {"type": "value", "key": "CidrBlock", "value_type": "cidr", "op": "in", "value": "192.168.0.0/16"}]}],
        CIDRS)
    assert run.matched_ids() == ["pcx-0"]


def test_list_item_count_zero(tmp_path):
    # An empty or missing list counts 0 matching items.
    run = evaluate(tmp_path, [{"type": "list-item", "key": "CidrBlockSet", "count": 0, "attrs": [
        {"type": "value", "key": "CidrBlock", "value_type": "cidr", "op": "in", "value": "10.0.0.0/8"}]}], CIDRS)
    assert run.matched_ids() == ["pcx-1", "pcx-2", "pcx-3"]


def test_list_item_count_op(tmp_path):
    run = evaluate(tmp_path, [{"type": "list-item", "key": "CidrBlockSet", "count": 2, "count_op": "gte"}], CIDRS)
    assert run.matched_ids() == ["pcx-0"]


def test_list_item_resource_count_of_items(tmp_path):
    # Inside attrs, value_type resource_count counts the items of one list.
    run = evaluate(tmp_path, [{"type": "list-item", "key": "CidrBlockSet", "attrs": [
        {"type": "value", "value_type": "resource_count", "op": "gte", "value": 2}]}], CIDRS)
    assert run.matched_ids() == ["pcx-0"]


def test_list_item_not_a_list(tmp_path):
    run = evaluate(tmp_path, [{"type": "list-item", "key": "Name"}], [record(0, Name="x"), record(1)])
    assert run.returncode == 2
    assert "is a string, not a list" in run.stderr
    assert run.matched_ids() == []


def test_list_item_rejects_cross_account(tmp_path):
    run = evaluate(tmp_path, [{"type": "list-item", "key": "CidrBlockSet", "attrs": ["cross-account"]}], CIDRS)
    assert run.returncode == 2
    assert "list-item attrs take value and reduce filters" in run.stderr


TEAMS = [record(0, Team="red", Rank=3), record(1, Team="blue", Rank=1), record(2, Team="red", Rank="10"),
         record(3, Team="blue"), record(4, Rank=2)]


def test_reduce_group_sort_limit(tmp_path):
    run = evaluate(tmp_path, [{"type": "reduce", "group-by": "Team",
                               "sort-by": {"key": "Rank", "value_type": "number"}, "order": "desc",
                               "limit": 1}], TEAMS)
    # red: 10 beats 3; blue: Rank 1 beats the missing one, which sorts last in desc order.
    assert run.matched_ids() == ["pcx-1", "pcx-2", "pcx-4"]


def test_reduce_string_sort(tmp_path):
    # As strings, "10" sorts before "3".
    run = evaluate(tmp_path, [{"type": "reduce", "sort-by": "Rank", "limit": 1},
                              {"type": "value", "key": "Team", "value": "red"}], TEAMS)
    assert run.matched_ids() == []
    run = evaluate(tmp_path, [{"type": "value", "key": "Team", "value": "red"},
                              {"type": "reduce", "sort-by": "Rank", "limit": 1}], TEAMS)
    assert run.matched_ids() == ["pcx-2"]


def test_reduce_null_order_first(tmp_path):
    run = evaluate(tmp_path, [{"type": "reduce", "sort-by": "Team", "null-order": "first", "limit": 1}], TEAMS)
    assert run.matched_ids() == ["pcx-4"]


def test_reduce_discard_percent(tmp_path):
    # discard-percent 50 of 5 drops int(2.5) = 2, then limit-percent 50 of 3 keeps int(1.5) = 1.
    run = evaluate(tmp_path, [{"type": "reduce", "sort-by": {"key": "Rank", "value_type": "number"},
                               "discard-percent": 50, "limit-percent": 50}], TEAMS)
    assert run.matched_ids() == ["pcx-0"]


def test_reduce_reverse(tmp_path):
    run = evaluate(tmp_path, [{"type": "reduce", "order": "reverse", "limit": 2}], TEAMS)
    assert run.matched_ids() == ["pcx-3", "pcx-4"]


def test_reduce_randomize_rejected(tmp_path):
    run = evaluate(tmp_path, [{"type": "reduce", "order": "randomize", "limit": 1}], TEAMS)
    assert run.returncode == 2
    assert "randomize is not supported" in run.stderr


def test_resource_count_sees_filtered_list(tmp_path):
    # resource_count counts what the previous filters let through, not the whole input.
    run = evaluate(tmp_path, [{"type": "value", "key": "Team", "value": "red"},
                              {"type": "value", "value_type": "resource_count", "op": "eq", "value": 2}], TEAMS)
    assert run.matched_ids() == ["pcx-0", "pcx-2"]
