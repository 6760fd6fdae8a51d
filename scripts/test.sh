#!/usr/bin/env bash
# Runs the whole test suite twice, in a normal build and in an
# AddressSanitizer + UndefinedBehaviorSanitizer build, then a libFuzzer
# smoke run and a ThreadSanitizer thread test, and prints one
# closing line "N passed, N failed[, N skipped]".  Exit status 0 only when
# nothing failed and no sanitizer reported anything.
set -u
cd "$(dirname "$0")/.."

scripts/deps.sh || { echo "installing dependencies failed"; exit 2; }

jobs=$(nproc 2>/dev/null || echo 2)
status=0

configure() {
	local dir=$1; shift
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || { cat "$dir.setup.log"; return 1; }
}

run_build() {
	local dir=$1; shift
	configure "$dir" "$@" || return 1
	meson compile -C "$dir" -j "$jobs" >"$dir.compile.log" 2>&1 || { tail -50 "$dir.compile.log"; return 1; }
	meson test -C "$dir" --num-processes "$jobs" --print-errorlogs --timeout-multiplier 3 || true
}

run_build build-test -Dbuildtype=debugoptimized || status=1

# Every report aborts the test that caused it, so the summary counts it as a failure.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export PEERGUARD_SANITIZED=1
run_build build-asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false || status=1
unset ASAN_OPTIONS UBSAN_OPTIONS PEERGUARD_SANITIZED

# libFuzzer smoke run: every fuzz target for 30 seconds, seeded from the test data.
scripts/fuzz-smoke.sh
fuzz_status=$?

# One policy set evaluated from 8 threads under ThreadSanitizer.
scripts/tsan-check.sh
tsan_status=$?

python3 tests/summarise.py build-test build-asan "fuzz-smoke=$fuzz_status" "tsan-threads=$tsan_status" || status=1
exit $status
