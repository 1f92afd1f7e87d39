#!/usr/bin/env python3
"""Writes the seed inputs of ofd_fuzz: small OFD packages, one per feature the reader
handles (text positions, CTM, templates, annotations, images, paths, seals, fonts) and a
few broken ones. Python standard library only; deterministic.

usage: make_ofd_seeds.py OUT_DIR      (the repository keeps its output in seeds/ofd/)
"""
import struct
import sys
import zipfile
import zlib
from pathlib import Path

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def png(r, g, b):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([r, g, b]) * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def text(x, y, chars, attrs="", code='X="0" Y="5" DeltaX="g 20 5"'):
    return (f'<ofd:TextObject ID="9" Boundary="{x} {y} 150 10" Font="1" Size="5" {attrs}>'
            f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode {code}>{chars}</ofd:TextCode></ofd:TextObject>')


def page(objects, before=""):
    return f'<ofd:Page {NS}>{before}<ofd:Content><ofd:Layer ID="2">{objects}</ofd:Layer></ofd:Content></ofd:Page>'


def package(pages, public_res='<ofd:Fonts><ofd:Font ID="1" FontName="宋体"/></ofd:Fonts>', document_res="",
            common="", document="", body="", extra=()):
    members = [("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} DocType="OFD" Version="1.0">'
                           f'<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{body}</ofd:DocBody></ofd:OFD>')]
    listing = "".join(f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
    res = "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>" if document_res else ""
    members.append(("Doc_0/Document.xml",
                    f'<ofd:Document {NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
                    f'</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{res}{common}</ofd:CommonData>'
                    f'<ofd:Pages>{listing}</ofd:Pages>{document}</ofd:Document>'))
    members.append(("Doc_0/PublicRes.xml", f'<ofd:Res {NS} BaseLoc="Res">{public_res}</ofd:Res>'))
    if document_res:
        members.append(("Doc_0/DocumentRes.xml", f'<ofd:Res {NS} BaseLoc="Res">{document_res}</ofd:Res>'))
    for i, p in enumerate(pages):
        members.append((f"Doc_0/Pages/Page_{i}/Content.xml", p))
    members.extend(extra)
    return members


def write(out: Path, name, members):
    with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members:
            z.writestr(member, data.encode("utf-8") if isinstance(data, str) else data)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    write(out, "text", package([page(text(10, 10, "你好，OFD") + text(10, 30, "ABC", code='X="0" Y="5" DeltaX="5 5"'))]))
    write(out, "delta_y_ctm", package([page(
        text(10, 10, "密码区ABCDEF", 'CTM="0.3528 0 0 0.3528 0 0"',
             'X="0" Y="12" DeltaX="g 2 12 -24 g 5 6" DeltaY="g 2 0 12 g 5 0"') +
        text(40, 40, "旋转", 'CTM="0 0.5 -0.5 0 0 0" HScale="0.8"'))]))
    write(out, "template_annotation", package(
        [page(text(10, 40, "正文"), '<ofd:Template TemplateID="50" ZOrder="Background"/>'), page("")],
        common='<ofd:TemplatePage ID="50" BaseLoc="Tpls/Tpl_0/Content.xml"/>',
        document="<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>",
        extra=[("Doc_0/Tpls/Tpl_0/Content.xml", page(text(10, 5, "模板"))),
               ("Doc_0/Annots/Annotations.xml", f'<ofd:Annotations {NS}><ofd:Page PageID="100"><ofd:FileLoc>'
                                                'Page_0/Annotation.xml</ofd:FileLoc></ofd:Page></ofd:Annotations>'),
               ("Doc_0/Annots/Page_0/Annotation.xml",
                f'<ofd:PageAnnot {NS}><ofd:Annot ID="60" Type="Watermark"><ofd:Appearance Boundary="0 100 200 50">'
                + text(10, 10, "水印") + "</ofd:Appearance></ofd:Annot></ofd:PageAnnot>")]))
    write(out, "image_path", package(
        [page('<ofd:ImageObject ID="20" Boundary="20 100 40 30" CTM="40 0 0 30 0 0" ResourceID="7"/>'
              '<ofd:PathObject ID="21" Boundary="100 100 60 60" Fill="true" DrawParam="8" Rule="Even-Odd">'
              '<ofd:AbbreviatedData>S 0 30 A 30 30 0 1 1 60 30 A 30 30 0 1 1 0 30 Q 10 10 20 20 '
              'B 1 2 3 4 5 6 L 0 0 C</ofd:AbbreviatedData></ofd:PathObject>'
              '<ofd:PageBlock><ofd:PathObject ID="22" Boundary="0 0 10 10"><ofd:StrokeColor Value="#FF #00 #00"/>'
              '<ofd:AbbreviatedData>M 0 0 L 10 10</ofd:AbbreviatedData></ofd:PathObject></ofd:PageBlock>')],
        document_res='<ofd:MultiMedias><ofd:MultiMedia ID="7" Type="Image" Format="PNG"><ofd:MediaFile>red.png'
                     '</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias><ofd:DrawParams><ofd:DrawParam ID="8" '
                     'Relative="9" LineWidth="1"><ofd:FillColor Value="0 128 0"/></ofd:DrawParam><ofd:DrawParam '
                     'ID="9" Relative="8"/></ofd:DrawParams>',
        extra=[("Doc_0/Res/red.png", png(255, 0, 0))]))
    sig = (lambda box: f'<ofd:Signature {NS}><ofd:SignedInfo><ofd:StampAnnot ID="s1" PageRef="100" Boundary="{box}" '
                       'Clip="0 0 20 40"/></ofd:SignedInfo><ofd:SignedValue>SignedValue.dat</ofd:SignedValue>'
                       '</ofd:Signature>')
    write(out, "seals", package(
        [page(text(10, 10, "签章"))], body="<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>",
        extra=[("Doc_0/Signs/Signatures.xml", f'<ofd:Signatures {NS}><ofd:Signature ID="1" BaseLoc="Sign_0/Signature.xml"/>'
                                              '<ofd:Signature ID="2" BaseLoc="Sign_1/Signature.xml"/></ofd:Signatures>'),
               ("Doc_0/Signs/Sign_0/Signature.xml", sig("20 200 40 40")),
               ("Doc_0/Signs/Sign_0/SignedValue.dat", b"\x30\x82\x01\x00\x04\x10" + png(0, 0, 255)),
               ("Doc_0/Signs/Sign_1/Signature.xml", sig("20 250 40 40")),
               ("Doc_0/Signs/Sign_1/SignedValue.dat", b"\x30\x20\x0c\x0c" + "测试印章".encode() + b"\x04\x00")]))
    write(out, "embedded_font_broken", package(
        [page(text(10, 10, "字体", code='X="0" Y="5"') +
              '<ofd:TextObject ID="3" Boundary="0 0 10 10" Font="1" Size="5"><ofd:CGTransform CodePosition="0" '
              'CodeCount="2" GlyphCount="2"><ofd:Glyphs>3 4</ofd:Glyphs></ofd:CGTransform><ofd:TextCode X="0" Y="5">'
              'AB</ofd:TextCode></ofd:TextObject>')],
        public_res='<ofd:Fonts><ofd:Font ID="1" FontName="仿宋_GB2312"><ofd:FontFile>font_1.ttf</ofd:FontFile>'
                   '</ofd:Font></ofd:Fonts>',
        extra=[("Doc_0/Res/font_1.ttf", b"\x00\x01\x00\x00\x00\x04" + bytes(64))]))
    write(out, "missing_page", [m for m in package([page("")]) if "Pages/" not in m[0]])
    write(out, "nested_blocks", package([page("<ofd:PageBlock>" * 30 + text(1, 1, "深") + "</ofd:PageBlock>" * 30)]))
    write(out, "no_docroot", [("OFD.xml", f"<ofd:OFD {NS}><ofd:DocBody/></ofd:OFD>")])


if __name__ == "__main__":
    main()
