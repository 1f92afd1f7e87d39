"""Crash consistency of the server (issue 6): SIGKILL `wenku serve` at random moments while
clients upload over HTTP and the workers process; every upload acknowledged with 202 must
survive the restart with the bytes that were sent, finish ready or failed, and leave
`wenku check` clean."""
import hashlib
import os
import threading
import time

import harness


class Uploader(threading.Thread):
    def __init__(self, suite, server, n, seed):
        super().__init__(daemon=True)
        self.suite, self.server, self.n = suite, server, n
        self.rng = __import__("random").Random(seed)
        self.acked = {}        # id -> sha256 of what was sent
        self.errors = []       # unexpected answers while the server was alive
        self.sent = 0

    def content(self, k):
        kind = k % 10
        if kind == 3:
            p = self.suite.path("up", "%d-%d.docx" % (self.n, k))
            harness.make_docx(p, [harness.chinese_text(self.rng, 80, "上传 %d %d" % (self.n, k))] * 3)
            return os.path.basename(p), open(p, "rb").read()
        if kind == 7:
            p = self.suite.path("up", "%d-%d.pdf" % (self.n, k))
            harness.make_pdf(p, ["upload %d %d %f" % (self.n, k, self.rng.random())])
            return os.path.basename(p), open(p, "rb").read()
        text = harness.chinese_text(self.rng, self.rng.randint(50, 3000), "上传 %d %d" % (self.n, k))
        return "上传%d-%d.txt" % (self.n, k), text.encode("utf-8")

    def run(self):
        k = 0
        while True:
            name, data = self.content(k)
            k += 1
            try:
                status, body = self.server.upload(name, data, timeout=30)
            except OSError:
                return  # the server is gone
            self.sent += 1
            if status == 202 and body and "id" in body:
                if body["status"] == "processing":
                    self.acked[body["id"]] = hashlib.sha256(data).hexdigest()
            elif self.server.alive():
                # A killed server closes its sockets while it exits, a moment before
                # poll() sees it gone: an answer cut by the kill is not an error.
                time.sleep(0.3)
                if self.server.alive():
                    self.errors.append((status, body))


def body(suite):
    iterations = suite.args.iterations or (2 if suite.args.tier == "fast" else 10)
    window = 1.0 if suite.args.tier == "fast" else 2.0
    data = os.path.dirname(suite.path("data", "x"))
    acked = {}
    uploads = 0
    kills = 0
    for it in range(iterations):
        server = harness.Server(suite, data)
        clients = [Uploader(suite, server, it * 10 + c, suite.rng.random()) for c in range(4)]
        for c in clients:
            c.start()
        time.sleep(suite.rng.uniform(0.2, window))
        server.kill()
        kills += 1
        for c in clients:
            c.join(timeout=60)
            suite.check(not c.is_alive(), "iteration %d: a client hangs after the kill" % it)
            suite.check(not c.errors, "iteration %d: answers other than 202 while alive: %s" % (it, c.errors[:3]))
            acked.update(c.acked)
            uploads += c.sent
        label = "iteration %d (%d acknowledged so far)" % (it, len(acked))
        # Restart: every acknowledged upload is there with the bytes that were sent.
        server = harness.Server(suite, data)
        try:
            for doc_id, sha in acked.items():
                status, doc = server.get_json("/api/v1/documents/%d" % doc_id)
                suite.check(status == 200, "%s: acknowledged document %d answers %d" % (label, doc_id, status))
            docs = harness.documents(data)
            for doc_id, sha in acked.items():
                if suite.check(doc_id in docs, "%s: acknowledged document %d lost" % (label, doc_id)):
                    suite.check(docs[doc_id]["sha256"] == sha, "%s: document %d holds other bytes" % (label, doc_id))
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if all(d["status"] != "processing" for d in harness.documents(data).values()):
                    break
                time.sleep(0.2)
        finally:
            server.stop()
        harness.check_twice(suite, data, label)
        harness.verify_data_dir(suite, data, label, settled=True)
    docs = harness.documents(data)
    suite.figure("iterations", iterations)
    suite.figure("kills", kills)
    suite.figure("uploads", uploads)
    suite.figure("acknowledged", len(acked))
    suite.figure("ready", sum(1 for d in docs.values() if d["status"] == "ready"))
    suite.figure("failed", sum(1 for d in docs.values() if d["status"] == "failed"))
    suite.figure("lost", sum(1 for i in acked if i not in docs))


if __name__ == "__main__":
    ap = harness.arg_parser(__doc__)
    ap.add_argument("--iterations", type=int, default=None)
    harness.main_wrapper("crash_server", ap.parse_args(), body)
