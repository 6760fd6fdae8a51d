#!/usr/bin/env python3
"""Run the Python binding tests with pytest against the library of this build.

Sets PEERGUARD_LIBRARY to the library and puts the package source on
PYTHONPATH, so the package runs uninstalled.  A library built with
AddressSanitizer (--sanitized, or PEERGUARD_SANITIZED=1 in the environment)
needs the ASan runtime loaded before everything else, so pytest is then
started with LD_PRELOAD of the runtime that the C compiler links, and with
leak detection off because the Python interpreter itself does not free
everything at exit.
"""
import argparse
import os
import subprocess
import sys


def asan_runtime(cc):
    """Return the path of the ASan runtime that cc links, or None."""
    for name in ("libasan.so", "libclang_rt.asan-x86_64.so"):
        try:
            out = subprocess.run([cc, f"-print-file-name={name}"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
        except OSError:
            return None
        # The compiler prints the bare name back when it has no such file.
        if os.path.isabs(out) and os.path.exists(out):
            return os.path.realpath(out)
    return None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", help="path of libpeerguard.so.0 to test")
    parser.add_argument("package_src", help="directory that contains the peerguard package")
    parser.add_argument("tests_dir", help="directory of the pytest suite")
    parser.add_argument("--cc", default="cc", help="C compiler the library was built with")
    parser.add_argument("--sanitized", action="store_true", help="the library is built with AddressSanitizer")
    args = parser.parse_args(argv[1:])

    env = dict(os.environ)
    env["PEERGUARD_LIBRARY"] = args.library
    env["PYTHONPATH"] = os.pathsep.join(p for p in (args.package_src, env.get("PYTHONPATH")) if p)

    if args.sanitized or env.get("PEERGUARD_SANITIZED") == "1":
        env["PEERGUARD_SANITIZED"] = "1"
        runtime = asan_runtime(args.cc)
        if runtime is None:
            print(f"the AddressSanitizer runtime of {args.cc} was not found; cannot load the sanitized library "
                  "into Python", file=sys.stderr)
            return 1
        env["LD_PRELOAD"] = " ".join(p for p in (runtime, env.get("LD_PRELOAD")) if p)
        options = [o for o in env.get("ASAN_OPTIONS", "").split(":") if o and not o.startswith("detect_leaks=")]
        env["ASAN_OPTIONS"] = ":".join(options + ["detect_leaks=0"])
        print(f"sanitized build: LD_PRELOAD={runtime} ASAN_OPTIONS={env['ASAN_OPTIONS']}", flush=True)

    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", args.tests_dir]
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
