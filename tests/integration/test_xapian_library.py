"""A library whose search index is two Xapian shards (`search_url=xapian+tcp://...`, issue
12), each a stock `xapian-tcpsrv --writable` started here on a free loopback port: uploads
become ready and are found by search with their matching pages and a highlighted snippet,
documents land on both shards, they are still found after a restart, and a shard that is
down at start is refused naming the setting. A read replica of the shards made with stock
`xapian-replicate` and served by a read-only `xapian-tcpsrv` answers the same searches."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wenku_testlib as w  # noqa: E402


class Shard:
    """xapian-tcpsrv in its own session (on SIGTERM it signals its whole process group)."""

    def __init__(self, path, writable=True):
        self.path = path
        self.port = w.free_port()
        self.log = open(path + ".log", "ab")
        self.proc = subprocess.Popen(["xapian-tcpsrv", *(["--writable"] if writable else []), "--quiet",
                                      "--interface", "127.0.0.1", "--port", str(self.port), path],
                                     stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with __import__("socket").create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("xapian-tcpsrv exited")
                time.sleep(0.05)
        raise AssertionError("xapian-tcpsrv did not start")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def doc_count(self):
        out = subprocess.run(["xapian-delve", self.path], capture_output=True, timeout=60).stdout.decode()
        for line in out.splitlines():
            if line.startswith("number of documents"):
                return int(line.split("=")[1])
        raise AssertionError("xapian-delve: " + out)


class XapianLibraryTest(unittest.TestCase):
    def setUp(self):
        if subprocess.run(["sh", "-c", "command -v xapian-tcpsrv"], capture_output=True).returncode != 0:
            raise AssertionError("xapian-tcpsrv is not installed (Debian xapian-tools): run scripts/setup.sh")
        self.tmp = w.TempDir()
        self.dir = self.tmp.__enter__()
        self.shards = [Shard(os.path.join(self.dir, f"shard{i}")) for i in range(2)]

    def tearDown(self):
        for s in self.shards:
            s.stop()
        self.tmp.__exit__(None, None, None)

    def search_url(self):
        return "search_url=xapian+tcp://" + ",".join(f"127.0.0.1:{s.port}" for s in self.shards)

    def test_documents_are_found_across_shards(self):
        data = os.path.join(self.dir, "data")
        texts = {
            "安全.docx": ["关于开展校园安全检查工作的通知", "各学校要认真落实安全责任制度。"],
            "择校.docx": ["教育改革工作总结", "解决择校热和大班额问题，办人民满意的教育。"],
            "预算.docx": ["会议纪要", "本次会议讨论了年度预算和人事安排。"],
        }
        server = w.Server(data, ["--set", self.search_url()]).start()
        ids = {}
        try:
            for name, paragraphs in texts.items():
                path = os.path.join(self.dir, name)
                w.make_docx(path, paragraphs)
                with open(path, "rb") as f:
                    status, body = server.upload(name, f.read())
                self.assertIn(status, (201, 202), body)
                doc = server.wait_done(body["id"])
                self.assertEqual(doc["status"], "ready", doc)
                ids[name] = doc["id"]
            for query, name in (("安全责任", "安全.docx"), ("择校", "择校.docx"), ("年度预算", "预算.docx")):
                status, found = server.get_json("/api/v1/search?q=" + urllib.parse.quote(query))
                self.assertEqual(status, 200, found)
                self.assertTrue(found["hits"], (query, found))
                hit = found["hits"][0]
                self.assertEqual(hit["id"], ids[name], (query, found))
                self.assertEqual(hit["pages"], [1], hit)
                self.assertIn("<em>", hit["snippet"], hit)
            status, none = server.get_json("/api/v1/search?q=" + urllib.parse.quote("量子引力"))
            self.assertEqual((status, none["hits"]), (200, []))
        finally:
            server.stop()
        # Documents went to the shard their id picks: both hold some, none lives in the
        # data directory's own index.
        counts = [s.doc_count() for s in self.shards]
        self.assertEqual(sum(counts), 3, counts)
        self.assertTrue(all(c > 0 for c in counts), counts)
        self.assertFalse(os.path.exists(os.path.join(data, "index", "search.db")))
        server = w.Server(data, ["--set", self.search_url()]).start()
        try:
            status, found = server.get_json("/api/v1/search?q=" + urllib.parse.quote("择校"))
            self.assertEqual([h["id"] for h in found["hits"]], [ids["择校.docx"]])
        finally:
            server.stop()
        check = w.run("check", "--set", self.search_url(), data=data)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())

    def test_a_shard_down_at_start_is_refused_naming_the_setting(self):
        url = self.search_url()
        self.shards[1].stop()
        proc = w.run("check", "--set", url, data=os.path.join(self.dir, "data-down"), timeout=120)
        self.assertNotEqual(proc.returncode, 0)
        err = proc.stderr.decode()
        self.assertIn("search_url", err)
        self.assertIn(str(self.shards[1].port), err)

    def test_a_replica_made_by_xapian_replicate_serves_queries(self):
        data = os.path.join(self.dir, "data")
        texts = {
            "安全.docx": ["关于开展校园安全检查工作的通知", "各学校要认真落实安全责任制度。"],
            "预算.docx": ["会议纪要", "本次会议讨论了年度预算和人事安排。"],
            "择校.docx": ["教育改革工作总结", "解决择校热和大班额问题，办人民满意的教育。"],
        }
        server = w.Server(data, ["--set", self.search_url()]).start()
        try:
            for name, paragraphs in texts.items():
                path = os.path.join(self.dir, name)
                w.make_docx(path, paragraphs)
                with open(path, "rb") as f:
                    status, body = server.upload(name, f.read())
                self.assertIn(status, (201, 202), body)
                self.assertEqual(server.wait_done(body["id"])["status"], "ready")
        finally:
            server.stop()

        def search(url, query):
            proc = w.run("search", "--json", "--set", url, query, data=data, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr.decode())
            return [h["id"] for h in json.loads(proc.stdout)["hits"]]

        queries = ("安全责任", "年度预算", "择校", "教育")
        on_master = {q: search(self.search_url(), q) for q in queries}
        self.assertTrue(all(on_master.values()), on_master)
        # The shards' parent directory served to replication clients; each shard copied once.
        port = w.free_port()
        log = open(os.path.join(self.dir, "replicate-server.log"), "ab")
        master = subprocess.Popen(["xapian-replicate-server", "--interface", "127.0.0.1", "--port", str(port),
                                   self.dir], stdout=log, stderr=log, start_new_session=True)
        replicas = []
        try:
            time.sleep(0.5)
            for i in range(len(self.shards)):
                target = os.path.join(self.dir, f"replica{i}")
                copy = subprocess.run(["xapian-replicate", "--host", "127.0.0.1", "--port", str(port),
                                       "--master", f"shard{i}", "--one-shot", "--quiet", target],
                                      capture_output=True, timeout=120)
                self.assertEqual(copy.returncode, 0, copy.stderr.decode())
                replicas.append(Shard(target, writable=False))
            replica_url = "search_url=xapian+tcp://" + ",".join(f"127.0.0.1:{r.port}" for r in replicas)
            self.assertEqual(sum(r.doc_count() for r in replicas), 3)
            for q in queries:
                self.assertEqual(search(replica_url, q), on_master[q], q)
        finally:
            for r in replicas:
                r.stop()
            os.killpg(master.pid, signal.SIGTERM)
            master.wait(10)
            log.close()


if __name__ == "__main__":
    unittest.main()
