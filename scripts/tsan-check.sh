#!/usr/bin/env bash
# Builds the library and the thread test with ThreadSanitizer (gcc or
# clang, -Db_sanitize=thread) in build-tsan and runs the tests that use
# threads: one policy set evaluated from 8 threads, and the JMESPath unit
# tests.  Exit status 0 only when they pass and TSan reports no race.
#
# usage: scripts/tsan-check.sh [BUILD_DIR]   (default build-tsan)
set -u
cd "$(dirname "$0")/.."

build=${1:-build-tsan}
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2

if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" >"$build.setup.log" 2>&1
else
	meson setup "$build" -Dbuildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false >"$build.setup.log" 2>&1
fi || { cat "$build.setup.log"; exit 2; }

tests=(hostile-threads jmespath-unit)
targets=(tests/hostile/test_hostile_threads tests/jmespath/test_jmespath_unit)
ninja -C "$build" -j "$jobs" "${targets[@]}" >"$build.compile.log" 2>&1 || { tail -40 "$build.compile.log"; exit 2; }

# A race report ends the test with exit status 66, so the test fails.
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$PWD/tests/hostile/tsan.supp:${TSAN_OPTIONS:-}"
export PEERGUARD_SANITIZED=1
meson test -C "$build" --no-rebuild --print-errorlogs "${tests[@]}"
