"""`wenku serve --role web|worker` (issue 12, roles): a web process and a worker process share
one data directory. The web process queues uploads and never processes them itself; a worker
started later takes them (polling: no signal crosses processes), and more uploads through the
web process become ready and searchable while the worker runs. /healthz names each backend.
A worker process answers /healthz and /metrics on its
own port and nothing else (DESIGN.md §6). SIGTERM stops the worker cleanly; an unknown role is refused naming the setting."""
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402


def docx_bytes(dirname, name, paragraphs):
    path = os.path.join(dirname, name)
    w.make_docx(path, paragraphs)
    with open(path, "rb") as f:
        return f.read()


class RolesTest(unittest.TestCase):
    def test_web_and_worker_processes_share_a_library(self):
        with w.TempDir() as tmp:
            data = os.path.join(tmp, "data")
            web = w.Server(data, ["--role", "web"]).start()
            worker = None
            try:
                status, body, _ = web.get("/healthz")
                self.assertEqual(status, 200)
                self.assertEqual(body.decode().splitlines(), ["ok", "store: ok", "blobs: ok", "index: ok"])

                first = docx_bytes(tmp, "一.docx", ["关于开展读书月活动的通知", "全校师生参加读书月活动。"])
                status, up = web.upload("一.docx", first)
                self.assertIn(status, (201, 202), up)
                # No worker yet: the web process queues and does not convert.
                time.sleep(2.5)
                status, doc = web.get_json(f"/api/v1/documents/{up['id']}")
                self.assertEqual(status, 200)
                self.assertEqual(doc["status"], "processing", doc)

                # A worker answers /healthz and /metrics on its own port, and nothing else.
                worker_port = w.free_port()
                log = open(os.path.join(tmp, "worker.log"), "ab")
                worker = subprocess.Popen([w.WENKU, "serve", "--role", "worker", "--data", data,
                                           "--listen", f"127.0.0.1:{worker_port}"], stdout=log, stderr=log)
                worker_url = f"http://127.0.0.1:{worker_port}"
                deadline = time.time() + 30
                while True:
                    try:
                        with urllib.request.urlopen(worker_url + "/healthz", timeout=5) as r:
                            self.assertEqual(r.status, 200)
                            break
                    except OSError:
                        if time.time() > deadline:
                            raise
                        time.sleep(0.1)
                with urllib.request.urlopen(worker_url + "/metrics", timeout=10) as r:
                    self.assertIn(b"wenku_jobs_queued", r.read())
                for path in ("/", f"/d/{up['id']}", "/api/v1/search?q=x"):
                    with self.assertRaises(urllib.error.HTTPError) as refused:
                        urllib.request.urlopen(worker_url + path, timeout=10)
                    self.assertEqual(refused.exception.code, 404, path)
                doc = web.wait_done(up["id"], timeout=120)
                self.assertEqual(doc["status"], "ready", doc)

                # While the worker runs, uploads through the web process are taken within seconds.
                ids = []
                for i, word in enumerate(["天文观测", "植物标本"]):
                    data_i = docx_bytes(tmp, f"{i}.docx", [f"{word}兴趣小组活动安排", f"本周开展{word}实践。"])
                    status, up_i = web.upload(f"{word}.docx", data_i)
                    self.assertIn(status, (201, 202), up_i)
                    ids.append((up_i["id"], word))
                for doc_id, word in ids:
                    self.assertEqual(web.wait_done(doc_id, timeout=60)["status"], "ready")
                    status, found = web.get_json("/api/v1/search?q=" + urllib.parse.quote(word))
                    self.assertEqual(status, 200)
                    self.assertIn(doc_id, [h["id"] for h in found["hits"]], word)

                worker.send_signal(signal.SIGTERM)
                self.assertEqual(worker.wait(60), 0)
                worker = None
            finally:
                if worker is not None:
                    worker.kill()
                    worker.wait()
                web.stop()

    def test_unknown_role_is_refused_naming_the_setting(self):
        with w.TempDir() as tmp:
            proc = subprocess.run([w.WENKU, "serve", "--role", "both", "--data", os.path.join(tmp, "d")],
                                  capture_output=True, timeout=60)
            self.assertEqual(proc.returncode, 2)
            self.assertIn("role", proc.stderr.decode())


if __name__ == "__main__":
    unittest.main()
