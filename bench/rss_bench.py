#!/usr/bin/env python3
"""Measure peak RSS of `peerguard eval` while it streams logs of growing size.

For each size, writes a gzip CloudTrail log ({"Records": [...]}, about
SIZE uncompressed bytes, peering calls 1 in 2,000) into DIR with
gen_data.py, runs

  peerguard eval --matched-only --policy POLICY FILE

and reads the child's peak RSS from wait4, then deletes the file.

usage: rss_bench.py PEERGUARD POLICY DIR [--sizes MB,MB,...]
Prints one JSON object.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(cmd):
    """Runs cmd; returns (exit status, peak RSS in KiB, wall seconds, CPU seconds, lines of output)."""
    start = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=devnull)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    return (os.waitstatus_to_exitcode(status), usage.ru_maxrss, seconds, usage.ru_utime + usage.ru_stime,
            out.count(b"\n"))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("peerguard")
    parser.add_argument("policy")
    parser.add_argument("dir")
    parser.add_argument("--sizes", default="128,512,1024")
    args = parser.parse_args(argv)

    os.makedirs(args.dir, exist_ok=True)
    runs = []
    for mb in [int(s) for s in args.sizes.split(",")]:
        path = os.path.join(args.dir, "stream-%dMB.json.gz" % mb)
        try:
            gen = subprocess.run([sys.executable, os.path.join(HERE, "gen_data.py"), "stream", "--bytes",
                                  str(mb << 20), "--format", "records", "--gzip", path],
                                 check=True, capture_output=True, text=True)
            records = int(gen.stdout.strip())
            code, rss_kib, seconds, cpu, lines = measure([args.peerguard, "eval", "--matched-only", "--policy",
                                                     args.policy, path])
            runs.append({"megabytes": mb, "records": records, "compressed_bytes": os.path.getsize(path),
                         "exit": code, "peak_rss_kib": rss_kib, "seconds": seconds, "cpu_seconds": cpu,
                         "decisions": lines})
        finally:
            if os.path.exists(path):
                os.remove(path)
    print(json.dumps({"runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
