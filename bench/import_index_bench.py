#!/usr/bin/env python3
"""Text to searchable through the library: `wenku import --manifest` of the corpus passages,
timing the text lane's thread (detect, extract, store, keywords and SimHash, the search
index) in CPU seconds per MB of text, once per `text_batch` setting given, in one run.

The worker threads are named (wk-text-0, wk-preview-N); this samples their CPU in
/proc/PID/task/*/stat every 50 ms and keeps the last reading before the process exits.
The preview lane (page images for the imported texts) runs beside it at low priority and
is not counted: it is not on the way to searchable.

    bench/import_index_bench.py --wenku build/wenku --passages PASSAGES.jsonl \
        [--docs N] [--batch 1 --batch 32]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """{thread name: CPU seconds} of the process's threads."""
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return out


def run(wenku, manifest, batch, text_bytes):
    data = tempfile.mkdtemp(prefix="wenku-importbench-")
    try:
        t0 = time.perf_counter()
        out_path = os.path.join(data, "import.jsonl")
        with open(out_path, "w") as out:  # a file, not a pipe: nothing to drain while sampling
            p = subprocess.Popen([wenku, "import", "--data", os.path.join(data, "d"), "--json", "--manifest",
                                  manifest, "--set", f"text_batch={batch}", "--set", "log_level=warn"],
                                 stdout=out, stderr=subprocess.DEVNULL, text=True)
            last = {}
            while p.poll() is None:
                # A thread's CPU only grows; threads that ended are gone from /proc, so keep
                # the highest reading of each.
                for name, cpu in thread_cpu(p.pid).items():
                    last[name] = max(cpu, last.get(name, 0.0))
                time.sleep(0.05)
        with open(out_path) as f:
            lines = f.read().splitlines()
        wall = time.perf_counter() - t0
        statuses = [json.loads(l).get("status") for l in lines if l.strip()]
        ok = sum(1 for s in statuses if s == "ready")
        text_cpu = last.get("wk-text-0", 0.0)
        others = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(last.items()) if k != "wk-text-0")
        mb = text_bytes / 1e6
        print(f"text_batch={batch}: {ok}/{len(statuses)} ready, text lane CPU {text_cpu:.2f} s "
              f"({mb / text_cpu if text_cpu else 0:.2f} MB/s per core), whole import {wall:.1f} s wall; "
              f"other threads: {others}")
        return text_cpu
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wenku", default="build/wenku")
    ap.add_argument("--passages", required=True)
    ap.add_argument("--docs", type=int, default=0, help="the first N passages (default all)")
    ap.add_argument("--batch", type=int, action="append", help="text_batch values (default 1 and 32)")
    a = ap.parse_args()
    batches = a.batch or [1, 32]
    work = tempfile.mkdtemp(prefix="wenku-importbench-m-")
    manifest = os.path.join(work, "manifest.jsonl")
    text_bytes = 0
    n = 0
    with open(a.passages, encoding="utf-8") as src, open(manifest, "w", encoding="utf-8") as out:
        for line in src:
            if a.docs and n >= a.docs:
                break
            p = json.loads(line)
            text_bytes += len(p["title"].encode()) + len(p["text"].encode())
            out.write(json.dumps({"external_id": p["id"], "title": p["title"], "text": p["text"]},
                                 ensure_ascii=False) + "\n")
            n += 1
    print(f"{n} passages, {text_bytes / 1e6:.2f} MB of text")
    try:
        cpu = {b: run(a.wenku, manifest, b, text_bytes) for b in batches}
        if len(batches) > 1 and cpu[batches[-1]]:
            print(f"text lane CPU, text_batch={batches[0]} / text_batch={batches[-1]}: "
                  f"{cpu[batches[0]] / cpu[batches[-1]]:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
