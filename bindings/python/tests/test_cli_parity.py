"""The binding returns the same decisions and errors as `peerguard eval` on every decision case.

Each case directory holds policy.yml and input.json with a context
(account, region, frozen clock) and either DescribeVpcPeeringConnections
records (resources) or named CloudTrail payloads (events).  The resources
are written as {"VpcPeeringConnections": [...]} and each event to its own
file; the command reads those files, the binding gets the same documents
as dicts and as files, and every field of every decision must agree.
"""
import json

import pytest

from conftest import CASES

yaml = pytest.importorskip("yaml")


def decision_cases():
    found = []
    for case in sorted(CASES.glob("B*")):
        data = json.loads((case / "input.json").read_text())
        if "resources" in data or "events" in data:
            found.append(case.name)
    return found


def policy_names(case_dir):
    """Policy names in file order, read with a YAML parser so the case's traps stay as written."""
    doc = yaml.safe_load((case_dir / "policy.yml").read_text())
    return [p["name"] for p in doc["policies"]]


def cli_context(context):
    args = []
    for key, option in (("account_id", "--account-id"), ("region", "--region"), ("now", "--now")):
        if context.get(key):
            args += [option, context[key]]
    return args


def inputs(tmp_path, data):
    """Yield (kind, document, path) for each input file the case produces."""
    if "resources" in data:
        document = {"VpcPeeringConnections": data["resources"]}
        path = tmp_path / "describe.json"
        path.write_text(json.dumps(document))
        yield "resources", document, path
        return
    for name, event in data["events"].items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(event))
        yield "events", event, path


def cli_errors(stderr):
    """The error lines of `peerguard eval`, without the command prefix; warnings are left out."""
    prefix = "peerguard eval: "
    return [line[len(prefix):] for line in stderr.splitlines() if line.startswith(prefix)]


def assert_same_decisions(binding, cli, where):
    assert len(binding) == len(cli), f"{where}: {len(binding)} decisions from the binding, {len(cli)} from the CLI"
    for i, (ours, theirs) in enumerate(zip(binding, cli)):
        assert set(ours) == set(theirs), f"{where}: decision {i} keys differ"
        for key in theirs:
            assert ours[key] == theirs[key], f"{where}: decision {i} field {key}"


def outcome(peerguard_module, evaluate, document, kwargs):
    """Return (decision dicts, error messages, decisions); an InputError counts as one error message."""
    try:
        result = evaluate(document, **kwargs)
    except peerguard_module.InputError as e:
        return [], [e.message], []
    return [d.to_dict() for d in result.decisions], [e.message for e in result.errors], result.decisions


def test_case_list_is_complete():
    # Guards against the glob silently finding nothing when the data moves.
    assert len(decision_cases()) >= 10


@pytest.mark.parametrize("case", decision_cases())
def test_case_matches_cli(case, tmp_path, peerguard_module, cli):
    case_dir = CASES / case
    data = json.loads((case_dir / "input.json").read_text())
    context = data["context"]
    policy = case_dir / "policy.yml"
    selections = [None] + [[name] for name in policy_names(case_dir)]
    compared = 0

    for selection in selections:
        where = f"{case} policies={selection or 'all'}"
        select_args = ["-p", selection[0]] if selection else []
        try:
            policy_set = peerguard_module.PolicySet.from_file(policy, selection)
        except peerguard_module.PeerguardError as e:
            returncode, decisions, stderr = cli("eval", "--policy", policy, *select_args, *cli_context(context),
                                                policy)
            assert returncode == 2, f"{where}: the CLI loaded what the binding rejected: {e}"
            assert cli_errors(stderr) == [e.message], where
            compared += 1
            continue

        with policy_set:
            for kind, document, path in inputs(tmp_path, data):
                returncode, want, stderr = cli("eval", "--policy", policy, *select_args, *cli_context(context), path)
                label = f"{where} input={path.name}"
                assert returncode in (0, 1, 2), f"{label}: {stderr}"

                from_file = outcome(peerguard_module, policy_set.evaluate_file, path, context)
                assert_same_decisions(from_file[0], want, label + " (file)")
                assert from_file[1] == cli_errors(stderr), label + " (file)"

                evaluate = policy_set.evaluate_resources if kind == "resources" else policy_set.evaluate_event
                from_dict = outcome(peerguard_module, evaluate, document, dict(context, name=str(path)))
                assert_same_decisions(from_dict[0], want, label + " (dict)")
                assert from_dict[1] == cli_errors(stderr), label + " (dict)"
                assert all(d.extra == {} for d in from_dict[2]), f"{label}: decision keys the binding does not know"
                compared += 1
    assert compared >= len(selections)
