#!/usr/bin/env python3
"""Runs one of ../shared/eval's scripts against build/wenku and fails unless its figures
reach the acceptance thresholds of the issues. Skips plainly (exit 77) without the corpus.

  check_eval.py segment --wenku build/wenku
  check_eval.py search  --wenku build/wenku [--queries dev_hard|dev]
  check_eval.py ocr     --wenku build/wenku [--files a.pdf,b.jpg]

`ocr` runs ocr_accuracy.py with its tesseract CLI baseline over a subset of the shared scans
(the full 30 are a bench, bench/README.md "OCR"): every file ready, character accuracy at
least the baseline's of the same run, phrase recall@10 at least 0.95 (issue 14, acceptance 1).
"""
import argparse
import os
import json
import re
import shutil
import subprocess
import tempfile
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def shared_dir():
    corpus = os.environ.get("WENKU_CORPUS") or os.path.join(REPO, "..", "shared", "corpus")
    corpus = os.path.normpath(corpus)
    if not os.path.isdir(corpus):
        return None, None
    evald = os.path.normpath(os.path.join(corpus, "..", "eval"))
    return corpus, (evald if os.path.isdir(evald) else None)


def record_figures(line):
    """Adds a FIGURES line to the file scripts/test.sh prints at the end of the run."""
    print("FIGURES " + line)
    path = os.environ.get("WENKU_FIGURES_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write("FIGURES " + line + "\n")


def run(cmd):
    print("$", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr[-3000:])
    if p.returncode != 0:
        raise SystemExit(f"FAIL: exit code {p.returncode}")
    return p.stdout


def check_ocr(a, corpus, evald):
    """The OCR eval over a subset of the scans: a folder of links and its own truth.jsonl."""
    scans = os.path.join(corpus, "scans")
    if not os.path.isdir(scans) or shutil.which("tesseract") is None:
        print("SKIP: no scans in the corpus, or no tesseract CLI for the baseline")
        raise SystemExit(77)
    keep = a.files.split(",")
    tmp = tempfile.mkdtemp(prefix="wenku-ocr-eval-")
    try:
        with open(os.path.join(scans, "truth.jsonl"), encoding="utf-8") as f, \
                open(os.path.join(tmp, "truth.jsonl"), "w", encoding="utf-8") as out:
            for line in f:
                if json.loads(line)["file"] in keep:
                    out.write(line)
        for name in keep:
            os.symlink(os.path.join(scans, name), os.path.join(tmp, name))
        out = run(["/usr/bin/python3", os.path.join(evald, "ocr_accuracy.py"), "--wenku", a.wenku,
                   "--scans", tmp, "--baseline", "--verbose"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    last = [l for l in out.splitlines() if l.startswith("ocr:")][-1]
    record_figures("eval_ocr_subset files=%d %s" % (len(keep), last))
    acc = float(re.search(r"accuracy=([0-9.]+)", last).group(1))
    recall = float(re.search(r"recall@10=([0-9.]+)", last).group(1))
    base = float(re.search(r"baseline=([0-9.]+)", last).group(1))
    failures = []
    if "not ready:" in out:
        failures.append([l for l in out.splitlines() if l.startswith("not ready:")][0])
    if acc < base:
        failures.append(f"character accuracy {acc} below the tesseract CLI baseline {base}")
    if recall < 0.95:
        failures.append(f"recall@10 {recall} < 0.95")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["segment", "search", "ocr"])
    ap.add_argument("--wenku", required=True)
    ap.add_argument("--queries", default="dev_hard", choices=["dev_hard", "dev"])
    # Simplified and traditional, scanned PDFs and phone photos, from each source of the set.
    ap.add_argument("--files", default="scan000.pdf,scan010.pdf,scan017.png,scan025.pdf,scan023.jpg,scan016.pdf")
    a = ap.parse_args()
    corpus, evald = shared_dir()
    if not corpus or not evald:
        print("SKIP: shared corpus and eval scripts not found (set WENKU_CORPUS)")
        return 77
    failures = []
    if a.what == "ocr":
        failures = check_ocr(a, corpus, evald)
    elif a.what == "segment":
        out = run(["/usr/bin/python3", os.path.join(evald, "segment_f1.py"), "--wenku", a.wenku,
                   "--test", os.path.join(corpus, "seg", "pku_test.utf8"),
                   "--gold", os.path.join(corpus, "seg", "pku_test_gold.utf8"),
                   "--words", os.path.join(corpus, "seg", "pku_training_words.utf8")])
        f1 = float(re.search(r"segment: F1=([0-9.]+)", out).group(1))
        record_figures("eval_segment " + [l for l in out.splitlines() if l.startswith("segment:")][-1])
        if f1 < 0.83:
            failures.append(f"F1 {f1} < 0.83")
    else:
        qfile = "queries_dev_hard.jsonl" if a.queries == "dev_hard" else "queries_dev.jsonl"
        out = run(["/usr/bin/python3", os.path.join(evald, "search_quality.py"), "--wenku", a.wenku,
                   "--passages", os.path.join(corpus, "text", "passages.jsonl"),
                   "--queries", os.path.join(corpus, "text", qfile)])
        mrr = float(re.search(r"search: MRR@10=([0-9.]+)", out).group(1))
        by_type = [l for l in out.splitlines() if l.startswith("wenku by type:")]
        record_figures(f"eval_search_{a.queries} " + [l for l in out.splitlines() if l.startswith("search:")][-1] +
                       (" | " + by_type[-1] if by_type else ""))
        base = float(re.search(r"baseline=([0-9.]+)", out).group(1))
        nohit = float(re.search(r"no-hit=([0-9.]+)", out).group(1))
        if nohit > 0:
            failures.append(f"no-hit {nohit} > 0: a query with a Chinese character came back empty")
        if a.queries == "dev":
            if mrr < base:
                failures.append(f"MRR {mrr} below the baseline {base}")
        else:
            # The floors CI holds; issue 4's targets (keyword 0.70) are reported in the note.
            floors = {"overall": 0.85, "xscript-t2s": 0.95, "xscript-s2t": 0.95, "keyword": 0.60}
            types = dict(re.findall(r"(\S+)=([0-9.]+)", out.split("wenku by type:")[1].splitlines()[0]))
            if mrr < floors["overall"]:
                failures.append(f"MRR {mrr} < {floors['overall']}")
            for t, floor in floors.items():
                if t in types and float(types[t]) < floor:
                    failures.append(f"{t} {types[t]} < {floor}")
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
