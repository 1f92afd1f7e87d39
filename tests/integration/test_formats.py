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
import zipfile
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


def chart_only_xlsx(path):
    """An .xlsx whose one sheet holds no cell, only a bar chart (its values literal in the chart)."""
    R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    P = "http://schemas.openxmlformats.org/package/2006/relationships"
    C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    A = "http://schemas.openxmlformats.org/drawingml/2006/main"
    XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
          '<Override PartName="/xl/charts/chart1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
          '</Types>')
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{P}"><Relationship Id="rId1" '
            f'Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{S}" xmlns:r="{R}"><sheets>'
          '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{P}"><Relationship Id="rId1" '
              f'Type="{R}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{S}" xmlns:r="{R}"><sheetData/>'
             '<drawing r:id="rId1"/></worksheet>')
    sheetrels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{P}"><Relationship Id="rId1" '
                 f'Type="{R}/drawing" Target="../drawings/drawing1.xml"/></Relationships>')
    drawing = (f'<?xml version="1.0" encoding="UTF-8"?><xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}" xmlns:c="{C}" xmlns:r="{R}">'
               '<xdr:twoCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>'
               '<xdr:to><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>16</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
               '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
               '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
               '<c:chart r:id="rId1"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
    drawrels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{P}"><Relationship Id="rId1" '
                f'Type="{R}/chart" Target="../charts/chart1.xml"/></Relationships>')
    pts = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate((3, 7, 5, 9)))
    chart = (f'<?xml version="1.0" encoding="UTF-8"?><c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}"><c:chart>'
             '<c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
             f'<c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numLit><c:ptCount val="4"/>{pts}</c:numLit></c:val></c:ser>'
             '<c:axId val="1"/><c:axId val="2"/></c:barChart>'
             '<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="1"/><c:axPos val="b"/><c:crossAx val="2"/></c:catAx>'
             '<c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="1"/><c:axPos val="l"/><c:crossAx val="1"/></c:valAx>'
             '</c:plotArea><c:plotVisOnly val="1"/></c:chart></c:chartSpace>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                           ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet),
                           ("xl/worksheets/_rels/sheet1.xml.rels", sheetrels), ("xl/drawings/drawing1.xml", drawing),
                           ("xl/drawings/_rels/drawing1.xml.rels", drawrels), ("xl/charts/chart1.xml", chart)):
            z.writestr(name, data)


def image_only_epub(path):
    """An EPUB whose one chapter holds a picture and no text."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:'
                   'tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type='
                   '"application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("OEBPS/content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version='
                   '"3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier '
                   'id="id">x</dc:identifier><dc:title>图集</dc:title><dc:language>zh</dc:language></metadata><manifest>'
                   '<item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/><item id="p" href="a.png" '
                   'media-type="image/png"/></manifest><spine><itemref idref="c1"/></spine></package>')
        z.writestr("OEBPS/c1.xhtml", '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>'
                   '</title></head><body><div><img src="a.png" alt=""/></div></body></html>')
        z.writestr("OEBPS/a.png", ofd.png(200, 30, 30))


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

    def test_no_text_is_not_a_failure(self):
        # Issue 14: pages of pictures, charts or nothing are ready with their previews.
        files = {"空白.txt": b"  \n\n \t\n", "图片.html": b'<html><head><title></title></head><body><img src="a.png">'
                 b"</body></html>", "空.xml": b'<?xml version="1.0"?><root><a/><b x="1"/></root>'}
        paths = []
        for name, data in files.items():
            paths.append(os.path.join(self.dir, name))
            with open(paths[-1], "wb") as f:
                f.write(data)
        paths.append(os.path.join(self.dir, "图集.epub"))
        image_only_epub(paths[-1])
        paths.append(os.path.join(self.dir, "图表.xlsx"))
        chart_only_xlsx(paths[-1])
        results = imported(self.data, *paths)
        self.assertEqual(len(results), 5, results)
        for r in results:
            with self.subTest(path=r.get("path")):
                self.assertEqual(r["status"], "ready", r)
                self.assertGreaterEqual(r["pages"], 1, r)

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
