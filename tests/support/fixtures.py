#!/usr/bin/env python3
"""Documents the tests make for themselves when the shared corpus is not there (stdlib only).

usage: fixtures.py reference OUT.doc    a 4-page speech, DOCX content under a .doc name
       fixtures.py office OUT_DIR       the same speech as DOCX, plus XLSX, PPTX, ODT, ODS,
                                        ODP and RTF files, one of each, and 加密.odt (an ODT
                                        that asks for a password)

The reference speech stands in for the corpus's seed document (a DOCX named .doc): a title
with 人民满意教育, 择校 on page 2 only, 大班额 on page 3, 薄弱学校软硬件建设 on page 4, one
explicit page break between pages, Simplified Chinese tagged zh-CN. Deterministic output.
"""
import io
import sys
import zipfile
from pathlib import Path

TITLE = "在全市教育系统工作总结会上的讲话"
PAGES = [
    [TITLE,
     "同志们：今天我们召开全市教育系统工作总结会，回顾过去一年的工作，部署下一阶段的任务。",
     "过去一年，在市委、市政府的坚强领导下，全市教育系统坚持立德树人根本任务，努力办好人民满意教育，"
     "各项工作取得了新的进展。学前教育普及普惠水平持续提高，义务教育均衡发展成果不断巩固。",
     "我们新建和改扩建幼儿园二十所，新增学位六千个；完成校舍维修改造项目四十五个，改善了办学条件。",
     "教师队伍建设进一步加强，全年招聘新教师八百名，组织全员培训三万余人次。"],
    ["一、规范招生入学秩序",
     "今年我们严格落实义务教育免试就近入学政策，公办民办学校同步招生，坚决治理择校热。",
     "各区县要公开招生范围、招生计划和录取结果，接受社会监督，不得以任何形式举行考试选拔学生。",
     "对违反规定的学校，要依法依规严肃处理，并追究有关负责人的责任。",
     "要完善随迁子女入学办法，保障进城务工人员随迁子女平等接受义务教育。"],
    ["二、化解大班额问题",
     "化解大班额是群众关心的热点问题。全市已基本消除六十六人以上的超大班额，五十六人以上的大班额比例下降明显。",
     "各地要科学规划学校布局，加快城区学校建设，合理分流学生，防止大班额反弹。",
     "要建立动态监测机制，每学期报告一次班额情况，对问题突出的学校挂牌督办。",
     "同时要加强农村寄宿制学校建设，办好必要的乡村小规模学校。"],
    ["三、推进薄弱学校改造",
     "下一步，我们要继续实施全面改善贫困地区义务教育薄弱学校基本办学条件工作，推进薄弱学校软硬件建设，"
     "让每一所学校都达到基本办学标准。",
     "要加大教育经费投入，确保财政教育支出只增不减，确保按在校学生人数平均的教育经费逐步增长。",
     "同志们，教育是民族振兴、社会进步的基石。让我们紧密团结，开拓进取，为建设教育强市而努力奋斗！"],
]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_zip(members, stored=("mimetype",)):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def ooxml(main_part, main_type, parts, part_rels=()):
    """An OOXML package: [Content_Types].xml, _rels/.rels to the main part, the parts, and
    the main part's relationships [(id, type, target)]."""
    types = (XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
             + "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t, _ in parts if t)
             + "</Types>")
    rels = (XML + f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{DOC_REL}/officeDocument" '
            f'Target="{main_part}"/></Relationships>')
    d, _, f = main_part.rpartition("/")
    main_rels = (XML + f'<Relationships xmlns="{PKG_REL}">'
                 + "".join(f'<Relationship Id="{i}" Type="{DOC_REL}/{t}" Target="{target}"/>' for i, t, target in part_rels)
                 + "</Relationships>")
    members = [("[Content_Types].xml", types), ("_rels/.rels", rels), (f"{d}/_rels/{f}.rels", main_rels)]
    members += [(p, data) for p, _, data in parts]
    return make_zip(members)


def docx(pages=PAGES):
    run = '<w:r><w:rPr><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    body = ""
    for n, page in enumerate(pages):
        for i, text in enumerate(page):
            bold = '<w:pPr><w:jc w:val="center"/></w:pPr>' if i == 0 else ""
            brk = '<w:r><w:br w:type="page"/></w:r>' if i == 0 and n > 0 else ""
            body += f"<w:p>{bold}{brk}{run.format(esc(text))}</w:p>"
    doc = (XML + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    return ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                 [("word/document.xml", None, doc)])


def xlsx():
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows = [["学校", "班级数", "大班额"], ["第一中学", "36", "2"], ["实验小学", "42", "0"]]

    def cell(r, c, v):
        ref = "ABC"[c] + str(r + 1)
        if v.isdigit():
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>'

    data = "".join(f'<row r="{r + 1}">' + "".join(cell(r, c, v) for c, v in enumerate(row)) + "</row>"
                   for r, row in enumerate(rows))
    sheet = XML + f'<worksheet xmlns="{ns}"><sheetData>{data}</sheetData></worksheet>'
    wb = (XML + f'<workbook xmlns="{ns}" xmlns:r="{DOC_REL}"><sheets><sheet name="班额统计" sheetId="1" '
          'r:id="rId1"/></sheets></workbook>')
    return ooxml("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                 [("xl/workbook.xml", None, wb),
                  ("xl/worksheets/sheet1.xml",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml", sheet)],
                 [("rId1", "worksheet", "worksheets/sheet1.xml")])


def pptx():
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    slides = []
    for n, page in enumerate(PAGES[:2]):
        sps = "".join(
            f'<p:sp><p:nvSpPr><p:cNvPr id="{i + 2}" name="t{i}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm>'
            f'<a:off x="457200" y="{457200 + i * 914400}"/><a:ext cx="8229600" cy="914400"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr/><a:p><a:r>'
            f'<a:rPr lang="zh-CN"/><a:t>{esc(t)}</a:t></a:r></a:p></p:txBody></p:sp>' for i, t in enumerate(page[:3]))
        slides.append(XML + f'<p:sld xmlns:p="{p}" xmlns:a="{a}" xmlns:r="{DOC_REL}"><p:cSld><p:spTree>'
                      '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
                      f"{sps}</p:spTree></p:cSld></p:sld>")
    pres = (XML + f'<p:presentation xmlns:p="{p}" xmlns:r="{DOC_REL}"><p:sldIdLst>'
            + "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 1}"/>' for i in range(len(slides)))
            + '</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/>'
            "</p:presentation>")
    slide_type = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
    return ooxml("ppt/presentation.xml",
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                 [("ppt/presentation.xml", None, pres)]
                 + [(f"ppt/slides/slide{i + 1}.xml", slide_type, s) for i, s in enumerate(slides)],
                 [(f"rId{i + 1}", "slide", f"slides/slide{i + 1}.xml") for i in range(len(slides))])


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
          'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
          'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"')


def odf(kind):
    mime = f"application/vnd.oasis.opendocument.{kind}"
    if kind == "text":
        body = "<office:text>" + "".join(f"<text:p>{esc(t)}</text:p>" for page in PAGES[:2] for t in page) + \
               "</office:text>"
    elif kind == "spreadsheet":
        body = ('<office:spreadsheet><table:table table:name="班额统计">'
                + "".join("<table:table-row>" + "".join(
                    f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
                    for v in row) + "</table:table-row>" for row in [["学校", "大班额"], ["第一中学", "二"]])
                + "</table:table></office:spreadsheet>")
    else:
        body = "<office:presentation>" + "".join(
            f'<draw:page draw:name="p{i}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm">'
            f"<draw:text-box><text:p>{esc(page[0])}</text:p></draw:text-box></draw:frame></draw:page>"
            for i, page in enumerate(PAGES[:2])) + "</office:presentation>"
    content = (XML + f'<office:document-content {ODF_NS} office:version="1.2"><office:body>{body}</office:body>'
               "</office:document-content>")
    manifest = (XML + f'<manifest:manifest {ODF_NS} manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    return make_zip([("mimetype", mime), ("content.xml", content), ("META-INF/manifest.xml", manifest)])


def rtf():
    def enc(s):
        return "".join(c if ord(c) < 128 else "\\u%d?" % (ord(c) if ord(c) < 32768 else ord(c) - 65536) for c in s)
    paras = "".join("\\pard " + enc(t) + "\\par\n" for t in PAGES[1])
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\f0\\fs24\n"
            + paras + "}").encode("ascii")


def encrypted_odt():
    """An ODT whose content.xml the manifest declares AES-256 encrypted (PBKDF2, as
    LibreOffice writes it): opening it asks for a password. The bytes are not a real
    cipher text (the stdlib has no AES); no password can open it, none is ever given."""
    import base64
    import hashlib
    b64 = lambda b: base64.b64encode(b).decode()
    blob = hashlib.sha256(b"wenku").digest() * 8
    mime = "application/vnd.oasis.opendocument.text"
    entry = lambda name: (
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml" manifest:size="1024">'
        '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        f'manifest:checksum="{b64(blob[:32])}"><manifest:algorithm '
        'manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
        f'manifest:initialisation-vector="{b64(blob[32:48])}"/><manifest:start-key-generation '
        'manifest:start-key-generation-name="http://www.w3.org/2000/09/xmldsig#sha256" manifest:key-size="32"/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" '
        f'manifest:iteration-count="100000" manifest:salt="{b64(blob[48:64])}"/></manifest:encryption-data>'
        "</manifest:file-entry>")
    manifest = (XML + f'<manifest:manifest {ODF_NS} manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{mime}"/>'
                + entry("content.xml") + entry("styles.xml") + "</manifest:manifest>")
    return make_zip([("mimetype", mime), ("content.xml", blob * 4), ("styles.xml", blob * 2),
                     ("META-INF/manifest.xml", manifest)], stored=("mimetype", "content.xml", "styles.xml"))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("reference", "office"):
        sys.exit(__doc__)
    out = Path(sys.argv[2])
    if sys.argv[1] == "reference":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(docx())
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("讲话稿.docx", docx()), ("班额统计.xlsx", xlsx()), ("汇报.pptx", pptx()),
                       ("讲话稿.odt", odf("text")), ("班额统计.ods", odf("spreadsheet")),
                       ("汇报.odp", odf("presentation")), ("招生.rtf", rtf()), ("加密.odt", encrypted_odt())):
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
