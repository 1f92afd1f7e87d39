#!/usr/bin/env python3
"""Time from an acknowledged upload to searchable text, while the conversion queue is long,
and the server's memory while it imports the corpus.

  python3 bench/ingest_latency.py --wenku build/wenku [--corpus ../shared/corpus]

1. Starts `wenku serve` on a free port with a fresh data directory.
2. Queues `--backlog` DOCX files (2-20 pages each, made here) so the converters are busy.
3. Uploads a 20-page DOCX holding a word found nowhere else and polls /api/v1/search until
   it is found: prints the time from the 202 answer to the first hit (goal < 0.5 s).
4. With --corpus, uploads every document of the corpus, then --rounds rounds of
   --round-size distinct generated DOCX, and samples the server's resident memory (the
   server process alone, not its converter helpers) every 0.2 s: prints each part's peak
   (it must not grow with the count). RssAnon is the server's own memory; VmRSS adds the
   index's memory-mapped pages, which grow with the index and belong to the page cache.
"""
import argparse
import os
import statistics
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import wenku_testlib as w  # noqa: E402

PARA = ("市教育局召开机关工作汇报总结会，各分管领导对三季度工作进行了总结，对四季度工作进行了部署，"
        "要求各单位认真抓好落实，规范办学行为，治理择校和大班额问题，办好人民满意的教育。")


def make_docx(path, pages, marker=""):
    paras = [f"第{i + 1}节 {PARA * 3}" for i in range(pages * 4)]
    if marker:
        paras.append(marker)
    w.make_docx(path, paras)


def rss_kb(pid, field="VmRSS"):
    """VmRSS counts the index's memory-mapped pages (file-backed, the kernel's page cache,
    growing with the index); RssAnon is the server's own memory."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wenku", default="build/wenku")
    ap.add_argument("--corpus")
    ap.add_argument("--backlog", type=int, default=30)
    ap.add_argument("--tries", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=0, help="rounds of generated DOCX after the corpus")
    ap.add_argument("--round-size", type=int, default=300)
    a = ap.parse_args()
    w.WENKU = a.wenku
    with w.TempDir() as tmp:
        server = w.Server(os.path.join(tmp, "data")).start()
        try:
            for i in range(a.backlog):
                p = os.path.join(tmp, f"backlog{i}.docx")
                make_docx(p, 2 + i % 19, f"backlog{i}")
                server.upload(f"backlog{i}.docx", open(p, "rb").read())
            # The backlog's text is in (its extract jobs, milliseconds each, are done) while
            # its conversions are still queued: the situation the goal speaks of.
            for i in range(a.backlog):
                q = urllib.parse.quote(f"backlog{i}")
                deadline = time.perf_counter() + 120
                while time.perf_counter() < deadline:
                    st, res = server.get_json(f"/api/v1/search?q={q}")
                    if st == 200 and res["hits"]:
                        break
                    time.sleep(0.02)
            _, m, _ = server.get("/metrics")
            queued_before = [l for l in m.decode().splitlines() if l.startswith("wenku_jobs_queued")]
            print(f"backlog searchable; {queued_before[0] if queued_before else ''}")
            times = []
            for t in range(a.tries):
                marker = f"独特标记词{t}号xq{t}z"
                p = os.path.join(tmp, f"probe{t}.docx")
                make_docx(p, 20, marker)
                data = open(p, "rb").read()
                status, body = server.upload(f"probe{t}.docx", data)
                t0 = time.perf_counter()
                assert status == 202, body
                q = urllib.parse.quote(f"xq{t}z")
                while True:
                    st, res = server.get_json(f"/api/v1/search?q={q}")
                    if st == 200 and any(h["id"] == body["id"] for h in res["hits"]):
                        break
                    if time.perf_counter() - t0 > 60:
                        raise SystemExit("probe never became searchable")
                    time.sleep(0.005)
                times.append(time.perf_counter() - t0)
            _, m, _ = server.get("/metrics")
            queued = [l for l in m.decode().splitlines() if l.startswith("wenku_jobs_queued")]
            print(f"upload->searchable with {a.backlog} DOCX queued for conversion: "
                  f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
                  f"each {[round(t * 1000) for t in times]} "
                  f"({queued[0] if queued else ''})")

            if a.corpus or a.rounds:
                samples = []
                anon = []
                stop = threading.Event()

                def sample():
                    while not stop.is_set():
                        samples.append(rss_kb(server.proc.pid))
                        anon.append(rss_kb(server.proc.pid, "RssAnon"))
                        time.sleep(0.2)
                th = threading.Thread(target=sample)
                th.start()

                def import_all(files, what):
                    start = len(anon)
                    ids = []
                    for name, data in files:
                        st, body = server.upload(name, data)
                        if st == 202:
                            ids.append(body["id"])
                    for i in ids:
                        server.wait_done(i, timeout=600)
                    part = anon[start:] or [0]
                    print(f"  {what}: {len(ids)} documents, server RssAnon peak {max(part) / 1024:.0f} MB, "
                          f"VmRSS peak {max(samples[start:] or [0]) / 1024:.0f} MB", flush=True)

                if a.corpus:
                    docs = []
                    for root, _, files in os.walk(os.path.join(a.corpus, "docs")):
                        docs += [os.path.join(root, f) for f in sorted(files)]
                    import_all(((os.path.basename(d), open(d, "rb").read()) for d in docs),
                               f"the corpus ({len(docs)} files)")
                # Rounds of distinct generated DOCX: the server's own memory must reach a
                # plateau, not grow with the number of documents imported.
                for r in range(a.rounds):
                    files = []
                    for i in range(a.round_size):
                        p = os.path.join(tmp, "round.docx")
                        make_docx(p, 1 + i % 4, f"第{r}轮第{i}份 round{r}doc{i}")
                        files.append((f"r{r}-{i}.docx", open(p, "rb").read()))
                    import_all(files, f"round {r + 1} of {a.rounds}")
                stop.set()
                th.join()
                third = max(1, len(samples) // 3)
                print(f"server memory over the whole import: VmRSS peak {max(samples) / 1024:.0f} MB "
                      f"(first third {max(samples[:third]) / 1024:.0f}, last third {max(samples[-third:]) / 1024:.0f}); "
                      f"RssAnon peak {max(anon) / 1024:.0f} MB (first third {max(anon[:third]) / 1024:.0f}, "
                      f"last third {max(anon[-third:]) / 1024:.0f})")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
