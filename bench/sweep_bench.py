#!/usr/bin/env python3
"""Time `peerguard sweep` over account and region pairs against moto's server on loopback.

Starts moto_server on 127.0.0.1 and a free port, creates a peering
connection in some of the accounts, then runs

  peerguard sweep --policy POLICY --accounts FILE --regions LIST
                  --role-arn arn:aws:iam::{account_id}:role/peerguard
                  --endpoint-url http://127.0.0.1:PORT --concurrency N

once untimed, because moto builds each account's and region's backend on
first use, then once per concurrency (plan only, no --execute), and
reports the wall clock of each run.  moto gives each assumed role's credentials the role's
account, so every pair is described in its own account.  With no sweep
command in the peerguard binary, prints {"available": false}.

usage: sweep_bench.py PEERGUARD POLICY [--accounts N] [--regions LIST] [--concurrency 1,16,64]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "benchmark-fake-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sweep_available(peerguard):
    proc = subprocess.run([peerguard, "sweep", "--help"], capture_output=True, text=True)
    return proc.returncode == 0 and "--concurrency" in proc.stdout + proc.stderr


def start_moto():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("moto_server did not start within 30 s")
            time.sleep(0.1)


def ec2_client(url, account, region):
    """Return a boto3 EC2 client that acts in account (moto's x-moto-account-id header)."""
    import boto3
    from botocore.config import Config

    ec2 = boto3.client("ec2", endpoint_url=url, region_name=region, aws_access_key_id=ACCESS_KEY,
                       aws_secret_access_key=SECRET_KEY, config=Config(retries={"max_attempts": 1}))

    def add_header(request, **kwargs):
        request.headers["x-moto-account-id"] = account
    ec2.meta.events.register("before-sign.*.*", add_header)
    return ec2


def seed_connections(url, accounts, regions):
    """Creates a peering request to an outside account in every tenth account, so the sweep has matches."""
    outside = "999999999999"
    for i, acct in enumerate(accounts[::10]):
        region = regions[i % len(regions)]
        mine = ec2_client(url, acct, region).create_vpc(CidrBlock="10.%d.0.0/16" % (i % 250))["Vpc"]["VpcId"]
        peer = ec2_client(url, outside, region).create_vpc(CidrBlock="10.%d.0.0/16" % ((i + 1) % 250))["Vpc"]["VpcId"]
        ec2_client(url, acct, region).create_vpc_peering_connection(VpcId=mine, PeerVpcId=peer, PeerOwnerId=outside)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("peerguard")
    parser.add_argument("policy")
    parser.add_argument("--accounts", type=int, default=250)
    parser.add_argument("--regions", default="us-east-1,us-west-2,eu-west-1,ap-southeast-2")
    parser.add_argument("--concurrency", default="1,16,64")
    args = parser.parse_args(argv)

    if not sweep_available(args.peerguard):
        print(json.dumps({"available": False}))
        return 0

    regions = args.regions.split(",")
    accounts = ["%012d" % (300000000000 + i * 7919) for i in range(args.accounts)]
    moto, url = start_moto()
    runs = []
    warmed = False
    try:
        seed_connections(url, accounts, regions)
        with tempfile.TemporaryDirectory() as tmp:
            accounts_file = os.path.join(tmp, "accounts.txt")
            with open(accounts_file, "w") as f:
                f.write("\n".join(accounts) + "\n")
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="us-east-1",
                       AWS_CONFIG_FILE=os.path.join(tmp, "no-config"),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "no-credentials"))
            for concurrency in [16] + [int(c) for c in args.concurrency.split(",")]:
                cmd = [args.peerguard, "sweep", "--policy", args.policy, "--accounts", accounts_file,
                       "--regions", args.regions, "--role-arn", "arn:aws:iam::{account_id}:role/peerguard",
                       "--endpoint-url", url, "--concurrency", str(concurrency), "--format", "json"]
                start = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
                seconds = time.perf_counter() - start
                rows = []
                try:
                    rows = json.loads(proc.stdout).get("rows", [])
                except ValueError:
                    pass
                if len(runs) == 0 and not warmed:
                    warmed = True
                    continue
                runs.append({"concurrency": concurrency, "seconds": seconds, "exit": proc.returncode,
                             "pairs": len(rows), "seen": sum(r.get("seen", 0) for r in rows),
                             "matched": sum(r.get("matched", 0) for r in rows),
                             "stderr": proc.stderr.strip().splitlines()[-1][:300] if proc.stderr.strip() else ""})
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:
            moto.kill()
            moto.wait()
    print(json.dumps({"available": True, "pairs": len(accounts) * len(regions), "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
