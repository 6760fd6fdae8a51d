#!/usr/bin/env bash
# Runs a representative set of peerguard invocations under valgrind
# memcheck: validate and eval on the examples, eval on every case of the
# shared test data that has resources or events (with the case's account,
# region and clock), query, gzip input, and a few malformed inputs.  Fails
# on any memcheck error or definite leak (valgrind exits 99), and on any
# exit status other than the command's documented 0, 1 and 2.
#
# usage: scripts/valgrind-check.sh [PEERGUARD_BIN]
#
# Exits 77 (skipped) when valgrind is not installed or PEERGUARD_SANITIZED=1
# (a sanitizer build cannot run under valgrind).  Prints one line per
# failure and a closing "N passed, N failed".
set -u

source_dir=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${PEERGUARD_BIN:-$source_dir/build/tools/peerguard/peerguard}}
shared=${PEERGUARD_SHARED:-$source_dir/../shared}

if [ "${PEERGUARD_SANITIZED:-0}" = 1 ]; then
	echo "valgrind-check: skipped in a sanitizer build (PEERGUARD_SANITIZED=1)"
	exit 77
fi
if ! command -v valgrind >/dev/null; then
	echo "valgrind-check: skipped: valgrind is not installed (apt-get install valgrind)"
	exit 77
fi
if [ ! -x "$bin" ]; then
	echo "valgrind-check: $bin is not an executable; build it or pass its path" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Writes one invocation per line, arguments separated by tabs, into $work/runs.
python3 - "$source_dir" "$shared" "$work" <<'EOF' || exit 2
import gzip
import json
import sys
from pathlib import Path

source, shared, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
examples = source / "examples"
cases = shared / "testdata" / "cases"
runs = []

policy = examples / "cross-account-peering.yml"
log_file = examples / "cloudtrail-log.json"
runs.append(["--version"])
runs.append(["validate", *sorted(str(p) for p in examples.glob("*.yml"))])
for inp in sorted(examples.glob("*.json")):
    runs.append(["eval", "--policy", str(policy), "--account-id", "111111111111", "--explain", str(inp)])
gz = work / "cloudtrail-log.json.gz"
gz.write_bytes(gzip.compress(log_file.read_bytes()))
runs.append(["eval", "--policy", str(policy), "--format", "text", str(gz)])
runs.append(["query", "Records[?eventName=='CreateVpcPeeringConnection'].eventID", str(log_file)])
runs.append(["query", "--max-steps", "10", "Records[*].to_string(@)", str(log_file)])
runs.append(["query", "sort_by(Records, &eventTime)[].split(':', eventTime)", str(log_file)])

# Malformed input: each must end in a clear error, and leak nothing on the way.
bad = {
    "deep.json": b"[" * 100000 + b"]" * 100000,
    "utf8.json": b'{"eventName": "\xff\xfe", "eventSource": "ec2.amazonaws.com"}',
    "nul.json": b'{"VpcPeeringConnectionId": "pcx-1\x00"}',
    "numbers.json": b'{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": 1e400}, "X": 99999999999999999999999}',
    "truncated.json.gz": gzip.compress(log_file.read_bytes())[:200],
    "dup.yml": b"policies: []\npolicies: []\n",
    "alias.yml": b"vars: {a: &a [x], b: [" + b", ".join([b"*a"] * 1001) + b"]}\npolicies: []\n",
}
for name, data in bad.items():
    (work / name).write_bytes(data)
    if name.endswith(".yml"):
        runs.append(["validate", str(work / name)])
    else:
        runs.append(["eval", "--policy", str(policy), str(work / name)])

if cases.is_dir():
    for case in sorted(cases.glob("B*")):
        data = json.loads((case / "input.json").read_text())
        context = data.get("context", {})
        ctx = []
        for key, flag in (("account_id", "--account-id"), ("region", "--region"), ("now", "--now")):
            if context.get(key):
                ctx += [flag, context[key]]
        inputs = []
        if "resources" in data:
            path = work / f"{case.name}-describe.json"
            path.write_text(json.dumps({"VpcPeeringConnections": data["resources"]}))
            inputs.append(path)
        for name, event in (data.get("events") or {}).items():
            path = work / f"{case.name}-{name}.json"
            path.write_text(json.dumps(event))
            inputs.append(path)
        if not inputs:
            continue
        runs.append(["validate", str(case / "policy.yml")])
        for path in inputs:
            runs.append(["eval", "--policy", str(case / "policy.yml"), *ctx, "--explain", str(path)])
else:
    print(f"valgrind-check: {cases} not found; running the examples only", file=sys.stderr)

(work / "runs").write_text("".join("\t".join(r) + "\n" for r in runs))
EOF

passed=0
failed=0
while IFS=$'\t' read -r -a args; do
	log=$work/valgrind.log
	valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$log" "$bin" "${args[@]}" >/dev/null 2>"$work/stderr" </dev/null
	rc=$?
	if [ "$rc" -le 2 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED (exit $rc): peerguard ${args[*]}"
		head -40 "$log"
		tail -5 "$work/stderr"
	fi
done <"$work/runs"

echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
