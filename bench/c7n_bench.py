#!/usr/bin/env python3
"""Time Cloud Custodian's own filter classes on the benchmark inputs.

Run inside the virtual environment where c7n is installed.  Sockets are blocked and
the credentials are fake, so nothing can reach AWS: the peering-connection
filters of the benchmark policy need no API call.

  c7n_bench.py filter POLICY DATA [--repeat N]
      loads DATA ({"VpcPeeringConnections": [...]}) untimed, builds the policy
      with c7n's PolicyLoader, then times
      policy.resource_manager.filter_resources(resources) on a fresh copy of
      the loaded list, N times, and reports the best run, in wall-clock and
      in CPU time of the process.
  c7n_bench.py e2e POLICY DATA
      one run timed from before json.load to after filter_resources, in this
      process; the interpreter start, the imports and the policy load are
      reported apart.

Prints one JSON object on standard output.
"""
import time

PROCESS_START = time.perf_counter()

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

ACCOUNT_ID = "111111111111"
REGION = "us-east-1"


def _refuse_connect(*args, **kwargs):
    raise OSError("network access is disabled in the benchmark")


os.environ.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="benchmark-fake-secret",
                  AWS_DEFAULT_REGION=REGION, TZ="UTC")
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)
time.tzset()
socket.socket.connect = _refuse_connect
socket.socket.connect_ex = _refuse_connect
socket.create_connection = _refuse_connect

from c7n.config import Config  # noqa: E402
from c7n.loader import PolicyLoader  # noqa: E402

IMPORTED = time.perf_counter()


def c7n_version():
    from importlib.metadata import version
    return version("c7n")


def load_policy(path):
    """Build the single policy of path with c7n's loader, as `custodian run` does before it queries AWS."""
    config = Config.empty(account_id=ACCOUNT_ID, region=REGION)
    collection = PolicyLoader(config).load_file(path)
    policies = list(collection)
    if len(policies) != 1:
        raise SystemExit("%s: expected one policy, found %d" % (path, len(policies)))
    policy = policies[0]
    policy.expand_variables(policy.get_variables())
    policy.validate()
    return policy


def cmd_filter(args):
    policy = load_policy(args.policy)
    with open(args.data) as f:
        resources = json.load(f)["VpcPeeringConnections"]
    runs = []
    matched = 0
    cpu_runs = []
    for _ in range(args.repeat):
        batch = copy.deepcopy(resources)
        start, cpu = time.perf_counter(), time.process_time()
        result = policy.resource_manager.filter_resources(batch)
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - cpu)
        matched = len(result)
    return {"records": len(resources), "seconds": min(runs), "cpu_seconds": min(cpu_runs), "runs": runs,
            "matched": matched}


def cmd_e2e(args):
    loaded = time.perf_counter()
    policy = load_policy(args.policy)
    policy_loaded = time.perf_counter()
    start, cpu = time.perf_counter(), time.process_time()
    with open(args.data) as f:
        resources = json.load(f)["VpcPeeringConnections"]
    parsed = time.perf_counter()
    result = policy.resource_manager.filter_resources(resources)
    end, cpu = time.perf_counter(), time.process_time() - cpu
    return {"records": len(resources), "seconds": end - start, "cpu_seconds": cpu, "json_load_seconds": parsed - start,
            "filter_seconds": end - parsed, "startup_seconds": IMPORTED - PROCESS_START,
            "policy_load_seconds": policy_loaded - loaded, "matched": len(result)}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("filter")
    p.add_argument("policy")
    p.add_argument("data")
    p.add_argument("--repeat", type=int, default=3)
    p = sub.add_parser("e2e")
    p.add_argument("policy")
    p.add_argument("data")
    args = parser.parse_args(argv)
    out = {"filter": cmd_filter, "e2e": cmd_e2e}[args.command](args)
    out["c7n_version"] = c7n_version()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
