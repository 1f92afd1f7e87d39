#!/usr/bin/env python3
"""Blobs on S3-compatible storage against the local file store (issue 12, Performance): two
`wenku serve` processes side by side, identical but for `blob_url` (empty: DATA/blobs; or
`s3://...` on an s3rver started here from tests/s3's lock file), measured alternately in one
run.

  /usr/bin/python3 bench/s3_blob_bench.py --build build [--rounds 3] [--seconds 5]

1. Upload to ready: each round uploads one text, HTML, Markdown and DOCX file (made as
   tests/integration/test_cluster.py makes them) to each server in turn, one at a time, and
   times the upload request and upload -> ready (polled every 20 ms).
2. Page images through the web process (/api/v1/documents/{id}/pages/{n}, an admin's
   session): a 40-page DOCX plus the round files are rendered on both; then each round
   restarts both servers (empty hot cache) and fetches every page once ("cold": every
   image read from the blob store), then runs wrk over all the page URLs for --seconds
   ("warm": after the first read the images are served from the web process's hot cache).
Prints medians over the rounds and the ratio s3/local of each.
"""
import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cluster_ingest_bench as cb  # noqa: E402  (also puts the test harnesses on sys.path)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


class Site:
    def __init__(self, tc, tmp, name, settings):
        self.tc, self.name = tc, name
        cb.add_admin(tc, os.path.join(tmp, name), settings)
        self.node = tc.Node(name, tmp, "all", settings).start()
        self.ids = []

    def client(self):
        c = self.node.client()
        c.login("admin", cb.PASSWORD)
        return c

    def restart(self):
        self.node.stop()
        self.node.start()

    def drained(self):
        db = os.path.join(self.node.data, "wenku.db")
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as con:
            return con.execute("SELECT count(*) FROM jobs WHERE state IN ('queued','running')").fetchone()[0] == 0

    def page_urls(self, c):
        urls = []
        for i in self.ids:
            d = c.get(f"/api/v1/documents/{i}").json()
            if d["status"] == "ready":
                urls += [f"/api/v1/documents/{i}/pages/{n}" for n in range(1, min(d.get("pages", 1), 40) + 1)]
        return urls


def upload_to_ready(site, name, content):
    c = site.client()
    t0 = time.time()
    r = c.upload(name, content)
    t_up = time.time() - t0
    if r.status not in (201, 202):
        raise SystemExit(f"upload {name}: {r.status} {r.text[:200]}")
    i = r.json()["id"]
    site.ids.append(i)
    while True:
        d = c.get(f"/api/v1/documents/{i}").json()
        if d["status"] != "processing":
            return t_up, time.time() - t0, d["status"]
        if time.time() - t0 > 300:
            raise SystemExit(f"{name} not ready after 300 s")
        time.sleep(0.02)


def cold(site, urls):
    c = site.client()
    lat = []
    for u in urls:
        t0 = time.time()
        r = c.get(u)
        lat.append((time.time() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"{site.name} {u}: {r.status}")
    return lat


def warm(site, urls, seconds, tmp):
    c = site.client()
    for u in urls:
        c.get(u)
    cookie = "; ".join(f"{k.name}={k.value}" for k in c.jar)
    script = os.path.join(tmp, site.name + ".lua")
    with open(script, "w") as f:
        f.write("local urls = {" + ",".join(f'"{u}"' for u in urls) + "}\nlocal i = 0\n"
                "request = function()\n  i = i % #urls + 1\n  return wrk.format('GET', urls[i])\nend\n")
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", script, "-H", "Cookie: " + cookie,
                          site.node.base()], capture_output=True, text=True, timeout=seconds + 60).stdout
    def ms(label):
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == label:
                v = parts[1]
                return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
        return float("nan")
    rps = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("Requests/sec"))
    non2xx = [line for line in out.splitlines() if "Non-2xx" in line]
    if non2xx:
        raise SystemExit(f"{site.name}: wrk saw errors: {non2xx}")
    return rps, ms("50%"), ms("99%")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    args = ap.parse_args()
    os.environ["WENKU_BIN"] = os.path.abspath(os.path.join(args.build, "wenku"))
    import wenku_testlib as w
    import test_cluster as tc
    w.WENKU = os.environ["WENKU_BIN"]
    tmpdir = w.TempDir()
    tmp = tmpdir.__enter__()
    s3, sites = None, []
    try:
        os.makedirs(os.path.join(tmp, "s3"))
        s3 = tc.S3(os.path.join(tmp, "s3"))
        s3.start()
        os.environ.update({"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"})
        blob = f"s3://{tc.BUCKET}/bench?endpoint=http://127.0.0.1:{s3.port}&region=us-east-1"
        sites.append(Site(tc, tmp, "local", []))
        sites.append(Site(tc, tmp, "s3", ["blob_url=" + blob]))
        local = sites[0]
        files, _ = tc.made_files(tmp)
        by_kind = {}
        for name, content, word in files:
            if word:
                by_kind.setdefault(os.path.splitext(name)[1], []).append((name, content))
        print(f"load {cb.load()}", flush=True)
        ready = {s.name: {} for s in sites}
        for r in range(args.rounds):
            for ext in (".txt", ".html", ".md", ".docx"):
                name, content = by_kind[ext][r]
                order = sites if r % 2 == 0 else sites[::-1]
                for s in order:
                    t_up, t_ready, status = upload_to_ready(s, name, content)
                    ready[s.name].setdefault(ext, []).append((t_up, t_ready))
        print("upload -> ready, median over rounds (upload request / to ready, ms):")
        for ext in (".txt", ".html", ".md", ".docx"):
            a = [statistics.median(x[i] for x in ready["local"][ext]) * 1000 for i in (0, 1)]
            b = [statistics.median(x[i] for x in ready["s3"][ext]) * 1000 for i in (0, 1)]
            print(f"  {ext:6s} local {a[0]:6.0f} / {a[1]:6.0f}   s3 {b[0]:6.0f} / {b[1]:6.0f}   "
                  f"ratio s3/local {b[0] / a[0]:.2f} / {b[1] / a[1]:.2f}", flush=True)

        long_doc = tc.long_docx(tmp, "长文档.docx", 1)
        for s in sites:
            r = s.client().upload("长文档.docx", long_doc)
            s.ids.append(r.json()["id"])
        deadline = time.time() + 600
        while not all(s.drained() for s in sites):
            if time.time() > deadline:
                raise SystemExit("rendering did not finish")
            time.sleep(0.5)
        urls = {s.name: s.page_urls(s.client()) for s in sites}
        print(f"page images: {len(urls['local'])} (local), {len(urls['s3'])} (s3); load {cb.load()}", flush=True)
        res = {s.name: {"cold50": [], "cold99": [], "rps": [], "w50": [], "w99": []} for s in sites}
        for r in range(args.rounds):
            order = sites if r % 2 == 0 else sites[::-1]
            for s in order:
                s.restart()
                lat = cold(s, urls[s.name])
                rps, p50, p99 = warm(s, urls[s.name], args.seconds, tmp)
                x = res[s.name]
                x["cold50"].append(pct(lat, 50))
                x["cold99"].append(pct(lat, 99))
                x["rps"].append(rps)
                x["w50"].append(p50)
                x["w99"].append(p99)
                print(f"  round {r} {s.name:5s}: cold p50 {pct(lat, 50):.1f} ms p99 {pct(lat, 99):.1f} ms; "
                      f"warm {rps:.0f} req/s p50 {p50:.2f} ms p99 {p99:.2f} ms; load {cb.load()}", flush=True)
        print("page images, medians over rounds:")
        med = {n: {k: statistics.median(v) for k, v in x.items()} for n, x in res.items()}
        for n, m in med.items():
            print(f"  {n:5s}: cold p50 {m['cold50']:.1f} ms p99 {m['cold99']:.1f} ms; warm {m['rps']:.0f} req/s "
                  f"p50 {m['w50']:.2f} ms p99 {m['w99']:.2f} ms")
        a, b = med["local"], med["s3"]
        print(f"  ratio s3/local: cold p50 {b['cold50'] / a['cold50']:.2f} p99 {b['cold99'] / a['cold99']:.2f}; "
              f"warm req/s {b['rps'] / a['rps']:.2f} p50 {b['w50'] / a['w50']:.2f} p99 {b['w99'] / a['w99']:.2f}")
        sizes = {"local": cb.du(os.path.join(local.node.data, "blobs")),
                 "s3": cb.s3_object_bytes(os.path.join(tmp, "s3", tc.BUCKET, "bench"))}
        print(f"blob bytes stored: local {sizes['local']}, s3 {sizes['s3']}")
    finally:
        for s in sites:
            s.node.stop()
        if s3:
            s3.stop()
        tmpdir.__exit__(None, None, None)


if __name__ == "__main__":
    main()
