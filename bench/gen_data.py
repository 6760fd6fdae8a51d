#!/usr/bin/env python3
"""Generate the benchmark inputs: describe records and CloudTrail log files.

Every generator is seeded, so the same arguments always give the same bytes.

  gen_data.py describe --count N OUT.json
      {"VpcPeeringConnections": [...]} with N records shaped like boto3's
      DescribeVpcPeeringConnections output (datetimes as ISO-8601 text).
  gen_data.py cloudtrail --files F --records R --peering-every K OUTDIR
      F gzip log files of R records each, {"Records": [...]} as CloudTrail
      writes them to S3; one record in K is a CreateVpcPeeringConnection.
  gen_data.py eventbridge OUT
      one EventBridge event around a CreateVpcPeeringConnection to an
      account outside the organisation, as the real-time policy receives it.
  gen_data.py stream --bytes B --format records|lines [--gzip] OUT
      one log of about B uncompressed bytes, written from a pool of
      pre-serialised records so that a gigabyte takes seconds.
"""
import argparse
import gzip
import json
import os
import random
import sys
import uuid

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1",
           "ap-southeast-2", "sa-east-1", "ca-central-1", "eu-north-1"]
STATES = ["active"] * 14 + ["pending-acceptance"] * 3 + ["provisioning", "initiating-request", "deleted",
                                                          "rejected", "expired", "failed", "deleting"]
STATE_MESSAGES = {"active": "Active", "pending-acceptance": "Pending Acceptance by {}",
                  "provisioning": "Provisioning", "initiating-request": "Initiating Request to {}",
                  "deleted": "Deleted by {}", "rejected": "Rejected by {}", "expired": "Expired",
                  "failed": "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range",
                  "deleting": "Deleting"}
HOME_ACCOUNT = "111111111111"
# Trusted vendors and sibling accounts in the organisation.
TRUSTED = ["%012d" % (222222222222 + i * 1000003) for i in range(20)]


def account(rng):
    """Pick an owner: usually ours or a trusted account, sometimes a stranger."""
    roll = rng.random()
    if roll < 0.45:
        return HOME_ACCOUNT
    if roll < 0.85:
        return rng.choice(TRUSTED)
    return "%012d" % rng.randrange(10 ** 11, 10 ** 12)


def hex_id(rng, prefix, n=17):
    return prefix + "%0*x" % (n, rng.getrandbits(4 * n))


def vpc_info(rng, owner, region, with_cidr):
    cidr = "10.%d.0.0/16" % rng.randrange(256)
    info = {"OwnerId": owner, "VpcId": hex_id(rng, "vpc-"), "Region": region}
    if with_cidr:
        info["CidrBlock"] = cidr
        info["CidrBlockSet"] = [{"CidrBlock": cidr}]
        if rng.random() < 0.2:
            info["Ipv6CidrBlockSet"] = [{"Ipv6CidrBlock": "2600:1f18:%x:%x00::/56" % (rng.randrange(65536),
                                                                                  rng.randrange(256))}]
        info["PeeringOptions"] = {"AllowDnsResolutionFromRemoteVpc": rng.random() < 0.3,
                                  "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
                                  "AllowEgressFromLocalVpcToRemoteClassicLink": False}
    return info


def describe_record(rng, i):
    state = rng.choice(STATES)
    requester = account(rng)
    accepter = account(rng)
    region = rng.choice(REGIONS)
    active_like = state in ("active", "provisioning", "deleting")
    record = {
        "AccepterVpcInfo": vpc_info(rng, accepter, rng.choice(REGIONS), active_like),
        "RequesterVpcInfo": vpc_info(rng, requester, region, True),
        "Status": {"Code": state, "Message": STATE_MESSAGES[state].format(accepter)},
        "Tags": [],
        "VpcPeeringConnectionId": "pcx-%017x" % (0x0b0000000000000 + i),
    }
    if state in ("pending-acceptance", "initiating-request"):
        record["ExpirationTime"] = "2026-01-%02dT%02d:%02d:00+00:00" % (rng.randrange(16, 23),
                                                                        rng.randrange(24), rng.randrange(60))
    tags = []
    if rng.random() < 0.7:
        tags.append({"Key": "Name", "Value": "peer-%s-%d" % (region, rng.randrange(1000))})
    if rng.random() < 0.6:
        tags.append({"Key": "Team", "Value": rng.choice(["network", "data", "payments", "vendor-x"])})
    if rng.random() < 0.3:
        tags.append({"Key": "CostCenter", "Value": "cc-%04d" % rng.randrange(10000)})
    record["Tags"] = tags
    return record


def cmd_describe(args):
    rng = random.Random(20260615)
    records = [describe_record(rng, i) for i in range(args.count)]
    with open(args.out, "w") as f:
        json.dump({"VpcPeeringConnections": records}, f)
        f.write("\n")


# ---------------------------------------------------------------- CloudTrail

AGENTS = ["aws-sdk-go/1.44.327 (go1.20.7; linux; amd64)", "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205 "
          "md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11",
          "aws-cli/2.15.10 Python/3.11.6 Linux/5.10.205 exe/x86_64.amzn.2 prompt/off command/s3.cp",
          "console.amazonaws.com", "aws-internal/3 aws-sdk-java/1.12.620 Linux/5.10.205 OpenJDK_64-Bit_Server_VM/"
          "25.392-b08 java/1.8.0_392 vendor/Oracle_Corporation cfg/retry-mode/standard",
          "cloudformation.amazonaws.com", "autoscaling.amazonaws.com", "lambda.amazonaws.com"]


def identity(rng, acct):
    kind = rng.random()
    if kind < 0.7:
        role = rng.choice(["app-backend", "ci-deployer", "data-pipeline", "OrganizationAccountAccessRole",
                           "AWSServiceRoleForAutoScaling", "eks-node-group"])
        session = "%d" % rng.randrange(10 ** 18)
        return {"type": "AssumedRole", "principalId": "AROA%s:%s" % (hex_id(rng, "", 16).upper(), session),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role, session), "accountId": acct,
                "accessKeyId": "ASIA" + hex_id(rng, "", 16).upper(),
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROA" + hex_id(rng, "", 16).upper(),
                                                     "arn": "arn:aws:iam::%s:role/%s" % (acct, role),
                                                     "accountId": acct, "userName": role},
                                   "webIdFederationData": {},
                                   "attributes": {"creationDate": "2026-01-15T11:%02d:%02dZ" % (rng.randrange(60), rng.randrange(60)),
                                                  "mfaAuthenticated": "false"}}}
    if kind < 0.85:
        return {"type": "AWSService", "invokedBy": rng.choice(["ec2.amazonaws.com", "lambda.amazonaws.com",
                                                               "cloudtrail.amazonaws.com"])}
    user = rng.choice(["alice", "bob", "terraform", "backup"])
    return {"type": "IAMUser", "principalId": "AIDA" + hex_id(rng, "", 16).upper(),
            "arn": "arn:aws:iam::%s:user/%s" % (acct, user), "accountId": acct,
            "accessKeyId": "AKIA" + hex_id(rng, "", 16).upper(), "userName": user}


def s3_event(rng, name):
    bucket = rng.choice(["logs-prod", "data-lake-raw", "artifacts", "backups-eu"])
    key = "year=2026/month=01/day=15/part-%05d-%s.parquet" % (rng.randrange(100000), uuid.UUID(int=rng.getrandbits(128)))
    req = {"bucketName": bucket, "Host": "%s.s3.us-east-1.amazonaws.com" % bucket, "key": key}
    extra = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
             "AuthenticationMethod": "AuthHeader", "x-amz-id-2": hex_id(rng, "", 60),
             "bytesTransferredOut": rng.randrange(10 ** 7)}
    return req, None, extra, [{"accountId": "111111111111", "type": "AWS::S3::Object",
                               "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)}]


def kms_event(rng, name):
    key_arn = "arn:aws:kms:us-east-1:111111111111:key/%s" % uuid.UUID(int=rng.getrandbits(128))
    req = {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::data-lake-raw/part-%d" % rng.randrange(10 ** 6)},
           "encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": key_arn}
    if name == "GenerateDataKey":
        req["keySpec"] = "AES_256"
    return req, None, None, [{"accountId": "111111111111", "type": "AWS::KMS::Key", "ARN": key_arn}]


def sts_event(rng, name):
    role = "arn:aws:iam::%012d:role/cross-account-reader" % rng.randrange(10 ** 11, 10 ** 12)
    req = {"roleArn": role, "roleSessionName": "session-%d" % rng.randrange(10 ** 9), "durationSeconds": 3600}
    resp = {"credentials": {"accessKeyId": "ASIA" + hex_id(rng, "", 16).upper(), "sessionToken": "IQoJb3JpZ2luX2Vj" + hex_id(rng, "", 400),
                            "expiration": "Jan 15, 2026, 1:00:00 PM"},
            "assumedRoleUser": {"assumedRoleId": "AROA%s:session" % hex_id(rng, "", 16).upper(), "arn": role}}
    return req, resp, None, [{"accountId": "111111111111", "type": "AWS::IAM::Role", "ARN": role}]


def ec2_describe_event(rng, name):
    req = {"instancesSet": {}, "filterSet": {"items": [{"name": "tag:Environment", "valueSet": {"items": [{"value": "prod"}]}}]}}
    if name == "DescribeSecurityGroups":
        req = {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": hex_id(rng, "sg-")}]}, "filterSet": {}}
    return req, None, None, None


def run_instances_event(rng, name):
    instance = {"instanceId": hex_id(rng, "i-"), "imageId": hex_id(rng, "ami-"), "instanceState": {"code": 0, "name": "pending"},
                "privateDnsName": "ip-10-0-%d-%d.ec2.internal" % (rng.randrange(256), rng.randrange(256)),
                "amiLaunchIndex": 0, "productCodes": {}, "instanceType": rng.choice(["m6i.large", "c6g.xlarge", "t3.micro"]),
                "launchTime": 1768478400000, "placement": {"availabilityZone": "us-east-1a", "tenancy": "default"},
                "monitoring": {"state": "disabled"}, "subnetId": hex_id(rng, "subnet-"), "vpcId": hex_id(rng, "vpc-"),
                "privateIpAddress": "10.0.%d.%d" % (rng.randrange(256), rng.randrange(256)),
                "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
                "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
                "virtualizationType": "hvm", "hypervisor": "xen", "tagSet": {"items": [{"key": "Name", "value": "worker-%d" % rng.randrange(1000)}]},
                "groupSet": {"items": [{"groupId": hex_id(rng, "sg-"), "groupName": "default"}]}, "sourceDestCheck": True,
                "networkInterfaceSet": {"items": [{"networkInterfaceId": hex_id(rng, "eni-"), "subnetId": hex_id(rng, "subnet-"),
                                                   "vpcId": hex_id(rng, "vpc-"), "ownerId": "111111111111", "status": "in-use",
                                                   "macAddress": "0e:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5)),
                                                   "privateIpAddress": "10.0.1.2", "sourceDestCheck": True,
                                                   "groupSet": {"items": [{"groupId": hex_id(rng, "sg-"), "groupName": "default"}]},
                                                   "attachment": {"attachmentId": hex_id(rng, "eni-attach-"), "deviceIndex": 0,
                                                                  "status": "attaching", "attachTime": 1768478400000,
                                                                  "deleteOnTermination": True},
                                                   "privateIpAddressesSet": {"item": [{"privateIpAddress": "10.0.1.2", "primary": True}]},
                                                   "ipv6AddressesSet": {}, "tagSet": {}}]},
                "ebsOptimized": False, "enaSupport": True, "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
                "capacityReservationSpecification": {"capacityReservationPreference": "open"},
                "enclaveOptions": {"enabled": False}, "metadataOptions": {"state": "pending", "httpTokens": "required",
                                                                         "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"},
                "maintenanceOptions": {"autoRecovery": "default"}}
    req = {"instancesSet": {"items": [{"imageId": instance["imageId"], "minCount": 1, "maxCount": 1}]},
           "instanceType": instance["instanceType"], "blockDeviceMapping": {}, "monitoring": {"enabled": False},
           "disableApiTermination": False, "disableApiStop": False, "clientToken": str(uuid.UUID(int=rng.getrandbits(128))),
           "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [{"key": "Name", "value": "worker"}]}]}}
    resp = {"requestId": str(uuid.UUID(int=rng.getrandbits(128))), "reservationId": hex_id(rng, "r-"),
            "ownerId": "111111111111", "groupSet": {}, "instancesSet": {"items": [instance]}}
    return req, resp, None, None


def logs_event(rng, name):
    return ({"logGroupName": "/aws/lambda/handler-%d" % rng.randrange(50),
             "logStreamName": "2026/01/15/[$LATEST]%s" % hex_id(rng, "", 32)}, None, None, None)


def secrets_event(rng, name):
    return ({"secretId": "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-%s" % hex_id(rng, "", 6)},
            None, None, None)


def login_event(rng, name):
    return (None, {"ConsoleLogin": "Success"},
            {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"}, None)


def lambda_event(rng, name):
    fn = "arn:aws:lambda:us-east-1:111111111111:function:handler-%d" % rng.randrange(50)
    return ({"functionName": fn}, None, {"functionVersion": fn + ":$LATEST"},
            [{"accountId": "111111111111", "type": "AWS::Lambda::Function", "ARN": fn}])


def dynamodb_event(rng, name):
    return ({"tableName": "orders", "key": {"pk": "ORDER#%d" % rng.randrange(10 ** 9)},
             "consistentRead": False, "projectionExpression": "pk, sk, #s"}, None, None,
            [{"accountId": "111111111111", "type": "AWS::DynamoDB::Table",
              "ARN": "arn:aws:dynamodb:us-east-1:111111111111:table/orders"}])


# (service host, event name, builder, weight, read only)
MIX = [
    ("s3.amazonaws.com", "GetObject", s3_event, 22, True),
    ("s3.amazonaws.com", "PutObject", s3_event, 8, False),
    ("s3.amazonaws.com", "HeadObject", s3_event, 5, True),
    ("kms.amazonaws.com", "Decrypt", kms_event, 14, True),
    ("kms.amazonaws.com", "GenerateDataKey", kms_event, 6, True),
    ("sts.amazonaws.com", "AssumeRole", sts_event, 12, True),
    ("ec2.amazonaws.com", "DescribeInstances", ec2_describe_event, 6, True),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", ec2_describe_event, 3, True),
    ("ec2.amazonaws.com", "RunInstances", run_instances_event, 1, False),
    ("logs.amazonaws.com", "CreateLogStream", logs_event, 6, False),
    ("secretsmanager.amazonaws.com", "GetSecretValue", secrets_event, 4, True),
    ("signin.amazonaws.com", "ConsoleLogin", login_event, 1, False),
    ("lambda.amazonaws.com", "Invoke", lambda_event, 5, False),
    ("dynamodb.amazonaws.com", "GetItem", dynamodb_event, 7, True),
]


def trail_record(rng, i, peering):
    acct = HOME_ACCOUNT
    region = rng.choice(REGIONS[:5])
    event_id = str(uuid.UUID(int=rng.getrandbits(128)))
    request_id = str(uuid.UUID(int=rng.getrandbits(128)))
    if peering:
        peer = "%012d" % rng.randrange(10 ** 11, 10 ** 12)
        pcx = "pcx-%017x" % (0x0c0000000000000 + i)
        vpc, peer_vpc = hex_id(rng, "vpc-"), hex_id(rng, "vpc-")
        source, name, read_only = "ec2.amazonaws.com", "CreateVpcPeeringConnection", False
        req = {"vpcId": vpc, "peerVpcId": peer_vpc, "peerOwnerId": peer}
        resp = {"requestId": request_id, "vpcPeeringConnection": {
            "vpcPeeringConnectionId": pcx,
            "requesterVpcInfo": {"ownerId": acct, "vpcId": vpc, "cidrBlock": "10.10.0.0/16", "region": region,
                                 "cidrBlockSet": {"items": [{"cidrBlock": "10.10.0.0/16"}]},
                                 "peeringOptions": {"allowEgressFromLocalClassicLinkToRemoteVpc": False,
                                                    "allowEgressFromLocalVpcToRemoteClassicLink": False,
                                                    "allowDnsResolutionFromRemoteVpc": False}},
            "accepterVpcInfo": {"ownerId": peer, "vpcId": peer_vpc, "region": region},
            "status": {"code": "initiating-request", "message": "Initiating Request to %s" % peer},
            "expirationTime": 1769083200000, "tagSet": {}}}
        extra, resources = None, None
    else:
        weights = [m[3] for m in MIX]
        source, name, builder, _, read_only = rng.choices(MIX, weights)[0]
        req, resp, extra, resources = builder(rng, name)
    record = {
        "eventVersion": "1.09",
        "userIdentity": identity(rng, acct),
        "eventTime": "2026-01-15T12:%02d:%02dZ" % (rng.randrange(60), rng.randrange(60)),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256),
                                            rng.randrange(256)),
        "userAgent": rng.choice(AGENTS),
        "requestParameters": req,
        "responseElements": resp,
        "requestID": request_id,
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": source not in ("s3.amazonaws.com", "lambda.amazonaws.com", "dynamodb.amazonaws.com"),
        "recipientAccountId": acct,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": "%s.%s.amazonaws.com" % (source.split(".")[0], region)},
    }
    if extra:
        record["additionalEventData"] = extra
    if resources:
        record["resources"] = resources
    if source == "s3.amazonaws.com":
        record["eventCategory"] = "Data"
    return record


def cmd_cloudtrail(args):
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(1234)
    index = 0
    for f in range(args.files):
        records = []
        for _ in range(args.records):
            records.append(trail_record(rng, index, index % args.peering_every == args.peering_every // 2))
            index += 1
        path = os.path.join(args.out, "111111111111_CloudTrail_us-east-1_20260115T12%02dZ_%04d.json.gz" % (f % 60, f))
        with gzip.open(path, "wb", compresslevel=6) as out:
            out.write(json.dumps({"Records": records}, separators=(",", ":")).encode())


def cmd_stream(args):
    """Writes about args.bytes bytes from a pool of records, with ids made unique by a counter."""
    rng = random.Random(99)
    pool = []
    for i in range(2000):
        text = json.dumps(trail_record(rng, i, i == 1000), separators=(",", ":"))
        # A placeholder the writer replaces, so every record has a distinct eventID.
        text = text.replace('"eventID":"', '"eventID":"%(n)012d-', 1)
        pool.append(text.replace("%", "%%").replace("%%(n)012d", "%(n)012d"))
    def opener(path, mode):
        return gzip.open(path, mode, compresslevel=6) if args.gzip else open(path, mode)

    written = 0
    n = 0
    with opener(args.out, "wb") as out:
        if args.format == "records":
            out.write(b'{"Records":[')
        while written < args.bytes:
            chunk = []
            for _ in range(1000):
                text = pool[n % len(pool)] % {"n": n}
                if args.format == "records":
                    chunk.append(("," if n else "") + text)
                else:
                    chunk.append(text + "\n")
                n += 1
            data = "".join(chunk).encode()
            out.write(data)
            written += len(data)
        if args.format == "records":
            out.write(b"]}\n")
    print(n)


def cmd_eventbridge(args):
    rng = random.Random(7)
    record = trail_record(rng, 1, True)
    event = {"version": "0", "id": str(uuid.UUID(int=rng.getrandbits(128))),
             "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2", "account": HOME_ACCOUNT,
             "time": record["eventTime"], "region": record["awsRegion"], "resources": [], "detail": record}
    with open(args.out, "w") as f:
        json.dump(event, f)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("describe")
    p.add_argument("--count", type=int, default=100000)
    p.add_argument("out")
    p = sub.add_parser("cloudtrail")
    p.add_argument("--files", type=int, default=16)
    p.add_argument("--records", type=int, default=12500)
    p.add_argument("--peering-every", type=int, default=100000)
    p.add_argument("out")
    p = sub.add_parser("eventbridge")
    p.add_argument("out")
    p = sub.add_parser("stream")
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--format", choices=["records", "lines"], default="records")
    p.add_argument("--gzip", action="store_true")
    p.add_argument("out")
    args = parser.parse_args(argv)
    {"describe": cmd_describe, "cloudtrail": cmd_cloudtrail, "eventbridge": cmd_eventbridge,
     "stream": cmd_stream}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
