#!/usr/bin/env python3
"""The cost of going distributed (issue 12, Performance): the same 100 documents ingested by
the embedded default (one `wenku serve`: SQLite, blobs in the data directory, FTS5) and by
the cluster (PostgreSQL 15 + s3rver + two `xapian-tcpsrv` shards, one `--role web` process
and one, then two `--role worker` processes), on the same machine, alternately, in one run.

  /usr/bin/python3 bench/cluster_ingest_bench.py --build build [--rounds 3] [--keep]
      [--configs embedded,cluster-1w,cluster-2w] [--set K=V] [--cluster-set K=V]

The documents are those tests/integration/test_cluster.py makes (text, HTML, Markdown, DOCX,
the office fixtures with an encrypted ODT and a damaged PDF), the first 100 only, so the
shared corpus does not change them. The servers are started here with the test harnesses
(PostgreSQL as `nobody` under root, s3rver from tests/s3's lock file), on free loopback
ports, in a temporary directory, and stopped at the end. Each run gets a fresh data
directory, database, bucket prefix and pair of shards; every process keeps the defaults
(`workers`, `convert_slots` = cores) apart from the backends.

A run uploads the 100 files through the web process (two clients at once), then waits until
every document is ready or failed ("done") and until the job queue is empty ("drained":
remaining page images and thumbnails). Printed per run and as medians over the rounds:
documents/second to done and to drained, the ratio cluster/embedded of each round, and the
storage each backend holds per document (blobs, index, database).
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for sub in ("tests/integration", "tests/web", "tests/support"):
    sys.path.insert(0, os.path.join(ROOT, sub))

PASSWORD = "集群测试-Passw0rd"
N_DOCS = 100


def du(path):
    total = 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            try:
                total += os.path.getsize(os.path.join(dirpath, n))
            except OSError:
                pass
    return total


def s3_object_bytes(path):
    """Bytes of the objects s3rver keeps under `path` (not its metadata side files)."""
    total = 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            if n.endswith("._S3rver_object"):
                total += os.path.getsize(os.path.join(dirpath, n))
    return total


class Backends:
    """PostgreSQL and s3rver for the whole bench (each run its own database and prefix)."""

    def __init__(self, tmp):
        import pg_testlib
        import test_cluster as tc
        self.tc, self.tmp = tc, tmp
        self.pg = pg_testlib.PgServer().__enter__()
        os.makedirs(os.path.join(tmp, "s3"))
        self.s3 = tc.S3(os.path.join(tmp, "s3"))
        self.s3.start()
        os.environ.update({"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"})

    def blob_url(self, prefix):
        return f"s3://{self.tc.BUCKET}/{prefix}?endpoint=http://127.0.0.1:{self.s3.port}&region=us-east-1"

    def close(self):
        self.s3.stop()
        self.pg.__exit__(None, None, None)


def add_admin(tc, data, settings):
    import wenku_testlib as w
    add = subprocess.run([w.WENKU, "user", "add", "--admin", "--data", data,
                          *sum((["--set", s] for s in settings), []), "admin"],
                         input=PASSWORD + "\n", text=True, capture_output=True, timeout=120)
    if add.returncode != 0:
        raise SystemExit("user add: " + add.stderr)


def upload_all(tc, node, files):
    """Uploads through `node` with two clients at once; returns the ids."""
    ids = []

    def through(k):
        c = node.client()
        c.login("admin", PASSWORD)
        out = []
        for j in range(k, len(files), 2):
            name, content, _ = files[j]
            r = c.upload(name, content)
            if r.status not in (201, 202):
                raise SystemExit(f"upload {name}: {r.status} {r.text[:200]}")
            out.append(r.json()["id"])
        return out

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(through, 0), pool.submit(through, 1)]:
            ids += f.result()
    return ids


def wait_done(node, ids, timeout=900):
    c = node.client()
    c.login("admin", PASSWORD)
    pending, failed = set(ids), 0
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        for i in list(pending):
            r = c.get(f"/api/v1/documents/{i}")
            if r.status == 200 and r.json()["status"] != "processing":
                failed += r.json()["status"] != "ready"
                pending.discard(i)
        if pending:
            time.sleep(0.2)
    if pending:
        raise SystemExit(f"still processing after {timeout} s: {sorted(pending)}")
    return failed


def wait_drained(count_open, timeout=900):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if count_open() == 0:
            return
        time.sleep(0.2)
    raise SystemExit("job queue not empty")


def run_embedded(tc, tmp, name, files, extra=()):
    data = os.path.join(tmp, name)
    add_admin(tc, data, [])
    node = tc.Node(name, tmp, "all", list(extra)).start()
    try:
        t0 = time.time()
        ids = upload_all(tc, node, files)
        t_up = time.time() - t0
        failed = wait_done(node, ids)
        t_done = time.time() - t0
        db = os.path.join(data, "wenku.db")

        def open_jobs():
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as con:
                return con.execute("SELECT count(*) FROM jobs WHERE state IN ('queued','running')").fetchone()[0]

        wait_drained(open_jobs)
        t_drained = time.time() - t0
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as con:
            pages = con.execute("SELECT coalesce(sum(pages), 0) FROM documents WHERE status = 'ready'").fetchone()[0]
    finally:
        node.stop()
    sizes = {"blobs": du(os.path.join(data, "blobs")), "index": du(os.path.join(data, "index")),
             "database": sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)
                             if f.startswith("wenku.db"))}
    return {"config": "embedded", "upload_s": t_up, "done_s": t_done, "drained_s": t_drained,
            "failed": failed, "pages": pages, "sizes": sizes, "data": data}


def run_cluster(tc, be, tmp, name, files, workers, extra=()):
    db = name.replace("-", "_")
    url = be.pg.create_database(db)
    shards = [tc.Shard(os.path.join(tmp, f"{name}-shard{i}")) for i in range(2)]
    for s in shards:
        s.start()
    settings = ["metadata_url=" + url, "blob_url=" + be.blob_url(name),
                "search_url=xapian+tcp://" + ",".join(f"127.0.0.1:{s.port}" for s in shards), *extra]
    nodes = []
    try:
        add_admin(tc, os.path.join(tmp, name + "-cli"), settings)
        web = tc.Node(name + "-web", tmp, "web", settings).start()
        nodes.append(web)
        for k in range(workers):
            nodes.append(tc.Node(f"{name}-worker{k}", tmp, "worker", settings).start())
        t0 = time.time()
        ids = upload_all(tc, web, files)
        t_up = time.time() - t0
        failed = wait_done(web, ids)
        t_done = time.time() - t0
        wait_drained(lambda: int(be.pg.sql(db, "SELECT count(*) FROM jobs WHERE state IN ('queued','running')")))
        t_drained = time.time() - t0
        pages = int(be.pg.sql(db, "SELECT coalesce(sum(pages), 0) FROM documents WHERE status = 'ready'"))
        empty = int(be.pg.sql("postgres", "SELECT pg_database_size('template1')"))
        sizes = {"blobs": s3_object_bytes(os.path.join(be.s3.dir, tc.BUCKET, name)),
                 "index": sum(du(s.path) for s in shards),
                 "database": int(be.pg.sql(db, f"SELECT pg_database_size('{db}')")) - empty}
    finally:
        for n in reversed(nodes):
            n.stop()
        for s in shards:
            s.stop()
    return {"config": f"cluster-{workers}w", "upload_s": t_up, "done_s": t_done, "drained_s": t_drained,
            "failed": failed, "pages": pages, "sizes": sizes}


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--configs", default="embedded,cluster-1w,cluster-2w",
                    help="which configurations, comma-separated (embedded, cluster-1w, cluster-2w)")
    ap.add_argument("--set", action="append", default=[], metavar="K=V", dest="all_set",
                    help="an extra setting for every configuration's processes, repeatable")
    ap.add_argument("--cluster-set", action="append", default=[], metavar="K=V",
                    help="an extra setting for the cluster's processes (e.g. workers=4), repeatable")
    args = ap.parse_args()
    os.environ["WENKU_BIN"] = os.path.abspath(os.path.join(args.build, "wenku"))
    import wenku_testlib as w
    import test_cluster as tc
    w.WENKU = os.environ["WENKU_BIN"]
    tmpdir = w.TempDir()
    tmp = tmpdir.__enter__()
    be = None
    results = []
    try:
        files = tc.made_files(tmp)[0][:N_DOCS]
        print(f"{len(files)} documents, {sum(len(c) for _, c, _ in files) / 1e6:.2f} MB; load {load()}", flush=True)
        be = Backends(tmp)
        configs = args.configs.split(",")
        for r in range(args.rounds):
            k = r % len(configs)
            order = configs[k:] + configs[:k]
            for cfg in order:
                name = f"r{r}-{cfg}"
                before = load()
                if cfg == "embedded":
                    res = run_embedded(tc, tmp, name, files, args.all_set)
                else:
                    res = run_cluster(tc, be, tmp, name, files, int(cfg[8]), args.all_set + args.cluster_set)
                res.update(round=r, load_before=before, load_after=load())
                results.append(res)
                print(f"round {r} {cfg:11s}: upload {res['upload_s']:5.1f} s, done {res['done_s']:5.1f} s "
                      f"({N_DOCS / res['done_s']:.2f} docs/s), drained {res['drained_s']:5.1f} s "
                      f"({N_DOCS / res['drained_s']:.2f} docs/s), failed {res['failed']}, "
                      f"load {before}->{res['load_after']}", flush=True)
                if cfg == "embedded" and r < args.rounds - 1:
                    shutil.rmtree(res["data"], ignore_errors=True)
    finally:
        if be:
            be.close()
        if args.keep:
            print("kept " + tmp)
        else:
            tmpdir.__exit__(None, None, None)
    report(results)


def report(results):
    by = {}
    for res in results:
        by.setdefault(res["config"], []).append(res)
    print("\nmedians over rounds (documents/second):")
    med = {}
    for cfg, rs in by.items():
        done = statistics.median(N_DOCS / x["done_s"] for x in rs)
        drained = statistics.median(N_DOCS / x["drained_s"] for x in rs)
        med[cfg] = (done, drained)
        per_worker = ""
        if cfg.startswith("cluster"):
            k = int(cfg[8])
            per_worker = f"; per worker process {done / k:.2f} / {drained / k:.2f}"
        print(f"  {cfg:11s}: done {done:.2f}, drained {drained:.2f}{per_worker}  (rounds {len(rs)})")
    print("ratios against the embedded run of the same round (done / drained):")
    for cfg in ("cluster-1w", "cluster-2w"):
        ratios = []
        for res in by.get(cfg, []):
            emb = [e for e in by.get("embedded", []) if e["round"] == res["round"]]
            if emb:
                ratios.append((emb[0]["done_s"] / res["done_s"], emb[0]["drained_s"] / res["drained_s"]))
        if ratios:
            print(f"  {cfg}/embedded: " + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in ratios) +
                  f"; median {statistics.median(a for a, _ in ratios):.2f}/{statistics.median(b for _, b in ratios):.2f}")
    if "cluster-1w" in med and "cluster-2w" in med:
        print(f"  cluster-2w/cluster-1w: done {med['cluster-2w'][0] / med['cluster-1w'][0]:.2f}, "
              f"drained {med['cluster-2w'][1] / med['cluster-1w'][1]:.2f}")
    print("storage per document (last round, bytes):")
    last = {}
    for res in results:
        last[res["config"]] = res["sizes"]
    for cfg, s in last.items():
        print(f"  {cfg:11s}: " + ", ".join(f"{k} {v / N_DOCS / 1024:.1f} KiB" for k, v in s.items()))
    pages = results[-1].get("pages", 0)
    if pages:
        print(f"  ({pages} pages in the ready documents: {pages / N_DOCS:.2f} a document)")
    print("json: " + json.dumps([{k: v for k, v in r.items() if k != "data"} for r in results]))


if __name__ == "__main__":
    main()
