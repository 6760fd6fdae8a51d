#!/usr/bin/env python3
"""Run pytest on the given test files; with --needs-moto, exit 77 (meson's skip) when moto cannot run."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv):
    needs_moto = "--needs-moto" in argv
    files = [a for a in argv if a != "--needs-moto"]
    if needs_moto:
        from motoenv import moto_unavailable

        reason = moto_unavailable()
        if reason:
            print(f"SKIP: {reason}")
            return 77
    import pytest

    here = str(Path(__file__).resolve().parent)
    return pytest.main(["-q", "-s", "-p", "no:cacheprovider", "--rootdir", here,
                        *[str(Path(here) / f) for f in files]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
