#!/usr/bin/env bash
# Runs every libFuzzer target (or the ones named) for a fixed time each.
# Fails when any target finds a crash, a sanitizer report, a leak, an
# input slower than the 10-second timeout or one that needs more than
# 2 GB.  Prints one line per target and a closing "N passed, N failed".
#
# usage: fuzz/run.sh [--build DIR] [--seconds N] [--jobs N] [TARGET...]
#
#   --build DIR   a build configured with -Dfuzz=true; without it, DIR is
#                 build-fuzz in the source tree, configured and compiled
#                 here with clang, AddressSanitizer and UBSan
#   --seconds N   fuzzing time per target (default 30)
#   --jobs N      targets run at the same time (default 2)
#
# Seeds are made from examples/ and $PEERGUARD_SHARED into DIR/fuzz-seeds;
# new inputs go to DIR/fuzz-corpus, crashing inputs to DIR/fuzz-artifacts,
# the output of each target to DIR/fuzz-logs.
set -u

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build=""
seconds=30
jobs=2
targets=()

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fuzz/run.sh: unknown option $1; see --help" >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done

export PEERGUARD_SHARED=${PEERGUARD_SHARED:-$source_dir/../shared}

if [ -z "$build" ]; then
	build=$source_dir/build-fuzz
	if ! command -v clang >/dev/null; then
		echo "fuzz/run.sh: clang is not installed; apt-get install clang libclang-rt-14-dev" >&2
		exit 2
	fi
	if [ ! -f "$build/build.ninja" ]; then
		CC=clang meson setup "$build" "$source_dir" -Dfuzz=true -Dtests=false -Dbuildtype=debugoptimized \
			-Db_sanitize=address,undefined -Db_lundef=false >"$build.setup.log" 2>&1 ||
			{ cat "$build.setup.log"; exit 2; }
	fi
	ninja -C "$build" -j "$jobs" >"$build.compile.log" 2>&1 || { tail -40 "$build.compile.log"; exit 2; }
fi
build=$(cd "$build" && pwd)

if [ ${#targets[@]} -eq 0 ]; then
	for exe in "$build"/fuzz/fuzz_*; do
		[ -x "$exe" ] && [ -f "$exe" ] && targets+=("$(basename "$exe")")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz/run.sh: no fuzz targets in $build/fuzz; configure it with -Dfuzz=true" >&2
	exit 2
fi

python3 "$source_dir/fuzz/make-seeds.py" "$build/fuzz-seeds" >"$build/fuzz-seeds.log" || exit 2

# Largest input per target: a few times the size of a real document of that kind.
max_len() {
	case $1 in
	fuzz_evaluate|fuzz_ec2_xml) echo 65536 ;;
	fuzz_policy) echo 16384 ;;
	fuzz_sigv4|fuzz_credentials) echo 8192 ;;
	fuzz_jmespath) echo 4096 ;;
	fuzz_value_filter) echo 512 ;;
	*) echo 4096 ;;
	esac
}

dictionary() {
	case $1 in
	fuzz_policy|fuzz_value_filter) echo "$source_dir/fuzz/dicts/yaml.dict" ;;
	fuzz_evaluate) echo "$source_dir/fuzz/dicts/json.dict" ;;
	fuzz_jmespath) echo "$source_dir/fuzz/dicts/jmespath.dict" ;;
	fuzz_ec2_xml) echo "$source_dir/fuzz/dicts/xml.dict" ;;
	*) echo "" ;;
	esac
}

# Every sanitizer report ends the run with an error, so it counts as a failure.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"

run_target() {
	local name=$1
	local corpus=$build/fuzz-corpus/$name artifacts=$build/fuzz-artifacts/$name/
	local log=$build/fuzz-logs/$name.log dict
	local args=()

	mkdir -p "$corpus" "$artifacts" "$build/fuzz-seeds/$name" "$build/fuzz-logs"
	dict=$(dictionary "$name")
	[ -n "$dict" ] && [ -f "$dict" ] && args+=("-dict=$dict")
	"$build/fuzz/$name" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=10 \
		-rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
		"${args[@]}" "$corpus" "$build/fuzz-seeds/$name" </dev/null >"$log" 2>&1
	echo $? >"$build/fuzz-logs/$name.rc"
}

running=0
for name in "${targets[@]}"; do
	if [ ! -x "$build/fuzz/$name" ]; then
		echo "fuzz/run.sh: no target $name in $build/fuzz" >&2
		exit 2
	fi
	mkdir -p "$build/fuzz-logs"
	rm -f "$build/fuzz-logs/$name.rc"
	touch "$build/fuzz-logs/$name.start"
	run_target "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

passed=0
failed=0
for name in "${targets[@]}"; do
	rc=$(cat "$build/fuzz-logs/$name.rc" 2>/dev/null || echo 99)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-logs/$name.log" | tail -1)
	# Inputs left by earlier runs are kept for their owner but not counted again.
	found=$(find "$build/fuzz-artifacts/$name" -type f -newer "$build/fuzz-logs/$name.start" 2>/dev/null | wc -l)
	if [ "$rc" = 0 ] && [ "$found" = 0 ]; then
		echo "$name: ok, ${runs:-0} inputs in ${seconds}s"
		passed=$((passed + 1))
	else
		echo "$name: FAILED (exit $rc, $found inputs in $build/fuzz-artifacts/$name)"
		grep -E 'ERROR: |SUMMARY: |runtime error|==[0-9]+==|Test unit written' "$build/fuzz-logs/$name.log" | head -20
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
