#!/usr/bin/env bash
# Installs what building and testing libpeerguard needs on Debian 12, skipping
# whatever is already there.  Runs as root (or with sudo available).
set -eu

packages="meson ninja-build pkg-config gcc libjansson-dev libyaml-dev libpcre2-dev zlib1g-dev check
libcurl4-openssl-dev libssl-dev libexpat1-dev python3 python3-pip python3-venv valgrind"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "installing Debian packages:$missing"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

# Python packages the tests use; moto's server is the AWS endpoint of the integration tests.
need_pip=""
python3 -c "import pytest" 2>/dev/null || need_pip="$need_pip pytest"
python3 -c "import yaml" 2>/dev/null || need_pip="$need_pip pyyaml"
python3 -c "import moto.server" 2>/dev/null || need_pip="$need_pip moto[server]"
if [ -n "$need_pip" ]; then
	echo "installing Python packages:$need_pip"
	python3 -m pip install -q $need_pip || python3 -m pip install -q --break-system-packages $need_pip
fi
