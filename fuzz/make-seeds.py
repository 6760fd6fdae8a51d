#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target into a directory.

Seeds are copied or derived at run time from examples/ and from the shared
test data ($PEERGUARD_SHARED, by default the shared/ folder beside the
source tree).  They are policy files and their JSON form, input documents
in every shape the evaluator reads (plain, gzip, JSON lines, SNS),
JMESPath compliance expressions with their documents, EC2 XML answers and
the SigV4 suite's requests.  Seeds the data has no example of (value-filter settings,
credential files) are generated here.  Each seed file is named by the SHA-1
of its content, so running the script twice gives the same corpus.

usage: make-seeds.py OUTPUT_DIR
"""
import gzip
import hashlib
import json
import os
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PEERGUARD_SHARED", SOURCE.parent / "shared"))
TESTDATA = SHARED / "testdata"

# Seeds longer than the target's -max_len in run.sh would be cut, so they are left out.
MAX_LEN = {
    "fuzz_policy": 16384,
    "fuzz_evaluate": 65536,
    "fuzz_jmespath": 4096,
    "fuzz_value_filter": 512,
    "fuzz_ec2_xml": 65536,
    "fuzz_sigv4": 8192,
    "fuzz_credentials": 8192,
}


def write(out, target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_LEN[target]:
        return 0
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return 1


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        return None
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return None


def policy_seeds(out):
    n = 0
    files = sorted(SOURCE.glob("examples/*.yml")) + sorted(TESTDATA.glob("cases/*/policy.yml"))
    for path in files:
        n += write(out, "fuzz_policy", path.read_bytes())
        doc = load_yaml(path)
        if doc is not None:
            # The JSON form of the same policies; keys stay in file order.
            n += write(out, "fuzz_policy", json.dumps(doc, default=str))
            n += write(out, "fuzz_policy", json.dumps(doc, default=str, indent=1))
    # YAML features the examples do not use: anchors, aliases, tags, flow style.
    n += write(out, "fuzz_policy",
               "vars:\n  owners: &owners [\"222222222222\", \"333333333333\"]\n"
               "policies:\n- name: a\n  resource: peering-connection\n"
               "  filters:\n  - type: cross-account\n    whitelist: *owners\n"
               "- {name: b, resource: aws.peering-connection, filters: [{\"tag:Owner\": !!str 1:20}]}\n")
    n += write(out, "fuzz_policy",
               "policies:\n- name: c\n  resource: peering-connection\n  mode: {type: pull}\n"
               "  filters:\n  - type: value\n    key: ExpirationTime\n    value_type: age\n"
               "    op: gt\n    value: 0x1F\n  - type: value\n    key: Status.Code\n"
               "    value_from: {url: 'file:allow.txt', format: txt}\n")
    return n


def event_seeds(out):
    n = 0
    docs = []
    for path in sorted(SOURCE.glob("examples/*.json")) + sorted((TESTDATA / "aws").glob("*/*.json")):
        docs.append(path.read_bytes())
    for path in sorted(TESTDATA.glob("cases/*/input.json")):
        data = json.loads(path.read_text())
        if isinstance(data.get("resources"), list):
            docs.append(json.dumps({"VpcPeeringConnections": data["resources"]}).encode())
            docs.append(json.dumps(data["resources"]).encode())
        if isinstance(data.get("events"), dict):
            for event in data["events"].values():
                docs.append(json.dumps(event).encode())
                # The same event as an SNS notification and as JSON lines.
                docs.append(json.dumps({"Records": [{"Sns": {"Message": json.dumps(event)}}]}).encode())
                if isinstance(event, dict) and isinstance(event.get("detail"), dict):
                    docs.append((json.dumps(event["detail"]) + "\n" + json.dumps(event) + "\n").encode())
    for doc in docs:
        n += write(out, "fuzz_evaluate", doc)
        n += write(out, "fuzz_evaluate", gzip.compress(doc, mtime=0))
    return n


def jmespath_seeds(out):
    n = 0
    for path in sorted((TESTDATA / "jmespath").glob("*.json")):
        groups = json.loads(path.read_text())
        if not isinstance(groups, list):
            continue  # the suite's JSON schema, not a test file
        for group in groups:
            given = json.dumps(group.get("given"))
            for case in group.get("cases", []):
                expr = case.get("expression", "")
                n += write(out, "fuzz_jmespath", expr.encode() + b"\0" + given.encode())
                n += write(out, "fuzz_jmespath", expr.encode())
    # Cloud Custodian's extra functions.
    for expr in ("split(',', s)", "from_json(j).k[-1]", "Tags[?Key=='Name'].Value | [0]"):
        n += write(out, "fuzz_jmespath", expr)
    return n


def value_filter_seeds(out):
    """Byte 0 op, byte 1 value_type, byte 2 key, byte 3 flags, then NUL-separated values."""
    values = [b"active", b"10.0.0.0/8\x0010.1.0.0/16", b"111111111111", b"30", b"2026-01-15T12:00:00Z",
              b"1.10.0", b"^pcx-(\\d+)$", b"*Prod*", b"2\x000", b"absent", b"", b"\xff\xfe\x00\x01"]
    n = 0
    for op in range(24):
        for i, value in enumerate(values):
            flags = (op * 7 + i) & 0xff
            n += write(out, "fuzz_value_filter", bytes([op, (op + i) % 15, (op * 3 + i) % 28, flags]) + value)
    return n


def xml_seeds(out):
    n = 0
    for path in sorted((TESTDATA / "aws" / "ec2-xml").glob("*.xml")):
        n += write(out, "fuzz_ec2_xml", path.read_bytes())
    n += write(out, "fuzz_ec2_xml",
               "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
               "<Credentials><AccessKeyId>AKIDEXAMPLE</AccessKeyId><SecretAccessKey>x</SecretAccessKey>"
               "<SessionToken>t</SessionToken><Expiration>2026-01-15T13:00:00Z</Expiration></Credentials>"
               "</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
               "</AssumeRoleResponse>")
    n += write(out, "fuzz_ec2_xml",
               "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
               "</Message></Error><RequestId>r</RequestId></ErrorResponse>")
    return n


def sigv4_seeds(out):
    n = 0
    for path in sorted((TESTDATA / "sigv4").rglob("*.req")):
        n += write(out, "fuzz_sigv4", path.read_bytes())
    return n


def credentials_seeds(out):
    samples = [
        "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n",
        "[profile dev]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:5000\n"
        "role_arn = arn:aws:iam::111111111111:role/r\nsource_profile = default\n",
        "# comment\n; comment\n[dev]\naws_access_key_id=A\naws_secret_access_key=B\n"
        "aws_session_token=C\nexpiration = 2026-01-15T23:50:00.000+00:00\n",
        "[profile dev]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\nregion=us-east-1\n",
        "[sso-session s]\nsso_region = us-east-1\n[profile dev]\nsso_session = s\n",
        "2026-01-15T23:50:00Z",
    ]
    return sum(write(out, "fuzz_credentials", s) for s in samples)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    out = Path(sys.argv[1])
    if not TESTDATA.is_dir():
        print(f"make-seeds: {TESTDATA} not found; set PEERGUARD_SHARED. Only generated seeds are written.",
              file=sys.stderr)
    counts = {
        "fuzz_policy": policy_seeds(out),
        "fuzz_evaluate": event_seeds(out),
        "fuzz_jmespath": jmespath_seeds(out),
        "fuzz_value_filter": value_filter_seeds(out),
        "fuzz_ec2_xml": xml_seeds(out),
        "fuzz_sigv4": sigv4_seeds(out),
        "fuzz_credentials": credentials_seeds(out),
    }
    for target, count in counts.items():
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
