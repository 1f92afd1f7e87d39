"""Shared helpers of the web tests: a wenku server on a free port with a temporary data
directory, a cookie-keeping HTTP client that does not follow redirects, fixture documents."""
import http.client
import http.cookiejar
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))


def corpus_dir():
    env = os.environ.get("WENKU_CORPUS")
    if env:
        return env if os.path.isdir(env) else None
    p = os.path.join(os.path.dirname(SOURCE_DIR), "shared", "corpus")
    return p if os.path.isdir(p) else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def docx_bytes(paragraphs):
    """A minimal DOCX (Word 2007+) with one paragraph per string."""
    body = "".join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (
        p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body>%s</w:body></w:document>' % body)
    return buf.getvalue()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Client:
    """One browser-like visitor: keeps cookies, sends the CSRF token it was given."""

    def __init__(self, base, lang="zh-CN"):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.lang = lang
        self.csrf = ""

    def request(self, method, path, data=None, headers=None, content_type=None):
        h = {"Accept-Language": self.lang}
        h.update(headers or {})
        if content_type:
            h["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=data, headers=h, method=method)
        try:
            with self.opener.open(req, timeout=60) as r:
                resp = Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            resp = Response(e.code, e.headers, e.read())
        m = re.search(rb'<meta name="csrf-token" content="([0-9a-f]{64})">', resp.body)
        if m:
            self.csrf = m.group(1).decode()
        return resp

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, fields, with_csrf=True):
        if with_csrf and "csrf" not in fields:
            if not self.csrf:
                self.get("/")
            fields = dict(fields, csrf=self.csrf)
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            content_type="application/x-www-form-urlencoded")

    def upload(self, filename, content, fields=None, with_csrf=True):
        if not self.csrf:
            self.get("/")
        boundary = "----wenku" + uuid.uuid4().hex
        parts = []
        for k, v in (fields or {}).items():
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n" % (boundary, filename)).encode() + content + b"\r\n")
        parts.append(("--%s--\r\n" % boundary).encode())
        headers = {"X-CSRF-Token": self.csrf} if with_csrf else {}
        return self.request("POST", "/api/v1/documents", b"".join(parts), headers=headers,
                            content_type="multipart/form-data; boundary=" + boundary)

    def register(self, name, password):
        self.get("/register")
        r = self.post_form("/register", {"name": name, "password": password, "password2": password})
        self.get("/")
        return r

    def login(self, name, password):
        self.get("/login")
        r = self.post_form("/login", {"name": name, "password": password})
        self.get("/")
        return r


class Server:
    """`wenku serve` on a free port with a temporary data directory; stopped on exit."""

    def __init__(self, wenku, settings=None):
        self.wenku = os.path.abspath(wenku)
        self.tmp = tempfile.mkdtemp(prefix="wenku-web-")
        self.data = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.settings = settings or {}
        self.proc = None

    def add_user(self, name, password, role=None):
        args = [self.wenku, "user", "add", "--data", self.data]
        if role:
            args.append("--" + role)
        args.append(name)
        subprocess.run(args, input=password + "\n", text=True, check=True, capture_output=True)

    def __enter__(self):
        os.makedirs(self.data)
        args = [self.wenku, "serve", "--data", self.data, "--listen", "127.0.0.1:%d" % self.port]
        for k, v in self.settings.items():
            args += ["--set", "%s=%s" % (k, v)]
        self.log = open(os.path.join(self.tmp, "server.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
            if self.proc.poll() is not None:
                break
        raise RuntimeError("server did not start; log in " + self.log.name)

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if exc[0] is None and not os.environ.get("WENKU_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print("kept " + self.tmp, file=sys.stderr)

    def wait_done(self, client, doc_id, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = client.get("/api/v1/documents/%d" % doc_id)
            if r.status == 200 and r.json()["status"] != "processing":
                return r.json()
            time.sleep(0.2)
        raise RuntimeError("document %d did not finish" % doc_id)


class Checker:
    """Collects failed expectations instead of stopping at the first."""

    def __init__(self):
        self.failures = []
        self.count = 0

    def expect(self, cond, message):
        self.count += 1
        if not cond:
            self.failures.append(message)

    def eq(self, got, want, message):
        self.expect(got == want, "%s: got %r, want %r" % (message, got, want))

    def finish(self, name):
        for f in self.failures:
            print("FAIL " + f)
        print("%s: %d checks, %d failed" % (name, self.count, len(self.failures)))
        sys.exit(1 if self.failures else 0)
