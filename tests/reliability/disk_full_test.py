"""Disk full (issue 6): the data directory on a small tmpfs, filled up during uploads. An upload
that does not fit fails with a clear error, nothing stored before is damaged, the server keeps
serving, and uploads work again once space returns. Skips when mounting is not permitted."""
import contextlib
import hashlib
import os
import sqlite3
import subprocess
import time

import harness


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path, leave):
    """Writes a filler file until only about `leave` bytes are free."""
    p = os.path.join(path, "filler")
    with open(p, "ab") as f:
        chunk = b"\0" * (1 << 20)
        while free_bytes(path) > leave + len(chunk):
            f.write(chunk)
            f.flush()
        rest = max(0, free_bytes(path) - leave)
        f.write(b"\0" * rest)
    return p


def body(suite):
    mnt = os.path.dirname(suite.path("mnt", "x"))
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        harness.skip("cannot mount a tmpfs here (%s)" % r.stderr.decode().strip())
    try:
        run(suite, mnt)
    finally:
        for p in suite.procs:
            if p.poll() is None:
                suite.kill_group(p)
                p.wait(timeout=10)
        time.sleep(0.2)
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def run(suite, mnt):
    data = os.path.join(mnt, "data")
    server = harness.Server(suite, data)
    before = {}
    for k in range(5):
        text = harness.chinese_text(suite.rng, 2000, "磁盘 %d" % k).encode()
        status, resp = server.upload("前%d.txt" % k, text)
        suite.require(status == 202, "upload before filling: %s %s" % (status, resp))
        before[resp["id"]] = hashlib.sha256(text).hexdigest()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(d["status"] == "processing" for d in harness.documents(data).values()):
        time.sleep(0.2)

    filler = fill(mnt, 1 << 20)
    print("filled: %d KB free" % (free_bytes(mnt) // 1024), flush=True)
    refused = 0
    messages = set()
    for k in range(3):
        big = os.urandom(4 << 20)
        t = time.monotonic()
        status, resp = server.upload("大%d.bin" % k, big, timeout=60)
        took = time.monotonic() - t
        msg = (resp or {}).get("error", {}).get("message", "") if isinstance(resp, dict) else ""
        messages.add(msg)
        if suite.check(status != 202, "an upload that cannot fit was acknowledged (%s)" % resp):
            refused += 1
        suite.check(status in (500, 503, 507) and ("disk full" in msg or "磁盘" in msg),
                    "disk full answered %s %r" % (status, msg))
        suite.check(took < 30, "refusal took %.1f s" % took)
    st, _, _ = server.request("GET", "/healthz")
    suite.check(st == 200, "healthz while full: %s" % st)
    for doc_id, sha in before.items():
        st, _, content = server.request("GET", "/api/v1/documents/%d/download" % doc_id)
        if st == 200:
            suite.check(hashlib.sha256(content).hexdigest() == sha, "document %d: other bytes while full" % doc_id)
        st, doc = server.get_json("/api/v1/documents/%d" % doc_id)
        suite.check(st == 200, "document %d unreadable while full: %s" % (doc_id, st))

    # Space returns: uploads work again, without a restart.
    os.remove(filler)
    text = harness.chinese_text(suite.rng, 500, "恢复").encode()
    status, resp = server.upload("恢复.txt", text)
    suite.check(status == 202, "upload after space returned: %s %s" % (status, resp))
    if status == 202:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            st, doc = server.get_json("/api/v1/documents/%d" % resp["id"])
            if doc and doc.get("status") != "processing":
                break
            time.sleep(0.2)
        suite.check(doc and doc.get("status") == "ready", "document after space returned: %s" % doc)
    server.stop()
    with contextlib.closing(sqlite3.connect(os.path.join(data, "wenku.db"))) as c:
        ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    suite.check(ok == "ok", "database integrity after disk full: %s" % ok)
    docs = harness.documents(data)
    for doc_id, sha in before.items():
        suite.check(doc_id in docs and docs[doc_id]["sha256"] == sha, "document %d damaged" % doc_id)
    harness.check_twice(suite, data, "after disk full")
    harness.verify_data_dir(suite, data, "after disk full", settled=True)
    suite.figure("refused", refused)
    suite.figure("documents", len(docs))
    suite.figure("messages", "|".join(sorted(m[:40] for m in messages)).replace(" ", "_"))


if __name__ == "__main__":
    harness.main_wrapper("disk_full", harness.arg_parser(__doc__).parse_args(), body)
