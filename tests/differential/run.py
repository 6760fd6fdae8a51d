"""Set up Cloud Custodian in a private virtual environment, then run harness.py in it.

The environment lives under $PEERGUARD_BUILD (or $TMPDIR) and is reused
while it holds the pinned c7n version.  When c7n cannot be installed (no
network, no venv module) the test is skipped with exit status 77, the
status meson reads as "skipped".
"""
import fcntl
import os
import subprocess
import sys
import tempfile

C7N_VERSION = "0.9.53"
SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def venv_dir():
    base = os.environ.get("PEERGUARD_BUILD") or tempfile.gettempdir()
    return os.path.join(base, "differential-venv")


def venv_python(path):
    return os.path.join(path, "bin", "python")


def installed_version(python):
    proc = subprocess.run([python, "-c", "from importlib.metadata import version; print(version('c7n'))"],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_venv():
    """Return the Python of a virtual environment holding c7n C7N_VERSION, or None with the reason printed."""
    path = venv_dir()
    python = venv_python(path)
    if os.path.exists(python) and installed_version(python) == C7N_VERSION:
        return python

    proc = subprocess.run([sys.executable, "-m", "venv", "--clear", path], capture_output=True, text=True)
    if proc.returncode != 0:
        print("SKIP: cannot create a virtual environment at %s: %s" % (path, proc.stderr.strip()[-500:]))
        return None
    try:
        proc = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "c7n==%s" % C7N_VERSION], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        print("SKIP: pip install c7n==%s timed out after 600 s" % C7N_VERSION)
        return None
    if proc.returncode != 0:
        print("SKIP: pip install c7n==%s failed (no network or no package index?): %s"
              % (C7N_VERSION, proc.stderr.strip()[-800:]))
        return None
    return python


def main():
    # The differential tests may start together; one installs while the others wait.
    os.makedirs(os.path.dirname(venv_dir()), exist_ok=True)
    with open(venv_dir() + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        python = ensure_venv()
    if python is None:
        return SKIP
    sys.stdout.flush()
    # c7n returns or/not results in set order; a fixed hash seed makes a run repeatable.
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.call([python, os.path.join(HERE, "harness.py"), *sys.argv[1:]], env=env)


if __name__ == "__main__":
    sys.exit(main())
