#!/usr/bin/env python3
"""OCR bench: wenku's engine (build/ocr_bench) against the tesseract CLI on the same pages.

Character accuracy as ../shared/eval/ocr_accuracy.py counts it (1 - edit distance / printed
length after NFKC, white space removed, over all printed characters), and seconds per page,
both on one thread (OMP_THREAD_LIMIT=1). The CLI is told each document's language (truth.jsonl
`script`); wenku finds the script itself. Times are CPU seconds (user + system: the machine
is shared, wall time is noise) and wall seconds.

usage: ocr_bench.py --bench build/ocr_bench --scans DIR [--files a.pdf,b.jpg] [--dpi N]
                    [--render] [--no-baseline] [--extra "--no-osd ..."]
"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time, unicodedata, re

try:
    from Levenshtein import distance as lev
except ImportError:
    def lev(a, b):
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def score(truth, got):
    err = tot = 0
    for d in truth:
        pages = got.get(d["file"], [])
        for i, t in enumerate(d["pages"]):
            t = norm(t)
            g = norm(pages[i]) if i < len(pages) else ""
            err += min(len(t), lev(t, g)); tot += len(t)
    return 1 - err / max(1, tot)


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def page_images(path, tmp, dpi, render):
    if not path.lower().endswith(".pdf"):
        return [path], 0
    if render:
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-png", path, os.path.join(tmp, "p")], check=True)
    else:
        subprocess.run(["pdfimages", "-all", path, os.path.join(tmp, "p")], check=True)
    return sorted(os.path.join(tmp, f) for f in os.listdir(tmp) if f.startswith("p-")), dpi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--scans", required=True)
    ap.add_argument("--files", default="")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--render", action="store_true", help="render PDF pages at --dpi instead of their image")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--extra", default="")
    a = ap.parse_args()
    truth = [json.loads(l) for l in open(os.path.join(a.scans, "truth.jsonl"), encoding="utf-8")]
    if a.files:
        keep = set(a.files.split(","))
        truth = [d for d in truth if d["file"] in keep]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    files = [os.path.join(a.scans, d["file"]) for d in truth]
    npages = sum(len(d["pages"]) for d in truth)

    args = [a.bench, "--dpi", str(a.dpi)] + (["--render"] if a.render else []) + a.extra.split()
    c0, t0 = child_cpu(), time.time()
    out = subprocess.run(args + files, capture_output=True, text=True, env=env)
    w_cpu, w_wall = child_cpu() - c0, time.time() - t0
    got, langs, ocr_cpu = {}, {}, 0
    for line in out.stdout.splitlines():
        r = json.loads(line)
        name = os.path.basename(r["file"])
        got.setdefault(name, []).append(r.get("text", ""))
        langs[r.get("language", "error")] = langs.get(r.get("language", "error"), 0) + 1
        ocr_cpu += r.get("cpu_ms", 0) / 1000
    acc = score(truth, got)
    for s in ("simp", "trad"):
        sub = [d for d in truth if d["script"] == s]
        if sub:
            print(f"wenku {s}: accuracy {score(sub, got):.4f} over {len(sub)} docs")
    print(f"wenku models chosen: {langs}")
    line = (f"ocr_bench: pages={npages} accuracy={acc:.4f} cpu_s_per_page={w_cpu / npages:.2f} "
            f"ocr_cpu_s_per_page={ocr_cpu / npages:.2f} wall_s_per_page={w_wall / npages:.2f}")
    if not a.no_baseline:
        btexts, b_cpu, b_wall = {}, 0.0, 0.0
        for d in truth:
            tmp = tempfile.mkdtemp(prefix="ocr-bench-")
            try:
                imgs, dpi = page_images(os.path.join(a.scans, d["file"]), tmp, a.dpi, a.render)
                lang = "chi_sim" if d["script"] == "simp" else "chi_tra"
                pages = []
                for img in imgs:
                    c0, t0 = child_cpu(), time.time()
                    r = subprocess.run(["tesseract", img, "-", "-l", lang, "--dpi", str(dpi or 200)],
                                       capture_output=True, text=True, env=env)
                    b_cpu += child_cpu() - c0; b_wall += time.time() - t0
                    pages.append(r.stdout)
                btexts[d["file"]] = pages
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        bacc = score(truth, btexts)
        line += (f" baseline={bacc:.4f} baseline_cpu_s_per_page={b_cpu / npages:.2f} "
                 f"baseline_wall_s_per_page={b_wall / npages:.2f} cpu_ratio={w_cpu / max(1e-9, b_cpu):.2f}")
    print(line)


if __name__ == "__main__":
    main()
