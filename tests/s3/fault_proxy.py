#!/usr/bin/env python3
"""A fault-injecting, signature-checking HTTP proxy for the S3 blob store's tests.

Forwards every request to 127.0.0.1:UPSTREAM, except that it answers the first of every
N requests with 503 SlowDown (N = 0: never; with --drop, every second fault closes the
connection without an answer). With --verify SECRET it checks each request's SigV4
signature and payload hash itself (s3rver does not check v4 signatures) and answers
403 SignatureDoesNotMatch when they are wrong: an implementation independent of the
store's, over the bytes curl actually sent. Prints "PORT <n>", and "FAULTS <n>" and
"BADSIG <n>" when its standard input closes, then stops.
With --cut a faulted GET is answered in full headers but half its body, then closed.
Usage: fault_proxy.py UPSTREAM_PORT N [--drop] [--cut] [--verify SECRET]
"""
import hashlib
import hmac
import http.client
import http.server
import sys
import threading
import urllib.parse

upstream = int(sys.argv[1])
every = int(sys.argv[2])
drop = "--drop" in sys.argv
cut = "--cut" in sys.argv  # a faulted GET sends half its body, then closes
secret = sys.argv[sys.argv.index("--verify") + 1] if "--verify" in sys.argv else None
lock = threading.Lock()
count = 0
faults = 0
badsig = 0


def expected_authorization(method, raw_path, headers, body):
    """The Authorization header a correct SigV4 client sends for this request, or None."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return None, "no v4 authorization"
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    access, date, region, service, _ = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    payload = headers.get("x-amz-content-sha256", "")
    if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
        return None, "payload hash mismatch"
    path, _, query = raw_path.partition("?")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    quote = lambda v: urllib.parse.quote(v, safe="-_.~")
    cquery = "&".join(f"{k}={v}" for k, v in sorted((quote(k), quote(v)) for k, v in pairs))
    cheaders = "".join(f"{h}:{' '.join(headers.get(h, '').split())}\n" for h in signed)
    creq = "\n".join([method, path, cquery, cheaders, ";".join(signed), payload])
    amz_date = headers.get("x-amz-date", "")
    scope = f"{date}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    missing = [h for h in signed if h not in headers]
    if missing or "host" not in signed or "x-amz-date" not in signed:
        return None, "signed headers missing: " + ",".join(missing)
    return (f"AWS4-HMAC-SHA256 Credential={fields['Credential']},SignedHeaders={fields['SignedHeaders']},"
            f"Signature={sig}"), None

SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message></Error>')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        global count, faults, badsig
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if secret is not None:
            want, why = expected_authorization(self.command, self.path, self.headers, body)
            if want != self.headers.get("Authorization"):
                with lock:
                    badsig += 1
                msg = f"<Error><Code>SignatureDoesNotMatch</Code><Message>{why or 'bad signature'}</Message></Error>"
                self.reply(403, msg.encode())
                return
        with lock:
            count += 1
            fault = every > 0 and (count % every == 1 or every == 1)
            if fault:
                faults += 1
            n = faults
        if fault and cut and self.command == "GET":
            self.forward(body, cut_half=True)
            return
        if fault:
            if drop and n % 2 == 0:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.reply(503, SLOWDOWN)
            return
        self.forward(body)

    def forward(self, body, cut_half=False):
        conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length") or "0")
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if cut_half and len(data) > 1:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
        elif self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print("PORT", server.server_address[1], flush=True)
sys.stdin.read()
print("FAULTS", faults, flush=True)
print("BADSIG", badsig, flush=True)
server.shutdown()
