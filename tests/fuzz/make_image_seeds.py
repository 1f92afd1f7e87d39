#!/usr/bin/env python3
"""Makes the seeds of image_fuzz: small pictures of every format src/image reads, with the
features its code paths branch on (gray, RGB, RGBA, palette, 16-bit, 1-bit, EXIF orientation,
multi-page TIFF in several compressions, lossy and lossless WebP). Deterministic.

usage: make_image_seeds.py OUT_DIR      (needs Debian's python3-pil: /usr/bin/python3)
The seeds in seeds/image/ were made by this script.
"""
import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw


def page(mode, size=(48, 32)):
    im = Image.new("L", size, 255)
    d = ImageDraw.Draw(im)
    d.rectangle([4, 4, 20, 12], fill=0)
    d.line([0, size[1] - 1, size[0] - 1, 0], fill=96)
    return im.convert(mode)


def save(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def exif(orientation):
    e = Image.Exif()
    e[0x0112] = orientation
    return e.tobytes()


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    seeds = {
        "gray.png": save(page("L"), "PNG"),
        "rgb.png": save(page("RGB"), "PNG"),
        "rgba.png": save(page("RGBA"), "PNG"),
        "palette.png": save(page("P"), "PNG"),
        "bits1.png": save(page("1"), "PNG"),
        "gray16.png": save(page("I;16"), "PNG"),
        "gray.jpg": save(page("L"), "JPEG", quality=80),
        "rgb.jpg": save(page("RGB"), "JPEG", quality=80),
        "cmyk.jpg": save(page("CMYK"), "JPEG", quality=80),
        "orient6.jpg": save(page("L"), "JPEG", exif=exif(6)),
        "orient3.jpg": save(page("RGB"), "JPEG", exif=exif(3)),
        "lossy.webp": save(page("RGB"), "WEBP", quality=50),
        "lossless.webp": save(page("RGBA"), "WEBP", lossless=True),
        "g4.tif": save(page("1"), "TIFF", compression="group4"),
        "lzw.tif": save(page("RGB"), "TIFF", compression="tiff_lzw"),
        "jpeg.tif": save(page("RGB"), "TIFF", compression="jpeg"),
        "raw16.tif": save(page("I;16"), "TIFF"),
    }
    b = io.BytesIO()
    page("L").save(b, "TIFF", save_all=True, append_images=[page("1"), page("RGB", (20, 60))], compression="tiff_deflate")
    seeds["pages3.tif"] = b.getvalue()
    for name, data in seeds.items():
        (out / name).write_bytes(data)
    print(f"image: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
