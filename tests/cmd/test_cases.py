"""Run every decision-core case from the shared case collection through `peerguard eval`.

A case directory contains policy.yml, input.json (resources or events) and
expected.json.  Where a case records both Cloud Custodian's actual result
and the correct one, the correct one is asserted.
"""
import json

import pytest

from conftest import CASES, context_args, run_peerguard

# Cases whose input has neither resources nor events belong to the transport
# and remediation tests (SigV4 requests, scripted AWS replies).


def core_cases():
    found = []
    for case in sorted(CASES.glob("B*")):
        data = json.loads((case / "input.json").read_text())
        if "resources" in data or "events" in data:
            found.append(case.name)
    return found


def load(case):
    d = CASES / case
    return d, json.loads((d / "input.json").read_text()), json.loads((d / "expected.json").read_text())


def policy_names(case_dir):
    """Policy names in file order, read with a real YAML parser so traps stay intact."""
    import yaml
    doc = yaml.safe_load((case_dir / "policy.yml").read_text())
    return [p["name"] for p in doc["policies"]]


def write_resources(tmp_path, resources):
    path = tmp_path / "describe.json"
    path.write_text(json.dumps({"VpcPeeringConnections": resources}))
    return path


def write_event(tmp_path, name, event):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(event))
    return path


def expected_matches(expected, name, n_policies):
    m = expected.get("matches")
    if m is None:
        return None
    if isinstance(m, list):
        return m
    return m.get(name)


def test_core_case_list_is_complete():
    # Guards against the glob silently finding nothing when the data moves.
    assert len(core_cases()) >= 10


@pytest.mark.parametrize("case", core_cases())
def test_case(case, tmp_path, peerguard):
    case_dir, data, expected = load(case)
    ctx = context_args(data["context"])
    names = policy_names(case_dir)
    policy = case_dir / "policy.yml"

    # Whole-file rejection: the set loads whole or not at all.
    if expected.get("decision") == "reject-policy":
        run = peerguard("eval", "--policy", policy, *ctx, write_resources(tmp_path, data.get("resources", [])))
        assert run.returncode == 2, run.stderr
        first = expected["errors"][0]
        assert first["path"] in run.stderr, run.stderr
        assert "quoted 12-digit" in run.stderr
        assert "policy.yml:" in run.stderr
        return

    if isinstance(expected.get("decision"), dict) and all(
            v == "reject-policy" for v in expected["decision"].values()):
        hints = expected.get("hints", {})
        for name in expected["decision"]:
            run = peerguard("validate", "-q", policy)
            assert run.returncode == 2
            run = peerguard("eval", "--policy", policy, "-p", name, *ctx, write_event(tmp_path, "e", {}))
            assert run.returncode == 2, f"{name}: {run.stderr}"
            assert "did you mean" in run.stderr or "not the EventBridge source" in run.stderr, run.stderr
            if "CreateVpcPeeringConnection" in hints.get(name, ""):
                assert "CreateVpcPeeringConnection" in run.stderr
        return

    if "resources" in data:
        inp = write_resources(tmp_path, data["resources"])
        for name in names:
            want = expected_matches(expected, name, len(names))
            run = peerguard("eval", "--policy", policy, "-p", name, *ctx, inp)
            if want in ("error", "reject-policy"):
                assert run.returncode == 2, f"{name}: expected a load error\n{run.stderr}"
                assert name in run.stderr, run.stderr
                continue
            assert run.returncode in (0, 1), f"{name}: {run.stderr}"
            if isinstance(want, list):
                assert run.matched_ids(name) == sorted(want), name
            elif isinstance(want, str):
                # A prose expectation: the recommended result for dates that are missing
                # or unparseable is "never match", whatever the operator.
                c7n = expected["c7n_actual"][name]
                got = run.matched_ids(name)
                assert got != sorted(c7n), f"{name}: reproduces Cloud Custodian's defect"
                dated = {r["VpcPeeringConnectionId"] for r in data["resources"]
                         if isinstance(r.get("ExpirationTime"), str)}
                assert set(got) <= dated, name
            annotations = expected.get("annotations", {})
            for d in run.decisions:
                if d["resource_id"] in annotations:
                    assert d["violations"] == annotations[d["resource_id"]]["violating_accounts"]
        if isinstance(expected.get("decision"), dict):
            run = peerguard("eval", "--policy", policy, *ctx, inp)
            calls = {"RejectVpcPeeringConnection": "reject", "DeleteVpcPeeringConnection": "delete",
                     "defer": "wait", "none": "none"}
            by_id = {d["resource_id"]: d for d in run.decisions}
            for pcx, want in expected["decision"].items():
                d = by_id[pcx]
                assert d["matched"], pcx
                assert d["action"] == calls[want["call"]], f"{pcx}: {d['reason']}"
                if want["call"].endswith("Connection"):
                    assert d["api_call"] == want["call"]
                    assert d["region"] == "us-east-1"
                else:
                    assert d["api_call"] in ("", "DescribeVpcPeeringConnections")
        return

    # Events: one input file per event, ids compared per policy.
    ids = expected.get("ids", {})
    for event_name, event in data["events"].items():
        inp = write_event(tmp_path, event_name, event)
        run = peerguard("eval", "--policy", policy, *ctx, inp)
        want = ids.get(event_name)
        if isinstance(want, str) and want.startswith("error"):
            assert run.returncode == 2, f"{event_name}: {run.stdout}"
            assert "not a CloudTrail event" in run.stderr, run.stderr
            assert "Traceback" not in run.stderr
            continue
        assert run.returncode in (0, 1), f"{event_name}: {run.stderr}"
        if isinstance(want, str):
            # No ids: the event is not for this policy (a scheduler tick).
            assert run.decisions == [], event_name
            continue
        for name in names:
            got = sorted({d["resource_id"] for d in run.decisions if d["policy"] == name})
            if want is not None:
                assert got == sorted(want), f"{name} on {event_name}"
        matches = expected.get("matches")
        if isinstance(matches, dict) and want:
            for name, want_matched in matches.items():
                assert run.matched_ids(name) == sorted(want_matched), f"{name} on {event_name}"
        for d in run.decisions:
            assert d["state_source"] == "event"
            assert d["event"]["id"] == event.get("detail", {}).get("eventID", d["event"]["id"])
