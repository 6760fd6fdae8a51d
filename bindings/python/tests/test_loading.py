"""Finding libpeerguard.so.0, the version check, and the ctypes mirrors of the C structs."""
import ctypes
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import HEADER, SRC


def run_python(code, env_update, timeout=60):
    """Run code in a fresh interpreter, whose library search starts from nothing."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC)
    for key, value in env_update.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_library_version_matches_header(peerguard_module):
    text = HEADER.read_text()
    version = re.search(r'#define PEERGUARD_VERSION "([^"]+)"', text).group(1)
    assert peerguard_module.library_version() == version


def test_error_lists_every_attempt(tmp_path):
    missing = tmp_path / "nowhere" / "libpeerguard.so.0"
    proc = run_python("""
        import peerguard
        try:
            peerguard.load_library()
        except peerguard.LibraryNotFound as e:
            print("TRIED", len(e.tried))
            print(e)
        else:
            print("LOADED")
    """, {"PEERGUARD_LIBRARY": str(missing), "PKG_CONFIG_PATH": str(tmp_path), "PKG_CONFIG_LIBDIR": str(tmp_path),
          "LD_LIBRARY_PATH": str(tmp_path)})
    if "LOADED" in proc.stdout:
        pytest.skip("libpeerguard.so.0 is installed system-wide, so the search cannot fail here")
    assert "TRIED 4" in proc.stdout, proc.stdout + proc.stderr
    assert str(missing) in proc.stdout
    assert "pkg-config" in proc.stdout
    assert "find_library" in proc.stdout
    assert "libpeerguard.so.0" in proc.stdout


def test_environment_variable_wins(peerguard_module):
    path = os.environ.get("PEERGUARD_LIBRARY")
    if not path:
        pytest.skip("PEERGUARD_LIBRARY is not set")
    proc = run_python("""
        import peerguard, peerguard._native as n
        peerguard.load_library()
        print(n._lib._name)
    """, {})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == path


def test_pkg_config_is_searched(tmp_path):
    path = os.environ.get("PEERGUARD_LIBRARY")
    if not path or shutil.which("pkg-config") is None:
        pytest.skip("needs PEERGUARD_LIBRARY and pkg-config")
    (tmp_path / "libpeerguard.pc").write_text(
        f"libdir={os.path.dirname(path)}\nName: libpeerguard\nDescription: test\nVersion: 0.1.0\n"
        "Libs: -L${libdir} -lpeerguard\n")
    proc = run_python("""
        import peerguard, peerguard._native as n
        peerguard.load_library()
        print(n._lib._name)
    """, {"PEERGUARD_LIBRARY": None, "PKG_CONFIG_PATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == os.path.join(os.path.dirname(path), "libpeerguard.so.0")


def header_constants():
    text = HEADER.read_text()
    return {m.group(1): int(m.group(2), 0) for m in
            re.finditer(r"#define (PEERGUARD_\w+) (0x[0-9a-fA-F]+|\d+)u?\b", text)}


def test_error_struct_size_matches_header():
    from peerguard import _native

    c = header_constants()
    for name in ("MESSAGE", "FILE", "NAME", "PATH"):
        assert getattr(_native, f"ERROR_{name}_MAX") == c[f"PEERGUARD_ERROR_{name}_MAX"], name
    # int code; char message[]; char file[]; int line; int column; char policy[]; char path[]
    expected = (4 + c["PEERGUARD_ERROR_MESSAGE_MAX"] + c["PEERGUARD_ERROR_FILE_MAX"] + 4 + 4
                + c["PEERGUARD_ERROR_NAME_MAX"] + c["PEERGUARD_ERROR_PATH_MAX"])
    assert ctypes.sizeof(_native.ErrorStruct) == expected


def test_constants_match_header():
    from peerguard import _native, errors

    c = header_constants()
    assert _native.LOAD_OPTIONS_VERSION == c["PEERGUARD_LOAD_OPTIONS_VERSION"]
    assert _native.CONTEXT_VERSION == c["PEERGUARD_CONTEXT_VERSION"]
    assert _native.FLAG_EXPLAIN == c["PEERGUARD_EXPLAIN"]
    assert _native.FLAG_MATCHED_ONLY == c["PEERGUARD_MATCHED_ONLY"]
    codes = {m.group(1): int(m.group(2)) for m in
             re.finditer(r"PEERGUARD_(E\w+|ERROR) = (-\d+)", HEADER.read_text())}
    assert codes, "no return codes found in the header"
    for name, value in codes.items():
        assert getattr(errors, name) == value, name


LAYOUT_PROGRAM = r"""
#include <stddef.h>
#include <stdio.h>
#include "peerguard/peerguard.h"
#define F(t, m) printf(#t "." #m " %zu %zu\n", offsetof(t, m), sizeof(((t *)0)->m))
int main(void)
{
	printf("peerguard_error %zu\n", sizeof(peerguard_error));
	F(peerguard_error, code); F(peerguard_error, message); F(peerguard_error, file);
	F(peerguard_error, line); F(peerguard_error, column); F(peerguard_error, policy); F(peerguard_error, path);
	printf("peerguard_limits %zu\n", sizeof(peerguard_limits));
	F(peerguard_limits, max_input_bytes); F(peerguard_limits, max_policy_bytes); F(peerguard_limits, max_depth);
	F(peerguard_limits, max_yaml_aliases); F(peerguard_limits, max_policies); F(peerguard_limits, max_filters);
	F(peerguard_limits, regex_match_limit); F(peerguard_limits, regex_heap_limit_kib);
	F(peerguard_limits, jmespath_max_steps); F(peerguard_limits, jmespath_max_length);
	printf("peerguard_load_options %zu\n", sizeof(peerguard_load_options));
	F(peerguard_load_options, version); F(peerguard_load_options, limits); F(peerguard_load_options, base_dir);
	F(peerguard_load_options, only); F(peerguard_load_options, log); F(peerguard_load_options, log_userdata);
	F(peerguard_load_options, fetch); F(peerguard_load_options, fetch_userdata);
	printf("peerguard_context %zu\n", sizeof(peerguard_context));
	F(peerguard_context, version); F(peerguard_context, account_id); F(peerguard_context, region);
	F(peerguard_context, now); F(peerguard_context, flags); F(peerguard_context, log);
	F(peerguard_context, log_userdata);
	return 0;
}
"""


def test_struct_layout_matches_c_compiler(tmp_path):
    from peerguard import _native

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to compare the struct layout with")
    (tmp_path / "layout.c").write_text(LAYOUT_PROGRAM)
    exe = tmp_path / "layout"
    build = subprocess.run([cc, "-std=c11", "-I", str(HEADER.parents[1]), "-o", str(exe), str(tmp_path / "layout.c")],
                           capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                                 if k != "LD_PRELOAD"})
    assert build.returncode == 0, build.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}).stdout
    mirrors = {"peerguard_error": _native.ErrorStruct, "peerguard_limits": _native.LimitsStruct,
               "peerguard_load_options": _native.LoadOptionsStruct, "peerguard_context": _native.ContextStruct}
    checked = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            assert ctypes.sizeof(mirrors[parts[0]]) == int(parts[1]), parts[0]
        else:
            struct, member = parts[0].split(".")
            desc = getattr(mirrors[struct], member)
            assert (desc.offset, desc.size) == (int(parts[1]), int(parts[2])), parts[0]
        checked += 1
    assert checked == 4 + 7 + 10 + 8 + 7
