#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from the shared corpus (tests/fuzz/README.md).

usage: make_seeds.py CORPUS_DIR OUT_DIR [MAX_PER_TARGET]
Writes OUT_DIR/<target>/<name> files; prints one line per target with the count. Files
longer than the target's max_len are skipped (libFuzzer would cut them, and a cut ZIP
loses its central directory). Deterministic: smallest files of each folder first.
"""
import json
import os
import sys
from pathlib import Path

MAX_LEN = {"detect": 256 * 1024, "extract": 256 * 1024, "zip": 256 * 1024, "ole2": 256 * 1024,
           "text_decode": 64 * 1024, "manifest": 16 * 1024, "query": 16 * 1024,
           "ofd": 256 * 1024, "pdf": 256 * 1024}

# extract_fuzz: byte 0 picks the format (index into its kFormats table).
EXTRACT_FORMATS = ["docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "txt", "html", "xml"]


def files_by_folder(docs: Path):
    """{folder name without zh/: [paths sorted by size]}"""
    out = {}
    for d in sorted(p for p in docs.rglob("*") if p.is_dir()):
        files = sorted((f for f in d.iterdir() if f.is_file()), key=lambda f: (f.stat().st_size, f.name))
        if files:
            out.setdefault(d.name, []).extend(files)
    for k in out:
        out[k].sort(key=lambda f: (f.stat().st_size, f.name))
    return out


def write(out: Path, target: str, name: str, data: bytes, counts: dict):
    if len(data) > MAX_LEN.get(target, 1 << 20):
        return False
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1
    return True


def take(files, n, target, out, counts, prefix=b"", tag=""):
    taken = 0
    for f in files:
        if taken >= n:
            break
        if write(out, target, f"{tag}{f.parent.name}_{f.name}".replace(" ", "_"), prefix + f.read_bytes(), counts):
            taken += 1


def main():
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    counts = {}
    docs = files_by_folder(corpus / "docs")
    for folder, files in docs.items():
        take(files, per, "detect", out, counts)
        if folder in ("docx", "xlsx", "pptx", "odf", "epub"):
            take(files, per, "zip", out, counts)
        if folder in ("doc", "xls", "ppt", "encrypted"):
            take(files, per, "ole2", out, counts)
        if folder == "pdf":
            take(files, per, "pdf", out, counts)
        if folder == "other":
            take([f for f in files if f.suffix.lower() == ".ofd"], per, "ofd", out, counts)
        if folder in ("txt", "html"):
            take(files, per, "text_decode", out, counts, b"\x40", "g_")
            take(files, 2, "text_decode", out, counts, b"\xc0", "i_")
        fmt_files = []
        if folder in ("docx", "xlsx", "pptx", "epub", "txt", "html"):
            fmt_files = [(folder, f) for f in files]
        elif folder == "odf":
            fmt_files = [(f.suffix.lstrip(".").lower(), f) for f in files]
        taken = 0
        for fmt, f in fmt_files:
            if fmt in EXTRACT_FORMATS and taken < per:
                if write(out, "extract", f"{folder}_{f.name}", bytes([EXTRACT_FORMATS.index(fmt)]) + f.read_bytes(), counts):
                    taken += 1

    passages, queries = [], []
    text = corpus / "text"
    if (text / "passages.jsonl").exists():
        with open(text / "passages.jsonl", encoding="utf-8") as f:
            for i, line in zip(range(200), f):
                passages.append(json.loads(line))
    for name in ("queries_dev.jsonl", "queries_dev_hard.jsonl"):
        if (text / name).exists():
            with open(text / name, encoding="utf-8") as f:
                for i, line in zip(range(100), f):
                    queries.append(json.loads(line))
    for i, p in enumerate(passages[:per * 4]):
        base = {"external_id": p.get("id", ""), "title": p.get("title", ""), "text": p.get("text", "")[:2000]}
        variants = [base,
                    {"external_id": base["external_id"], "title": base["title"], "file": f"docs/{i}.docx",
                     "category": "办公文档/事务文书", "tags": ["会议", "讲话"], "uploader": "张三"},
                    dict(base, tags="a, b ,c", description=None)]
        lines = "\n".join(json.dumps(v, ensure_ascii=(i % 2 == 0)) for v in variants) + "\n"
        write(out, "manifest", f"passage_{i}", lines.encode("utf-8"), counts)
    by_id = {p.get("id"): p for p in passages}
    for i, q in enumerate(queries[:per * 8]):
        page = ""
        for rid in q.get("relevant_ids", []):
            if rid in by_id:
                page = by_id[rid].get("text", "")
        if not page and passages:
            page = passages[i % len(passages)].get("text", "")
        query = q.get("query", "")
        if i % 3 == 1:
            query = f'"{query[:4]}" -{query[-2:]} {query[4:]}'
        write(out, "query", f"query_{i}", (query + "\n" + page[:4000]).encode("utf-8"), counts)

    for t in sorted(MAX_LEN):
        print(f"{t}: {counts.get(t, 0)} seeds from the corpus")


if __name__ == "__main__":
    main()
