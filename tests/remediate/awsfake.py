"""Local HTTP servers for the remediation tests: a scripted EC2 endpoint and a webhook sink.

Everything binds 127.0.0.1 on a free port and runs in a daemon thread.
"""
import json
import socket
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _xml_name(key):
    """EC2 XML names are the boto3 names with a lower-case first letter; lists end in Set."""
    return key[:1].lower() + key[1:]


def to_ec2_xml(value, name):
    """Render a boto3-shaped value as the EC2 Query XML element `name`."""
    if isinstance(value, dict):
        inner = "".join(to_ec2_xml(v, _xml_name(k) + ("Set" if isinstance(v, list) else "")) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):
        return f"<{name}>" + "".join(to_ec2_xml(v, "item") for v in value) + f"</{name}>"
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def ec2_error(code, message, status=400):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message></Error></Errors><RequestID>{uuid.uuid4()}</RequestID></Response>")
    return status, body


def ec2_success(action, inner_xml):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{EC2_NS}">'
            f"<requestId>{uuid.uuid4()}</requestId>{inner_xml}</{action}Response>")
    return 200, body


def scripted_reply(action, entry):
    """The EC2 answer for one scripted entry: {"call", "returns"} or {"call", "error"}."""
    if "error" in entry:
        return ec2_error(entry["error"]["Code"], entry["error"].get("Message", ""))
    returns = entry.get("returns", {})
    if action == "DescribeVpcPeeringConnections":
        records = returns if isinstance(returns, list) else [returns]
        return ec2_success(action, to_ec2_xml(records, "vpcPeeringConnectionSet"))
    if "Return" in returns:
        return ec2_success(action, to_ec2_xml(returns["Return"], "return"))
    return ec2_success(action, "".join(to_ec2_xml(v, _xml_name(k)) for k, v in returns.items()))


class _Server:
    """A ThreadingHTTPServer on a free loopback port, served by a daemon thread."""

    def __init__(self, handler):
        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def reply(self, status, body, content_type="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ScriptedEC2(_Server):
    """Answers EC2 Query calls from a list of scripted replies, in order, and records every call.

    A call whose action differs from the next scripted one is recorded and answered with
    an InternalError-free 400 `UnexpectedCall`, so the test sees the mismatch in `calls`.
    """

    def __init__(self, script):
        self.script = list(script)
        self.calls = []
        self.lock = threading.Lock()
        super().__init__(_ScriptedHandler)

    def load(self, script):
        with self.lock:
            self.script = list(script)
            self.calls = []


class _ScriptedHandler(_Handler):
    def do_POST(self):
        form = urllib.parse.parse_qs(self.read_body().decode())
        action = form.get("Action", [""])[0]
        server = self.server.owner
        with server.lock:
            server.calls.append({"action": action, "dry_run": form.get("DryRun", ["false"])[0] == "true",
                                 "params": {k: v[0] for k, v in form.items()}})
            entry = server.script.pop(0) if server.script else None
        if entry is None or entry["call"] != action:
            status, body = ec2_error("UnexpectedCall", f"the script expected {entry and entry['call']}, got {action}")
        else:
            status, body = scripted_reply(action, entry)
        self.reply(status, body)


class WebhookSink(_Server):
    """Records the JSON body of every POST and answers 200 (or `status` when set)."""

    def __init__(self):
        self.posts = []
        self.status = 200
        self.lock = threading.Lock()
        super().__init__(_SinkHandler)


class _SinkHandler(_Handler):
    def do_POST(self):
        body = self.read_body()
        server = self.server.owner
        with server.lock:
            server.posts.append({"path": self.path, "json": json.loads(body or b"null")})
            status = server.status
        self.reply(status, "{}", "application/json")
