#!/usr/bin/env python3
"""Time `peerguard sweep` over account and region pairs against moto's server on loopback.

Starts moto_server on 127.0.0.1 and a free port, creates a peering
connection in some of the accounts, then runs

  peerguard sweep --policy POLICY --accounts FILE --regions LIST
                  --role-arn arn:aws:iam::{account_id}:role/peerguard
                  --endpoint-url http://127.0.0.1:PORT --concurrency N

once untimed, because moto builds each account's and region's backend on
first use, then once per concurrency (plan only, no --execute), and
reports the wall clock of each run.

moto spends about 2 ms of its own CPU on a call and is one Python
process, so on a small machine it is busy all the time at concurrency 1
and more calls in flight cannot help.  AWS answers in tens of
milliseconds, most of it waiting, which is what concurrency hides.  So
the runs are repeated through a proxy on 127.0.0.1 that delays each
request by --latency-ms before passing it to moto: the time then falls
with concurrency until moto (or the proxy) saturates.  moto gives each assumed role's credentials the role's
account, so every pair is described in its own account.  With no sweep
command in the peerguard binary, prints {"available": false}.

usage: sweep_bench.py PEERGUARD POLICY [--accounts N] [--regions LIST] [--concurrency 1,16,64]
                      [--latency-ms 0,10]
"""
import argparse
import resource
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "benchmark-fake-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sweep_available(peerguard):
    proc = subprocess.run([peerguard, "sweep", "--help"], capture_output=True, text=True)
    return proc.returncode == 0 and "--concurrency" in proc.stdout + proc.stderr


# moto's own server application, served one request at a time: moto_server's threads only contend for
# the interpreter lock, which makes each call slower as more arrive together.
SERIAL_MOTO = """
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False)
"""


def start_moto(serial):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    cmd = [sys.executable, "-c", SERIAL_MOTO, str(port)] if serial else \
        ["moto_server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


class DelayProxy:
    """Forwards HTTP/1.1 requests to moto after holding each one for a fixed time, like a distant endpoint."""

    def __init__(self, upstream_port, delay_seconds):
        local = threading.local()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                time.sleep(delay_seconds)
                if getattr(local, "conn", None) is None:
                    local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                try:
                    local.conn.request(self.command, self.path, body=body, headers=headers)
                    resp = local.conn.getresponse()
                except (OSError, http.client.HTTPException):
                    local.conn.close()
                    local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                    local.conn.request(self.command, self.path, body=body, headers=headers)
                    resp = local.conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def process_cpu_seconds(pid):
    """CPU seconds (user and system) used so far by process pid, from /proc."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


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
    parser.add_argument("--latency-ms", default="0,10")
    parser.add_argument("--serial-moto", action="store_true",
                        help="serve moto one request at a time instead of with moto_server's threads")
    args = parser.parse_args(argv)

    if not sweep_available(args.peerguard):
        print(json.dumps({"available": False}))
        return 0

    regions = args.regions.split(",")
    accounts = ["%012d" % (300000000000 + i * 7919) for i in range(args.accounts)]
    moto, url = start_moto(args.serial_moto)
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
            for latency in [int(x) for x in args.latency_ms.split(",")]:
                proxy = DelayProxy(int(url.rsplit(":", 1)[1]), latency / 1000.0) if latency else None
                try:
                    for concurrency in ([16] if not warmed else []) + [int(c) for c in args.concurrency.split(",")]:
                        cmd = [args.peerguard, "sweep", "--policy", args.policy, "--accounts", accounts_file,
                               "--regions", args.regions, "--role-arn", "arn:aws:iam::{account_id}:role/peerguard",
                               "--endpoint-url", proxy.url if proxy else url, "--concurrency", str(concurrency),
                               "--format", "json"]
                        before = resource.getrusage(resource.RUSAGE_CHILDREN)
                        moto_before = process_cpu_seconds(moto.pid)
                        start = time.perf_counter()
                        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
                        seconds = time.perf_counter() - start
                        after = resource.getrusage(resource.RUSAGE_CHILDREN)
                        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                        moto_cpu = process_cpu_seconds(moto.pid) - moto_before
                        rows = []
                        try:
                            rows = json.loads(proc.stdout).get("rows", [])
                        except ValueError:
                            pass
                        if not warmed:
                            warmed = True
                            continue
                        runs.append({"latency_ms": latency, "concurrency": concurrency, "seconds": seconds,
                                     "peerguard_cpu_seconds": cpu, "moto_cpu_seconds": moto_cpu,
                                     "exit": proc.returncode, "pairs": len(rows),
                                     "seen": sum(r.get("seen", 0) for r in rows),
                                     "matched": sum(r.get("matched", 0) for r in rows),
                                     "stderr": proc.stderr.strip().splitlines()[-1][:300] if proc.stderr.strip() else ""})
                finally:
                    if proxy:
                        proxy.close()
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
