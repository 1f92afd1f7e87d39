"""The formats of issue 14 through the real `wenku import`: OFD packages the test writes
(tests/fuzz/make_ofd_seeds.py's builders), Word 2003 XML and Excel 2003 XML made by
LibreOffice's own "MS Word 2003 XML" / "MS Excel 2003 XML" filters, an MHTML archive, and
the corpus's Microsoft Works files when the corpus is there. Each must be `ready` with its
detected format and pages, and its text found by search."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
import make_ofd_seeds as ofd  # noqa: E402
import wenku_testlib as w  # noqa: E402


def imported(data, *paths):
    p = w.run("import", "--json", *paths, data=data, timeout=900)
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def search(data, query):
    p = w.run("search", "--json", query, data=data)
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    return json.loads(p.stdout)


def soffice_convert(src, in_filter, filter_name, outdir, profile):
    """soffice --convert-to with named import and export filters; the converted file's path."""
    p = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", f"--infilter={in_filter}",
                        "--convert-to", f"xml:{filter_name}", "--outdir", outdir, src], capture_output=True, timeout=300)
    out = os.path.join(outdir, os.path.splitext(os.path.basename(src))[0] + ".xml")
    if p.returncode != 0 or not os.path.exists(out):
        raise unittest.SkipTest(f"LibreOffice could not write {filter_name}: {p.stderr[-500:]!r}")
    return out


class Formats(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="wenku-formats-")
        self.data = os.path.join(self.dir, "data")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_ofd_is_ready_with_its_pages_and_text(self):
        path = os.path.join(self.dir, "公文.ofd")
        ofd.write(Path(self.dir), "公文.ofd", ofd.package(
            [ofd.page(ofd.text(10, 10, "关于开展安全生产检查的通知")), ofd.page(ofd.text(10, 10, "第二页落款"))]))
        [r] = imported(self.data, path)
        self.assertEqual((r["status"], r["format"], r["pages"]), ("ready", "ofd", 2), r)
        hits = search(self.data, "安全生产检查")["hits"]
        self.assertEqual([h["id"] for h in hits], [r["id"]])
        self.assertEqual(search(self.data, "第二页落款")["hits"][0]["pages"], [2])

    def test_broken_ofd_fails_with_a_reason(self):
        path = os.path.join(self.dir, "坏.ofd")
        ofd.write(Path(self.dir), "坏.ofd", [m for m in ofd.package([ofd.page("")]) if "Pages/" not in m[0]])
        [r] = imported(self.data, path)
        self.assertEqual((r["status"], r["format"]), ("failed", "ofd"), r)
        self.assertIn("Content.xml", r["error"])

    def test_word_and_excel_2003_xml_keep_their_layout(self):
        # LibreOffice writes both test files ("MS Word 2003 XML" from UTF-8 text: its export
        # of an HTML-born document is not read back by its own import; "MS Excel 2003 XML"
        # from a UTF-8 CSV).
        if shutil.which("soffice") is None:
            self.skipTest("LibreOffice is not installed")
        profile = os.path.join(self.dir, "lo-profile")
        txt = os.path.join(self.dir, "report.txt")
        with open(txt, "w", encoding="utf-8") as f:
            f.write("年度工作报告\n全面推进依法行政\n")
        word = soffice_convert(txt, "Text (encoded):UTF8", "MS Word 2003 XML", self.dir, profile)
        csv = os.path.join(self.dir, "sheet.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("项目,金额\n办公用品采购,1200\n")
        os.mkdir(os.path.join(self.dir, "x"))
        excel = soffice_convert(csv, "CSV:44,34,76", "MS Excel 2003 XML", os.path.join(self.dir, "x"), profile)
        with open(word, encoding="utf-8") as f:
            self.assertIn("w:wordDocument", f.read())
        results = imported(self.data, word, excel)
        by_format = {r["format"]: r for r in results}
        self.assertEqual(set(by_format), {"wordml", "xmlss"}, results)
        for r in results:
            self.assertEqual(r["status"], "ready", r)
            self.assertGreaterEqual(r["pages"], 1, r)
        self.assertEqual(search(self.data, "依法行政")["hits"][0]["id"], by_format["wordml"]["id"])
        self.assertEqual(search(self.data, "办公用品采购")["hits"][0]["id"], by_format["xmlss"]["id"])

    def test_mhtml_becomes_a_document(self):
        path = os.path.join(self.dir, "page.mht")
        body = "<html><head><meta charset=\"gb2312\"></head><body><p>政务公开网页存档</p></body></html>"
        qp = "".join(f"={b:02X}" for b in body.encode("gb2312"))
        lines = [qp[i:i + 72] for i in range(0, len(qp), 72)]
        with open(path, "wb") as f:
            f.write(("MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\tboundary=\"----=_NextPart_01\"\r\n\r\n"
                     "------=_NextPart_01\r\nContent-Type: text/html; charset=\"gb2312\"\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + "=\r\n".join(lines) +
                     "\r\n------=_NextPart_01\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                     "iVBORw0KGgo=\r\n------=_NextPart_01--\r\n").encode("ascii"))
        [r] = imported(self.data, path)
        self.assertEqual((r["status"], r["format"]), ("ready", "mhtml"), r)
        self.assertEqual(search(self.data, "政务公开")["hits"][0]["id"], r["id"])

    def test_corpus_works_documents(self):
        corpus = w.corpus_dir()
        if corpus is None:
            self.skipTest("shared corpus not found: set WENKU_CORPUS")
        files = [os.path.join(corpus, "docs", "other", n) for n in
                 ("tika__testWORKS.wps", "tika__testWORKS2000.wps", "tika__testWORKSWordProcessor3.0.wps")]
        results = imported(self.data, *files)
        for r in results:
            self.assertEqual((r["status"], r["format"]), ("ready", "works"), r)
        self.assertEqual(len(search(self.data, "Microsoft Works")["hits"]), 3)


if __name__ == "__main__":
    unittest.main()
