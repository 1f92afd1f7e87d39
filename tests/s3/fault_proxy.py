#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the S3 blob store's retry tests.

Forwards every request to 127.0.0.1:UPSTREAM, except that it answers the first of every
N requests with 503 SlowDown (and, with --drop, closes every such second fault's
connection without an answer). Prints "PORT <n>" and "FAULTS <n>" lines; stops when its
standard input closes. Usage: fault_proxy.py UPSTREAM_PORT N [--drop]
"""
import http.client
import http.server
import sys
import threading

upstream = int(sys.argv[1])
every = int(sys.argv[2])
drop = "--drop" in sys.argv
lock = threading.Lock()
count = 0
faults = 0

SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message></Error>')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        global count, faults
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            count += 1
            fault = count % every == 1 or every == 1
            if fault:
                faults += 1
            n = faults
        if fault:
            if drop and n % 2 == 0:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOWDOWN)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(SLOWDOWN)
            return
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
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print("PORT", server.server_address[1], flush=True)
sys.stdin.read()
print("FAULTS", faults, flush=True)
server.shutdown()
