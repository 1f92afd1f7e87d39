"""Review before publishing under crashes (issue 11): with the site's review_before_publish
on, guests upload over HTTP while `wenku serve` is killed (SIGKILL) at random moments. An
upload held for review must never be listed or searchable: not while the server runs (a
searcher looks all the time), and not after any kill, whatever write of the upload the kill
fell between. After the last restart every document is hidden and in the review queue."""
import contextlib
import threading
import time
import urllib.parse

import harness

TAG = "待审核文档"


class Uploader(threading.Thread):
    def __init__(self, suite, server, n, seed):
        super().__init__(daemon=True)
        self.suite, self.server, self.n = suite, server, n
        self.rng = __import__("random").Random(seed)
        self.sent = 0

    def run(self):
        k = 0
        while True:
            text = harness.chinese_text(self.rng, self.rng.randint(30, 400), "%s %d %d" % (TAG, self.n, k))
            k += 1
            try:
                self.server.upload("heldupload-%d-%d.txt" % (self.n, k), text.encode("utf-8"), timeout=30)
            except OSError:
                return  # the server is gone
            self.sent += 1


class Searcher(threading.Thread):
    """Searches for the uploads while the server lives: a held upload must never be found."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.found = []
        self.searches = 0

    def run(self):
        while True:
            try:
                status, j = self.server.get_json("/api/v1/search?q=" + urllib.parse.quote(TAG), timeout=10)
                _, _, home = self.server.request("GET", "/", timeout=10)
            except OSError:
                return
            self.searches += 1
            if status == 200 and j and j.get("hits"):
                self.found.extend(h["id"] for h in j["hits"])
            if b"heldupload" in home:
                self.found.append("home page")


def held_everywhere(suite, data, label):
    with contextlib.closing(harness.db(data)) as c:
        queued = {r[0] for r in c.execute("SELECT document_id FROM review_queue")}
        rows = c.execute("SELECT id, hidden, status FROM documents").fetchall()
    for doc_id, hidden, status in rows:
        suite.check(hidden == 1, "%s: document %d (%s) is not hidden" % (label, doc_id, status))
        suite.check(doc_id in queued, "%s: document %d is not in the review queue" % (label, doc_id))
    return len(rows)


def body(suite):
    iterations = suite.args.iterations or (12 if suite.args.tier == "fast" else 60)
    data = __import__("os").path.dirname(suite.path("data", "x"))
    # A data directory whose site reviews uploads before publishing them.
    harness.Server(suite, data).stop()
    with contextlib.closing(harness.db(data)) as c:
        c.execute("INSERT OR REPLACE INTO site_settings (key, value) VALUES ('review_before_publish', 'true')")
        c.commit()
    kills = uploads = searches = 0
    for it in range(iterations):
        server = harness.Server(suite, data)
        clients = [Uploader(suite, server, it * 10 + c, suite.rng.random()) for c in range(3)]
        searcher = Searcher(server)
        for c in clients + [searcher]:
            c.start()
        time.sleep(suite.rng.uniform(0.05, 0.8))
        server.kill()
        kills += 1
        for c in clients + [searcher]:
            c.join(timeout=60)
            suite.check(not c.is_alive(), "iteration %d: a client hangs after the kill" % it)
        uploads += sum(c.sent for c in clients)
        searches += searcher.searches
        suite.check(not searcher.found, "iteration %d: held uploads were found: %s" % (it, searcher.found[:5]))
        held_everywhere(suite, data, "iteration %d" % it)
    # The workers finish every document (indexing included); still none may show.
    harness.drain(suite, data)
    n = held_everywhere(suite, data, "settled")
    server = harness.Server(suite, data)
    try:
        status, j = server.get_json("/api/v1/search?q=" + urllib.parse.quote(TAG))
        suite.check(status == 200 and j is not None and not j.get("hits"), "settled: held uploads are searchable: %s" % j)
        _, _, home = server.request("GET", "/")
        suite.check(b"heldupload" not in home, "settled: held uploads are listed on the home page")
    finally:
        server.stop()
    suite.figure("kills", kills)
    suite.figure("uploads", uploads)
    suite.figure("documents", n)
    suite.figure("searches", searches)


if __name__ == "__main__":
    ap = harness.arg_parser(__doc__)
    ap.add_argument("--iterations", type=int, default=None)
    harness.main_wrapper("crash_review", ap.parse_args(), body)
