"""moto's server on loopback, boto3 clients per account, and CloudTrail events for the tests.

Accounts are chosen per request with moto's x-moto-account-id header; the region with
the SigV4 credential scope, as boto3 signs it.
"""
import os
import shutil
import subprocess
import time
import urllib.request
import uuid
from datetime import datetime, timezone

from awsfake import free_port
from conftest import TEST_ACCESS_KEY, TEST_SECRET_KEY

OURS = "111111111111"
UNKNOWN = "999999999999"


def moto_unavailable():
    """Return why moto cannot run here, or None."""
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        return f"moto or boto3 is not installed ({e}); install moto[server] to run the AWS tests"
    if not shutil.which("moto_server"):
        return "moto_server is not on PATH; install moto[server]"
    return None


class MotoServer:
    """moto_server on 127.0.0.1 and a free port, stopped by close()."""

    def __init__(self):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError("moto_server did not start within 30 s")
                time.sleep(0.1)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def client(service, endpoint, account=None, region="us-east-1", **creds):
    """A boto3 client for endpoint that acts in account (moto's header) and region."""
    import boto3
    from botocore.config import Config

    c = boto3.client(service, endpoint_url=endpoint, region_name=region,
                     aws_access_key_id=creds.get("key", TEST_ACCESS_KEY),
                     aws_secret_access_key=creds.get("secret", TEST_SECRET_KEY),
                     aws_session_token=creds.get("token"),
                     config=Config(retries={"max_attempts": 1}))
    if account:
        def add_header(request, **kwargs):
            request.headers["x-moto-account-id"] = account
        c.meta.events.register("before-sign.*.*", add_header)
    return c


def iso_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_event(pcx, caller_account, event_time=None):
    """An EventBridge envelope of the CreateVpcPeeringConnection record for pcx (a boto3 connection)."""
    req, acc = pcx["RequesterVpcInfo"], pcx["AccepterVpcInfo"]
    event_time = event_time or iso_now()
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2", "account": caller_account, "time": event_time, "region": req["Region"],
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{caller_account}:assumed-role/dev/alice",
                             "accountId": caller_account},
            "eventTime": event_time, "eventSource": "ec2.amazonaws.com", "eventName": "CreateVpcPeeringConnection",
            "awsRegion": req["Region"], "sourceIPAddress": "198.51.100.7", "userAgent": "test",
            "requestParameters": {"vpcId": req["VpcId"], "peerVpcId": acc["VpcId"], "peerOwnerId": acc["OwnerId"]},
            "responseElements": {"vpcPeeringConnection": {
                "vpcPeeringConnectionId": pcx["VpcPeeringConnectionId"],
                "requesterVpcInfo": {"ownerId": req["OwnerId"], "vpcId": req["VpcId"], "region": req["Region"]},
                "accepterVpcInfo": {"ownerId": acc["OwnerId"], "vpcId": acc["VpcId"], "region": acc["Region"]},
                "status": {"code": "initiating-request", "message": f"Initiating Request to {acc['OwnerId']}"}}},
            "eventID": str(uuid.uuid4()), "readOnly": False, "eventType": "AwsApiCall",
            "recipientAccountId": caller_account, "eventCategory": "Management",
        },
    }


CROSS_ACCOUNT_POLICY = """\
policies:
  - name: pcx-remove-unknown
    resource: aws.peering-connection
    mode:
      type: cloudtrail
      events:
        - source: ec2.amazonaws.com
          event: CreateVpcPeeringConnection
          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId
    filters:
      - type: cross-account
        whitelist: ["222222222222"]
    actions:
      - type: reject
        fallback: delete
  - name: pcx-sweep-unknown
    resource: aws.peering-connection
    mode:
      type: periodic
      schedule: rate(1 hour)
    filters:
      - type: cross-account
        whitelist: ["222222222222"]
    actions:
      - type: delete
"""
