#!/usr/bin/env python3
"""Compares page images written by `render_bench --dump` before and after a change.

Usage: compare_pages.py BEFORE_DIR AFTER_DIR
For each WebP in both directories: the largest and the mean absolute difference per channel
(0-255) and the PSNR of the decoded pixels, then the totals of bytes before and after, for
previews and thumbnails apart. A thumbnail is also scored against its preview (from BEFORE)
shrunk by PIL's box filter (area mean): the median PSNR of the thumbnails before and after says
whether the new ones are as faithful. Needs python3-pil (with WebP).
"""
import math
import os
import sys

from PIL import Image, ImageChops, ImageStat


def psnr(a, b):
    stat = ImageStat.Stat(ImageChops.difference(a, b))
    mse = sum(r * r for r in stat.rms) / 3
    return float("inf") if mse == 0 else 10 * math.log10(255 * 255 / mse)


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if v else float("nan")


def main():
    before, after = sys.argv[1], sys.argv[2]
    totals = {}
    worst = {}
    faithful = {"before": [], "after": []}
    for name in sorted(os.listdir(before)):
        if not name.endswith(".webp") or not os.path.exists(os.path.join(after, name)):
            continue
        kind = "thumb" if name.endswith(".thumb.webp") else "preview"
        a = Image.open(os.path.join(before, name)).convert("RGB")
        b = Image.open(os.path.join(after, name)).convert("RGB")
        t = totals.setdefault(kind, {"n": 0, "before": 0, "after": 0, "identical": 0, "sizes": 0})
        t["n"] += 1
        t["before"] += os.path.getsize(os.path.join(before, name))
        t["after"] += os.path.getsize(os.path.join(after, name))
        if a.size != b.size:
            t["sizes"] += 1
            print(f"{name}: size {a.size} -> {b.size}")
            continue
        preview = os.path.join(before, name.replace(".thumb.webp", ".preview.webp"))
        if kind == "thumb" and os.path.exists(preview):
            ref = Image.open(preview).convert("RGB").resize(a.size, Image.BOX)
            faithful["before"].append(psnr(a, ref))
            faithful["after"].append(psnr(b, ref))
        diff = ImageChops.difference(a, b)
        stat = ImageStat.Stat(diff)
        largest = max(hi for _, hi in diff.getextrema())
        mean = sum(stat.mean) / 3
        mse = sum(r * r for r in stat.rms) / 3
        score = float("inf") if mse == 0 else 10 * math.log10(255 * 255 / mse)
        if largest == 0:
            t["identical"] += 1
        w = worst.setdefault(kind, (float("inf"), ""))
        if score < w[0]:
            worst[kind] = (score, f"{name}: max {largest} mean {mean:.3f} PSNR {score:.1f} dB")
    for kind, t in totals.items():
        ratio = t["after"] / max(t["before"], 1)
        print(f"{kind}: {t['n']} images, {t['identical']} pixel-identical, {t['sizes']} of another size; "
              f"bytes {t['before']} -> {t['after']} ({ratio:.3f}x)")
        if kind in worst and worst[kind][1]:
            print(f"  lowest PSNR: {worst[kind][1]}")
    if faithful["before"]:
        print(f"thumbnails against the preview box-shrunk: median PSNR before {median(faithful['before']):.1f} dB, "
              f"after {median(faithful['after']):.1f} dB; lowest before {min(faithful['before']):.1f}, "
              f"after {min(faithful['after']):.1f}")


if __name__ == "__main__":
    main()
