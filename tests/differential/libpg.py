"""Running many cases through `peerguard eval` at once.

All cases of a group share one record file and sit in one policy file,
one policy per case.  A policy that fails to load stops the whole file,
so `peerguard validate` runs first and each policy it rejects is marked
rejected and left out, until the file loads.
"""
import json
import os
import re
import subprocess
import tempfile

import yaml

from generate import NOW_TEXT
from oracle import ACCOUNT_ID, REGION, Outcome

POLICY_NAME = re.compile(r"policy '([^']+)'")
POLICY_INDEX = re.compile(r"policies\[(\d+)\]")


def dump_policies(policies):
    """Return the YAML text of a policy file holding policies."""
    return yaml.safe_dump({"policies": policies}, allow_unicode=True, sort_keys=False, width=1 << 16)


def dump_records(records):
    """Return describe output holding records, as JSON text."""
    return json.dumps({"VpcPeeringConnections": records}, ensure_ascii=False)


class Runner:
    """Runs groups of cases through one peerguard binary."""

    def __init__(self, binary, workdir=None):
        self.binary = binary
        self.workdir = workdir or tempfile.mkdtemp(prefix="pg-differential-")
        self.calls = 0

    def _run(self, args, timeout=120):
        self.calls += 1
        return subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=timeout)

    def _write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def _rejected_name(self, message, policies):
        """Return the name of the policy a load error names."""
        m = POLICY_NAME.search(message)
        if m and any(p["name"] == m.group(1) for p in policies):
            return m.group(1)
        m = POLICY_INDEX.search(message)
        if m and int(m.group(1)) < len(policies):
            return policies[int(m.group(1))]["name"]
        return None

    def run_group(self, policies, records):
        """Return {policy name: Outcome} for every policy in policies against records."""
        outcomes = {}
        remaining = list(policies)
        records_path = self._write("records.json", dump_records(records))

        while remaining:
            policy_path = self._write("policies.yml", dump_policies(remaining))
            proc = self._run(["validate", "--quiet", policy_path])
            if proc.returncode == 0:
                break
            if proc.returncode != 2:
                raise RuntimeError("peerguard validate exited with %d: %s" % (proc.returncode, proc.stderr[-2000:]))
            errors = [line for line in proc.stderr.splitlines() if line.startswith("peerguard validate:")]
            message = errors[0] if errors else proc.stderr.strip()
            name = self._rejected_name(message, remaining)
            if name is None:
                # A file-level failure that names no policy: every remaining case is rejected.
                for p in remaining:
                    outcomes[p["name"]] = Outcome("rejected", message=message)
                return outcomes
            outcomes[name] = Outcome("rejected", message=message)
            remaining = [p for p in remaining if p["name"] != name]
        if not remaining:
            return outcomes

        proc = self._run(["eval", "--policy", policy_path, "--account-id", ACCOUNT_ID, "--region", REGION,
                          "--now", NOW_TEXT,
                          "--matched-only", records_path])
        if proc.returncode not in (0, 1, 2):
            raise RuntimeError("peerguard eval exited with %d: %s" % (proc.returncode, proc.stderr[-2000:]))
        matched = {p["name"]: [] for p in remaining}
        for line in proc.stdout.splitlines():
            if line.startswith("{"):
                decision = json.loads(line)
                if decision.get("matched"):
                    matched[decision["policy"]].append(decision["resource_id"])
        errors = {}
        for line in proc.stderr.splitlines():
            # Warnings come as "peerguard: warning: ..."; evaluation errors as "peerguard eval: ...".
            m = POLICY_NAME.search(line)
            if line.startswith("peerguard eval:") and m and m.group(1) in matched:
                errors.setdefault(m.group(1), line)
        for name, ids in matched.items():
            if name in errors:
                outcomes[name] = Outcome("error", message=errors[name])
            else:
                outcomes[name] = Outcome("matched", ids)
        return outcomes
