#!/usr/bin/env bash
# Installs what is missing, builds libpeerguard and the peerguard command
# into ./build, and evaluates the bundled example: a CloudTrail log file and
# DescribeVpcPeeringConnections output against the cross-account peering
# checker policy, as account 111111111111.
set -eu
cd "$(dirname "$0")/.."

scripts/deps.sh
if [ -d build ]; then
	meson setup --reconfigure build >/dev/null
else
	meson setup build >/dev/null
fi
meson compile -C build >/dev/null

set +e
build/tools/peerguard/peerguard eval --policy examples/cross-account-peering.yml \
	--account-id 111111111111 --now 2026-01-15T12:05:00Z --format text \
	examples/cloudtrail-log.json examples/describe.json
status=$?
set -e
# 1 means "something matched", which is what the example is for.
[ "$status" -le 1 ]
