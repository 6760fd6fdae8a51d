"""The race suite: peerguard against a peer that accepts at a moment drawn from a seed.

For each interleaving one account creates a peering request between our account and an
unknown one, the accepter accepts after a delay (before peerguard receives the event, during
its work, or never), and `peerguard remediate --execute` handles the
CreateVpcPeeringConnection event, from the requester's side or the accepter's.  Afterwards
no connection to the unknown account may be pending or active, and the audit log must show
a consistent path.

AWS behaviour comes from moto's server (accept/reject state and side rules, cross-account
and cross-region visibility) and from the fault proxy in front of it (provisioning after
accept, NotFound on the first describe right after creation, delete rules, DryRun), which
says which faults it injected.

PEERGUARD_RACE_SEED and PEERGUARD_RACE_RUNS override the seed and the number of
interleavings (at least 200 by default).
"""
import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import aws_env, read_audit, run_peerguard
from faultproxy import FaultProxy
from motoenv import CROSS_ACCOUNT_POLICY, OURS, UNKNOWN, MotoServer, client, create_event, moto_unavailable

SEED = int(os.environ.get("PEERGUARD_RACE_SEED", "20260115"))
RUNS = int(os.environ.get("PEERGUARD_RACE_RUNS", "200"))
WORKERS = 4
SAFE = {"rejected", "deleted", "deleting"}
CIDRS = {(OURS, "us-east-1"): "10.1.0.0/16", (OURS, "eu-west-1"): "10.3.0.0/16",
         (UNKNOWN, "us-east-1"): "10.9.0.0/16", (UNKNOWN, "eu-west-1"): "10.8.0.0/16"}

pytestmark = pytest.mark.skipif(moto_unavailable() is not None, reason=moto_unavailable() or "")


class World:
    """moto, the fault proxy, one VPC per account and region, and clients that go through the proxy."""

    def __init__(self, tmp):
        self.moto = MotoServer()
        self.proxy = FaultProxy(self.moto.url, provisioning_ms=120)
        self.vpcs = {}
        for (account, region), cidr in CIDRS.items():
            ec2 = client("ec2", self.moto.url, account, region)
            self.vpcs[(account, region)] = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        self.policy = tmp / "policy.yml"
        self.policy.write_text(CROSS_ACCOUNT_POLICY)
        self.state = tmp / "state.jsonl"
        self.tmp = tmp
        self.env = aws_env(tmp)
        self.local = threading.local()

    def ec2(self, account, region, direct=False):
        """A cached boto3 EC2 client for this thread: through the proxy, or straight to moto."""
        cache = self.local.__dict__.setdefault("clients", {})
        key = (account, region, direct)
        if key not in cache:
            cache[key] = client("ec2", self.moto.url if direct else self.proxy.url, account, region)
        return cache[key]

    def close(self):
        self.proxy.close()
        self.moto.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("race"))
    yield w
    w.close()


def draw(rng):
    """One interleaving's plan, drawn from rng."""
    mode = rng.choices(["before", "during", "never"], weights=[2, 6, 2])[0]
    return {
        "side": rng.choice(["requester", "accepter"]),
        "inter_region": rng.random() < 0.25,
        "mode": mode,
        # Most delays fall in the few tens of milliseconds in which peerguard starts, describes
        # and rejects, so the accept races the reject.  The rest land after it.
        "delay_ms": (rng.uniform(0, 60) if rng.random() < 0.7 else rng.uniform(60, 400)) if mode == "during" else 0,
        "hide_first_describe": rng.random() < 0.3,
    }


def accept(world, pcx_id, account, region, results):
    try:
        world.ec2(account, region).accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        results["accepted"] = True
    except Exception as e:  # the request may already be rejected or deleted: that is the point
        results["accept_error"] = getattr(e, "response", {}).get("Error", {}).get("Code", str(e))


def path_of(records):
    """A compact path such as 'wait:not-found > reject:InvalidStateTransition > delete:ok > verified:deleted'."""
    parts = []
    for r in records:
        if r["step"] == "planned":
            if r.get("action") == "wait":
                parts.append(f"wait:{r.get('state')}")
        elif r["step"] == "acted":
            parts.append(f"{r['call'].replace('VpcPeeringConnection', '').lower()}:{r.get('aws_code') or r['result']}")
        elif r["step"] in ("verified", "escalated"):
            parts.append(f"{r['step']}:{r.get('state')}")
    return " > ".join(parts)


def check_path(records, plan, results):
    """Assert the audit records of one remediation tell a consistent story; return the path."""
    assert records, "no audit records for the connection"
    assert records[0]["step"] == "planned"
    assert records[-1]["step"] == "verified", path_of(records)
    assert records[-1]["state"] in SAFE
    assert records[-1]["outcome"] == "remediated"
    last_plan = None
    for r in records:
        assert r["policy_revision"] and r["decision_id"] == records[0]["decision_id"]
        if r["step"] == "planned":
            assert r["state"] not in SAFE, "a terminal state was planned on"
            last_plan = r
        if r["step"] == "acted":
            assert last_plan is not None and last_plan["api_call"] == r["call"]
            assert r["dry_run"] is False
    calls = [r for r in records if r["step"] == "acted"]
    if plan["side"] == "requester":
        assert all(c["call"] == "DeleteVpcPeeringConnection" for c in calls)
    if plan["mode"] == "before" and results.get("accepted"):
        assert not any(c["call"] == "RejectVpcPeeringConnection" for c in calls), "rejected an active connection"
    return path_of(records)


def interleave(world, index, rng):
    plan = draw(rng)
    our_region = "us-east-1"
    peer_region = "eu-west-1" if plan["inter_region"] else "us-east-1"
    if plan["side"] == "requester":
        req, acc = (OURS, our_region), (UNKNOWN, peer_region)
    else:
        req, acc = (UNKNOWN, peer_region), (OURS, our_region)

    pcx = world.ec2(*req).create_vpc_peering_connection(
        VpcId=world.vpcs[req], PeerVpcId=world.vpcs[acc], PeerOwnerId=acc[0], PeerRegion=acc[1])["VpcPeeringConnection"]
    pcx["RequesterVpcInfo"].setdefault("Region", req[1])
    pcx["AccepterVpcInfo"].setdefault("Region", acc[1])
    pcx_id = pcx["VpcPeeringConnectionId"]
    if plan["hide_first_describe"]:
        with world.proxy.lock:
            world.proxy.hide_first_describe.add(pcx_id)

    results = {}
    accepter = None
    if plan["mode"] == "before":
        accept(world, pcx_id, acc[0], acc[1], results)
    elif plan["mode"] == "during":
        accepter = threading.Timer(plan["delay_ms"] / 1000, accept, (world, pcx_id, acc[0], acc[1], results))
        accepter.start()

    event_file = world.tmp / f"event-{index}.json"
    audit = world.tmp / f"audit-{index}.jsonl"
    event_file.write_text(json.dumps(create_event(pcx, req[0])))
    started = time.monotonic()
    run = run_peerguard(["remediate", "--policy", world.policy, "--execute", "--account-id", OURS,
                         "--header", f"x-moto-account-id: {OURS}", "--endpoint-url", world.proxy.url,
                         "--state-file", world.state, "--audit-log", audit, "--poll-ms", "10",
                         "--deadline", "30", "--visibility-window", "10", event_file], env=world.env, timeout=90)
    elapsed = time.monotonic() - started
    if accepter:
        accepter.join()

    if run.returncode != 0:
        pytest.fail(f"interleaving {index} {plan}: exit {run.returncode}\n{run.stderr}\n{audit.read_text()}",
                    pytrace=False)
    assert [r["outcome"] for r in run.reports] == ["remediated"], (plan, run.stdout)

    final = {}
    for account, region in (req, acc):
        found = world.ec2(account, region, direct=True).describe_vpc_peering_connections(
            VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"]
        final[account] = found[0]["Status"]["Code"] if found else "gone"
    assert set(final.values()) <= SAFE | {"gone"}, (plan, final)

    records = [r for r in read_audit(audit) if r.get("resource_id") == pcx_id]
    path = check_path(records, plan, results)
    report = run.reports[0]
    if plan["mode"] == "before" and results.get("accepted"):
        assert report["exposure"]["ever_active"] is True
    return {"plan": plan, "path": path, "accepted": results.get("accepted", False), "elapsed": elapsed}


def test_race_interleavings(world):
    rng = random.Random(SEED)
    rngs = [random.Random(rng.getrandbits(64)) for _ in range(RUNS)]
    started = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(lambda i: interleave(world, i, rngs[i]), range(RUNS)))
    total = time.monotonic() - started

    paths = Counter(o["path"] for o in outcomes)
    faults = Counter(f[0] for f in world.proxy.injected)
    print(f"\nrace suite: seed {SEED}, {RUNS} interleavings in {total:.1f} s "
          f"(slowest remediation {max(o['elapsed'] for o in outcomes):.2f} s)")
    print(f"faults injected by the proxy: {dict(faults)}")
    for path, n in paths.most_common():
        print(f"  {n:4d}  {path}")

    assert len(outcomes) >= 200 or RUNS < 200
    # The suite must have exercised the race itself, not only the easy paths.
    assert any("reject:InvalidStateTransition" in p and "delete:ok" in p for p in paths), "reject never lost the race"
    assert any(p.startswith("wait:not-found") for p in paths), "NotFound after creation never happened"
    assert any("wait:provisioning" in p for p in paths), "provisioning was never observed"
    assert any("reject:ok" in p for p in paths), "reject never won"

    # Nothing to the unknown account is left pending or active, in any account or region.
    for (account, region) in CIDRS:
        for c in world.ec2(account, region, direct=True).describe_vpc_peering_connections()["VpcPeeringConnections"]:
            owners = {c["RequesterVpcInfo"]["OwnerId"], c["AccepterVpcInfo"]["OwnerId"]}
            if UNKNOWN in owners:
                assert c["Status"]["Code"] not in ("pending-acceptance", "active"), c
