#!/usr/bin/env python3
"""Check VPC peering connections and CloudTrail events against Cloud Custodian policies.

Reads the output of boto3.client("ec2").describe_vpc_peering_connections()
from a JSON file (or, with --live, calls the API through boto3 at
--endpoint-url), and CloudTrail event files, and prints one decision per
policy and peering connection: whether the policy matched, our side of the
connection, its state, and the EC2 call to make.

    check_peering.py --policy policies.yml --account-id 111111111111 \\
        --describe describe.json --event create-event.json

Exit status: 0 when no policy matched, 1 when one did, 2 on an error.
"""
import argparse
import json
import sys

import peerguard


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True, help="Cloud Custodian policy file, YAML or JSON")
    parser.add_argument("--policy-name", action="append", dest="policy_names", metavar="NAME",
                        help="evaluate only this policy; repeat for several")
    parser.add_argument("--account-id", help="12-digit account the policies protect")
    parser.add_argument("--region", help="region for {region} and for calls when a record has none")
    parser.add_argument("--now", help="evaluate as if the time were this RFC 3339 time (default: the clock)")
    parser.add_argument("--describe", action="append", default=[], metavar="FILE",
                        help="JSON file with describe_vpc_peering_connections() output; repeatable")
    parser.add_argument("--event", action="append", default=[], metavar="FILE",
                        help="CloudTrail event file (record, EventBridge event, SNS message, log file, "
                             "JSON lines, plain or gzip); repeatable")
    parser.add_argument("--live", action="store_true",
                        help="call DescribeVpcPeeringConnections through boto3 at --endpoint-url")
    parser.add_argument("--endpoint-url", help="EC2 endpoint for --live, such as http://127.0.0.1:5000")
    parser.add_argument("--explain", action="store_true", help="print the filter clauses that decided")
    parser.add_argument("--json", action="store_true", help="print decisions as JSON lines")
    args = parser.parse_args(argv)
    if args.live and not args.endpoint_url:
        parser.error("--live needs --endpoint-url")
    if not (args.describe or args.event or args.live):
        parser.error("give at least one --describe or --event file, or --live")
    return args


def describe_live(endpoint_url, region):
    """Return every page of describe_vpc_peering_connections() from the endpoint."""
    import boto3

    ec2 = boto3.client("ec2", endpoint_url=endpoint_url, region_name=region or "us-east-1")
    return list(ec2.get_paginator("describe_vpc_peering_connections").paginate())


def print_decision(decision, as_json):
    if as_json:
        print(json.dumps(decision.to_dict()))
        return
    mark = "MATCH" if decision.matched else "-----"
    line = (f"{mark} {decision.policy} {decision.resource_id}: side={decision.side} "
            f"state={decision.state or 'unknown'} action={decision.action}")
    if decision.api_call:
        line += f" call={decision.api_call} region={decision.region}"
    if decision.violations:
        line += " foreign=" + ",".join(decision.violations)
    if decision.event is not None:
        line += f" event={decision.event.id}"
    print(line)
    print(f"  {decision.reason}")
    for clause in decision.explain or ():
        print(f"  explain: {json.dumps(clause)}")


def main(argv=None):
    args = parse_args(argv)
    context = {"account_id": args.account_id, "region": args.region, "now": args.now, "explain": args.explain}
    try:
        policies = peerguard.PolicySet.from_file(args.policy, args.policy_names)
    except peerguard.PeerguardError as e:
        print(f"check_peering: {e}", file=sys.stderr)
        return 2

    results = []
    status = 0
    with policies:
        try:
            if args.live:
                pages = describe_live(args.endpoint_url, args.region)
                results.append(policies.evaluate_resources(pages, **context, name=args.endpoint_url))
            for path in args.describe:
                with open(path, "rb") as f:
                    results.append(policies.evaluate_resources(json.load(f), **context, name=path))
            for path in args.event:
                results.append(policies.evaluate_file(path, "events", **context))
        except (peerguard.PeerguardError, OSError, ValueError) as e:
            print(f"check_peering: {e}", file=sys.stderr)
            status = 2

    for result in results:
        for decision in result.decisions:
            print_decision(decision, args.json)
            if decision.matched and status == 0:
                status = 1
        for error in result.errors:
            print(f"check_peering: {error}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
