#!/usr/bin/env bash
# Runs every benchmark side by side with Cloud Custodian and writes
# docs/benchmarks.md.
#
# usage: bench/run.sh [BUILD_DIR] [--no-build]
#
# BUILD_DIR defaults to build-bench in this checkout; it is set up with
# -Dbench=true -Dbuildtype=release when it does not exist, and built unless
# --no-build is given (the bench-report run target passes it, because ninja
# has built the benchmarks already).  Generated inputs are cached in
# BUILD_DIR/bench-data, results go to BUILD_DIR/bench-results, and Cloud
# Custodian is installed with pip into BUILD_DIR/c7n-venv.  The report
# names the checkout's commit, or PEERGUARD_BENCH_COMMIT when it is set
# (for a copy of the tree outside git).  A run took about fifteen minutes
# on a busy 2-core machine and needs about 2 GB of disk for a while (the
# RSS benchmark's 1 GiB log is deleted afterwards).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-bench}
BUILD_STEP=1
if [ "${2:-}" = "--no-build" ] || [ "${1:-}" = "--no-build" ]; then
	BUILD_STEP=0
	[ "${1:-}" = "--no-build" ] && BUILD=$SRC/build-bench
fi
BENCH=$SRC/bench
DATA=$BUILD/bench-data
OUT=$BUILD/bench-results
C7N_VERSION=0.9.53
DESCRIBE_RECORDS=100000
PYTHON=${PYTHON:-python3}

log() { printf '[bench] %s\n' "$*" >&2; }

if [ "$BUILD_STEP" = 1 ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$SRC" -Dbench=true -Dbuildtype=release >/dev/null
	fi
	meson configure "$BUILD" -Dbench=true >/dev/null
	ninja -C "$BUILD" -j2 >/dev/null
fi
PEERGUARD=$BUILD/tools/peerguard/peerguard
for tool in filter_bench log_bench event_bench; do
	[ -x "$BUILD/bench/$tool" ] || { echo "bench/run.sh: $BUILD/bench/$tool is missing; build with -Dbench=true" >&2; exit 2; }
done
mkdir -p "$DATA" "$OUT"
rm -f "$OUT"/*.json

# Inputs, regenerated only when the generator changes.
stamp=$(sha256sum "$BENCH/gen_data.py" | cut -c1-16)
if [ "$(cat "$DATA/stamp" 2>/dev/null)" != "$stamp" ]; then
	log "generating inputs in $DATA"
	rm -rf "$DATA/describe.json" "$DATA/describe-10k.json" "$DATA/cloudtrail" "$DATA/event.json"
	"$PYTHON" "$BENCH/gen_data.py" describe --count $DESCRIBE_RECORDS "$DATA/describe.json"
	"$PYTHON" "$BENCH/gen_data.py" describe --count 10000 "$DATA/describe-10k.json"
	"$PYTHON" "$BENCH/gen_data.py" cloudtrail --files 16 --records 12500 --peering-every 100000 "$DATA/cloudtrail"
	"$PYTHON" "$BENCH/gen_data.py" eventbridge "$DATA/event.json"
	echo "$stamp" > "$DATA/stamp"
fi

# Cloud Custodian in its own virtual environment.
VENV=$BUILD/c7n-venv
if ! "$VENV/bin/python" -c "import c7n" 2>/dev/null; then
	log "installing c7n==$C7N_VERSION into $VENV"
	"$PYTHON" -m venv "$VENV"
	"$VENV/bin/pip" install --quiet --disable-pip-version-check "c7n==$C7N_VERSION"
fi
C7N=$VENV/bin/python

load_average() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(load_average)

# 1. Filter evaluation on parsed records.
log "1. filter evaluation"
"$BUILD/bench/filter_bench" "$BENCH/policies/describe.yml" "$DATA/describe.json" --repeat 5 > "$OUT/filter.json"
"$C7N" "$BENCH/c7n_bench.py" filter "$BENCH/policies/describe.yml" "$DATA/describe.json" --repeat 3 > "$OUT/c7n_filter.json"

# 2. End to end from the file: the best of three whole processes each.
log "2. end to end"
"$PYTHON" - "$PEERGUARD" "$BENCH/policies/describe.yml" "$DATA/describe.json" > "$OUT/e2e.json" <<'EOF'
import json, os, subprocess, sys, time
peerguard, policy, data = sys.argv[1:]
cmd = [peerguard, "eval", "--matched-only", "--account-id", "111111111111", "--region", "us-east-1",
       "--now", "2026-01-15T12:00:00Z", "--policy", policy, data]
best = best_cpu = None
for _ in range(3):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit("peerguard eval failed with exit status %d" % os.waitstatus_to_exitcode(status))
    best = seconds if best is None else min(best, seconds)
    best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    rss = usage.ru_maxrss
print(json.dumps({"seconds": best, "cpu_seconds": best_cpu, "peak_rss_kib": rss, "bytes": os.path.getsize(data)}))
EOF
"$PYTHON" - "$C7N" "$BENCH/c7n_bench.py" "$BENCH/policies/describe.yml" "$DATA/describe.json" > "$OUT/c7n_e2e.json" <<'EOF'
import json, subprocess, sys
python, script, policy, data = sys.argv[1:]
runs = [json.loads(subprocess.run([python, script, "e2e", policy, data], check=True, capture_output=True,
                                  text=True).stdout) for _ in range(3)]
best = min(runs, key=lambda r: r["seconds"])
best["cpu_seconds"] = min(r["cpu_seconds"] for r in runs)
print(json.dumps(best))
EOF

# 3. Bulk gzip logs against the zlib and jansson floors.
log "3. bulk logs"
"$BUILD/bench/log_bench" "$BENCH/policies/cloudtrail.yml" --repeat 3 "$DATA"/cloudtrail/*.json.gz > "$OUT/bulk.json"

# 4. Per-event latency.
log "4. event latency"
"$BUILD/bench/event_bench" "$SRC/examples/cross-account-peering.yml" "$DATA/event.json" --iterations 20000 > "$OUT/latency.json"

# 5. Peak RSS while streaming 128 MiB, 512 MiB and 1 GiB.
log "5. peak RSS"
"$PYTHON" "$BENCH/rss_bench.py" "$PEERGUARD" "$BENCH/policies/cloudtrail.yml" "$BUILD/bench-tmp" > "$OUT/rss.json"

# 6. Sweep against moto.
log "6. sweep"
if command -v moto_server >/dev/null; then
	"$PYTHON" "$BENCH/sweep_bench.py" "$PEERGUARD" "$BENCH/policies/sweep.yml" --accounts 250 \
		--concurrency 1,4,16,64 --latency-ms 0,10 > "$OUT/sweep.json" || true
fi

# Instruction counts, which hold still on a busy machine.
log "callgrind"
if command -v valgrind >/dev/null; then
	ir() {
		local fn=$1; shift
		valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$OUT/callgrind.out" "$@" \
			2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
	}
	first_log=$(ls "$DATA"/cloudtrail/*.json.gz | head -1)
	tree_ir=$(ir evaluate_select "$BUILD/bench/filter_bench" "$BENCH/policies/describe.yml" "$DATA/describe-10k.json" --repeat 0)
	filter_ir=$(ir evaluate_select_batch "$BUILD/bench/filter_bench" "$BENCH/policies/describe.yml" "$DATA/describe-10k.json" --repeat 0)
	# Where the filter loop's instructions go, for the report.
	callgrind_annotate --inclusive=yes "$OUT/callgrind.out" 2>/dev/null | "$PYTHON" -c '
import json, re, sys
functions = ["select_table", "fast_plan_eval_row", "row_match", "row_cross_account", "value_match", "json_array",
          "json_stringn_nocheck", "json_array_append_new", "batch_result_clear", "malloc", "calloc", "free"]
found = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*?:(\w+)(?:\.\S*)? \[", line)
    if m and m.group(2) in functions and m.group(2) not in found:
        found[m.group(2)] = int(m.group(1).replace(",", ""))
print(json.dumps(found))' > "$OUT/filter_profile.json"
	zlib_ir=$(ir 'inflate_file*' "$BUILD/bench/log_bench" "$BENCH/policies/cloudtrail.yml" --only zlib "$first_log")
	log_ir=$(ir peerguard_evaluate_file "$BUILD/bench/log_bench" "$BENCH/policies/cloudtrail.yml" --only peerguard "$first_log")
	all_ir=$(ir peerguard_evaluate_file "$BUILD/bench/log_bench" "$BENCH/policies/cloudtrail.yml" --only parse-all "$first_log")
	rm -f "$OUT/callgrind.out"
	cat > "$OUT/callgrind.json" <<EOF
[{"what": "1. filters, 10,000 describe records in a describe table", "function": "evaluate_select_batch", "ir": $filter_ir, "records": 10000},
 {"what": "1. filters, the same records as jansson trees", "function": "evaluate_select", "ir": $tree_ir, "records": 10000},
 {"what": "3. zlib floor, one log of 12,500 records", "function": "inflate_file*", "ir": $zlib_ir, "records": 12500},
 {"what": "3. libpeerguard, the same log", "function": "peerguard_evaluate_file", "ir": $log_ir, "records": 12500},
 {"what": "3. libpeerguard with PEERGUARD_PARSE_ALL", "function": "peerguard_evaluate_file", "ir": $all_ir, "records": 12500}]
EOF
fi

# The machine and build, then the report.
"$PYTHON" - "$BUILD" "$SRC" "$C7N" "$LOAD_BEFORE" "$(load_average)" > "$OUT/machine.json" <<'EOF'
import json, os, platform, subprocess, sys, time
build, src, c7n_python, load_before, load_after = sys.argv[1:]
def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
options = json.load(open(os.path.join(build, "meson-info", "intro-buildoptions.json")))
buildtype = next((o["value"] for o in options if o["name"] == "buildtype"), "?")
cc = run(["cc", "--version"]).splitlines()[0]
print(json.dumps({
    "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "cpu": cpu, "nproc": run(["nproc"]), "memory": mem,
    "load_before": load_before, "load_after": load_after, "buildtype": buildtype,
    "cc": cc,
    "commit": os.environ.get("PEERGUARD_BENCH_COMMIT") or run(["git", "-C", src, "rev-parse", "--short", "HEAD"]) + (
        " with uncommitted changes" if run(["git", "-C", src, "status", "--porcelain", "--untracked-files=no"]) else ""),
    "c7n": run([c7n_python, "-c", "from importlib.metadata import version; print(version('c7n'))"]),
    "python": run([c7n_python, "-c", "import platform; print(platform.python_version())"]),
    "jansson": run(["pkg-config", "--modversion", "jansson"]), "zlib": run(["pkg-config", "--modversion", "zlib"]),
}))
EOF
"$PYTHON" "$BENCH/report.py" "$OUT" "$SRC/docs/benchmarks.md"
log "wrote $SRC/docs/benchmarks.md"
