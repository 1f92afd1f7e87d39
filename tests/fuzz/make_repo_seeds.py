#!/usr/bin/env python3
"""Makes the in-repository seeds of every fuzz target (tests/fuzz/seeds/<target>/).

usage: make_repo_seeds.py [OUT_DIR]      (default: tests/fuzz/seeds beside this script)
       make_repo_seeds.py --check        (exit 1 when the committed seeds differ from these)

Every seed is built here from scratch (no corpus file, nothing downloaded): small OOXML, ODF
and EPUB packages (zipfile, fixed timestamps), OLE2 compound files (a writer below, with a
mini stream, a nested storage and a balanced directory tree), PDFs with correct xref
tables, text in the encodings wenku guesses, and the magic numbers detect.cpp knows. The
output is deterministic, so the committed files are exactly what this script writes; the
fast tier's fuzz_regression_test replays them, and scripts/fuzz.sh starts each fuzzer from
them (plus seeds from the shared corpus when it is there).

Only the targets whose seeds this script owns are written: detect, extract, zip, ole2, pdf. The
seeds of manifest, multipart, query and text_decode were written by hand and are kept as
they are.
"""
import io
import struct
import sys
import zipfile
import zlib
from pathlib import Path

OWNED = ("detect", "extract", "zip", "ole2", "pdf")
ZH = "中华人民共和国教育部关于进一步加强中小学教师队伍建设的意见。各省、自治区、直辖市教育厅（教委）："
ZH_TRAD = "中華人民共和國教育部關於進一步加強中小學教師隊伍建設的意見。"
# extract_fuzz: byte 0 picks the format (index into its kFormats table).
EXTRACT_FORMATS = ["docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "txt", "html", "xml"]


# ---- ZIP packages -------------------------------------------------------------------------

def make_zip(members, stored=()):
    """members: [(name, bytes or str)]; names in `stored` are not compressed (ODF mimetype)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def content_types(overrides):
    parts = "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides)
    return (XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + parts + "</Types>")


def rels(items):
    body = "".join(f'<Relationship Id="{i}" Type="{RT}/{t}" Target="{target}"/>' for i, t, target in items)
    return XML + f'<Relationships xmlns="{REL}">{body}</Relationships>'


def core_props(title):
    return (XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + title + "</dc:title>"
            "<dc:creator>张三</dc:creator></cp:coreProperties>")


def docx(paragraphs, extra_body=""):
    ps = "".join(f"<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>"
                 if i == 0 else f"<w:p><w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r><w:r><w:tab/>"
                 f"<w:t>尾</w:t></w:r></w:p>" for i, t in enumerate(paragraphs))
    table = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>单元格一</w:t></w:r></w:p></w:tc>"
             "<w:tc><w:p><w:r><w:t>单元格二</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")
    doc = (XML + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{ps}{table}{extra_body}'
           "<w:sectPr/></w:body></w:document>")
    return make_zip([
        ("[Content_Types].xml", content_types([
            ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
            ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")])),
        ("_rels/.rels", rels([("rId1", "officeDocument", "word/document.xml"),
                              ("rId2", "metadata/core-properties", "docProps/core.xml")])),
        ("word/document.xml", doc),
        ("word/_rels/document.xml.rels", rels([])),
        ("docProps/core.xml", core_props("测试文档")),
    ])


def xlsx():
    wb = (XML + f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{R}">'
          '<sheets><sheet name="第一页" sheetId="1" r:id="rId1"/><sheet name="Sheet2" sheetId="2" r:id="rId2"/>'
          "</sheets></workbook>")
    sst = (XML + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
           "<si><t>姓名</t></si><si><t>成绩</t></si><si><r><t>张</t></r><r><t>三</t></r></si></sst>")
    sheet1 = (XML + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
              '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>95.5</v></c>'
              '<c r="C2" t="inlineStr"><is><t>优秀</t></is></c><c r="D2" t="b"><v>1</v></c></row>'
              "</sheetData></worksheet>")
    sheet2 = (XML + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="str"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>')
    return make_zip([
        ("[Content_Types].xml", content_types([
            ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")])),
        ("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")])),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels([("rId1", "worksheet", "worksheets/sheet1.xml"),
                                             ("rId2", "worksheet", "worksheets/sheet2.xml"),
                                             ("rId3", "sharedStrings", "sharedStrings.xml")])),
        ("xl/sharedStrings.xml", sst),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", sheet2),
    ])


def pptx():
    P = "http://schemas.openxmlformats.org/presentationml/2006/main"
    A = "http://schemas.openxmlformats.org/drawingml/2006/main"
    pres = (XML + f'<p:presentation xmlns:p="{P}" xmlns:r="{R}"><p:sldIdLst><p:sldId id="256" r:id="rId2"/>'
            '<p:sldId id="257" r:id="rId3"/></p:sldIdLst></p:presentation>')

    def slide(texts):
        sps = "".join(f'<p:sp><p:txBody><a:p><a:r><a:t>{t}</a:t></a:r></a:p></p:txBody></p:sp>' for t in texts)
        return XML + f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree>{sps}</p:spTree></p:cSld></p:sld>'

    return make_zip([
        ("[Content_Types].xml", content_types([
            ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")])),
        ("_rels/.rels", rels([("rId1", "officeDocument", "ppt/presentation.xml")])),
        ("ppt/presentation.xml", pres),
        ("ppt/_rels/presentation.xml.rels", rels([("rId2", "slide", "slides/slide1.xml"),
                                                  ("rId3", "slide", "slides/slide2.xml")])),
        ("ppt/slides/slide1.xml", slide(["第一张幻灯片", "教师队伍建设"])),
        ("ppt/slides/slide2.xml", slide(["第二张", "Second slide"])),
    ])


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"')


def odf(kind, with_mimetype=True):
    mime = f"application/vnd.oasis.opendocument.{kind}"
    if kind == "text":
        body = ("<office:text><text:h>标题</text:h><text:p>" + ZH + '<text:span>加粗</text:span><text:s/>'
                "<text:tab/>尾</text:p><table:table><table:table-row><table:table-cell><text:p>甲</text:p>"
                "</table:table-cell><table:table-cell><text:p>乙</text:p></table:table-cell></table:table-row>"
                "</table:table></office:text>")
    elif kind == "spreadsheet":
        body = ('<office:spreadsheet><table:table table:name="工作表1"><table:table-row><table:table-cell>'
                '<text:p>姓名</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2">'
                "<text:p>成绩</text:p></table:table-cell></table:table-row></table:table>"
                '<table:table table:name="Sheet2"><table:table-row><table:covered-table-cell/></table:table-row>'
                "</table:table></office:spreadsheet>")
    else:
        body = ('<office:presentation><draw:page draw:name="p1"><draw:frame><draw:text-box><text:p>第一页</text:p>'
                '</draw:text-box></draw:frame></draw:page><draw:page draw:name="p2"><draw:frame><draw:text-box>'
                "<text:p>第二页</text:p></draw:text-box></draw:frame></draw:page></office:presentation>")
    content = XML + f'<office:document-content {ODF_NS} office:version="1.2"><office:body>{body}</office:body></office:document-content>'
    manifest = (XML + f'<manifest:manifest {ODF_NS} manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    members = [("mimetype", mime)] if with_mimetype else []
    members += [("content.xml", content), ("META-INF/manifest.xml", manifest)]
    return make_zip(members, stored=("mimetype",))


def epub():
    container = (XML + '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                 '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                 "</rootfiles></container>")
    opf = (XML + '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>电子书</dc:title></metadata><manifest>'
           '<item id="c1" href="ch1.xhtml" media-type="application/xhtml+xml"/>'
           '<item id="c2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="c2"/><itemref idref="c1"/></spine></package>')

    def chapter(title, text):
        return (XML + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>' + title + "</title>"
                "<style>p{color:red}</style></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>")

    return make_zip([("mimetype", "application/epub+zip"),
                     ("META-INF/container.xml", container),
                     ("OEBPS/content.opf", opf),
                     ("OEBPS/ch1.xhtml", chapter("第一章", ZH)),
                     ("OEBPS/text/ch2.xhtml", chapter("第二章", "Chapter two &amp; more"))],
                    stored=("mimetype",))


# ---- OLE2 compound files ------------------------------------------------------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def ole2(entries):
    """A version 3 compound file. entries: [(path, bytes or None)] where a path is
    "Name" or "Storage/Name" and None makes a storage. Streams under 4096 bytes live in the
    mini stream, as Office writes them."""
    nodes = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]
    index = {"": 0}
    for path, data in entries:
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        node = {"name": path.rsplit("/", 1)[-1], "type": 1 if data is None else 2, "children": [],
                "data": data or b""}
        index[path] = len(nodes)
        nodes[index[parent]]["children"].append(len(nodes))
        nodes.append(node)

    mini = bytearray()
    minifat = []
    big = []
    for n in nodes[1:]:
        if n["type"] != 2:
            continue
        if len(n["data"]) < 4096:
            n["start"] = len(mini) // 64 if n["data"] else ENDOFCHAIN
            count = (len(n["data"]) + 63) // 64
            for i in range(count):
                minifat.append(len(minifat) + 1 if i + 1 < count else ENDOFCHAIN)
            mini += n["data"] + b"\0" * (count * 64 - len(n["data"]))
        else:
            big.append(n)

    def sectors(nbytes):
        return (nbytes + 511) // 512

    dir_sectors = sectors(128 * len(nodes))
    minifat_sectors = sectors(4 * len(minifat))
    mini_sectors = sectors(len(mini))
    data_sectors = sum(sectors(len(n["data"])) for n in big)
    others = dir_sectors + minifat_sectors + mini_sectors + data_sectors
    nfat = 1
    while nfat * 128 < nfat + others:
        nfat += 1
    fat = [FATSECT] * nfat
    chains = []

    def chain(count):
        start = len(fat)
        for i in range(count):
            fat.append(len(fat) + 1 if i + 1 < count else ENDOFCHAIN)
        chains.append((start, count))
        return start if count else ENDOFCHAIN

    dir_start = chain(dir_sectors)
    minifat_start = chain(minifat_sectors)
    nodes[0]["start"] = chain(mini_sectors)
    nodes[0]["data"] = bytes(mini)
    for n in big:
        n["start"] = chain(sectors(len(n["data"])))
    fat += [FREESECT] * (nfat * 128 - len(fat))

    # Siblings as a balanced binary tree ordered as the format says: by length, then upper case.
    def tree(ids):
        if not ids:
            return NOSTREAM
        ids = sorted(ids, key=lambda i: (len(nodes[i]["name"]), nodes[i]["name"].upper()))
        mid = len(ids) // 2
        nodes[ids[mid]]["left"] = tree(ids[:mid])
        nodes[ids[mid]]["right"] = tree(ids[mid + 1:])
        return ids[mid]

    for n in nodes:
        n["child"] = tree(n["children"])
    directory = bytearray()
    for n in nodes:
        name = n["name"].encode("utf-16-le")
        e = bytearray(128)
        e[0:len(name)] = name
        struct.pack_into("<HBB", e, 64, len(name) + 2, n["type"], 1)
        struct.pack_into("<III", e, 68, n.get("left", NOSTREAM), n.get("right", NOSTREAM), n["child"])
        struct.pack_into("<II", e, 116, n.get("start", ENDOFCHAIN) if n["type"] != 1 else 0, len(n["data"]))
        directory += e
    directory += b"\0" * (dir_sectors * 512 - len(directory))
    for i in range(len(nodes), dir_sectors * 4):  # unused entries: no siblings, no child
        struct.pack_into("<III", directory, 128 * i + 68, NOSTREAM, NOSTREAM, NOSTREAM)

    header = bytearray(512)
    header[0:8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, nfat, dir_start, 0, 4096,
                     minifat_start if minifat_sectors else ENDOFCHAIN, minifat_sectors, ENDOFCHAIN, 0)
    for i in range(109):
        struct.pack_into("<I", header, 0x4C + 4 * i, i if i < nfat else FREESECT)

    body = bytearray(struct.pack(f"<{len(fat)}I", *fat))
    body += directory
    body += struct.pack(f"<{len(minifat)}I", *minifat) + b"\xff" * (minifat_sectors * 512 - 4 * len(minifat))
    body += bytes(mini) + b"\0" * (mini_sectors * 512 - len(mini))
    for n in big:
        body += n["data"] + b"\0" * (sectors(len(n["data"])) * 512 - len(n["data"]))
    return bytes(header + body)


def summary_information(title):
    """A \\x05SummaryInformation property set with a title (PIDSI_TITLE, VT_LPSTR)."""
    value = title.encode("gbk") + b"\0"
    value += b"\0" * (-len(value) % 4)
    prop = struct.pack("<II", 30, len(title.encode("gbk")) + 1) + value
    section = struct.pack("<IIII", 8 + 8 + len(prop), 1, 2, 16) + prop
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    return struct.pack("<HHI16sI", 0xFFFE, 0, 0x00020005, b"\0" * 16, 1) + fmtid + struct.pack("<I", 48) + section


def word_fib(encrypted=False):
    fib = bytearray(1472)
    struct.pack_into("<HHH", fib, 0, 0xA5EC, 0x00C1, 0)
    struct.pack_into("<H", fib, 10, 0x0100 if encrypted else 0x0200)
    return bytes(fib) + ZH.encode("utf-16-le")


def biff8(filepass=False):
    recs = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)
    if filepass:
        recs += struct.pack("<HHHH", 0x002F, 4, 0, 0)
    text = "姓名".encode("utf-16-le")
    recs += struct.pack("<HH", 0x00FC, 8 + 3 + len(text)) + struct.pack("<IIHB", 1, 1, 2, 1) + text
    recs += struct.pack("<HH", 0x000A, 0)
    return recs


def ppt_stream():
    text = "幻灯片".encode("utf-16-le")
    atom = struct.pack("<HHI", 0, 0x0FA0, len(text)) + text  # TextCharsAtom
    return struct.pack("<HHI", 0x000F, 0x03E8, len(atom)) + atom  # Document container


# ---- PDF --------------------------------------------------------------------------------

def pdf(pages, compress=False, junk=b"", encrypt=False, broken_xref=False):
    objs = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
        if compress:
            stream = zlib.compress(stream, 9)
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font} 0 R >> >>"
                    f" /Contents {4 + 2 * i} 0 R >>".encode())
        objs.append(f"<< /Length {len(stream)}{' /Filter /FlateDecode' if compress else ''} >>\nstream\n".encode()
                    + stream + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    if encrypt:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <" + b"00" * 32 + b"> /P -4 >>")
    out = bytearray(junk + b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out) - len(junk))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out) - len(junk)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off + (7 if broken_xref else 0):010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R"
    if encrypt:
        trailer += f" /Encrypt {len(objs)} 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]"
    out += (trailer + f" >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


# ---- text and markup ----------------------------------------------------------------------

HTML = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>通知</title>'
        "<script>var x = '<p>不是正文</p>';</script><style>p { color: red }</style></head><body>"
        "<h1>关于开展教研活动的通知</h1><p>" + ZH + "</p><table><tr><td>一</td><td>二</td></tr></table>"
        "<p>&lt;转义&gt; &amp; &#20013;&#x6587; &nbsp;结束</p><br><ul><li>甲</li><li>乙</li></ul></body></html>\n")
HTML_GBK = HTML.replace('charset="utf-8"', 'charset="gbk"')
XML_DOC = (XML + '<!-- 注释 --><?pi data?><doc xmlns:x="urn:x"><title>标题</title><x:p attr="值">' + ZH
           + "</x:p><![CDATA[<不是标签>]]><empty/></doc>\n")
WORD2003_XML = ('<?xml version="1.0" encoding="UTF-8"?><?mso-application progid="Word.Document"?>'
                '<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body><w:p><w:r>'
                "<w:t>" + ZH + "</w:t></w:r></w:p></w:body></w:wordDocument>\n")
MHTML = ("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart\"\r\n\r\n"
         "------=_NextPart\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n<html><body><p>" + ZH
         + "</p></body></html>\r\n------=_NextPart--\r\n")
EMAIL = "From: a@example.com\nSubject: 通知\n\n" + ZH + "\n"
TEXT = "第一章 总则\n\n" + ZH * 3 + "\n第二章\tTab 和 English words, 数字 2024 年。\r\n" + ZH_TRAD + "\n"


def magic_seeds():
    pad = bytes(range(64))
    return {
        "rtf": b"{\\rtf1\\ansi\\ansicpg936 {\\fonttbl{\\f0 SimSun;}}\\f0 \\'d6\\'d0\\'ce\\'c4 hello\\par}",
        "rtf_bom_space": b"\xef\xbb\xbf{\\rtf1 x}",
        "word2_magic": b"\xDB\xA5\x2D\x00" + pad,
        "biff4_worksheet": b"\x09\x04\x06\x00\x00\x00\x10\x00" + pad,
        "wordperfect": b"\xFFWPC" + pad,
        "hwp": b"HWP Document File" + pad,
        "png": b"\x89PNG\r\n\x1a\n" + pad,
        "jpeg": b"\xFF\xD8\xFF\xE0" + pad,
        "gif": b"GIF89a" + pad,
        "tiff": b"II*\0" + pad,
        "webp": b"RIFF\x24\0\0\0WEBPVP8 " + pad,
        "riff_wave": b"RIFF\x24\0\0\0WAVEfmt " + pad,
        "rar": b"Rar!\x1A\x07\x00" + pad,
        "7z": b"7z\xBC\xAF\x27\x1C" + pad,
        "gzip": b"\x1F\x8B\x08\x00" + pad,
        "bzip2": b"BZh91AY&SY" + pad,
        "xz": b"\xFD7zXZ\0" + pad,
        "elf": b"\x7FELF\x02\x01\x01" + pad,
        "exe": b"MZ\x90\x00" + pad,
        "djvu": b"AT&TFORM\0\0\0\x20DJVU" + pad,
        "binary_zeros": b"\0\x01\x02\x03\xFF\xFE\0\0\x10" + b"\x01" * 100,
    }


# ---- the targets --------------------------------------------------------------------------

def seeds():
    ooxml_encrypted = ole2([("EncryptionInfo", b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\0" * 56),
                            ("EncryptedPackage", struct.pack("<Q", 100) + b"\x5a" * 120)])
    doc = ole2([("WordDocument", word_fib()), ("1Table", b"\0" * 600),
                ("\x05SummaryInformation", summary_information("讲话稿")),
                ("ObjectPool", None), ("ObjectPool/_123", None), ("ObjectPool/_123/Contents", b"embedded")])
    doc_big = ole2([("WordDocument", word_fib() + ZH.encode("utf-16-le") * 30), ("1Table", b"\x01" * 5000)])
    packages = {
        "docx": docx(["标题", ZH, "English &amp; &lt;escaped&gt;"]),
        "xlsx": xlsx(),
        "pptx": pptx(),
        "odt": odf("text"),
        "ods": odf("spreadsheet"),
        "odp": odf("presentation"),
        "odt_without_mimetype": odf("text", with_mimetype=False),
        "epub": epub(),
        "ofd": make_zip([("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'),
                         ("Doc_0/Document.xml", "<d/>")]),
        "ooxml_theme_only": make_zip([("[Content_Types].xml", "<Types/>"), ("theme/theme1.xml", "<t/>")]),
        "odf_encrypted": make_zip([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
                                   ("META-INF/manifest.xml", "<m><manifest:encryption-data/></m>")],
                                  stored=("mimetype",)),
        "zip_plain": make_zip([("readme.txt", "不是文档"), ("dir/", b""), ("dir/a.bin", b"\0" * 300)],
                              stored=("dir/",)),
    }
    compound = {
        "doc": doc,
        "doc_regular_sectors": doc_big,
        "doc_encrypted": ole2([("WordDocument", word_fib(encrypted=True)), ("1Table", b"\0" * 64)]),
        "xls": ole2([("Workbook", biff8()), ("\x05SummaryInformation", summary_information("成绩表"))]),
        "xls_encrypted": ole2([("Workbook", biff8(filepass=True))]),
        "xls_book_biff5": ole2([("Book", biff8())]),
        "ppt": ole2([("PowerPoint Document", ppt_stream()), ("Current User", b"\0" * 20), ("Pictures", b"")]),
        "ppt_encrypted": ole2([("PowerPoint Document", ppt_stream()), ("EncryptedSummary", b"\0" * 16)]),
        "ooxml_encrypted": ooxml_encrypted,
        "hwp5": ole2([("FileHeader", b"HWP Document File" + b"\0" * 239)]),
        "works": ole2([("CONTENTS", b"CHNKWKS " + b"\0" * 24)]),
        "nested_only": ole2([("ObjectPool", None), ("ObjectPool/WordDocument", word_fib())]),
    }
    pdfs = {
        "pdf": pdf(["Hello wenku", "Page two"]),
        "pdf_flate": pdf(["Compressed page"], compress=True),
        "pdf_junk_before_header": pdf(["After junk"], junk=b"\0\0JUNK HEADER\r\n"),
        "pdf_encrypted_rc4": pdf(["secret"], encrypt=True),
        "pdf_broken_xref": pdf(["xref points wrong"], broken_xref=True),
    }
    texts = {
        "utf8.txt": TEXT.encode("utf-8"),
        "utf8_bom.txt": b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        "gbk.txt": TEXT.encode("gbk", errors="replace"),
        "gb18030.txt": (TEXT + "𠀀").encode("gb18030"),
        "big5.txt": ZH_TRAD.encode("big5") * 3,
        "utf16le_bom.txt": b"\xff\xfe" + TEXT.encode("utf-16-le"),
        "utf16be_bom.txt": b"\xfe\xff" + TEXT.encode("utf-16-be"),
        "utf16le_no_bom.txt": ZH.encode("utf-16-le") * 2,
        "shift_jis.txt": "日本語のテキストです。漢字とひらがな。".encode("shift_jis") * 4,
        "html": HTML.encode("utf-8"),
        "html_gbk": HTML_GBK.encode("gbk", errors="replace"),
        "xml": XML_DOC.encode("utf-8"),
        "word2003.xml": WORD2003_XML.encode("utf-8"),
        "mhtml": MHTML.encode("utf-8"),
        "email.txt": EMAIL.encode("utf-8"),
    }
    out = {t: {} for t in OWNED}
    for name, data in {**packages, **compound, **pdfs, **texts, **magic_seeds()}.items():
        out["detect"][name] = data
    for name, data in packages.items():
        out["zip"][name] = data
    for name, data in pdfs.items():
        out["pdf"][name] = data
    # Cut before its xref and trailer: MuPDF must repair or refuse it.
    out["pdf"]["pdf_truncated"] = pdfs["pdf_flate"][: len(pdfs["pdf_flate"]) * 2 // 3]
    # A ZIP cut before its central directory.
    out["zip"]["docx_truncated"] = packages["docx"][: len(packages["docx"]) * 2 // 3]
    for name, data in compound.items():
        out["ole2"][name] = data
    out["ole2"]["doc_truncated"] = doc[: len(doc) - 700]
    fmt_of = {"docx": "docx", "xlsx": "xlsx", "pptx": "pptx", "odt": "odt", "ods": "ods", "odp": "odp",
              "epub": "epub", "odt_without_mimetype": "odt"}
    for name, fmt in fmt_of.items():
        out["extract"][name] = bytes([EXTRACT_FORMATS.index(fmt)]) + packages[name]
    for name, fmt in (("utf8.txt", "txt"), ("gbk.txt", "txt"), ("utf16le_bom.txt", "txt"), ("html", "html"),
                      ("html_gbk", "html"), ("xml", "xml"), ("word2003.xml", "xml"), ("mhtml", "html")):
        out["extract"][name.replace(".", "_")] = bytes([EXTRACT_FORMATS.index(fmt)]) + texts[name]
    # The wrong extractor for the package: a docx read as a spreadsheet, an epub as text.
    out["extract"]["docx_as_xlsx"] = bytes([EXTRACT_FORMATS.index("xlsx")]) + packages["docx"]
    out["extract"]["ods_as_odp"] = bytes([EXTRACT_FORMATS.index("odp")]) + packages["ods"]
    return out


def main():
    check = "--check" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--check"]
    root = Path(args[0]) if args else Path(__file__).resolve().parent / "seeds"
    differ = []
    for target, files in seeds().items():
        d = root / target
        if not check:
            d.mkdir(parents=True, exist_ok=True)
            for old in d.iterdir():
                if old.name not in files:
                    old.unlink()
        for name, data in sorted(files.items()):
            p = d / name
            if check:
                if not p.is_file() or p.read_bytes() != data:
                    differ.append(str(p))
            else:
                p.write_bytes(data)
        if check and d.is_dir():
            differ += [str(p) for p in d.iterdir() if p.name not in files]
        print(f"{target}: {len(files)} seeds, {sum(len(v) for v in files.values())} bytes")
    if differ:
        print("seeds differ from what make_repo_seeds.py writes:\n  " + "\n  ".join(differ))
        sys.exit(1)


if __name__ == "__main__":
    main()
