"""`wenku serve` on SIGTERM (issue 13, "graceful stop", as systemd stops the unit): it stops
serving, gives running jobs a grace period, then hands their leases back to the queue instead
of holding them until they expire or failing the document; it exits on its own, and the next
start finishes the document.

A conversion that never ends stands in for a long one: the converter helper is a script
that answers READY and then never replies (inside the real box). After SIGTERM the process
must exit by itself (grace, 30 s, then the conversion's time limit, 40 s here, or at once
when the library wires the pool's interrupt hook to the converter), with the preview job
queued again (not running under a dead worker, not failed) and the document still
processing or shown from its text, never failed; a restart with the real helper takes the job
at once and makes its page images."""
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reliability"))
import harness  # noqa: E402

WENKU = os.environ.get("WENKU_BIN")


def jobs(data, doc):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "wenku.db"), uri=True, timeout=10)
    try:
        return con.execute("SELECT kind, state, worker, attempts FROM jobs WHERE document_id = ? ORDER BY id",
                           (doc,)).fetchall()
    finally:
        con.close()


def status(data, doc):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "wenku.db"), uri=True, timeout=10)
    try:
        return con.execute("SELECT status FROM documents WHERE id = ?", (doc,)).fetchone()[0]
    finally:
        con.close()


@unittest.skipUnless(WENKU and os.path.exists(WENKU), "WENKU_BIN is not set")
class GracefulStop(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wenku-stop-")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
            p.log_file.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, data, port, env):
        log = open(os.path.join(self.tmp, "serve-%d.log" % len(self.procs)), "wb")
        p = subprocess.Popen([WENKU, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                             env=env, stdout=log, stderr=log, start_new_session=True)
        p.log_path, p.log_file = log.name, log
        self.procs.append(p)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                import http.client
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                try:
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        return p
                finally:
                    c.close()
            except OSError:
                pass
            time.sleep(0.05)
        self.fail("wenku serve did not start")

    def test_sigterm_hands_back_a_running_conversion_and_a_restart_finishes_it(self):
        real_helper = os.path.join(os.path.dirname(WENKU), "wenku-convert-helper")
        if not os.path.exists(real_helper):
            self.skipTest("no converter helper next to wenku")
        stuck = os.path.join(self.tmp, "stuck-helper.sh")
        with open(stuck, "w") as f:
            f.write("#!/bin/sh\n# READY, then never answers a CONVERT.\necho READY >&3\nexec sleep 100000 <&3\n")
        os.chmod(stuck, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        data = os.path.join(self.tmp, "data")
        env = dict(os.environ, WENKU_LOG_LEVEL="info", WENKU_WORKERS="2", WENKU_CONVERT_SLOTS="1",
                   WENKU_CONVERT_TIMEOUT_SECONDS="40", WENKU_CONVERT_HELPER=stuck)
        port = harness.free_port()
        p = self.serve(data, port, env)
        docx = os.path.join(self.tmp, "停止.docx")
        harness.make_docx(docx, ["优雅停止的测试文档，转换进行中收到 SIGTERM。"] * 5)
        server = harness.Server.__new__(harness.Server)
        server.port = port
        with open(docx, "rb") as f:
            code, body = server.upload("停止.docx", f.read())
        self.assertEqual(code, 202, body)
        doc = body["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(k == "preview" and s == "running" for k, s, _, _ in jobs(data, doc)):
            time.sleep(0.1)
        self.assertTrue(any(k == "preview" and s == "running" for k, s, _, _ in jobs(data, doc)),
                        "the conversion never started: %s" % jobs(data, doc))
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.fail("wenku serve did not exit within 90 s of SIGTERM")
        took = time.monotonic() - t0
        with open(p.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertEqual(rc, 0, log[-2000:])
        rows = jobs(data, doc)
        preview = [r for r in rows if r[0] == "preview"]
        self.assertTrue(preview and preview[-1][1] == "queued" and preview[-1][2] == "",
                        "the preview job was not handed back: %s" % rows)
        # Not failed by the stop. (Without the interrupt hook the cut conversion ends as a
        # timeout, and the library shows the document from its text until the images come.)
        self.assertIn(status(data, doc), ("processing", "ready"))
        self.assertIn("job_handed_back", log)
        line = "FIGURES graceful_stop exit_s=%.1f handed_back=1 failures=0" % took
        print(line, flush=True)
        if os.environ.get("WENKU_FIGURES_FILE"):
            with open(os.environ["WENKU_FIGURES_FILE"], "a") as f:
                f.write(line + "\n")
        # The next start takes the job at once and, with the real helper, finishes it.
        env["WENKU_CONVERT_HELPER"] = real_helper
        env["WENKU_CONVERT_TIMEOUT_SECONDS"] = "120"
        port = harness.free_port()
        self.serve(data, port, env)
        server.port = port
        deadline = time.monotonic() + 180
        meta = None
        while time.monotonic() < deadline:
            code, meta = server.get_json("/api/v1/documents/%d" % doc)
            if code == 200 and meta["status"] == "ready" and meta["preview_pages"] > 0:
                break
            time.sleep(0.5)
        self.assertEqual((meta["status"], meta["preview_pages"] > 0), ("ready", True), (meta, jobs(data, doc)))
        self.assertEqual([r[1] for r in jobs(data, doc) if r[0] == "preview"][-1], "done")


if __name__ == "__main__":
    unittest.main()
