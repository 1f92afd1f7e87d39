#!/usr/bin/env python3
"""Search over many documents: FTS5 (the embedded default), Xapian local and Xapian over two
stock `xapian-tcpsrv --writable` shards, the same documents and queries in one run
(bench/README.md "Search across backends", issue 12).

  python3 bench/shard_search_bench.py --build BUILD --corpus ../shared/corpus \
      [--synthesize 100000] [--every 1] [--work DIR]

Each backend gets the corpus passages plus synthesised documents (bench_corpus.h) written
by `search_eval` in batches of 256, then every query of queries_dev_hard.jsonl and
queries_dev.jsonl (--every N: every Nth, for a quicker run). Prints each backend's MRR@10
and took_ms p50/p99 per query file, then the shards' MRR difference and p99 ratio against
FTS5. Xapian's databases stay uncompacted (as the library leaves them); the shard servers
are started and stopped here on free loopback ports.
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_shard(path):
    port = free_port()
    log = open(path + ".log", "ab")
    proc = subprocess.Popen(["xapian-tcpsrv", "--writable", "--quiet", "--interface", "127.0.0.1",
                             "--port", str(port), path], stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("xapian-tcpsrv exited; see " + path + ".log")
            time.sleep(0.05)
    raise SystemExit("xapian-tcpsrv did not start")


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


LINE = re.compile(r"(\S+): MRR@10=([\d.]+) over (\d+) queries \(no hit (\d+)\); took_ms p50=([\d.]+) p99=([\d.]+)")


def run_eval(name, args, target, queries, extra):
    cmd = [os.path.join(args.build, "search_eval"), "--passages", os.path.join(args.corpus, "text", "passages.jsonl"),
           "--synthesize", str(args.synthesize), "--batch", "256"] + extra
    for q in queries:
        cmd += ["--queries", q]
    cmd += target
    t0 = time.time()
    cpu0 = os.times()
    out = subprocess.run(cmd, capture_output=True, text=True)
    cpu1 = os.times()
    if out.returncode != 0:
        raise SystemExit("%s failed: %s" % (name, out.stderr[-2000:]))
    sys.stdout.write("== %s (%.0f s wall, %.0f s CPU of search_eval)\n%s" % (
        name, time.time() - t0, (cpu1.children_user + cpu1.children_system) - (cpu0.children_user + cpu0.children_system),
        out.stdout))
    sys.stdout.flush()
    return {m.group(1): (float(m.group(2)), float(m.group(5)), float(m.group(6)), int(m.group(4)))
            for m in LINE.finditer(out.stdout)}


def subset(path, every, work):
    if every <= 1:
        return path
    out = os.path.join(work, os.path.basename(path))
    with open(path, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            if i % every == 0:
                g.write(line)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="build directory holding search_eval")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--synthesize", type=int, default=100000)
    ap.add_argument("--every", type=int, default=1, help="every Nth query only")
    ap.add_argument("--backends", default="fts5,xapian,shards", help="which of fts5,xapian,shards to run")
    ap.add_argument("--work", help="where the indexes go (default: a temporary directory, removed)")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="wenku-shard-bench-")
    os.makedirs(work, exist_ok=True)
    queries = [subset(os.path.join(args.corpus, "text", q), args.every, work)
               for q in ("queries_dev_hard.jsonl", "queries_dev.jsonl")]
    results = {}
    shards = []
    try:
        wanted = args.backends.split(",")
        if "fts5" in wanted:
            results["fts5"] = run_eval("FTS5", args, ["--db", os.path.join(work, "fts5.db")], queries, ["--optimize"])
        if "xapian" in wanted:
            results["xapian"] = run_eval("Xapian local", args, ["--url", "xapian://" + os.path.join(work, "xapian")],
                                     queries, [])
        if "shards" in wanted:
            for i in range(2):
                shards.append(start_shard(os.path.join(work, "shard%d" % i)))
            url = "xapian+tcp://" + ",".join("127.0.0.1:%d" % port for _, port in shards)
            results["shards"] = run_eval("Xapian, 2 xapian-tcpsrv shards", args, ["--url", url], queries, [])
    finally:
        for proc, _ in shards:
            stop(proc)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("== summary (%d documents synthesised beside the passages)" % args.synthesize)
    for q in sorted(results.get("fts5", {})):
        f = results["fts5"][q]
        for name in ("xapian", "shards"):
            r = results.get(name, {}).get(q)
            if r:
                print("%s %s: MRR %.4f vs FTS5 %.4f (diff %+.4f); took_ms p50 %.2f vs %.2f, p99 %.2f vs %.2f "
                      "(p99 ratio %.2fx); no hit %d" % (q, name, r[0], f[0], r[0] - f[0], r[1], f[1], r[2], f[2],
                                                      r[2] / f[2] if f[2] else 0, r[3]))


if __name__ == "__main__":
    main()
