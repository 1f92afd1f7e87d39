#!/usr/bin/env python3
"""A 10-page scan from upload to searchable, and typed documents uploaded meanwhile.

  /usr/bin/python3 bench/scan_latency.py --wenku build/wenku [--scans ../shared/corpus/scans]

1. Joins simplified-Chinese scanned PDFs of the corpus (mutool merge) into one image-only
   PDF of at least 10 pages, and takes a phrase printed on its last page (truth.jsonl).
2. Starts `wenku serve` on a fresh data directory and uploads the scan.
3. While the scan is OCRed, uploads a typed DOCX every second, each holding a word found
   nowhere else, and times each from its 202 answer to its first search hit (goal: under
   0.5 s: OCR runs in its own lane and never holds back a typed document).
4. Prints the scan's time from upload to the hit of its last page's phrase (OCR of every
   page included), and the typed documents' p50 and maximum.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import wenku_testlib as w  # noqa: E402


def found(server, query, doc_id):
    status, body = server.get_json("/api/v1/search?q=" + urllib.parse.quote(query))
    return status == 200 and doc_id in [h["id"] for h in body["hits"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wenku", default="build/wenku")
    ap.add_argument("--scans", default=os.path.join("..", "shared", "corpus", "scans"))
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=1200)
    a = ap.parse_args()
    w.WENKU = os.path.abspath(a.wenku)
    truth = [json.loads(line) for line in open(os.path.join(a.scans, "truth.jsonl"), encoding="utf-8")]
    parts, pages = [], []
    for t in truth:
        if t["script"] == "simp" and t["file"].endswith(".pdf") and len(pages) < a.pages:
            parts.append(os.path.join(a.scans, t["file"]))
            pages += t["pages"]
    with tempfile.TemporaryDirectory() as tmp:
        scan = os.path.join(tmp, "scan.pdf")
        subprocess.run(["mutool", "merge", "-o", scan, *parts], check=True)
        # A run of 8 Han characters from the middle of the last page's longest line.
        line = max(pages[-1].splitlines(), key=len)
        runs = [m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{8,}", line)]
        phrase = runs[len(runs) // 2][:8]
        server = w.Server(os.path.join(tmp, "data")).start()
        try:
            with open(scan, "rb") as f:
                status, up = server.upload("扫描件.pdf", f.read())
            t0 = time.time()
            assert status in (201, 202), up
            typed = []
            scan_seconds = None
            i = 0
            while time.time() - t0 < a.timeout:
                if found(server, phrase, up["id"]):
                    scan_seconds = time.time() - t0
                    break
                word = "扫描期间文档" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + str(i)
                docx = os.path.join(tmp, f"t{i}.docx")
                w.make_docx(docx, [f"{word}的标题", f"正文说明{word}。"])
                with open(docx, "rb") as f:
                    status, t_up = server.upload(f"t{i}.docx", f.read())
                t1 = time.time()
                while not found(server, word, t_up["id"]) and time.time() - t1 < 60:
                    time.sleep(0.02)
                typed.append(time.time() - t1)
                i += 1
                time.sleep(max(0.0, 1.0 - (time.time() - t1)))
        finally:
            server.stop()
    print(f"scan: {len(pages)} pages, phrase {phrase!r} of the last page found after "
          f"{scan_seconds:.1f} s" if scan_seconds else f"scan: not found within {a.timeout} s")
    if typed:
        print(f"typed documents uploaded meanwhile: {len(typed)}, to searchable p50 "
              f"{statistics.median(typed):.3f} s, max {max(typed):.3f} s (goal < 0.5 s)")


if __name__ == "__main__":
    main()
