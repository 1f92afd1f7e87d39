"""Shared helpers of the reliability suites: temporary data directories, free ports, the wenku
binary and its server, fixture files made on the spot, and the invariants of a data directory."""
import argparse
import contextlib
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))


def corpus_dir():
    """The shared corpus, as tests/support/test_support.cpp finds it, or None."""
    env = os.environ.get("WENKU_CORPUS")
    if env:
        return env if os.path.isdir(env) else None
    p = os.path.join(os.path.dirname(SOURCE_DIR), "shared", "corpus")
    return p if os.path.isdir(p) else None


def arg_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--wenku", required=True, help="path of the wenku executable")
    p.add_argument("--tier", choices=["fast", "slow"], default="fast")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return p


class Failure(Exception):
    pass


class Suite:
    """One suite run: its temporary directory, the processes it started, its figures."""

    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.wenku = os.path.abspath(args.wenku)
        self.seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
        self.rng = random.Random(self.seed)
        self.tmp = tempfile.mkdtemp(prefix="wenku-%s-" % name)
        self.procs = []
        self.figures = {}
        self.failures = []
        self.started = time.monotonic()
        print("%s: seed=%d tmp=%s" % (name, self.seed, self.tmp), flush=True)

    # -- bookkeeping
    def check(self, cond, message):
        if not cond:
            self.failures.append(message)
            print("FAIL: " + message, flush=True)
        return cond

    def require(self, cond, message):
        if not cond:
            raise Failure(message)

    def figure(self, key, value):
        self.figures[key] = value

    def figures_name(self):
        """The suite and its tier, e.g. crash_server/fast: one FIGURES line per test."""
        tier = getattr(self.args, "tier", None)
        return "%s/%s" % (self.name, tier) if tier else self.name

    def path(self, *parts):
        p = os.path.join(self.tmp, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def env(self, extra=None):
        e = dict(os.environ)
        e.setdefault("WENKU_LOG_LEVEL", "warn")
        e.setdefault("WENKU_WORKERS", "1")
        e.setdefault("WENKU_CONVERT_SLOTS", "1")
        e.setdefault("WENKU_CONVERT_TIMEOUT_SECONDS", "60")
        if extra:
            e.update(extra)
        return e

    # -- processes
    def spawn(self, argv, env=None, **kw):
        """Starts a process in its own process group, so it and its helpers can be killed."""
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        p = subprocess.Popen(argv, env=self.env(env), start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def run(self, args, env=None, timeout=300, stdin=None):
        """Runs `wenku ARGS` to the end; returns (exit code, stdout, stderr) as text."""
        p = subprocess.run([self.wenku] + args, env=self.env(env), capture_output=True, timeout=timeout,
                           input=stdin)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def kill_group(self, p, sig=signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(p.pid, sig)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                self.kill_group(p)
                with contextlib.suppress(Exception):
                    p.wait(timeout=10)
            else:
                # Helpers of a process that has already ended may still run in its group.
                self.kill_group(p)
        if not self.args.keep and not self.failures:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self):
        self.figure("seconds", round(time.monotonic() - self.started, 1))
        self.figure("failures", len(self.failures))
        figures = " ".join("%s=%s" % (k, v) for k, v in self.figures.items())
        line = "FIGURES %s %s" % (self.figures_name(), figures)
        print(line, flush=True)
        # One line per suite run, collected by scripts/test.sh and printed at the end.
        path = os.environ.get("WENKU_FIGURES_FILE")
        if path:
            with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        if self.failures:
            print("%s: %d failure(s); seed=%d; data kept in %s" % (self.name, len(self.failures), self.seed, self.tmp))
            return 1
        print("%s: ok" % self.name)
        return 0


def main_wrapper(name, args, body):
    suite = Suite(name, args)
    try:
        body(suite)
    except Failure as e:
        suite.failures.append(str(e))
        print("FAIL: " + str(e), flush=True)
    except subprocess.TimeoutExpired as e:
        suite.failures.append("timeout: %s" % e)
        print("FAIL: timeout: %s" % e, flush=True)
    finally:
        suite.cleanup()
    sys.exit(suite.finish())


def skip(message):
    """CTest treats exit code 77 as skipped (SKIP_RETURN_CODE)."""
    print("SKIPPED: " + message, flush=True)
    sys.exit(77)


# -- the server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, suite, data, env=None, port=None):
        self.suite = suite
        self.data = data
        self.port = port or free_port()
        self.log = open(suite.path("server-%d.log" % self.port), "ab")
        self.proc = suite.spawn([suite.wenku, "serve", "--data", data, "--listen", "127.0.0.1:%d" % self.port],
                                env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure("server exited with %s at start (log %s)" % (self.proc.returncode, self.log.name))
            with contextlib.suppress(OSError):
                status, _, _ = self.request("GET", "/healthz", timeout=2)
                if status == 200:
                    return
            time.sleep(0.05)
        raise Failure("server did not answer /healthz within 60 s")

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def get_json(self, path, timeout=30):
        status, _, body = self.request("GET", path, timeout=timeout)
        try:
            return status, json.loads(body.decode("utf-8"))
        except ValueError:
            return status, None

    def upload(self, filename, content, fields=None, timeout=60):
        """multipart POST /api/v1/documents; returns (status, json or None). A server that
        answers before reading the whole body (limit, disk full) is heard: the answer is read
        even when sending the rest fails."""
        body, ctype = multipart({"file": (filename, content)}, fields or {})
        head = ("POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n" % (ctype, len(body))).encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            try:
                sock.sendall(head)
                for i in range(0, len(body), 1 << 16):
                    sock.sendall(body[i:i + (1 << 16)])
            except (BrokenPipeError, ConnectionResetError):
                pass
            raw = bytearray()
            try:
                while True:
                    b = sock.recv(65536)
                    if not b:
                        break
                    raw += b
            except (ConnectionResetError, socket.timeout):
                pass
        if not raw:
            raise ConnectionResetError("no answer to the upload")
        head_end = raw.find(b"\r\n\r\n")
        status = int(raw.split(b" ", 2)[1])
        payload = bytes(raw[head_end + 4:]) if head_end >= 0 else b""
        if b"transfer-encoding: chunked" in raw[:head_end].lower():
            payload = dechunk(payload)
        try:
            return status, json.loads(payload.decode("utf-8"))
        except ValueError:
            return status, None

    def alive(self):
        return self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        self.suite.kill_group(self.proc, sig) if sig == signal.SIGKILL else self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.suite.kill_group(self.proc)
            self.proc.wait(timeout=10)

    def stop(self):
        self.kill(signal.SIGTERM)
        # Converter helpers left in the group.
        self.suite.kill_group(self.proc)


def dechunk(data):
    out = bytearray()
    while data:
        line, _, rest = data.partition(b"\r\n")
        n = int(line.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out += rest[:n]
        data = rest[n + 2:]
    return bytes(out)


def multipart(files, fields):
    boundary = "----wenku" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, name)).encode()
        out += value.encode("utf-8") if isinstance(value, str) else value
        out += b"\r\n"
    for name, (filename, content) in files.items():
        fn = filename.encode("utf-8") if isinstance(filename, str) else filename
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"" % (boundary, name)).encode()
        out += fn + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        out += content
        out += b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return bytes(out), "multipart/form-data; boundary=" + boundary


# -- fixtures made by the tests

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理"


def chinese_text(rng, n_chars, tag=""):
    body = "".join(rng.choice(HAN) for _ in range(n_chars))
    lines = [body[i:i + 60] for i in range(0, len(body), 60)]
    return ("%s\n" % tag if tag else "") + "。\n".join(lines) + "。\n"


def make_docx(path, paragraphs, extra_members=None, document_xml=None):
    """A minimal valid DOCX made with zipfile (what Word needs and nothing more)."""
    body = "".join("<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % escape_xml(p) for p in paragraphs)
    doc = document_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body>%s</w:body></w:document>" % body)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="png" ContentType="image/png"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", doc)
        for name, data in (extra_members or {}).items():
            z.writestr(name, data)


def escape_xml(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_pdf(path, pages, media_box=(0, 0, 595, 842), raw_objects=None):
    """A small valid PDF with one text line per page (ASCII, Helvetica), built by hand with a
    correct cross-reference table. `raw_objects` replaces the object list for hostile files."""
    objs = raw_objects
    if objs is None:
        n = len(pages)
        kids = " ".join("%d 0 R" % (4 + 2 * i) for i in range(n))
        objs = ["<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [%s] /Count %d /MediaBox [%s] >>" % (kids, n, " ".join(map(str, media_box))),
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        for i, text in enumerate(pages):
            stream = "BT /F1 18 Tf 72 720 Td (%s) Tj ET" % text.replace("\\", "").replace("(", "").replace(")", "")
            objs.append("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                        % (5 + 2 * i))
            objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += ("%d 0 obj\n%s\nendobj\n" % (i + 1, o)).encode("latin-1")
    xref = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode()
    for off in offsets:
        out += ("%010d 00000 n \n" % off).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)).encode()
    with open(path, "wb") as f:
        f.write(out)


def corpus_files(subdirs, max_bytes=300_000, limit=None):
    c = corpus_dir()
    if not c:
        return []
    out = []
    for sub in subdirs:
        d = os.path.join(c, "docs", sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.isfile(p) and 0 < os.path.getsize(p) <= max_bytes:
                out.append(p)
    return out[:limit] if limit else out


# -- the data directory's invariants

CHECK_RE = re.compile(r"check: documents=(\d+) blobs=(\d+) indexed=(\d+) problems=(\d+) repaired=(\d+) remaining=(\d+)")


def run_check(suite, data):
    """`wenku check`; returns (exit code, dict of its figures or None, output)."""
    rc, out, err = suite.run(["check", "--data", data], timeout=600)
    m = CHECK_RE.search(out)
    figures = None
    if m:
        keys = ["documents", "blobs", "indexed", "problems", "repaired", "remaining"]
        figures = dict(zip(keys, map(int, m.groups())))
    return rc, figures, out + err


def check_twice(suite, data, label):
    """The first check may repair what a crash left; the second must find nothing."""
    rc1, f1, out1 = run_check(suite, data)
    suite.check(f1 is not None, "%s: first check printed no summary: %s" % (label, out1[-2000:]))
    rc2, f2, out2 = run_check(suite, data)
    ok = suite.check(rc2 == 0 and f2 is not None and f2["problems"] == 0,
                     "%s: second check not clean (exit %d): %s" % (label, rc2, out2[-2000:]))
    return f1, f2 if ok else None


def blob_path(data, key):
    return os.path.join(data, "blobs", key[:2], key[2:4], key)


def sha256_file(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def db(data):
    c = sqlite3.connect(os.path.join(data, "wenku.db"), timeout=30)
    c.row_factory = sqlite3.Row
    return c


def documents(data):
    with contextlib.closing(db(data)) as c:
        return {r["id"]: dict(r) for r in c.execute("SELECT * FROM documents")}


def verify_data_dir(suite, data, label, settled=False):
    """Invariants that hold at any moment when no wenku process runs (after a check):
    every row's original is there with its hash, no stored blob belongs to nobody, a document
    still processing has a job to finish it, a ready one has its pages, no scratch is left."""
    problems = []
    with contextlib.closing(db(data)) as c:
        docs = [dict(r) for r in c.execute("SELECT * FROM documents")]
        referenced = set()
        for d in docs:
            referenced.update(k for k in (d["blob_key"], d["pdf_key"]) if k)
            p = blob_path(data, d["blob_key"])
            if not os.path.isfile(p):
                problems.append("document %d: original blob missing" % d["id"])
            elif sha256_file(p) != d["sha256"]:
                problems.append("document %d: original does not match its sha256" % d["id"])
            if d["pdf_key"] and not os.path.isfile(blob_path(data, d["pdf_key"])):
                problems.append("document %d: converted PDF missing" % d["id"])
            active = c.execute("SELECT COUNT(*) FROM jobs WHERE document_id=? AND state IN ('queued','running')",
                               (d["id"],)).fetchone()[0]
            if d["status"] == "processing" and active == 0:
                problems.append("document %d: processing without a job" % d["id"])
            if settled and d["status"] == "processing":
                problems.append("document %d: still processing after the queue drained" % d["id"])
            if d["status"] == "ready":
                n = c.execute("SELECT COUNT(*) FROM pages WHERE document_id=?", (d["id"],)).fetchone()[0]
                if d["pages"] < 1 or n < 1:
                    problems.append("document %d: ready without pages (pages=%d rows=%d)" % (d["id"], d["pages"], n))
            if d["status"] == "failed" and not d["error"]:
                problems.append("document %d: failed without a reason" % d["id"])
        for r in c.execute("SELECT image_key, thumb_key FROM pages"):
            for k in r:
                if k:
                    referenced.add(k)
                    if not os.path.isfile(blob_path(data, k)):
                        problems.append("page image %s missing" % k)
    blob_root = os.path.join(data, "blobs")
    stored = set()
    for root, dirs, files in os.walk(blob_root):
        if root == blob_root and "tmp" in dirs:
            dirs.remove("tmp")
        stored.update(f for f in files if re.fullmatch(r"[0-9a-f]{64}", f))
    for k in sorted(stored - referenced):
        problems.append("orphan blob %s (check did not remove it)" % k)
    leftovers = os.listdir(os.path.join(blob_root, "tmp")) if os.path.isdir(os.path.join(blob_root, "tmp")) else []
    if leftovers:
        problems.append("blobs/tmp holds %d leftover file(s): %s" % (len(leftovers), leftovers[:3]))
    work = os.path.join(data, "work")
    if os.path.isdir(work):
        for entry in os.listdir(work):
            if entry.startswith("convert-"):
                problems.append("work/%s outlived its process" % entry)
    tmp = os.path.join(data, "tmp")
    if os.path.isdir(tmp):
        for entry in os.listdir(tmp):
            problems.append("tmp/ holds %s after a check" % entry)
    for p in problems:
        suite.check(False, "%s: %s" % (label, p))
    return len(problems) == 0, len(docs)


def drain(suite, data, timeout=180, env=None):
    """Runs a server until no document is processing; returns seconds taken."""
    start = time.monotonic()
    server = Server(suite, data, env=env)
    try:
        deadline = start + timeout
        while time.monotonic() < deadline:
            with contextlib.closing(db(data)) as c:
                n = c.execute("SELECT COUNT(*) FROM documents WHERE status='processing'").fetchone()[0]
            if n == 0:
                break
            time.sleep(0.2)
        else:
            suite.check(False, "documents still processing after %d s" % timeout)
    finally:
        server.stop()
    return time.monotonic() - start


# -- a signed-in visitor of the web site

class WebClient:
    """A browser-like visitor: keeps its cookies, sends the CSRF token the last page gave it.
    One short connection per request (a killed server leaves nothing half-read behind)."""

    CSRF_RE = re.compile(rb'<meta name="csrf-token" content="([0-9a-f]{64})">')

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, timeout=15):
        h = {"Accept-Language": "zh-CN"}
        h.update(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            headers_out = {}
            for k, v in r.getheaders():
                headers_out[k.lower()] = v
                if k.lower() == "set-cookie":
                    name, _, rest = v.partition("=")
                    if "max-age=0" in v.lower():
                        self.cookies.pop(name.strip(), None)
                    else:
                        self.cookies[name.strip()] = rest.split(";")[0]
            m = self.CSRF_RE.search(data)
            if m:
                self.csrf = m.group(1).decode()
            return r.status, headers_out, data
        finally:
            c.close()

    def get_json(self, path, timeout=15):
        status, _, data = self.request("GET", path, timeout=timeout)
        try:
            return status, json.loads(data.decode("utf-8"))
        except ValueError:
            return status, None

    def post_form(self, path, fields, timeout=15):
        import urllib.parse
        if not self.csrf:
            self.request("GET", "/")
        body = urllib.parse.urlencode(dict(fields, csrf=self.csrf)).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}, timeout)

    def login(self, name, password):
        self.request("GET", "/login")
        status, headers, _ = self.post_form("/login", {"name": name, "password": password})
        self.request("GET", "/")  # the session's own CSRF token
        return status == 303 and "wk_session" in self.cookies

    def upload(self, filename, content, fields=None, timeout=30):
        """POST /api/v1/documents as this visitor; returns (status, json or None)."""
        if not self.csrf:
            self.request("GET", "/")
        body, ctype = multipart({"file": (filename, content)}, fields or {})
        status, _, data = self.request("POST", "/api/v1/documents", body,
                                       {"Content-Type": ctype, "X-CSRF-Token": self.csrf}, timeout)
        try:
            return status, json.loads(data.decode("utf-8"))
        except ValueError:
            return status, None

    def search_ids(self, q):
        import urllib.parse
        status, j = self.get_json("/api/v1/search?q=" + urllib.parse.quote(q))
        if status != 200 or not j:
            return None
        return [h["id"] for h in j.get("hits", [])]


def add_user(suite, data, name, password, role=None):
    args = ["user", "add", "--data", data] + (["--" + role] if role else []) + [name]
    rc, out, err = suite.run(args, stdin=(password + "\n").encode())
    suite.require(rc == 0, "user add %s failed: %s" % (name, err[-500:]))
