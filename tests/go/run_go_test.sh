#!/bin/sh
# Runs `go vet` and `go test -race -v` on the Go binding against this build's
# libpeerguard.so.0, and exits 77 (skipped) when Go is not installed.
#
# usage: run_go_test.sh BUILD_DIR SOURCE_DIR [--sanitized]
#
# A library built with AddressSanitizer cannot be loaded into a race-detector
# binary (the two runtimes do not mix), so with --sanitized, or
# PEERGUARD_SANITIZED=1, the tests run under `go test -asan` instead.
set -u

build=$1
source=$2
sanitized=${PEERGUARD_SANITIZED:-0}
[ "${3:-}" = "--sanitized" ] && sanitized=1

# The Go toolchain may be installed outside PATH, as the official tarball is.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
	echo "go is not installed; skipping the Go binding tests"
	exit 77
fi

work="$build/go-test"
mkdir -p "$work/pkgconfig" "$work/cache" "$work/gopath"

# meson's uninstalled libpeerguard.pc is used when its flags reach the
# header and the library; otherwise a .pc that points at them is written.
has_file() {
	flag=$1 file=$2
	shift 2
	for arg in "$@"; do
		case $arg in
		"$flag"*) [ -e "${arg#"$flag"}/$file" ] && return 0 ;;
		esac
	done
	return 1
}
uninstalled="$build/meson-uninstalled"
cflags=$(PKG_CONFIG_PATH="$uninstalled" pkg-config --cflags libpeerguard 2>/dev/null)
libs=$(PKG_CONFIG_PATH="$uninstalled" pkg-config --libs libpeerguard 2>/dev/null)
# shellcheck disable=SC2086 # the flags are split into words on purpose
if has_file -I peerguard/peerguard.h $cflags && has_file -L libpeerguard.so $libs; then
	PKG_CONFIG_PATH="$uninstalled"
	echo "pkg-config: using $uninstalled/libpeerguard-uninstalled.pc"
else
	cat >"$work/pkgconfig/libpeerguard.pc" <<PC
libdir=$build
includedir=$source/include

Name: libpeerguard
Description: libpeerguard from the build directory $build
Version: 0.1.0
Libs: -L\${libdir} -lpeerguard
Cflags: -I\${includedir}
PC
	PKG_CONFIG_PATH="$work/pkgconfig"
	echo "pkg-config: meson's uninstalled .pc does not reach the header (flags: $cflags); using $work/pkgconfig/libpeerguard.pc"
fi

export PKG_CONFIG_PATH
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GOFLAGS=-mod=mod GOCACHE="$work/cache" GOPATH="$work/gopath" CGO_ENABLED=1
# The module needs no other module and no other toolchain: never download either.
export GOTOOLCHAIN=local GOPROXY=off GOENV=off

cd "$source/bindings/go" || exit 1
go version

if [ "$sanitized" = 1 ]; then
	echo "sanitized build: the race detector and AddressSanitizer do not mix, so the tests run under go test -asan without -race"
	# A Go program exits without freeing what its runtime holds, so leak reports would only show the runtime.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	go vet ./... || exit 1
	exec go test -asan -count=1 -v ./...
fi

go vet ./... || exit 1
exec go test -race -count=1 -v ./...
