"""One PolicySet shared by many threads, and a long load-and-evaluate loop that must not leak."""
import gc
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ACCOUNT, CONTEXT, POLICY, SANITIZED, create_event, describe_record

FOREIGN = "999999999999"


def expected_for(policy_set, i):
    event = create_event(f"pcx-{i:017x}", event_id=f"ev-{i}")
    records = [describe_record(f"pcx-{i:017x}", FOREIGN, ACCOUNT), describe_record(f"pcx-{i + 1:017x}", ACCOUNT,
                                                                                    "222222222222")]
    return event, records


def test_threads_share_one_set(policy_set):
    # Reference decisions computed on one thread, then recomputed by 8 threads at once.
    inputs = [expected_for(policy_set, i) for i in range(64)]
    reference = [(policy_set.evaluate_event(e, **CONTEXT), policy_set.evaluate_resources(r, **CONTEXT))
                 for e, r in inputs]
    start = threading.Barrier(8)

    def work(worker):
        start.wait()
        mismatches = 0
        for _ in range(5):
            for (event, records), (want_event, want_records) in zip(inputs, reference):
                if policy_set.evaluate_event(event, **CONTEXT) != want_event:
                    mismatches += 1
                if policy_set.evaluate_resources(records, **CONTEXT) != want_records:
                    mismatches += 1
        return mismatches

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [0] * 8


def test_close_waits_for_running_evaluations(peerguard_module):
    ps = peerguard_module.PolicySet.from_string(POLICY)
    records = [describe_record(f"pcx-{i:017x}", FOREIGN, ACCOUNT) for i in range(2000)]
    document = {"VpcPeeringConnections": records}
    outcome = {}
    started = threading.Event()

    def evaluate():
        started.set()
        try:
            outcome["count"] = len(ps.evaluate_resources(document, **CONTEXT))
        except ValueError as e:  # closed before the evaluation began
            outcome["closed"] = str(e)

    worker = threading.Thread(target=evaluate)
    worker.start()
    started.wait()
    ps.close()
    worker.join()
    assert outcome.get("count") == 2000 or "closed" in outcome.get("closed", "")
    assert ps.closed


def rss_kib():
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024


def test_load_evaluate_loop_does_not_leak(peerguard_module):
    if SANITIZED:
        pytest.skip("AddressSanitizer keeps freed memory in quarantine, so RSS says nothing about leaks there")
    event = create_event("pcx-0aaaaaaaaaaaaaaa1")
    records = {"VpcPeeringConnections": [describe_record("pcx-0aaaaaaaaaaaaaaa2", FOREIGN, ACCOUNT)]}

    def once():
        with peerguard_module.PolicySet.from_string(POLICY, name="loop.yml") as ps:
            assert len(ps.evaluate_event(event, **CONTEXT, explain=True).decisions) == 1
            assert len(ps.evaluate_resources(records, **CONTEXT).decisions) == 1
        try:
            peerguard_module.PolicySet.from_string("policies: [{name: x}]")
        except peerguard_module.PolicyError:
            pass

    for _ in range(1000):
        once()
    gc.collect()
    before = rss_kib()
    for _ in range(10000):
        once()
    gc.collect()
    growth = rss_kib() - before
    # One leaked policy set or result per iteration would add tens of MiB over 10,000 iterations.
    assert growth < 2048, f"RSS grew by {growth} KiB over 10,000 iterations"
