#!/usr/bin/env python3
"""Compares page images written by `render_bench --dump` before and after a change.

Usage: compare_pages.py BEFORE_DIR AFTER_DIR
For each WebP in both directories: the largest and the mean absolute difference per channel
(0-255) and the PSNR of the decoded pixels, then the totals of bytes before and after, for
previews and thumbnails apart. Needs python3-pil (with WebP).
"""
import math
import os
import sys

from PIL import Image, ImageChops, ImageStat


def main():
    before, after = sys.argv[1], sys.argv[2]
    totals = {}
    worst = {}
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
        diff = ImageChops.difference(a, b)
        stat = ImageStat.Stat(diff)
        largest = max(hi for _, hi in diff.getextrema())
        mean = sum(stat.mean) / 3
        mse = sum(r * r for r in stat.rms) / 3
        psnr = float("inf") if mse == 0 else 10 * math.log10(255 * 255 / mse)
        if largest == 0:
            t["identical"] += 1
        w = worst.setdefault(kind, (float("inf"), ""))
        if psnr < w[0]:
            worst[kind] = (psnr, f"{name}: max {largest} mean {mean:.3f} PSNR {psnr:.1f} dB")
    for kind, t in totals.items():
        ratio = t["after"] / max(t["before"], 1)
        print(f"{kind}: {t['n']} images, {t['identical']} pixel-identical, {t['sizes']} of another size; "
              f"bytes {t['before']} -> {t['after']} ({ratio:.3f}x)")
        if kind in worst and worst[kind][1]:
            print(f"  lowest PSNR: {worst[kind][1]}")


if __name__ == "__main__":
    main()
