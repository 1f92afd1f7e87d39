#!/usr/bin/env python3
"""Image documents and scanned PDFs through `wenku import`: detected by content, ready with
page images, their text read by OCR (script found by wenku), searchable with a page hit.

The pages are drawn here with the installed Noto CJK fonts (Debian's fonts-noto-cjk) and
python3-pil, so the test runs on a fresh clone; a few of ../shared/corpus/scans are added
when the corpus is present. Needs /usr/bin/python3 (Debian's PIL) and $WENKU_BIN.
"""
import io, json, os, re, shutil, socket, subprocess, sys, tempfile, time, unicodedata, unittest
import urllib.parse
import urllib.request

from PIL import Image, ImageDraw, ImageFont

WENKU = os.environ.get("WENKU_BIN", "build/wenku")
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SIMP = ("第一条　为了规范行政机关的行为，保障公民、法人和其他组织的合法权益，根据宪法，制定本法。"
        "第二条　本法所称行政机关，是指依法行使国家行政职权的机关。各级人民政府应当加强对本法实施的领导。")
TRAD = ("大概公元九百年以後，教會確實出現許多腐敗的問題，這是教會自己也承認的。到宗教改革的時候，"
        "許多問題積重難返，很難在短時間內解決。印刷術被發明、引進，帶來了信息革命。")
# Noto Sans CJK's collection: 2 = SC, 3 = TC forms.
FACE = {"simp": 2, "trad": 3}


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def lev(a, b):
    try:
        from Levenshtein import distance
        return distance(a, b)
    except ImportError:
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]


def accuracy(truth, got):
    t, g = norm(truth), norm(got)
    return 1 - min(len(t), lev(t, g)) / max(1, len(t))


def draw_page(text, script, width=1240, height=900, size=40):
    """A white page with the text wrapped at the margins, as a printer lays it out."""
    im = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, size, index=FACE[script])
    x0, y, line = 80, 80, ""
    for ch in text:
        if d.textlength(line + ch, font=font) > width - 2 * x0:
            d.text((x0, y), line, font=font, fill=0)
            y += int(size * 1.6)
            line = ""
        line += ch
    d.text((x0, y), line, font=font, fill=0)
    return im


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


class OcrImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(FONT):
            raise unittest.SkipTest("fonts-noto-cjk is not installed")
        cls.tmp = tempfile.mkdtemp(prefix="wenku-ocr-test-")
        cls.files = {}
        simp = draw_page(SIMP, "simp")
        p = os.path.join(cls.tmp, "simp.png"); simp.save(p, dpi=(150, 150)); cls.files["simp.png"] = (p, SIMP, "png")
        # A phone photo stored sideways with EXIF orientation 6 (turn a quarter clockwise to view).
        trad = draw_page(TRAD, "trad").rotate(90, expand=True)
        exif = Image.Exif(); exif[0x0112] = 6
        p = os.path.join(cls.tmp, "photo.jpg"); trad.convert("RGB").save(p, quality=90, exif=exif.tobytes())
        cls.files["photo.jpg"] = (p, TRAD, "jpeg")
        # An image-only PDF: one scanned page, no text layer.
        p = os.path.join(cls.tmp, "scan.pdf"); simp.convert("RGB").save(p, resolution=150)
        cls.files["scan.pdf"] = (p, SIMP, "pdf")
        # A multi-page TIFF: a fax of two pages.
        p = os.path.join(cls.tmp, "fax.tif")
        draw_page(TRAD, "trad").save(p, save_all=True, append_images=[simp], compression="tiff_deflate", dpi=(150, 150))
        cls.files["fax.tif"] = (p, TRAD + SIMP, "tiff")
        cls.data = os.path.join(cls.tmp, "data")
        out = subprocess.run([WENKU, "import", "--data", cls.data, "--json"] + [f[0] for f in cls.files.values()],
                             capture_output=True, text=True, timeout=1500)
        cls.rows = {os.path.basename(json.loads(l)["path"]): json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")}
        port = free_port()
        cls.base = f"http://127.0.0.1:{port}"
        cls.server = subprocess.Popen([WENKU, "serve", "--data", cls.data, "--listen", f"127.0.0.1:{port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(cls.base + "/healthz", timeout=1); break
            except OSError:
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate(); cls.server.wait(timeout=30)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def text_of(self, name):
        doc_id = self.rows[name]["id"]
        return urllib.request.urlopen(f"{self.base}/api/v1/documents/{doc_id}/text", timeout=30).read().decode()

    def test_every_file_is_ready_with_its_format_and_pages(self):
        for name, (_, _, fmt) in self.files.items():
            with self.subTest(name=name):
                row = self.rows.get(name)
                self.assertIsNotNone(row, f"no import result for {name}")
                self.assertEqual(row["status"], "ready", row)
                self.assertEqual(row["format"], fmt)
        self.assertEqual(self.rows["fax.tif"]["pages"], 2)

    def test_recognised_text_is_the_printed_text(self):
        for name, (_, truth, _) in self.files.items():
            with self.subTest(name=name):
                got = self.text_of(name)
                self.assertGreater(accuracy(truth, got), 0.9, got)
                # Chinese as it is written: no space between two Han characters.
                self.assertIsNone(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", got), got)

    def test_page_images_exist(self):
        doc_id = self.rows["photo.jpg"]["id"]
        img = urllib.request.urlopen(f"{self.base}/api/v1/documents/{doc_id}/pages/1", timeout=30).read()
        self.assertEqual(img[8:12], b"WEBP")

    def test_a_phrase_finds_the_scan_with_its_page(self):
        out = subprocess.run([WENKU, "search", "--data", self.data, "--json", "积重难返"],
                             capture_output=True, text=True, timeout=60)
        hits = json.loads(out.stdout)["hits"]
        ids = {h["id"]: h for h in hits}
        self.assertIn(self.rows["photo.jpg"]["id"], ids, out.stdout)
        fax = ids.get(self.rows["fax.tif"]["id"])
        self.assertIsNotNone(fax, out.stdout)
        self.assertIn(1, fax.get("pages", []))

    def test_a_phrase_finds_the_scan_through_the_site_and_the_api(self):
        # Issue 14, acceptance 4: the body phrase of an OCRed page (printed in traditional
        # characters, asked in simplified) through /api/v1/search and /s, with its page.
        q = urllib.parse.quote("积重难返")
        fax_id = self.rows["fax.tif"]["id"]
        api = json.loads(urllib.request.urlopen(f"{self.base}/api/v1/search?q={q}", timeout=60).read())
        hit = next((h for h in api["hits"] if h["id"] == fax_id), None)
        self.assertIsNotNone(hit, api)
        self.assertEqual(hit.get("pages", [None])[0], 1, hit)
        html = urllib.request.urlopen(f"{self.base}/s?q={q}", timeout=60).read().decode()
        self.assertRegex(html, rf'href="/d/{fax_id}\?q=[^"&]*&amp;p=1#page-1"')


if __name__ == "__main__":
    unittest.main()
