"""Packaging: exported symbols, SONAME, and a consumer built from an installed copy with pkg-config alone."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ["PEERGUARD_SOURCE"])
BUILD = Path(os.environ["PEERGUARD_BUILD"])
LIBRARY = BUILD / "libpeerguard.so.0"


def test_only_peerguard_symbols_exported():
    out = subprocess.run(["nm", "-D", "--defined-only", str(LIBRARY)], capture_output=True, text=True,
                         check=True).stdout
    names = [line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()]
    exported = [n for n in names if not n.startswith("LIBPEERGUARD_")]
    assert exported, "no symbols exported"
    strays = [n for n in exported if not n.startswith("peerguard_")]
    assert strays == []
    for needed in ("peerguard_policy_set_load_file", "peerguard_evaluate", "peerguard_decision_to_json",
                   "peerguard_strerror", "peerguard_version"):
        assert needed in exported


def test_soname_is_versioned():
    out = subprocess.run(["readelf", "-d", str(LIBRARY)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"SONAME\).*\[libpeerguard\.so\.0\]", out), out


def test_consumer_builds_with_pkg_config(tmp_path):
    if os.environ.get("PEERGUARD_SANITIZED"):
        pytest.skip("the sanitizer build's library needs the sanitizer runtime at link time")
    destdir = tmp_path / "root"
    subprocess.run(["meson", "install", "-C", str(BUILD), "--no-rebuild", "--destdir", str(destdir)],
                   check=True, capture_output=True, text=True)
    pcs = list(destdir.rglob("libpeerguard.pc"))
    assert len(pcs) == 1, pcs
    pc = pcs[0]
    prefix = re.search(r"^prefix=(.*)$", pc.read_text(), re.M).group(1)
    # Relocate the installed copy: the prefix now lives under destdir.
    pc.write_text(pc.read_text().replace(f"prefix={prefix}", f"prefix={destdir}{prefix}", 1))
    assert list(destdir.rglob("libpeerguard.a")), "static library not installed"
    assert list(destdir.rglob("peerguard/peerguard.h")), "header not installed"

    env = dict(os.environ, PKG_CONFIG_PATH=str(pc.parent))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libpeerguard"], env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    exe = tmp_path / "consumer"
    cc = shutil.which("cc") or "gcc"
    subprocess.run([cc, str(SOURCE / "examples" / "consumer.c"), "-o", str(exe), *flags], check=True,
                   capture_output=True, text=True)

    libdir = [f[2:] for f in flags if f.startswith("-L")][0]
    run = subprocess.run([str(exe), str(SOURCE / "examples" / "cross-account-peering.yml"),
                          str(SOURCE / "examples" / "describe.json")],
                         env=dict(os.environ, LD_LIBRARY_PATH=libdir), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "pcx-0e1e1e1e1e1e1e1e1: delete DeleteVpcPeeringConnection in us-east-1" in run.stdout
    assert "pcx-0e3e3e3e3e3e3e3e3: reject RejectVpcPeeringConnection" in run.stdout
    assert "pcx-0e2e2e2e2e2e2e2e2" not in run.stdout
