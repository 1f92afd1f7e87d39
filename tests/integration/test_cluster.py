"""The cluster (issue 12, acceptance 2 and 4): PostgreSQL, s3rver, two xapian-tcpsrv shards,
two `wenku serve --role web` and two `--role worker` processes on loopback, all given the
same settings, each with its own data directory for scratch space only.

- 100 files the test makes (plus a few shared-corpus files when present) are uploaded
  through both web processes while documents are edited (title, tags) through both; every
  one reaches its status (ready, or failed with a reason), is found by search from either
  web process, and /d/{id} shows the same document from both.
- Upload to searchable is measured on an idle cluster (workers poll every 500 ms).
- A worker SIGKILLed in the middle of a conversion: its job is taken by the other worker
  after the lease, and the document comes out as its twin converted undisturbed did.
- A web process SIGKILLed during uploads: every upload it acknowledged is there.
- A shard, s3rver and PostgreSQL each stopped for a few seconds while running: requests
  that need them answer 503 with Retry-After (a Chinese-first page, or a JSON error), an
  upload acknowledged while the shard is down (longer than the retries' back-off) waits for
  it and is indexed when it is back, and service resumes without a restart.
- Everything restarted: `wenku check` is clean.
Figures (upload to searchable, takeover after SIGKILL, duration) are printed."""
import concurrent.futures
import difflib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "web"))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import fixtures  # noqa: E402
import pg_testlib  # noqa: E402
import wenku_testlib as w  # noqa: E402
from web_harness import Client  # noqa: E402

S3_LAUNCHER = os.path.join(HERE, "..", "s3", "s3rver_launcher.js")
BUCKET = "wenku-cluster"
PASSWORD = "集群测试-Passw0rd"
LEASE = 5  # job_lease_seconds: a dead worker's job is taken again after this
OUTAGE = 18  # seconds a shard stays down


def wait_port(port, proc, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(what + " exited")
            time.sleep(0.05)
    raise AssertionError(what + " did not start")


class Shard:
    """xapian-tcpsrv --writable in its own session, restartable on the same port."""

    def __init__(self, path):
        self.path, self.port, self.proc = path, w.free_port(), None

    def start(self):
        with open(self.path + ".log", "ab") as log:
            self.proc = subprocess.Popen(["xapian-tcpsrv", "--writable", "--quiet", "--interface", "127.0.0.1",
                                          "--port", str(self.port), self.path],
                                         stdout=log, stderr=log, start_new_session=True)
        wait_port(self.port, self.proc, "xapian-tcpsrv")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


class S3:
    """s3rver from tests/s3's lock file, restartable on the same port over the same files."""

    def __init__(self, directory):
        self.dir, self.port, self.proc = directory, None, None

    def start(self):
        env = dict(os.environ)
        if self.port:
            env["S3RVER_PORT"] = str(self.port)
        # --openssl-legacy-provider: s3rver's continuation tokens use DES (OpenSSL 3 legacy).
        self.proc = subprocess.Popen(["node", "--openssl-legacy-provider", S3_LAUNCHER, self.dir, BUCKET],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            raise AssertionError("s3rver did not start: " + self.proc.stderr.read().decode()[-500:])
        self.port = int(m.group(1))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                f.close()
        self.proc = None


class Node:
    """One `wenku serve` process of the cluster, in its own session (SIGKILL takes its
    helpers too, as when its machine dies)."""

    def __init__(self, name, tmp, role, settings):
        self.name, self.role, self.settings = name, role, settings
        self.data = os.path.join(tmp, name)
        self.proc, self.port = None, None

    def start(self):
        self.port = w.free_port()
        args = [w.WENKU, "serve", "--role", self.role, "--data", self.data, "--listen", f"127.0.0.1:{self.port}"]
        for s in self.settings:
            args += ["--set", s]
        with open(self.data + ".log", "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.client().get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}; log {self.data}.log")
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not become healthy")

    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        return Client(self.base())

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


def token(n):
    """A word of letters only, unique per file: the analyser keeps it whole."""
    letters = "bcdfghjkmnpqrstvwxz"
    out = ""
    for _ in range(4):
        out += letters[n % len(letters)]
        n //= len(letters)
    return "wkq" + out


def made_files(tmp):
    """100 files: plain text, HTML and Markdown (the text lane), DOCX (LibreOffice), the
    office fixtures (one is encrypted: it fails with a reason) and a damaged PDF."""
    files, corpus_names = [], set()
    office = os.path.join(tmp, "office")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "support", "fixtures.py"), "office", office], check=True)
    for name in sorted(os.listdir(office)):
        with open(os.path.join(office, name), "rb") as f:
            files.append((name, f.read(), None))
    files.append(("损坏.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\nxref\ntrailer<<>>\n%%EOF\n", None))
    n = 0
    while len(files) < 100:
        word = token(n)
        line = f"第{n}号通知 {word} 关于做好第{n}批校园文化建设工作的安排。各单位认真组织，按时报送材料。"
        kind = n % 10
        if kind < 6:
            files.append((f"通知{n}.txt", (line + "\n").encode() * 3, word))
        elif kind < 8:
            files.append((f"简报{n}.html", f"<html><head><meta charset=utf-8><title>简报{n}</title></head>"
                                           f"<body><h1>简报{n}</h1><p>{line}</p></body></html>".encode(), word))
        elif kind < 9:
            files.append((f"纪要{n}.md", f"# 纪要{n}\n\n{line}\n".encode(), word))
        else:
            files.append((f"总结{n}.docx", docx(tmp, n, [f"工作总结{n}", line]), word))
        n += 1
    corpus = w.corpus_dir()
    if corpus:
        # The smallest file of each corpus folder: every format and the damaged ones.
        for sub in sorted(os.listdir(os.path.join(corpus, "docs"))):
            folder = os.path.join(corpus, "docs", sub)
            names = sorted((os.path.getsize(os.path.join(folder, x)), x) for x in os.listdir(folder)
                           if os.path.isfile(os.path.join(folder, x)))
            if names and names[0][0] < 2 << 20:
                with open(os.path.join(folder, names[0][1]), "rb") as f:
                    files.append((names[0][1], f.read(), None))
                corpus_names.add(names[0][1])
    return files, corpus_names


def docx(tmp, n, paragraphs):
    path = os.path.join(tmp, f"d{n}.docx")
    w.make_docx(path, paragraphs)
    with open(path, "rb") as f:
        return f.read()


def long_docx(tmp, name, stamp):
    """A DOCX of some 60 pages (a conversion that takes a while, long enough to kill a worker in it); `stamp` changes only the
    zip entry's date, so two stamps are two files with the same content."""
    import zipfile
    paragraphs = "".join(f"<w:p><w:r><w:t>第{i}段 关于加强学校安全管理工作的意见，落实安全责任制度，"
                         f"开展安全教育和应急演练。</w:t></w:r></w:p>" for i in range(2400))
    path = os.path.join(tmp, name)
    w.make_docx(path, ["x"])
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["word/document.xml"] = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                                    'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + paragraphs +
                                    "</w:body></w:document>").encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(2020, 1, stamp, 0, 0, 0)), data)
    with open(path, "rb") as f:
        return f.read()


class ClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool, pkg in (("xapian-tcpsrv", "xapian-tools"), ("node", "nodejs")):
            if subprocess.run(["sh", "-c", "command -v " + tool], capture_output=True).returncode != 0:
                raise AssertionError(f"{tool} is not installed ({pkg}): run scripts/setup.sh")
        if not os.path.isdir(os.path.join(HERE, "..", "s3", "node_modules", "s3rver")):
            raise AssertionError("s3rver is not installed (tests/s3/node_modules): run scripts/setup.sh")
        cls.started = time.time()
        cls.figures = {}
        cls.tmpdir = w.TempDir()
        cls.tmp = cls.tmpdir.__enter__()
        cls.pg = pg_testlib.PgServer().__enter__()
        cls.metadata_url = cls.pg.create_database("cluster")
        os.makedirs(os.path.join(cls.tmp, "s3"))
        cls.s3 = S3(os.path.join(cls.tmp, "s3"))
        cls.s3.start()
        os.environ.update({"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"})
        cls.shards = [Shard(os.path.join(cls.tmp, f"shard{i}")) for i in range(2)]
        for s in cls.shards:
            s.start()
        cls.settings = [
            "metadata_url=" + cls.metadata_url,
            f"blob_url=s3://{BUCKET}/site?endpoint=http://127.0.0.1:{cls.s3.port}&region=us-east-1",
            "search_url=xapian+tcp://" + ",".join(f"127.0.0.1:{s.port}" for s in cls.shards),
            f"job_lease_seconds={LEASE}", "workers=1", "convert_slots=1", "ocr=false", "http_threads=32",
        ]
        add = subprocess.run([w.WENKU, "user", "add", "--admin", "--data", os.path.join(cls.tmp, "cli"),
                              *sum((["--set", s] for s in cls.settings), []), "admin"],
                             input=PASSWORD + "\n", text=True, capture_output=True, timeout=120)
        if add.returncode != 0:
            raise AssertionError("user add: " + add.stderr)
        cls.webs = [Node(f"web{i}", cls.tmp, "web", cls.settings) for i in range(2)]
        cls.workers = [Node(f"worker{i}", cls.tmp, "worker", cls.settings) for i in range(2)]
        for n in cls.webs + cls.workers:
            n.start()

    @classmethod
    def tearDownClass(cls):
        for n in getattr(cls, "webs", []) + getattr(cls, "workers", []):
            try:
                n.stop()
            except Exception:  # noqa: BLE001 - tear down the rest whatever happens
                pass
        for s in getattr(cls, "shards", []):
            s.stop()
        if getattr(cls, "s3", None):
            cls.s3.stop()
        if getattr(cls, "pg", None):
            cls.pg.__exit__(None, None, None)
        if os.environ.get("WENKU_KEEP"):
            print("kept " + cls.tmp, file=sys.stderr)
        else:
            cls.tmpdir.__exit__(None, None, None)
        cls.figures["test_seconds"] = round(time.time() - cls.started, 1)
        print("cluster figures: " + json.dumps(cls.figures), file=sys.stderr)

    # -- helpers ------------------------------------------------------------------------

    def admin(self, node):
        c = node.client()
        r = c.login("admin", PASSWORD)
        self.assertIn(r.status, (302, 303), r.text[:300])
        return c

    def sql(self, statement):
        return self.pg.sql("cluster", statement)

    def wait_all_done(self, client, ids, timeout=300):
        deadline = time.time() + timeout
        pending, docs = set(ids), {}
        while pending and time.time() < deadline:
            for i in list(pending):
                r = client.get(f"/api/v1/documents/{i}")
                if r.status == 200 and r.json()["status"] != "processing":
                    docs[i] = r.json()
                    pending.discard(i)
            if pending:
                time.sleep(0.5)
        self.assertFalse(pending, f"still processing after {timeout} s: {sorted(pending)}")
        return docs

    def search_ids(self, client, q):
        r = client.get("/api/v1/search?q=" + urllib.parse.quote(q))
        self.assertEqual(r.status, 200, r.text[:300])
        return [h["id"] for h in r.json()["hits"]]

    # -- the test -------------------------------------------------------------------------

    def test_cluster(self):
        self.phase_uploads_and_edits()
        self.phase_upload_to_searchable()
        self.phase_worker_killed_mid_conversion()
        self.phase_web_killed_during_uploads()
        self.phase_backends_down_while_running()
        self.phase_restart_and_check()

    def phase_uploads_and_edits(self):
        files, corpus_names = made_files(self.tmp)
        clients = [self.admin(n) for n in self.webs]
        uploaded = {}  # id -> (name, word)
        lock = threading.Lock()
        edits = {}  # id -> (title, tags) last acknowledged
        done = threading.Event()

        def upload_through(k):
            c = self.admin(self.webs[k])
            for j in range(k, len(files), 2):
                name, content, word = files[j]
                r = c.upload(name, content)
                self.assertIn(r.status, (201, 202), (name, r.text[:300]))
                with lock:
                    uploaded[r.json()["id"]] = (name, word)

        def edit_through_both():
            n = 0
            while not done.is_set() or n < 20:
                with lock:
                    ids = sorted(uploaded)
                if not ids:
                    time.sleep(0.05)
                    continue
                doc_id = ids[(n * 7) % len(ids)]
                title, tags = f"修改标题{n}号 {token(3000 + n)}", f"集群,标签{n}"
                r = clients[n % 2].post_form(f"/me/documents/{doc_id}/edit", {"title": title, "tags": tags})
                self.assertEqual(r.status, 303, r.text[:500])
                with lock:
                    edits[doc_id] = (title, tags.split(","))
                n += 1
                time.sleep(0.05)

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(upload_through, 0), pool.submit(upload_through, 1)]
            editor = pool.submit(edit_through_both)
            for f in futures:
                f.result()
            done.set()
            editor.result()
        self.assertEqual(len(uploaded), len(files))

        started = time.time()
        docs = self.wait_all_done(clients[0], uploaded, timeout=400)
        self.figures["bulk_done_seconds"] = round(time.time() - started, 1)
        failed = {i: d for i, d in docs.items() if d["status"] != "ready"}
        for i, d in failed.items():
            self.assertEqual(d["status"], "failed", d)
            self.assertTrue(d["error"], d)
        failed_names = {uploaded[i][0] for i in failed}
        self.assertIn("加密.odt", failed_names)
        self.assertIn("损坏.pdf", failed_names)
        # Every file the test made with text is ready (the corpus's damaged ones may fail).
        self.assertEqual(failed_names - corpus_names - {"加密.odt", "损坏.pdf"}, set(),
                         {d["original_name"]: d["error"] for d in failed.values()})

        # Edits made through either web process are what both show, and what search finds.
        for doc_id, (title, tags) in edits.items():
            for node in self.webs:
                got = node.client().get(f"/api/v1/documents/{doc_id}").json()
                self.assertEqual((got["title"], got["tags"]), (title, tags), (node.name, doc_id))
        for doc_id, (title, _) in edits.items():
            if docs[doc_id]["status"] == "ready":
                for node in self.webs:
                    self.assertEqual(self.search_ids(node.client(), title.split()[-1]), [doc_id], (node.name, title))

        # Each ready document is found from either web process; /d/{id} is the same from both
        # once the queue is empty (until then remaining pages and re-indexing go on).
        self.wait_for(lambda: self.sql("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')") == "0",
                      "an empty queue", timeout=300)
        anon = [n.client() for n in self.webs]
        for doc_id, (name, word) in uploaded.items():
            if docs[doc_id]["status"] != "ready":
                continue
            query = edits[doc_id][0].split()[-1] if doc_id in edits else word or docs[doc_id]["title"]
            for c in anon:
                self.assertIn(doc_id, self.search_ids(c, query), (name, query))
            pages = [normalise_page(c.get(f"/d/{doc_id}")) for c in anon]
            if pages[0] != pages[1]:
                self.fail(f"/d/{doc_id} differs between the web processes:\n" + "\n".join(difflib.unified_diff(
                    pages[0].splitlines(), pages[1].splitlines(), "web0", "web1", lineterm="", n=1)))
        self.__class__.docs = docs

    def phase_upload_to_searchable(self):
        c = self.webs[0].client()
        times = []
        for n in range(5):
            word = token(5000 + n)
            body = f"测速文件{n} {word} 上传以后多快能搜到。\n".encode()
            t0 = time.time()
            r = c.upload(f"测速{n}.txt", body)
            self.assertIn(r.status, (201, 202), r.text[:200])
            doc_id = r.json()["id"]
            other = self.webs[1].client()
            while doc_id not in self.search_ids(other, word):
                self.assertLess(time.time() - t0, 30, "never searchable")
                time.sleep(0.02)
            times.append(time.time() - t0)
        times.sort()
        self.figures["upload_to_searchable_s"] = [round(t, 3) for t in times]
        self.assertLess(times[len(times) // 2], 1.0, times)

    def phase_worker_killed_mid_conversion(self):
        c = self.admin(self.webs[0])
        # The twin converted undisturbed: the result the killed one must come out as.
        r = c.upload("安全意见甲.docx", long_docx(self.tmp, "a.docx", 1))
        twin = self.wait_all_done(c, [r.json()["id"]])[r.json()["id"]]
        self.assertEqual(twin["status"], "ready", twin)
        r = c.upload("安全意见乙.docx", long_docx(self.tmp, "b.docx", 2))
        doc_id = r.json()["id"]
        deadline = time.time() + 120
        holder = ""
        while time.time() < deadline:
            holder = self.sql(f"SELECT worker FROM jobs WHERE document_id = {doc_id} AND kind = 'preview' "
                              "AND state = 'running'")
            if holder:
                break
            time.sleep(0.05)
        self.assertTrue(holder, "the conversion never started")
        time.sleep(0.1)  # in the middle of it
        victim = next(n for n in self.workers if f":{n.proc.pid}/" in holder)
        survivor = next(n for n in self.workers if n is not victim)
        victim.kill()
        killed_at = time.time()
        taken = ""
        while time.time() < killed_at + 60:
            taken = self.sql(f"SELECT worker FROM jobs WHERE document_id = {doc_id} AND kind = 'preview' "
                             "AND state IN ('running', 'done')")
            state = self.sql(f"SELECT state FROM jobs WHERE document_id = {doc_id} AND kind = 'preview'")
            if taken and taken != holder:
                break
            time.sleep(0.1)
        self.assertIn(f":{survivor.proc.pid}/", taken, (holder, taken, state))
        self.figures["takeover_after_sigkill_s"] = round(time.time() - killed_at, 2)
        doc = self.wait_all_done(c, [doc_id], timeout=180)[doc_id]
        self.figures["killed_conversion_ready_after_s"] = round(time.time() - killed_at, 1)
        self.assertEqual(doc["status"], "ready", doc)
        self.assertEqual(doc["pages"], twin["pages"])
        # Nothing twice: one row per page, the same texts as the twin's, every job done once.
        rows = self.sql(f"SELECT count(*), count(DISTINCT number) FROM pages WHERE document_id = {doc_id}")
        self.assertEqual(rows, f"{doc['pages']}|{doc['pages']}")
        texts = [self.webs[k].client().get(f"/api/v1/documents/{i}/text").body for k, i in ((0, twin["id"]), (1, doc_id))]
        self.assertEqual(texts[0], texts[1])
        self.wait_for(lambda: self.sql(f"SELECT count(*) FROM jobs WHERE document_id IN ({doc_id}, {twin['id']}) "
                                       "AND state <> 'done'") == "0", "every job of both twins done", timeout=180)
        states = self.sql(f"SELECT kind || ':' || state FROM jobs WHERE document_id = {doc_id} ORDER BY id").split()
        self.assertEqual(states, ["extract:done", "preview:done", "render_rest:done"])
        # Rendered pages grow while the remaining pages render: compare once both are finished.
        finished = [self.webs[0].client().get(f"/api/v1/documents/{i}").json() for i in (twin["id"], doc_id)]
        self.assertEqual([(d["pages"], d["preview_pages"]) for d in finished], [(twin["pages"], finished[0]["preview_pages"])] * 2)
        pages = [self.sql(f"SELECT string_agg(number || ':' || length(text) || ':' || (image_key <> ''), ',' "
                          f"ORDER BY number) FROM pages WHERE document_id = {i}") for i in (twin["id"], doc_id)]
        self.assertEqual(pages[0], pages[1])
        victim.start()

    def phase_web_killed_during_uploads(self):
        victim = self.webs[1]
        c = victim.client()
        acked, errors = [], []
        stop = threading.Event()

        def keep_uploading():
            n = 0
            while not stop.is_set():
                word = token(7000 + n)
                try:
                    r = c.upload(f"断电{n}.txt", f"断电测试{n} {word} 上传途中停机。\n".encode() * 20)
                    if 200 <= r.status < 300:
                        acked.append((r.json()["id"], word))
                except OSError as e:
                    errors.append(e)
                n += 1

        t = threading.Thread(target=keep_uploading)
        t.start()
        while len(acked) < 10:
            time.sleep(0.01)
        victim.kill()
        time.sleep(0.5)
        stop.set()
        t.join(60)
        self.assertTrue(errors, "uploads went on after the web process was killed?")
        victim.start()
        for node in self.webs:
            cl = node.client()
            docs = self.wait_all_done(cl, [i for i, _ in acked], timeout=120)
            for doc_id, word in acked:
                self.assertEqual(docs[doc_id]["status"], "ready", docs[doc_id])
                self.assertIn(doc_id, self.search_ids(cl, word))
        self.figures["acknowledged_before_web_sigkill"] = len(acked)

    def assert_unavailable(self, node, path, backend):
        r = node.client().get(path)
        self.assertEqual(r.status, 503, (backend, path, r.status, r.text[:300]))
        self.assertTrue(r.headers.get("Retry-After"), (backend, path))
        if path.startswith("/api/"):
            self.assertEqual(r.json()["error"]["code"], "unavailable", r.text)
        else:
            text = r.text
            self.assertIn("text/html", r.headers.get("Content-Type"))
            self.assertRegex(text, r"暂时不可用", (backend, path))
            self.assertLess(text.find("暂时不可用"), max(text.find("unavailable"), text.find("Unavailable")))

    def phase_backends_down_while_running(self):
        web = self.webs[0]
        c = self.admin(web)
        some = sorted(i for i, d in self.docs.items() if d["status"] == "ready")[0]

        # The shards down (a document's index writes go to its own shard only: both, so the
        # upload below surely meets a dead one): search answers 503; an upload meanwhile is
        # kept and indexed later.
        for shard in self.shards:
            shard.stop()
        for node in self.webs:
            self.assert_unavailable(node, "/api/v1/search?q=" + urllib.parse.quote("通知"), "shard")
            self.assert_unavailable(node, "/s?q=" + urllib.parse.quote("通知"), "shard")
        word = token(9001)
        r = c.upload("分片停机.txt", f"分片停机期间上传 {word}\n".encode() * 5)
        self.assertIn(r.status, (201, 202), r.text[:300])
        during_shard = r.json()["id"]
        # Down longer than the retries' back-off (5 + 10 s for job_max_attempts=3): the job
        # waits for the shard instead of failing the document for good.
        time.sleep(OUTAGE)
        self.assertEqual(self.sql(f"SELECT status FROM documents WHERE id = {during_shard}"), "processing")
        for shard in self.shards:
            shard.start()
        self.wait_for(lambda: web.client().get("/api/v1/search?q=x").status == 200, "search after the shard came back")
        doc = self.wait_all_done(c, [during_shard], timeout=120)[during_shard]
        self.assertEqual(doc["status"], "ready", doc)
        self.wait_for(lambda: during_shard in self.search_ids(web.client(), word), "the upload made while a shard was down")

        # s3rver down: uploads and downloads answer 503; back, they work again.
        self.s3.stop()
        self.assert_unavailable(web, f"/api/v1/documents/{some}/download", "s3")
        r = c.upload("存储停机.txt", f"对象存储停机 {token(9002)}\n".encode())
        self.assertEqual(r.status, 503, r.text[:300])
        self.assertTrue(r.headers.get("Retry-After"))
        time.sleep(3)
        self.s3.start()
        self.wait_for(lambda: web.client().get(f"/api/v1/documents/{some}/download").status == 200, "downloads after s3rver came back")
        word = token(9003)
        r = c.upload("存储恢复.txt", f"对象存储恢复 {word}\n".encode())
        self.assertIn(r.status, (201, 202), r.text[:300])
        self.assertEqual(self.wait_all_done(c, [r.json()["id"]])[r.json()["id"]]["status"], "ready")

        # PostgreSQL down: pages and the API answer 503; back, service resumes.
        self.pg._run("pg_ctl", "-D", self.pg.data, "-m", "immediate", "-w", "stop")
        for node in self.webs:
            self.assert_unavailable(node, f"/api/v1/documents/{some}", "postgresql")
            self.assert_unavailable(node, f"/d/{some}", "postgresql")
        time.sleep(3)
        self.pg._run("pg_ctl", "-D", self.pg.data, "-l", os.path.join(self.pg.dir, "server.log"), "-w", "-t", "60", "-o",
                     f"-p {self.pg.port} -k '{self.pg.dir}' -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        for node in self.webs:
            self.wait_for(lambda: node.client().get(f"/d/{some}").status == 200, "pages after PostgreSQL came back")
        word = token(9004)
        r = c.upload("数据库恢复.txt", f"数据库恢复 {word}\n".encode())
        self.assertIn(r.status, (201, 202), r.text[:300])
        doc_id = r.json()["id"]
        self.assertEqual(self.wait_all_done(c, [doc_id])[doc_id]["status"], "ready")
        self.wait_for(lambda: doc_id in self.search_ids(web.client(), word), "searchable after PostgreSQL came back")

    def wait_for(self, cond, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if cond():
                    return
            except (OSError, AssertionError, ValueError):
                pass
            time.sleep(0.2)
        self.fail(what + f": not within {timeout} s")

    def phase_restart_and_check(self):
        for n in self.webs + self.workers:
            n.stop()
        for n in self.webs + self.workers:
            n.start()
        stuck = self.sql("SELECT count(*) FROM documents WHERE status = 'processing'")
        self.assertEqual(stuck, "0")
        check = w.run("check", *sum((["--set", s] for s in self.settings), []), data=os.path.join(self.tmp, "cli"),
                      timeout=300)
        self.assertEqual(check.returncode, 0, check.stdout.decode()[-2000:] + check.stderr.decode()[-2000:])


def normalise_page(resp):
    """The reader page without what differs per request (CSRF token, view counter)."""
    assert resp.status == 200, resp.status
    text = resp.text
    text = re.sub(r'<meta name="csrf-token" content="[0-9a-f]+">', "", text)
    text = re.sub(r'name="csrf" value="[0-9a-f]+"', "", text)
    text = re.sub(r"\d+\s*次(浏览|阅读|下载)", "", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "HOST", text)  # absolute links name the process's own address
    return text


if __name__ == "__main__":
    unittest.main()
