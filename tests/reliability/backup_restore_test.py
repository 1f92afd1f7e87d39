"""`wenku backup` while the server takes uploads, then `wenku restore` into a new directory:
every document of the backup comes back with the same metadata, the same bytes and the same
page text, search finds the same documents, and `wenku check` is clean (issue 6)."""
import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time

import harness
from crash_server_test import Uploader


def rows(db_path, sql):
    with contextlib.closing(sqlite3.connect(db_path)) as c:
        c.row_factory = sqlite3.Row
        return [dict(r) for r in c.execute(sql)]


def body(suite):
    fast = suite.args.tier == "fast"
    data = os.path.dirname(suite.path("data", "x"))
    # A library with some finished documents of every kind.
    inputs = os.path.dirname(suite.path("in", "x"))
    for k in range(4 if fast else 12):
        with open(os.path.join(inputs, "文%d.txt" % k), "w", encoding="utf-8") as f:
            f.write(harness.chinese_text(suite.rng, 400, "备份 %d 号文档 关键词甲乙" % k))
    harness.make_docx(os.path.join(inputs, "报告.docx"), ["备份报告 关键词甲乙", harness.chinese_text(suite.rng, 200)])
    harness.make_pdf(os.path.join(inputs, "p.pdf"), ["backup page one", "backup page two"])
    extra = harness.corpus_files(["zh/docx", "zh/pdf"], max_bytes=200_000, limit=2 if fast else 8)
    rc, out, err = suite.run(["import", "--data", data, "--json", inputs] + extra, timeout=600)
    suite.require(rc == 0, "import failed: %s" % err[-1000:])

    # Backup while the server runs and clients upload.
    server = harness.Server(suite, data)
    clients = [Uploader(suite, server, 100 + c, suite.rng.random()) for c in range(2)]
    for c in clients:
        c.start()
    time.sleep(0.5)
    backup = os.path.join(suite.tmp, "backup")
    t = time.monotonic()
    rc, out, err = suite.run(["backup", "--data", data, backup], timeout=600)
    backup_s = time.monotonic() - t
    suite.require(rc == 0, "backup failed (%d): %s %s" % (rc, out, err))
    print(out.strip(), flush=True)
    time.sleep(0.3)
    server.stop()
    for c in clients:
        c.join(timeout=60)
    manifest = json.load(open(os.path.join(backup, "backup.json")))

    # Refusals: a non-empty output, an unfinished backup, a directory that holds a library.
    rc, _, err = suite.run(["backup", "--data", data, backup])
    suite.check(rc != 0 and "not empty" in err, "backup into a non-empty directory: %d %s" % (rc, err))
    half = os.path.dirname(suite.path("half", "x"))
    rc, _, err = suite.run(["restore", "--data", os.path.join(suite.tmp, "r0"), half])
    suite.check(rc != 0 and "backup.json" in err, "restore of an unfinished backup: %d %s" % (rc, err))
    rc, _, err = suite.run(["restore", "--data", data, backup])
    suite.check(rc != 0 and "already holds" in err, "restore over a library: %d %s" % (rc, err))

    restored = os.path.join(suite.tmp, "restored")
    t = time.monotonic()
    rc, out, err = suite.run(["restore", "--data", restored, backup], timeout=600)
    restore_s = time.monotonic() - t
    suite.require(rc == 0, "restore failed (%d): %s %s" % (rc, out, err))
    print(out.strip(), flush=True)

    # Every document of the backup, compared with the original and the restored library.
    snap = rows(os.path.join(backup, "wenku.db"), "SELECT * FROM documents ORDER BY id")
    suite.check(len(snap) == manifest["documents"], "manifest says %d documents, the copy holds %d"
                % (manifest["documents"], len(snap)))
    orig = harness.documents(data)
    back = harness.documents(restored)
    suite.check(set(back) == set(d["id"] for d in snap), "restored ids differ from the backup's")
    snap_db = os.path.join(backup, "wenku.db")
    active = set(r["document_id"] for r in rows(snap_db, "SELECT document_id FROM jobs WHERE state IN ('queued','running')"))
    snap_pages = {}
    for r in rows(snap_db, "SELECT document_id, number, text, image_key FROM pages ORDER BY document_id, number"):
        snap_pages.setdefault(r["document_id"], []).append(r)
    back_pages = {}
    for r in rows(os.path.join(restored, "wenku.db"),
                  "SELECT document_id, number, text, image_key FROM pages ORDER BY document_id, number"):
        back_pages.setdefault(r["document_id"], []).append(r)
    compared = settled = 0
    for d in snap:
        i = d["id"]
        if not suite.check(i in back and i in orig, "document %d missing after restore" % i):
            continue
        a = dict(back[i])
        # The restored library is the snapshot: every column but the counters check may touch
        # (restore re-indexes every document: indexed and its generation index_gen move).
        for key in d:
            if key in ("indexed", "index_gen", "updated_at", "status") or (d["status"] == "processing" and key == "status"):
                continue
            suite.check(a[key] == d[key], "document %d: %s differs from the backup (%r vs %r)" % (i, key, a[key], d[key]))
        suite.check(back_pages.get(i) == snap_pages.get(i), "document %d: pages differ from the backup" % i)
        # What never changes is the same as in the original library.
        for key in ("title", "sha256", "blob_key", "size", "external_id", "uploader_name", "created_at"):
            suite.check(a[key] == orig[i][key], "document %d: %s differs (%r vs %r)" % (i, key, a[key], orig[i][key]))
        p = harness.blob_path(restored, a["blob_key"])
        suite.check(os.path.isfile(p) and harness.sha256_file(p) == a["sha256"], "document %d: restored bytes differ" % i)
        for page in back_pages.get(i, []):
            if page["image_key"]:
                suite.check(os.path.isfile(harness.blob_path(restored, page["image_key"])),
                            "document %d: page %d image missing" % (i, page["number"]))
        if d["status"] != "processing" and i not in active:
            # Finished at backup time: the original and the restored copy show the same.
            rc1, s1, _ = suite.run(["show", "--data", data, "--json", str(i)])
            rc2, s2, _ = suite.run(["show", "--data", restored, "--json", str(i)])
            j1, j2 = json.loads(s1), json.loads(s2)
            for j in (j1, j2):
                j.pop("views", None)
            suite.check(rc1 == rc2 == 0 and j1 == j2, "document %d: show differs:\n%s\n%s" % (i, s1, s2))
            settled += 1
        compared += 1
    # Search finds the same documents (those of the backup) in both.
    rc1, s1, _ = suite.run(["search", "--data", data, "--json", "--limit", "100", "关键词甲乙"])
    rc2, s2, _ = suite.run(["search", "--data", restored, "--json", "--limit", "100", "关键词甲乙"])
    ids_backup = set(d["id"] for d in snap if d["status"] == "ready")
    h1 = set(h["id"] for h in json.loads(s1)["hits"]) & ids_backup
    h2 = set(h["id"] for h in json.loads(s2)["hits"]) & ids_backup
    suite.check(rc1 == rc2 == 0 and h1 == h2 and len(h1) >= 3, "search differs: %s vs %s" % (sorted(h1), sorted(h2)))
    # The restored library runs: what was processing at backup time finishes.
    harness.drain(suite, restored)
    harness.check_twice(suite, restored, "restored")
    harness.verify_data_dir(suite, restored, "restored", settled=True)
    suite.figure("documents", len(snap))
    suite.figure("compared", compared)
    suite.figure("settled_compared", settled)
    suite.figure("blobs", manifest["blobs"])
    suite.figure("bytes", manifest["bytes"])
    suite.figure("uploads_during_backup", sum(c.sent for c in clients))
    suite.figure("backup_s", round(backup_s, 2))
    suite.figure("restore_s", round(restore_s, 2))


if __name__ == "__main__":
    harness.main_wrapper("backup_restore", harness.arg_parser(__doc__).parse_args(), body)
