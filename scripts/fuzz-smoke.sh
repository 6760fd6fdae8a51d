#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, AddressSanitizer and UBSan in
# build-fuzz and runs each for FUZZ_SECONDS (default 30) seconds, two at a
# time, seeded from examples/ and the shared test data.  About 2 minutes
# of fuzzing on 2 cores, plus the build.  Fails when any target finds a
# crash, a leak, a hang or an input needing more than 2 GB.
#
# usage: scripts/fuzz-smoke.sh
#
# Installs clang and its runtime with apt-get when they are missing and
# this runs as root; otherwise, without clang, it skips with exit 77.
set -u
cd "$(dirname "$0")/.."

runtime_missing() {
	! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
		clang -x c -fsanitize=fuzzer,address -o /dev/null - >/dev/null 2>&1
}

if ! command -v clang >/dev/null || runtime_missing; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "fuzz-smoke: installing clang and its libFuzzer runtime with apt-get"
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null 2>&1
		# The runtime package names the clang major version, such as libclang-rt-14-dev on Debian 12.
		major=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
		[ -n "$major" ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "libclang-rt-$major-dev" >/dev/null 2>&1
	fi
	if ! command -v clang >/dev/null || runtime_missing; then
		echo "fuzz-smoke: skipped: clang with libFuzzer is not available (apt-get install clang libclang-rt-14-dev)"
		exit 77
	fi
fi

exec fuzz/run.sh --seconds "${FUZZ_SECONDS:-30}" --jobs 2
