"""A converter helper never outlives its server: after `kill -9` of `wenku serve` (and its data
directory removed, as the crash suites do), every LibreOffice helper it started is gone within
seconds. Two helpers were once found spinning 40 minutes after the crash suites (their bwrap
re-parented to init: --die-with-parent did not fire with wenku as root, and LibreOffice, its
profile deleted, retried mkdir for ever); these two cases did not reproduce that leak with
the old helper, so they guard the ordinary ways out, and the helper now also leaves as soon
as its socket's other end closes."""
import os
import shutil
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402


def helpers_of(data):
    """pids of processes whose command line names this data directory (helpers, bwrap)."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace")
        except OSError:
            continue
        if data in cmd and "wenku-convert-helper" in cmd:
            pids.append(int(pid))
    return pids


class HelperExitTest(unittest.TestCase):
    def assert_helpers_leave(self, data):
        shutil.rmtree(data, ignore_errors=True)
        deadline = time.time() + 15
        while helpers_of(data) and time.time() < deadline:
            time.sleep(0.2)
        left = helpers_of(data)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.assertEqual(left, [], "converter helpers outlived their server")

    def test_helpers_leave_when_the_server_is_killed_while_they_start(self):
        # The pool starts its helpers for the first conversion: kill the server while
        # LibreOffice loads.
        with w.TempDir() as tmp:
            data = os.path.join(tmp, "data")
            server = w.Server(data).start()
            docx = os.path.join(tmp, "b.docx")
            w.make_docx(docx, ["学期工作计划", "本学期重点工作如下。"])
            with open(docx, "rb") as f:
                status, up = server.upload("b.docx", f.read())
            self.assertIn(status, (201, 202), up)
            deadline = time.time() + 30
            while not helpers_of(data) and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(helpers_of(data), "no converter helper was started")
            server.stop(signal.SIGKILL)
            self.assert_helpers_leave(data)

    def test_helpers_leave_when_the_server_is_killed(self):
        with w.TempDir() as tmp:
            data = os.path.join(tmp, "data")
            server = w.Server(data).start()
            try:
                docx = os.path.join(tmp, "a.docx")
                w.make_docx(docx, ["关于举办运动会的通知", "各班级做好准备。"])
                with open(docx, "rb") as f:
                    status, up = server.upload("a.docx", f.read())
                self.assertIn(status, (201, 202), up)
                self.assertEqual(server.wait_done(up["id"])["status"], "ready")
                self.assertTrue(helpers_of(data), "no converter helper was started")
            finally:
                server.stop(signal.SIGKILL)
            self.assert_helpers_leave(data)


if __name__ == "__main__":
    unittest.main()
