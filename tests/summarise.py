#!/usr/bin/env python3
"""Add up the results of one or more `meson test` runs.

Reads each build's meson-logs/testlog.json (and NAME=STATUS arguments for
steps run outside meson), counts the individual checks
that Check programs and pytest report in their output, and prints one line
`N passed, N failed, N skipped`.  A test program that failed without a
parsable summary (a crash, a sanitizer report) counts as one failure.
Exit status 0 only when nothing failed.
"""
import json
import re
import sys
from pathlib import Path

CHECK_RE = re.compile(r"(\d+)%: Checks: (\d+), Failures: (\d+), Errors: (\d+)")
PYTEST_RE = re.compile(r"=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)(?:, )?)+) in [\d.]+s")
SANITIZER_RE = re.compile(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|ThreadSanitizer:)")
GO_RE = re.compile(r"^(---|===) (PASS|FAIL|SKIP): ", re.M)


def count(entry):
    out = (entry.get("stdout") or "") + "\n" + (entry.get("stderr") or "")
    result = entry.get("result")
    passed = failed = skipped = 0
    parsed = False

    for m in CHECK_RE.finditer(out):
        total, failures, errors = int(m.group(2)), int(m.group(3)), int(m.group(4))
        passed += total - failures - errors
        failed += failures + errors
        parsed = True

    m = None
    for m in PYTEST_RE.finditer(out):
        pass
    if m:
        for part in m.group(1).split(", "):
            n, kind = part.split(" ", 1)
            n = int(n)
            if kind == "passed" or kind == "xfailed":
                passed += n
            elif kind in ("failed", "error", "errors", "xpassed"):
                failed += n
            elif kind == "skipped":
                skipped += n
        parsed = True

    go = GO_RE.findall(out)
    if go and not parsed:
        for _, status in go:
            if status == "PASS":
                passed += 1
            elif status == "FAIL":
                failed += 1
            else:
                skipped += 1
        parsed = True

    if SANITIZER_RE.search(out):
        failed += 1
        print(f"sanitizer report in test '{entry.get('name')}'", file=sys.stderr)

    if result == "SKIP":
        return passed, failed, skipped + (0 if parsed else 1)
    if result not in ("OK", "EXPECTEDFAIL"):
        if failed == 0:
            failed = 1
            print(f"test '{entry.get('name')}' ended {result} without a failing check", file=sys.stderr)
    elif not parsed:
        passed += 1
    return passed, failed, skipped


def main(args):
    passed = failed = skipped = 0
    build_dirs = []
    for arg in args:
        # NAME=STATUS: a step run outside meson, counted by its exit status (77 means skipped).
        if "=" in arg:
            name, status = arg.split("=", 1)
            if status == "0":
                passed += 1
            elif status == "77":
                skipped += 1
            else:
                failed += 1
                print(f"FAILED: {name} exited {status}", file=sys.stderr)
            continue
        build_dirs.append(arg)
    for build in build_dirs:
        log = Path(build) / "meson-logs" / "testlog.json"
        if not log.exists():
            print(f"{log} is missing: the test run did not happen", file=sys.stderr)
            failed += 1
            continue
        for line in log.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            p, f, s = count(entry)
            passed += p
            failed += f
            skipped += s
            if f:
                print(f"FAILED in {build}: {entry.get('name')}", file=sys.stderr)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
