"""A local HTTP(S) server that responds to EC2 and STS Query calls with scripted faults.

The first path segment of the endpoint URL names the scenario, so one
server serves every test: http://127.0.0.1:PORT/throttle/ always throttles.
Every request is recorded with its headers and form parameters.
"""
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'

# 2026-01-16T00:10:00Z: the server's clock in the skew scenario.
SKEW_SERVER_DATE = "Fri, 16 Jan 2026 00:10:00 GMT"


def peering_item(pcx):
    return (f"<item><vpcPeeringConnectionId>{pcx}</vpcPeeringConnectionId>"
            "<status><code>active</code><message>Active</message></status></item>")


def success_body(action, n=1):
    if action == "DescribeVpcPeeringConnections":
        return (f"<DescribeVpcPeeringConnectionsResponse {NS}><requestId>req-ok-{n}</requestId>"
                f"<vpcPeeringConnectionSet>{peering_item(f'pcx-ok{n}')}</vpcPeeringConnectionSet>"
                "</DescribeVpcPeeringConnectionsResponse>")
    if action in ("DeleteVpcPeeringConnection", "RejectVpcPeeringConnection"):
        return f"<{action}Response {NS}><requestId>req-ok-{n}</requestId><return>true</return></{action}Response>"
    if action == "GetCallerIdentity":
        return ("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/t</Arn>"
                "<UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account></GetCallerIdentityResult>"
                f"<ResponseMetadata><RequestId>req-ok-{n}</RequestId></ResponseMetadata></GetCallerIdentityResponse>")
    return f"<{action}Response {NS}><requestId>req-ok-{n}</requestId></{action}Response>"


def ec2_error(code, message, request_id):
    return (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, date=None, extra=None):
        data = body.encode()
        self.send_response_only(status)
        self.send_header("Date", date or formatdate(usegmt=True))
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        scenario = self.path.strip("/").split("/")[0]
        server = self.server
        with server.lock:
            n = server.counts.get(scenario, 0) + 1
            server.counts[scenario] = n
            server.requests.append({"scenario": scenario, "headers": dict(self.headers.items()),
                                    "params": params, "time": time.monotonic()})
        getattr(self, "scenario_" + scenario)(n, params.get("Action", ""))

    # ---- scenarios ----

    def scenario_ok(self, n, action):
        self.reply(200, success_body(action, n), extra={"x-amzn-RequestId": f"req-ok-{n}"})

    def scenario_fail500(self, n, action):
        if n == 1:
            self.reply(500, "")
        else:
            self.scenario_ok(n, action)

    def scenario_always503(self, n, action):
        self.reply(503, ec2_error("Unavailable", "The service is unavailable. Please try again shortly.",
                                  f"req-503-{n}"))

    def scenario_throttle(self, n, action):
        self.reply(503, ec2_error("RequestLimitExceeded", "Request limit exceeded.", f"req-throttle-{n}"))

    def scenario_throttle_once(self, n, action):
        if n == 1:
            self.scenario_throttle(n, action)
        else:
            self.scenario_ok(n, action)

    def scenario_slow(self, n, action):
        time.sleep(3)
        self.scenario_ok(n, action)

    def scenario_hang(self, n, action):
        time.sleep(30)

    def scenario_cut(self, n, action):
        data = success_body(action, n).encode()
        self.send_response_only(200)
        self.send_header("Content-Length", str(len(data) + 500))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def scenario_truncated_xml(self, n, action):
        self.reply(200, success_body(action, n)[:80])

    def scenario_malformed(self, n, action):
        self.reply(200, "<html><body>proxy error</p></html>")

    def scenario_s3root(self, n, action):
        self.reply(200, '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult '
                        'xmlns="http://s3.amazonaws.com/doc/2006-03-01"><Owner><ID>x</ID></Owner><Buckets/>'
                        "</ListAllMyBucketsResult>")

    def scenario_skew(self, n, action):
        if n == 1:
            self.reply(400, ec2_error("RequestExpired", "Request has expired.", "req-skew-1"), date=SKEW_SERVER_DATE)
        else:
            self.reply(200, success_body(action, n), date=SKEW_SERVER_DATE)

    def scenario_skew_check(self, n, action):
        """A server whose clock reads SKEW_SERVER_DATE and which rejects requests signed 5 minutes off it."""
        signed = self.headers.get("X-Amz-Date", "")
        signed_at = time.mktime(time.strptime(signed, "%Y%m%dT%H%M%SZ")) if signed else 0
        server_at = time.mktime(time.strptime("20260116T001000Z", "%Y%m%dT%H%M%SZ"))
        if abs(signed_at - server_at) > 300:
            self.reply(400, ec2_error("RequestExpired", "Request has expired.", f"req-skew-{n}"), date=SKEW_SERVER_DATE)
        else:
            self.reply(200, success_body(action, n), date=SKEW_SERVER_DATE)

    def scenario_authfail_skewed(self, n, action):
        if n == 1:
            self.reply(401, ec2_error("AuthFailure", "AWS was not able to validate the provided access credentials",
                                      "req-auth-1"), date=SKEW_SERVER_DATE)
        else:
            self.reply(200, success_body(action, n), date=SKEW_SERVER_DATE)

    def scenario_authfail(self, n, action):
        self.reply(401, ec2_error("AuthFailure", "AWS was not able to validate the provided access credentials",
                                  f"req-auth-{n}"))

    def scenario_expired_token(self, n, action):
        if n == 1:
            self.reply(400, ec2_error("ExpiredToken", "The security token included in the request is expired",
                                      "req-expired-1"))
        else:
            self.scenario_ok(n, action)

    def scenario_expired_token_always(self, n, action):
        self.reply(400, ec2_error("ExpiredToken", "The security token included in the request is expired",
                                  f"req-expired-{n}"))

    def scenario_too_many(self, n, action):
        self.send_response_only(429)
        self.send_header("Content-Length", "17")
        self.end_headers()
        self.wfile.write(b"Too Many Requests")

    def scenario_dryrun(self, n, action):
        self.reply(412, ec2_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.",
                                  f"req-dry-{n}"))

    def scenario_unauthorized(self, n, action):
        self.reply(403, ec2_error("UnauthorizedOperation", "You are not authorized to perform this operation.",
                                  f"req-denied-{n}"))

    def scenario_denied(self, n, action):
        self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                        "<Message>User is not authorized</Message></Error><RequestId>req-denied</RequestId>"
                        "</ErrorResponse>")

    def scenario_state(self, n, action):
        self.reply(400, ec2_error("InvalidStateTransition", "Invalid state transition for pcx-1, attempted to "
                                  "transition from rejected to deleting", f"req-state-{n}"))

    def scenario_returnfalse(self, n, action):
        self.reply(200, f"<{action}Response {NS}><requestId>r</requestId><return>false</return></{action}Response>")

    def scenario_paginate(self, n, action):
        self.send_page("t2" if "NextToken" not in self.last_params() else None, n)

    def scenario_pageloop(self, n, action):
        self.send_page("same", n)

    def last_params(self):
        with self.server.lock:
            return self.server.requests[-1]["params"]

    def send_page(self, token, n):
        next_token = f"<nextToken>{token}</nextToken>" if token else ""
        self.reply(200, f"<DescribeVpcPeeringConnectionsResponse {NS}><vpcPeeringConnectionSet>"
                        f"{peering_item(f'pcx-page{n}')}</vpcPeeringConnectionSet>{next_token}"
                        f"<requestId>req-page-{n}</requestId></DescribeVpcPeeringConnectionsResponse>")


class FaultServer:
    """The fault server on 127.0.0.1 and a free port, optionally with TLS."""

    def __init__(self, certfile=None, keyfile=None):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.lock = threading.Lock()
        self.httpd.counts = {}
        self.httpd.requests = []
        scheme = "http"
        if certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.base = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, scenario):
        return f"{self.base}/{scenario}/"

    def requests(self, scenario):
        with self.httpd.lock:
            return [r for r in self.httpd.requests if r["scenario"] == scenario]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_self_signed(directory):
    """Writes a self-signed certificate for 127.0.0.1; returns (certfile, keyfile)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


class RecordingProxy:
    """Accepts proxy connections on 127.0.0.1, records each request line and closes: nothing is forwarded."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.lines = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    data = conn.recv(4096).decode(errors="replace")
                except OSError:
                    continue
                self.lines.append(data.split("\r\n", 1)[0])
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def stop(self):
        self.sock.close()
