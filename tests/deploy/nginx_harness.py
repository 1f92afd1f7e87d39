"""Runs Debian's nginx (nginx-light) with the shipped site file, deploy/nginx/wenku.conf, in a
temporary prefix on loopback, as whatever user runs the tests. Only addresses and paths of the
site file are rewritten, each by an exact line that must be there (so the file and this harness
cannot drift apart); everything else (timeouts, body size, headers, caching, the internal
location) is tested as shipped. Stdlib only.

    with Nginx(tmp, wenku_port=8080, blob_dir=".../data/blobs") as ngx:
        ngx.https_port, ngx.http_port, ngx.request("GET", "/")
"""
import contextlib
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
SITE = os.path.join(SOURCE, "deploy", "nginx", "wenku.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    """None when nginx and openssl are here, else why not."""
    if not os.path.exists(NGINX):
        return "nginx is not installed (Debian nginx-light)"
    if not shutil.which("openssl"):
        return "openssl is not installed"
    return None


class Nginx:
    def __init__(self, tmp, wenku_port, blob_dir, server_name="wenku.example.cn"):
        self.dir = os.path.join(tmp, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.wenku_port = wenku_port
        self.blob_dir = os.path.abspath(blob_dir).rstrip("/") + "/"
        self.server_name = server_name
        self.http_port = free_port()
        self.https_port = free_port()
        self.proc = None
        self.error_log = os.path.join(self.dir, "error.log")
        self.access_log = os.path.join(self.dir, "access.log")

    # -- configuration
    def _cert(self):
        key, crt = os.path.join(self.dir, "tls.key"), os.path.join(self.dir, "tls.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=%s" % self.server_name, "-keyout", key, "-out", crt],
                       check=True, capture_output=True)
        return key, crt

    def site_text(self):
        key, crt = self._cert()
        with open(SITE, encoding="utf-8") as f:
            text = f.read()
        replacements = [
            ("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % self.wenku_port),
            ("    listen 80;\n", "    listen 127.0.0.1:%d;\n" % self.http_port),
            ("    listen [::]:80;\n", ""),
            ("    listen 443 ssl http2;\n", "    listen 127.0.0.1:%d ssl http2;\n" % self.https_port),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("/etc/letsencrypt/live/wenku.example.cn/fullchain.pem", crt),
            ("/etc/letsencrypt/live/wenku.example.cn/privkey.pem", key),
            ("/var/cache/nginx/wenku-static", os.path.join(self.dir, "cache-static")),
            ("/var/lib/wenku/blobs/", self.blob_dir),
            ("/var/www/html", os.path.join(self.dir, "www")),
        ]
        for old, new in replacements:
            if old not in text:
                raise AssertionError("deploy/nginx/wenku.conf no longer has %r: update nginx_harness.py" % old)
            text = text.replace(old, new)
        return text

    def write_config(self):
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "www", "cache-static"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        site = os.path.join(self.dir, "wenku.conf")
        with open(site, "w", encoding="utf-8") as f:
            f.write(self.site_text())
        main = os.path.join(self.dir, "nginx.conf")
        user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read the temp dirs
        with open(main, "w", encoding="utf-8") as f:
            f.write("""%sdaemon off;
worker_processes 2;
pid %s;
error_log %s info;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log %s;
    client_body_temp_path %s;
    proxy_temp_path %s;
    fastcgi_temp_path %s;
    uwsgi_temp_path %s;
    scgi_temp_path %s;
    include %s;
}
""" % (user, os.path.join(self.dir, "nginx.pid"), self.error_log, self.access_log,
       *(os.path.join(self.dir, d) for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi")), site))
        return main

    # -- process
    def start(self):
        main = self.write_config()
        base = [NGINX, "-p", self.dir + "/", "-c", main, "-e", self.error_log]
        t = subprocess.run(base + ["-t", "-q"], capture_output=True, text=True)
        if t.returncode != 0:
            raise AssertionError("nginx -t refused the site file: %s" % (t.stderr + t.stdout))
        self.proc = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("nginx exited at start: %s" % self.proc.stderr.read().decode())
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            time.sleep(0.05)
        raise AssertionError("nginx did not listen within 20 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish requests, then leave
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- clients
    def request(self, method, path, body=None, headers=None, tls=True, timeout=30, source=None):
        """(status, {lower-case header: value}, body bytes) through nginx; `source` is the
        client's own loopback address (127.0.0.2, ...), so one test plays several clients."""
        h = {"Host": self.server_name}
        h.update(headers or {})
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=timeout, context=ctx,
                                            source_address=(source, 0) if source else None)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout,
                                           source_address=(source, 0) if source else None)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            headers = {}
            for k, v in r.getheaders():  # repeated headers (Set-Cookie) joined as one
                headers[k.lower()] = headers[k.lower()] + ", " + v if k.lower() in headers else v
            return r.status, headers, r.read()
        finally:
            c.close()
