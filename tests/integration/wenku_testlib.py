"""Helpers for integration tests: a real `wenku serve` on a free port with its own data
directory, an HTTP client (stdlib only), multipart uploads, and fixture files."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile

WENKU = os.environ.get("WENKU_BIN", "build/wenku")


def corpus_dir():
    """The shared corpus, or None (tests then say plainly that they skip)."""
    c = os.environ.get("WENKU_CORPUS")
    if c:
        return c if os.path.isdir(c) else None
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "corpus"))
    return p if os.path.isdir(p) else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, data=None, input=None, timeout=600):
    cmd = [WENKU, *args]
    if data:
        cmd[2:2] = ["--data", data]
    return subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)


class Server:
    """`wenku serve` on a free port; restartable over the same data directory."""

    def __init__(self, data, extra=()):
        self.data = data
        self.extra = list(extra)
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        self.log = open(os.path.join(self.data + ".log"), "ab")
        self.proc = subprocess.Popen([WENKU, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}",
                                      *self.extra], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"wenku serve exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError("wenku serve did not become healthy")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.url(path), data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def get_json(self, path):
        status, body, _ = self.get(path)
        return status, json.loads(body)

    def upload(self, filename, content, fields=None):
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in (fields or {}).items():
            parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        status, body, _ = self.request("POST", "/api/v1/documents", b"".join(parts),
                                       {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, json.loads(body)

    def wait_done(self, doc_id, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, doc = self.get_json(f"/api/v1/documents/{doc_id}")
            if status == 200 and doc["status"] != "processing":
                return doc
            time.sleep(0.1)
        raise AssertionError(f"document {doc_id} still processing after {timeout} s")


def make_docx(path, paragraphs):
    """A minimal valid DOCX (what Word writes, without styles)."""
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>" for p in paragraphs)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                   + body + "</w:body></w:document>")


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="wenku-it-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
