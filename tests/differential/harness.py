"""Differential test: the same random cases through Cloud Custodian and libpeerguard.

Run inside the virtual environment that has c7n (run.py sets it up).
Prints each undocumented mismatch with the smallest case that still shows
it, counts per documented deviation, and a closing "N passed, N failed"
line.  Exits 1 when any mismatch is undocumented.
"""
import argparse
import copy
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate  # noqa: E402
import oracle  # noqa: E402
import value_from  # noqa: E402
from deviations import BY_NAME, DEVIATIONS, PATCHES, rejection_deviation  # noqa: E402
from libpg import Runner, dump_policies  # noqa: E402

# Keys the shrinker keeps: without them a case stops being a case.
PROTECTED = {"name", "resource", "type", "VpcPeeringConnectionId"}


class Verdict:
    """How one case came out: agreement, a documented deviation, or a mismatch."""

    def __init__(self, kind, c7n, pg, deviation=None):
        self.kind = kind              # "agree", "documented" or "mismatch"
        self.c7n = c7n
        self.pg = pg
        self.deviation = deviation    # list of deviation names for "documented"


def judge(policy, records, pg):
    """Compare libpeerguard's outcome pg for one case with c7n's, trying the documented patches."""
    c7n = oracle.run_policy(policy, records)
    if c7n == pg:
        return Verdict("agree", c7n, pg)

    if pg.kind == "rejected" and c7n.kind != "rejected":
        d = rejection_deviation(pg.message)
        if d:
            return Verdict("documented", c7n, pg, [d.name])
        return Verdict("mismatch", c7n, pg)
    if pg.kind == "rejected" or c7n.kind == "rejected":
        return Verdict("mismatch", c7n, pg)

    patched = oracle.run_policy(policy, records, [d.patch for d in PATCHES])
    if patched != pg:
        return Verdict("mismatch", c7n, pg)
    # Name the deviations that explain it: drop each patch that libpeerguard's result does not need.
    needed = list(PATCHES)
    for d in PATCHES:
        fewer = [x for x in needed if x is not d]
        if oracle.run_policy(policy, records, [x.patch for x in fewer]) == pg:
            needed = fewer
    return Verdict("documented", c7n, pg, [d.name for d in needed])


def c7n_view(policies):
    """Return the policies as c7n reads them from the YAML text libpeerguard gets."""
    return oracle.policies_from_yaml(dump_policies(policies))


def check_one(runner, policy, records):
    """Run one case through both engines; returns its Verdict."""
    pg = runner.run_group([policy], records)[policy["name"]]
    return judge(c7n_view([policy])[0], records, pg)


def variants(value, protect_list=False):
    """Yield simpler copies of a JSON value: fewer list items and keys, blocks replaced by a child, shorter strings."""
    if isinstance(value, list):
        if len(value) > 1 or not protect_list:
            for i in range(len(value)):
                yield value[:i] + value[i + 1:]
        for i, item in enumerate(value):
            for v in variants(item):
                yield value[:i] + [v] + value[i + 1:]
    elif isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("and", "or", "not"):
            for child in next(iter(value.values())) or []:
                yield child
        for k in value:
            if k not in PROTECTED:
                yield {x: y for x, y in value.items() if x != k}
        for k, item in value.items():
            if k in PROTECTED:
                continue
            for v in variants(item, protect_list=k in ("filters", "and", "or", "not")):
                out = dict(value)
                out[k] = v
                yield out
    elif isinstance(value, str) and len(value) > 1:
        yield value[:len(value) // 2]
        yield value[len(value) // 2:]
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value not in (0, 1):
        yield 1


def shrink(runner, policy, records, budget):
    """Return the smallest (policy, records, verdict) found that is still an undocumented mismatch."""
    best = (policy, records, check_one(runner, policy, records))
    checks = 0
    improved = True
    while improved and checks < budget:
        improved = False
        p, rs, _ = best
        candidates = [(p, list(x)) for x in variants(rs, protect_list=True)]
        candidates += [(dict(p, filters=f), rs) for f in variants(p["filters"], protect_list=True)]
        for cp, crs in candidates:
            if checks >= budget:
                break
            checks += 1
            verdict = check_one(runner, cp, crs)
            if verdict.kind == "mismatch":
                best = (cp, crs, verdict)
                improved = True
                break
    return best


def show_case(policy, records, verdict):
    """Return the text that shows one mismatch."""
    return "\n".join([
        "  policy:  " + json.dumps(policy, ensure_ascii=False),
        "  records: " + json.dumps(records, ensure_ascii=False),
        "  c7n:         %r" % (verdict.c7n,),
        "  libpeerguard: %r" % (verdict.pg,),
    ])


def walk_filters(filters):
    """Yield every filter mapping or string inside filters, blocks and list-item attrs included."""
    for f in filters:
        yield f
        if isinstance(f, dict):
            if len(f) == 1 and next(iter(f)) in ("and", "or", "not"):
                yield from walk_filters(next(iter(f.values())) or [])
            if f.get("type") == "list-item":
                yield from walk_filters(f.get("attrs") or [])


def missing_coverage(groups):
    """Return the features the generated cases never use: every op, value_type, special value and filter form."""
    wanted = {"op " + op for op in generate.OPS} | {"value_type " + t for t in generate.VALUE_TYPES}
    wanted |= {"value " + v for v in generate.SPECIALS}
    wanted |= {"and", "or", "not", "shorthand", "value_regex", "value_path", "tag key", "literal dotted key",
               "JMESPath key", "list-item", "list-item count", "cross-account"}
    wanted |= {"reduce " + k for k in ("group-by", "sort-by", "order", "null-order", "limit", "limit-percent",
                                       "discard", "discard-percent")}
    seen = set()
    for _, policies in groups:
        for p in policies:
            for f in walk_filters(p["filters"]):
                if isinstance(f, str):
                    seen.add(f)
                    continue
                if len(f) == 1 and next(iter(f)) in ("and", "or", "not"):
                    seen.add(next(iter(f)))
                    continue
                kind = f.get("type")
                if kind is None:
                    seen.add("shorthand")
                    key, value = next(iter(f.items()))
                    f = {"key": key, "value": value}
                if kind in ("list-item", "cross-account"):
                    seen.add(kind)
                    if "count" in f:
                        seen.add("list-item count")
                if kind == "reduce":
                    seen |= {"reduce " + k for k in f if k != "type"}
                for name in ("op", "value_type"):
                    if name in f:
                        seen.add("%s %s" % (name, f[name]))
                if f.get("value") in generate.SPECIALS:
                    seen.add("value " + f["value"])
                for name in ("value_regex", "value_path"):
                    if name in f:
                        seen.add(name)
                key = f.get("key")
                if isinstance(key, str) and kind != "list-item":
                    seen.add("tag key" if key.startswith("tag:") else
                             "literal dotted key" if key == "a.b" else
                             "JMESPath key" if any(c in key for c in ".[(") else "plain key")
    return sorted(wanted - seen)


def run_differential(args):
    runner = Runner(args.binary)
    started = time.time()
    groups = generate.make_groups(args.seed, args.cases, args.per_group)
    counts = {"agree": 0, "documented": 0, "defect": 0, "mismatch": 0}
    by_deviation = {}
    mismatches = []

    for records, policies in groups:
        pg = runner.run_group(policies, records)
        for policy in c7n_view(policies):
            verdict = judge(policy, records, pg[policy["name"]])
            if verdict.kind == "documented" and any(BY_NAME[name].defect for name in verdict.deviation):
                counts["defect"] += 1
            else:
                counts[verdict.kind] += 1
            if verdict.kind == "documented":
                for name in verdict.deviation:
                    by_deviation[name] = by_deviation.get(name, 0) + 1
            elif verdict.kind == "mismatch":
                mismatches.append((policy, records, verdict))

    print("c7n %s, seed %d: %d cases in %d groups, %.1f s" % (oracle.version(), args.seed, args.cases,
                                                              len(groups), time.time() - started))
    missing = missing_coverage(groups)
    if missing:
        print("the cases never use: %s; raise --cases or change the seed" % ", ".join(missing))
        counts["mismatch"] += 1
    print("agree: %d, documented deviations: %d, known libpeerguard defects: %d, mismatches: %d"
          % (counts["agree"], counts["documented"], counts["defect"], counts["mismatch"]))
    for name, n in sorted(by_deviation.items()):
        kind = "KNOWN DEFECT" if BY_NAME[name].defect else "deviation"
        print("  %s %-28s %5d  %s" % (kind, name, n, BY_NAME[name].reason.split(". ")[0]))
    for d in DEVIATIONS:
        if d.defect and d.name not in by_deviation:
            print("  known defect %s did not show in this run; if it is fixed, remove it from deviations.py"
                  " and docs/custodian-compatibility.md" % d.name)

    for i, (policy, records, verdict) in enumerate(mismatches):
        if i >= args.max_shrink:
            print("%d more mismatches, not shrunk: %s" % (len(mismatches) - i,
                                                         ", ".join(p["name"] for p, _, _ in mismatches[i:])))
            break
        small = shrink(runner, policy, copy.deepcopy(records), args.shrink_budget)
        print("MISMATCH %s (smallest case found):" % policy["name"])
        print(show_case(*small))
    print("%d peerguard runs" % runner.calls)
    # A known defect is counted as skipped (an expected failure), never as passed.
    print("%d passed, %d failed, %d skipped in %.1fs" % (counts["agree"] + counts["documented"], counts["mismatch"],
                                                        counts["defect"], time.time() - started))
    return 1 if counts["mismatch"] else 0


def cross_account_demo(args):
    """Show c7n's cross-account defect on a batch next to libpeerguard's result; returns an exit code."""
    started = time.time()
    runner = Runner(args.binary)

    def record(n, accepter, requester):
        return {"VpcPeeringConnectionId": "pcx-demo%d" % n, "Status": {"Code": "active"},
                "AccepterVpcInfo": {"OwnerId": accepter, "VpcId": "vpc-a%d" % n, "Region": "us-east-1"},
                "RequesterVpcInfo": {"OwnerId": requester, "VpcId": "vpc-r%d" % n, "Region": "us-east-1"}}

    ours, trusted, foreign, other = oracle.ACCOUNT_ID, "222222222222", "999999999999", "888888888888"
    policy = {"name": "cross-account-demo", "resource": "peering-connection",
              "filters": [{"type": "cross-account", "whitelist": [trusted]}]}
    batches = [
        ("first record clean, records 2 and 4 violate",
         [record(1, ours, trusted), record(2, ours, foreign), record(3, ours, ours), record(4, other, ours)],
         ["pcx-demo2", "pcx-demo4"], ([], )),
        ("first record violates, so does record 3",
         [record(1, ours, foreign), record(2, ours, trusted), record(3, other, ours), record(4, ours, ours)],
         ["pcx-demo1", "pcx-demo3"], (["pcx-demo1"], )),
        ("one record with two foreign owners",
         [record(1, other, foreign)],
         ["pcx-demo1"], (["pcx-demo1", "pcx-demo1"], )),
    ]
    passed = failed = 0
    for title, records, correct, c7n_defective in batches:
        c7n = oracle.run_policy(policy, records)
        pg = runner.run_group([policy], records)[policy["name"]]
        print("%s:\n  c7n %s: %r\n  libpeerguard: %r\n  correct: %r" % (title, oracle.version(), c7n, pg, correct))
        ok_pg = pg.kind == "matched" and pg.ids == sorted(correct)
        ok_c7n = c7n.kind == "matched" and any(c7n.ids == sorted(d) for d in c7n_defective)
        if not ok_c7n:
            print("  c7n no longer shows the defect; review the cross-account-batch deviation")
        for ok in (ok_pg, ok_c7n):
            passed += ok
            failed += not ok
    print("%d passed, %d failed in %.1fs" % (passed, failed, time.time() - started))
    return 1 if failed else 0


def value_from_cases(args):
    """Run the value_from and whitelist_from cases through both engines; returns an exit code."""
    started = time.time()
    runner = Runner(args.binary)
    passed = failed = 0
    for name, policy in value_from.build(runner.workdir):
        pg = runner.run_group([policy], value_from.RECORDS)[policy["name"]]
        verdict = judge(c7n_view([policy])[0], value_from.RECORDS, pg)
        label = {"agree": "ok", "documented": "documented (%s)" % ", ".join(verdict.deviation or []),
                 "mismatch": "MISMATCH"}[verdict.kind]
        print("%-28s %s\n  c7n: %r\n  libpeerguard: %r" % (name, label, verdict.c7n, verdict.pg))
        passed += verdict.kind != "mismatch"
        failed += verdict.kind == "mismatch"
    print("%d passed, %d failed in %.1fs" % (passed, failed, time.time() - started))
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20260615)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--per-group", type=int, default=25, help="cases sharing one record pool")
    parser.add_argument("--binary", default=os.environ.get("PEERGUARD_BIN"), help="peerguard executable")
    parser.add_argument("--max-shrink", type=int, default=20, help="mismatches to shrink and print")
    parser.add_argument("--shrink-budget", type=int, default=300, help="candidate checks per mismatch")
    parser.add_argument("--cross-account-demo", action="store_true",
                        help="run the cross-account batch comparison instead of random cases")
    parser.add_argument("--value-from", action="store_true",
                        help="run the value_from and whitelist_from file cases instead of random cases")
    args = parser.parse_args()
    if not args.binary or not os.path.exists(args.binary):
        print("peerguard binary not found (%s); set PEERGUARD_BIN or pass --binary" % args.binary)
        return 2
    if args.cross_account_demo:
        return cross_account_demo(args)
    if args.value_from:
        return value_from_cases(args)
    return run_differential(args)


if __name__ == "__main__":
    sys.exit(main())
