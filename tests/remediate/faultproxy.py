"""A fault-injecting HTTP proxy in front of moto's server, for the AWS behaviours moto lacks.

moto 5.2.1 models VPC peering closely enough for accept/reject state and side rules,
but it has no provisioning, failed, expired or deleting states, no delete rules, it
performs a delete sent with DryRun, and it returns an empty list for a describe of an
unknown id.  This proxy supplies, each behaviour switchable and each from AWS's
documentation or observed AWS answers:

- dry_run: a call with DryRun=true is answered DryRunOperation (HTTP 412) and never
  forwarded (AWS EC2 API reference: DryRun).
- delete_rules: DeleteVpcPeeringConnection on rejected, failed, expired, deleting or
  deleted is answered InvalidStateTransition (the message AWS gives, "Invalid state
  transition ... from rejected to deleting"), and the accepter deleting a pending
  request is answered OperationNotPermitted (AWS allows that delete to the requester only).
- provisioning: for `provisioning_ms` after an accept, describes show `provisioning`
  (AWS's accept answer and describes show provisioning before active); a reject then
  is InvalidStateTransition.
- not_visible: the first describe of a connection named in `hide_first_describe` is
  answered InvalidVpcPeeringConnectionID.NotFound (eventual consistency right after
  creation).
- not_found_error: a describe by id that moto answers with an empty list is answered
  InvalidVpcPeeringConnectionID.NotFound, as AWS does.

- deny: actions listed in `denied` are answered UnauthorizedOperation (HTTP 403), as
  EC2 answers a call, dry run or not, that IAM or an SCP does not allow.

Calls are forwarded unchanged otherwise, with the x-moto-account-id header that
selects moto's account.
"""
import http.client
import re
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

from awsfake import EC2_NS, _Handler, _Server, ec2_error

# moto's namespace lacks AWS's trailing slash, so elements are matched in any namespace ({*}).
ET.register_namespace("", EC2_NS.rstrip("/"))
TERMINAL = {"rejected", "failed", "expired", "deleting", "deleted"}


class FaultProxy(_Server):
    def __init__(self, upstream, provisioning_ms=150):
        parsed = urllib.parse.urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.provisioning_ms = provisioning_ms
        self.behaviours = {"dry_run", "delete_rules", "provisioning", "not_visible", "not_found_error"}
        self.lock = threading.Lock()
        self.accepted_at = {}          # pcx id -> monotonic time of a successful accept
        self.hide_first_describe = set()
        self.denied = set()            # actions that get UnauthorizedOperation
        self.injected = []             # (behaviour, action, pcx id) of every fault injected
        super().__init__(_ProxyHandler)

    def note(self, behaviour, action, pcx):
        with self.lock:
            self.injected.append((behaviour, action, pcx))

    def forward(self, path, headers, body):
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def describe(self, headers, pcx):
        """Return (status code, requester owner, accepter owner) of pcx as moto has it, or None."""
        body = urllib.parse.urlencode({"Action": "DescribeVpcPeeringConnections", "Version": "2016-11-15",
                                       "VpcPeeringConnectionId.1": pcx})
        status, text = self.forward("/", headers, body)
        if status != 200:
            return None
        item = ET.fromstring(text).find(".//{*}vpcPeeringConnectionSet/{*}item")
        if item is None:
            return None
        return (item.findtext("{*}status/{*}code", ""), item.findtext("{*}requesterVpcInfo/{*}ownerId", ""),
                item.findtext("{*}accepterVpcInfo/{*}ownerId", ""))

    def provisioning(self, pcx):
        with self.lock:
            at = self.accepted_at.get(pcx)
        return "provisioning" in self.behaviours and at is not None and \
            (time.monotonic() - at) * 1000 < self.provisioning_ms


class _ProxyHandler(_Handler):
    def do_POST(self):
        proxy = self.server.owner
        body = self.read_body().decode()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        action = form.get("Action", "")
        pcx = form.get("VpcPeeringConnectionId") or form.get("VpcPeeringConnectionId.1", "")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        account = self.headers.get("x-moto-account-id", "")

        if action in proxy.denied:
            proxy.note("deny", action, pcx)
            return self.reply(*ec2_error("UnauthorizedOperation",
                                         "You are not authorized to perform this operation.", 403))

        if form.get("DryRun") == "true" and "dry_run" in proxy.behaviours:
            proxy.note("dry_run", action, pcx)
            return self.reply(*ec2_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412))

        if action == "DeleteVpcPeeringConnection" and "delete_rules" in proxy.behaviours:
            seen = proxy.describe(headers, pcx)
            if seen and seen[0] in TERMINAL:
                proxy.note("delete_rules", action, pcx)
                return self.reply(*ec2_error("InvalidStateTransition", f"Invalid state transition for {pcx}, "
                                             f"attempted to transition from {seen[0]} to deleting"))
            if seen and seen[0] == "pending-acceptance" and account == seen[2] and seen[1] != seen[2]:
                proxy.note("delete_rules", action, pcx)
                return self.reply(*ec2_error("OperationNotPermitted", f"User {account} cannot delete peering {pcx}"))

        if action == "RejectVpcPeeringConnection" and proxy.provisioning(pcx):
            proxy.note("provisioning", action, pcx)
            return self.reply(*ec2_error("InvalidStateTransition",
                                         f"VpcPeeringConnectionID {pcx} is not in the correct state for the request."))

        if action == "DescribeVpcPeeringConnections" and pcx and "not_visible" in proxy.behaviours:
            with proxy.lock:
                hide = pcx in proxy.hide_first_describe
                proxy.hide_first_describe.discard(pcx)
            if hide:
                proxy.note("not_visible", action, pcx)
                return self.reply(*ec2_error("InvalidVpcPeeringConnectionID.NotFound",
                                             f"The vpcPeeringConnection ID '{pcx}' does not exist"))

        status, text = proxy.forward(self.path, headers, body)

        if action == "AcceptVpcPeeringConnection" and status == 200:
            with proxy.lock:
                proxy.accepted_at[pcx] = time.monotonic()
            if proxy.provisioning(pcx):
                text = re.sub(r"<code>active</code>", "<code>provisioning</code>", text)
        elif action == "DescribeVpcPeeringConnections" and status == 200:
            text = self.rewrite_describe(proxy, pcx, text)
            if text is None:
                proxy.note("not_found_error", action, pcx)
                return self.reply(*ec2_error("InvalidVpcPeeringConnectionID.NotFound",
                                             f"The vpcPeeringConnection ID '{pcx}' does not exist"))
        self.reply(status, text)

    @staticmethod
    def rewrite_describe(proxy, pcx, text):
        """Show provisioning within the window after accept; None when a describe by id found nothing."""
        root = ET.fromstring(text)
        items = root.findall(".//{*}vpcPeeringConnectionSet/{*}item")
        if pcx and not items and "not_found_error" in proxy.behaviours:
            return None
        changed = False
        for item in items:
            item_id = item.findtext("{*}vpcPeeringConnectionId", "")
            code = item.find("{*}status/{*}code")
            if code is not None and code.text == "active" and proxy.provisioning(item_id):
                code.text = "provisioning"
                message = item.find("{*}status/{*}message")
                if message is not None:
                    message.text = "Provisioning"
                proxy.note("provisioning", "DescribeVpcPeeringConnections", item_id)
                changed = True
        return ET.tostring(root, encoding="unicode") if changed else text
