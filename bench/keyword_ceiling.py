#!/usr/bin/env python3
"""How far ranking alone can lift the `keyword` queries of a query set, through the CLI.

A keyword query is a word an author tagged on a paper's abstract; its relevant passages are
the abstracts tagged with it. This imports the passages with `wenku import --manifest` (or
reuses --data), runs `wenku search --json --limit 50` for the keyword queries, and prints:

  - MRR@10 of wenku's ranking (what search_quality.py reports as `keyword`);
  - MRR@10 of the same ranking with every passage from another source than the relevant
    ones removed (an oracle that knows which collection the labels come from);
  - the expected MRR@10 of a random order of the source's passages that hold the word.

If the oracle stays below a goal, no ranking that treats every collection alike reaches it:
what is left is the order among the tagged collection's own abstracts.

    bench/keyword_ceiling.py --wenku build/wenku --passages PASSAGES.jsonl \
        --queries queries_dev_hard.jsonl [--data DIR]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

K = 10


def reciprocal_rank(hits, relevant):
    for i, h in enumerate(hits[:K]):
        if h in relevant:
            return 1.0 / (i + 1)
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wenku", default="build/wenku")
    ap.add_argument("--passages", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--data", help="an imported data directory to reuse (imported when missing)")
    ap.add_argument("--type", default="keyword")
    a = ap.parse_args()

    passages = [json.loads(l) for l in open(a.passages, encoding="utf-8") if l.strip()]
    source_of = {str(p["id"]): p.get("source", "") for p in passages}
    queries = [json.loads(l) for l in open(a.queries, encoding="utf-8") if l.strip()]
    queries = [q for q in queries if q.get("type") == a.type]
    if not queries:
        raise SystemExit(f"no queries of type {a.type}")

    work = tempfile.mkdtemp(prefix="wenku-keyword-")
    data = a.data or os.path.join(work, "data")
    if not os.path.isdir(data):
        manifest = os.path.join(work, "manifest.jsonl")
        with open(manifest, "w", encoding="utf-8") as f:
            for p in passages:
                f.write(json.dumps({"external_id": str(p["id"]), "title": p.get("title", ""),
                                    "text": p["text"]}, ensure_ascii=False) + "\n")
        subprocess.run([a.wenku, "import", "--data", data, "--json", "--manifest", manifest],
                       check=True, stdout=subprocess.DEVNULL)
    qfile = os.path.join(work, "queries.txt")
    with open(qfile, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(q["query"].replace("\n", " ") + "\n")
    out = subprocess.run([a.wenku, "search", "--data", data, "--json", "--limit", "50", "--queries", qfile],
                         check=True, capture_output=True).stdout.decode("utf-8")
    results = [json.loads(l) for l in out.splitlines() if l.strip()]

    rng = random.Random(7)
    plain = oracle = chance = 0.0
    for q, r in zip(queries, results):
        relevant = set(map(str, q["relevant_ids"]))
        sources = {source_of.get(i, "") for i in relevant}
        hits = [str(h.get("external_id")) for h in r.get("hits", [])]
        plain += reciprocal_rank(hits, relevant)
        oracle += reciprocal_rank([h for h in hits if source_of.get(h, "") in sources], relevant)
        word = q["query"].lower()
        holding = [str(p["id"]) for p in passages if p.get("source", "") in sources and
                   (word in p["text"].lower() or word in p.get("title", "").lower())]
        trials = 500
        total = 0.0
        for _ in range(trials):
            rng.shuffle(holding)
            total += reciprocal_rank(holding, relevant)
        chance += total / trials
    n = len(queries)
    print(f"{a.type} queries {n}: MRR@10 {plain / n:.4f}; same ranking, other sources removed "
          f"(oracle) {oracle / n:.4f}; random order of the source's passages holding the word "
          f"{chance / n:.4f}")


if __name__ == "__main__":
    sys.exit(main())
