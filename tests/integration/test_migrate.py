"""`wenku migrate` (issue 12): the demo library plus 100 documents (made here with
tests/support/fixtures.py; some shared-corpus files when the corpus is there) moved from the
embedded default into PostgreSQL + s3rver + two xapian-tcpsrv shards, all started by the
test. The first run is killed midway and run again: every document row, page image,
original, account and report is in the target byte for byte, search gives the same top
hits, `wenku check` is clean, nothing is duplicated, and a target that already holds a
library is refused. Then configuration errors: `serve` and `migrate` with an unreachable
database, wrong credentials, a missing bucket or a shard down stop with an error naming the
setting and a non-zero exit, without crashing."""
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import fixtures  # noqa: E402
import pg_testlib  # noqa: E402
import wenku_testlib as w  # noqa: E402
from test_xapian_library import Shard  # noqa: E402

LAUNCHER = os.path.join(HERE, "..", "s3", "s3rver_launcher.js")
BUCKET = "wenku-migrate"
CREDS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}
TOPICS = [("择校", "规范招生入学秩序，坚决治理择校热，公开招生范围和录取结果。"),
          ("大班额", "化解大班额问题，科学规划学校布局，防止大班额反弹。"),
          ("预算", "年度预算执行情况，财政教育支出只增不减，经费逐步增长。"),
          ("安全", "校园安全检查，落实安全责任制度，消除安全隐患。"),
          ("阅读", "开展全民阅读活动，建设书香校园，推荐优秀读物。"),
          ("教师", "加强教师队伍建设，招聘新教师，组织全员培训。"),
          ("食堂", "学校食堂管理办法，食品安全，营养配餐和陪餐制度。"),
          ("体育", "学生体质健康监测，阳光体育运动，每天锻炼一小时。"),
          ("信息化", "教育信息化建设，智慧校园，网络学习空间人人通。"),
          ("资助", "家庭经济困难学生资助，助学金发放，精准资助。")]
QUERIES = ["择校", "大班额", "预算", "校园安全", "全民阅读", "教师培训", "食堂", "体育锻炼", "智慧校园", "助学金",
           "薄弱学校", "人民满意教育"]
TABLES = {  # columns compared between the embedded store and PostgreSQL, byte for byte
    "users": "id, name, password_hash, role, created_at",
    "documents": "id, title, original_name, uploader_id, format, size, sha256, blob_key, pdf_key, pages, "
                 "preview_pages_done, status, error, keywords, description, category_id, views, downloads, created_at",
    "pages": "document_id, number, text, image_key, thumb_key, width, height",
    "reports": "id, document_id, reporter_id, reason, detail, state, action, resolved_by, created_at",
    "categories": "id, parent_id, name, path",
    "query_log": "id, query, results, clicked_document_id, created_at",
    "site_settings": "key, value",
}
ORDER = {"pages": "document_id, number", "site_settings": "key"}


def digest_rows(rows):
    return hashlib.sha256(json.dumps([[str(v) for v in r] for r in rows], ensure_ascii=False).encode()).hexdigest()


def make_documents(out, n=100):
    """n files: shared-corpus PDFs, DOCX and HTML when present (at most 30), the rest made
    here: DOCX from fixtures.py's speech (its pages in another order, with a topic), and text files."""
    os.makedirs(out)
    files = []
    corpus = w.corpus_dir()
    if corpus:
        for kind in ("pdf", "docx", "html"):
            folder = os.path.join(corpus, "docs", kind)
            names = sorted(f for f in os.listdir(folder) if os.path.getsize(os.path.join(folder, f)) < 2_000_000)
            for name in names[:10]:
                dst = os.path.join(out, f"corpus-{kind}-{name}")
                with open(os.path.join(folder, name), "rb") as f, open(dst, "wb") as g:
                    g.write(f.read())
                files.append(dst)
    i = 0
    while len(files) < n:
        word, sentence = TOPICS[i % len(TOPICS)]
        if i % 10 == 0:
            pages = [list(p) for p in fixtures.PAGES[i // 10 % 4:] + fixtures.PAGES[:i // 10 % 4]]
            pages[0].append(f"第{i}号：{sentence}")
            path = os.path.join(out, f"讲话{i:03d}.docx")
            with open(path, "wb") as f:
                f.write(fixtures.docx(pages))
        else:
            path = os.path.join(out, f"{word}{i:03d}.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"关于{word}工作的第{i}号通知\n\n" + (sentence * (1 + i % 5)) + "\n"
                        + TOPICS[(i * 7 + 3) % len(TOPICS)][1] + "\n")
        files.append(path)
        i += 1
    return files


class Cluster:
    """PostgreSQL, s3rver and two Xapian shards on loopback, in `root`."""

    def __init__(self, root):
        self.pg = pg_testlib.PgServer().__enter__()
        self.s3dir = os.path.join(root, "s3")
        os.makedirs(self.s3dir)
        self.s3 = subprocess.Popen(["node", "--openssl-legacy-provider", LAUNCHER, self.s3dir, BUCKET],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        m = re.match(r"PORT (\d+)", self.s3.stdout.readline().decode())
        if not m:
            raise AssertionError("s3rver did not start: " + self.s3.stderr.read().decode()[-500:])
        self.s3port = int(m.group(1))
        self.shards = [Shard(os.path.join(root, f"shard{i}")) for i in range(2)]

    def stop(self):
        for s in self.shards:
            s.stop()
        self.s3.stdin.close()
        try:
            self.s3.wait(10)
        except subprocess.TimeoutExpired:
            self.s3.kill()
        self.pg.__exit__(None, None, None)

    def blob_url(self, prefix, bucket=BUCKET):
        return f"s3://{bucket}/{prefix}?endpoint=http://127.0.0.1:{self.s3port}&region=us-east-1"

    def search_url(self):
        return "xapian+tcp://" + ",".join(f"127.0.0.1:{s.port}" for s in self.shards)


def settings_args(flag, settings):
    out = []
    for k, v in settings.items():
        out += [flag, f"{k}={v}"]
    return out


class MigrateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(os.path.join(HERE, "..", "s3", "node_modules", "s3rver")):
            raise AssertionError("s3rver is not installed (tests/s3/node_modules): run scripts/setup.sh")
        if subprocess.run(["sh", "-c", "command -v xapian-tcpsrv"], capture_output=True).returncode != 0:
            raise AssertionError("xapian-tcpsrv is not installed (Debian xapian-tools): run scripts/setup.sh")
        os.environ.update(CREDS)
        cls.tmp = w.TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.cluster = Cluster(cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()
        cls.tmp.__exit__(None, None, None)

    def build_source(self, data):
        """The demo library, 100 documents, two accounts, reports and logged searches."""
        server = w.Server(data, ["--demo"]).start()
        try:
            for doc_id in range(1, 6):
                deadline = time.time() + 300
                while server.get(f"/api/v1/documents/{doc_id}")[0] != 200 and time.time() < deadline:
                    time.sleep(0.2)
                server.wait_done(doc_id, timeout=300)
        finally:
            server.stop()
        files = make_documents(os.path.join(self.dir, "inputs"))
        imported = w.run("import", "--json", "--category", "教育/通知", *files, data=data, timeout=1200)
        self.assertEqual(imported.returncode, 0, imported.stderr.decode()[-2000:])
        lines = [json.loads(line) for line in imported.stdout.decode().splitlines()]
        self.assertEqual(len(lines), 100)
        for name, role in (("校长", "--admin"), ("Fanfan", None)):
            args = ["user", "add", *([role] if role else []), name]
            made = w.run(*args, data=data, input=("密码" + name + "123456\n").encode())
            self.assertEqual(made.returncode, 0, made.stderr.decode())
        server = w.Server(data).start()
        try:
            for q in QUERIES:
                self.assertEqual(server.get("/api/v1/search?q=" + urllib.parse.quote(q))[0], 200)
        finally:
            server.stop()
        with sqlite3.connect(os.path.join(data, "wenku.db")) as db:
            now = int(time.time())
            db.execute("INSERT INTO reports (document_id, reporter_id, reason, detail, created_at) "
                       "VALUES (1, 2, 'copyright', '转载未注明出处', ?)", (now,))
            db.execute("INSERT INTO reports (document_id, reason, state, action, resolved_by, created_at, resolved_at) "
                       "VALUES (3, 'spam', 'resolved', 'dismiss', 1, ?, ?)", (now, now))
            # The snapshots download every document from one address: no daily limit (a
            # site setting, migrated with the rest).
            db.execute("INSERT INTO site_settings (key, value) VALUES ('download_daily_ip', '0')")

    def source_tables(self, data):
        out = {}
        with sqlite3.connect(os.path.join(data, "wenku.db")) as db:
            for table, cols in TABLES.items():
                out[table] = db.execute(f"SELECT {cols} FROM {table} ORDER BY {ORDER.get(table, 'id')}").fetchall()
        return out

    def target_tables(self, db):
        out = {}
        for table, cols in TABLES.items():
            # One JSON array per row: text with newlines survives psql's output.
            text = self.cluster.pg.sql(db, f"SELECT json_build_array({cols})::text FROM {table} "
                                           f"ORDER BY {ORDER.get(table, 'id')}")
            out[table] = [tuple(json.loads(line)) for line in text.splitlines() if line]
        # The target's own mark of the migration, not a row of the source.
        self.assertIn(("migration_state", "done"), out["site_settings"])
        out["site_settings"].remove(("migration_state", "done"))
        return out

    def snapshot(self, server, ids):
        """Per document: its JSON, original and every rendered page image, as hashes; top-5 per query."""
        docs, top = {}, {}
        for doc_id in ids:
            status, doc = server.get_json(f"/api/v1/documents/{doc_id}")
            self.assertEqual(status, 200, doc_id)
            # Reading a document counts a view and a download: the counters are compared as rows.
            doc = {k: v for k, v in doc.items() if k not in ("views", "downloads")}
            status, body, _ = server.get(f"/api/v1/documents/{doc_id}/download")
            files = {"download": (status, hashlib.sha256(body).hexdigest() if status == 200 else body.decode()[:200])}
            for n in range(1, min(doc.get("pages") or 0, 3) + 1):  # the rest: verified by hash in migrate
                for size in ("", "?size=thumb"):
                    status, body, _ = server.get(f"/api/v1/documents/{doc_id}/pages/{n}{size}")
                    files[f"{n}{size}"] = (status, hashlib.sha256(body).hexdigest() if status == 200 else "")
            docs[doc_id] = (doc, files)
        for q in QUERIES:
            status, found = server.get_json("/api/v1/search?q=" + urllib.parse.quote(q) + "&per_page=5")
            self.assertEqual(status, 200)
            top[q] = [h["id"] for h in found["hits"]][:5]
        return docs, top

    def test_embedded_library_moves_into_the_cluster(self):
        data = os.path.join(self.dir, "embedded")
        self.build_source(data)
        db = "migrated"
        target = {"metadata_url": self.cluster.pg.create_database(db), "blob_url": self.cluster.blob_url("site"),
                  "search_url": self.cluster.search_url(), "data": os.path.join(self.dir, "target-scratch")}
        ids = [r[0] for r in self.source_tables(data)["documents"]]
        server = w.Server(data).start()
        try:
            # `import` returns once a document is searchable; its page images may still be
            # coming: the library is taken as it stands when no job is left.
            deadline = time.time() + 600
            while time.time() < deadline:
                with sqlite3.connect(os.path.join(data, "wenku.db")) as conn:
                    left = conn.execute("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')").fetchone()[0]
                if left == 0:
                    break
                time.sleep(0.5)
            self.assertEqual(left, 0, "jobs still queued or running")
            before = self.snapshot(server, ids)
        finally:
            server.stop()
        source_rows = self.source_tables(data)

        # The first run is killed while it copies the files; the second finishes the job.
        cmd = [w.WENKU, "migrate", "--data", data, *settings_args("--to-set", target)]
        started = time.time()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        bucket = os.path.join(self.cluster.s3dir, BUCKET)
        while proc.poll() is None and sum(len(f) for _, _, f in os.walk(bucket)) < 40:
            time.sleep(0.02)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        again = subprocess.run(cmd, capture_output=True, timeout=1200)
        seconds = time.time() - started
        out = again.stdout.decode()
        self.assertEqual(again.returncode, 0, out + again.stderr.decode()[-3000:])
        if killed:
            self.assertIn("resumed=yes", out)
        m = re.search(r"documents=(\d+) rows=(\d+) inserted=(\d+) blobs=(\d+) bytes=(\d+).*seconds=([\d.]+)", out)
        self.assertTrue(m, out)
        stages = " ".join(f"{stage}={secs}s" for stage, secs in
                          re.findall(r"migrate: (\w+) \d+/\d+ seconds=([\d.]+)", again.stderr.decode()))
        print(f"figure: migrate stages of the resumed run: {stages}", flush=True)
        print(f"figure: migrate of {m.group(1)} documents, {m.group(2)} rows, {m.group(4)} blobs "
              f"({int(m.group(5)) / 1e6:.1f} MB) into PostgreSQL + s3rver + 2 Xapian shards: "
              f"{m.group(6)} s (resumed run), {seconds:.1f} s in all (killed first run: {killed})", flush=True)

        # Rows byte for byte, no duplicates.
        self.assertEqual(self.target_tables(db), source_rows)
        # Once finished, a second migration into it is refused; --force copies nothing twice.
        refused = subprocess.run(cmd, capture_output=True, timeout=600)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("finished migration", refused.stderr.decode())
        forced = subprocess.run(cmd + ["--force"], capture_output=True, timeout=1200)
        self.assertEqual(forced.returncode, 0, forced.stderr.decode()[-2000:])
        self.assertIn(" inserted=0 ", forced.stdout.decode())
        self.assertEqual(self.target_tables(db), source_rows)

        site = settings_args("--set", {k: v for k, v in target.items() if k != "data"})
        check = w.run("check", *site, data=target["data"], timeout=1200)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())
        self.assertIn("problems=0", check.stdout.decode())
        self.assertEqual(sum(s.doc_count() for s in self.cluster.shards), source_rows_ready(source_rows))

        server = w.Server(target["data"], site).start()
        try:
            after = self.snapshot(server, ids)
        finally:
            server.stop()
        for doc_id in ids:
            (doc_a, files_a), (doc_b, files_b) = before[0][doc_id], after[0][doc_id]
            self.assertEqual(doc_b, doc_a, doc_id)
            self.assertEqual(files_b, files_a, f"document {doc_id}: original and page images")
        differ = {q: (before[1][q], after[1][q]) for q in QUERIES if before[1][q] != after[1][q]}
        # FTS5 and Xapian rank with different formulas: the same documents must come first;
        # where two score alike their order may differ, so the top-5 sets are compared.
        for q, (a, b) in differ.items():
            print(f"figure: top-5 order differs for {q}: FTS5 {a}, Xapian {b}", flush=True)
            self.assertEqual(set(a), set(b), q)

    def test_non_empty_target_is_refused(self):
        data = os.path.join(self.dir, "small")
        made = w.run("user", "add", "一号", data=data, input="密码一号123456\n".encode())
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        url = self.cluster.pg.create_database("occupied")
        other = os.path.join(self.dir, "occupied-scratch")
        made = w.run("user", "add", "二号", "--set", "metadata_url=" + url, data=other, input="密码二号123456\n".encode())
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        proc = w.run("migrate", "--to-set", "metadata_url=" + url, "--to-set", "data=" + other, data=data)
        self.assertEqual(proc.returncode, 1, proc.stderr.decode())
        self.assertIn("already holds a library", proc.stderr.decode())


def source_rows_ready(rows):
    # documents: status is column 11 of TABLES["documents"]
    return sum(1 for r in rows["documents"] if r[11] == "ready")


class ConfigurationErrorTest(unittest.TestCase):
    """A backend that does not answer at start: an error naming its setting, exit 1."""

    @classmethod
    def setUpClass(cls):
        os.environ.update(CREDS)
        cls.tmp = w.TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.cluster = Cluster(cls.dir)
        pg = cls.cluster.pg
        pg.sql("postgres", "CREATE ROLE alice LOGIN PASSWORD 'right'")
        # Passwords for everyone but the test's own superuser.
        with open(os.path.join(pg.data, "pg_hba.conf"), "w") as f:
            f.write("local all all trust\nhost all wenku 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        pg._run("pg_ctl", "-D", pg.data, "reload")
        cls.good = {"metadata_url": pg.create_database("good"), "blob_url": cls.cluster.blob_url("ok"),
                    "search_url": cls.cluster.search_url()}

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()
        cls.tmp.__exit__(None, None, None)

    def cases(self):
        pg = self.cluster.pg
        down = w.free_port()
        return {
            "unreachable database": ("metadata_url", f"postgresql://wenku@127.0.0.1:{down}/wenku"),
            "wrong credentials": ("metadata_url", f"postgresql://alice:wrong@127.0.0.1:{pg.port}/good"),
            "missing bucket": ("blob_url", self.cluster.blob_url("x", bucket="no-such-bucket")),
            "a shard down": ("search_url", f"xapian+tcp://127.0.0.1:{self.cluster.shards[0].port},127.0.0.1:{down}"),
        }

    def assert_refused(self, proc, setting, what):
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 1, f"{what}: {err}")
        self.assertIn(setting, err, what)
        self.assertNotIn("internal error", err, what)

    def test_serve_stops_naming_the_setting(self):
        for what, (setting, value) in self.cases().items():
            with self.subTest(what):
                settings = dict(self.good, **{setting: value})
                data = os.path.join(self.dir, "serve-" + setting)
                proc = w.run("serve", "--listen", f"127.0.0.1:{w.free_port()}", *settings_args("--set", settings),
                             data=data, timeout=120)
                self.assert_refused(proc, setting, what)

    def test_migrate_stops_naming_the_setting(self):
        source = os.path.join(self.dir, "source")
        made = w.run("user", "add", "一号", data=source, input="密码一号123456\n".encode())
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        for what, (setting, value) in self.cases().items():
            with self.subTest(what):
                settings = dict(self.good, **{setting: value}, data=os.path.join(self.dir, "migrate-" + setting))
                proc = w.run("migrate", *settings_args("--to-set", settings), data=source, timeout=120)
                self.assert_refused(proc, setting, what)
        # The source's own settings are named too.
        proc = w.run("migrate", "--set", "metadata_url=" + self.cases()["wrong credentials"][1],
                     *settings_args("--to-set", self.good), data=source, timeout=120)
        self.assert_refused(proc, "metadata_url", "source with wrong credentials")


if __name__ == "__main__":
    unittest.main()
