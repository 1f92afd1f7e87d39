"""Hostile files (issue 6), made by the test itself and uploaded over HTTP to one server: a
zip bomb, a ZIP with a huge number of entries, billion laughs and deep nesting in a DOCX, a PDF
with a cyclic page tree, a PDF page of 100000 x 100000 points, a 50000 x 50000 image in a DOCX,
a 2 GB upload, hostile file names. Each must end (ready with bounded work, or failed with a
reason a person can read) within its time limit, the server's memory stays bounded, and the
server keeps answering others meanwhile."""
import hashlib
import http.client
import os
import struct
import threading
import time
import zipfile
import zlib

import harness

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(suite, name, **kw):
    p = suite.path("hostile", name)
    harness.make_docx(p, ["正文"], **kw)
    return open(p, "rb").read()


def zip_bomb(suite, mb):
    """A DOCX whose document.xml inflates from a few hundred KB to `mb` megabytes."""
    p = suite.path("hostile", "bomb.docx")
    harness.make_docx(p, ["x"])
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/bomb.xml", "w", force_zip64=True) as f:
            f.write(("<w:document xmlns:w=\"%s\"><w:body><w:p><w:r><w:t>" % W).encode())
            chunk = b"A" * (1 << 20)
            for _ in range(mb):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    # The bomb replaces the real body: rename it over document.xml by rebuilding.
    out = suite.path("hostile", "zip-bomb.docx")
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "word/document.xml":
                continue
            name = "word/document.xml" if info.filename == "word/bomb.xml" else info.filename
            with src.open(info) as r, dst.open(name, "w", force_zip64=True) as w:
                while True:
                    b = r.read(1 << 20)
                    if not b:
                        break
                    w.write(b)
    return open(out, "rb").read()


def many_entries(n):
    """A DOCX-looking ZIP with n stored empty entries, written by hand (zipfile is too slow)."""
    base = bytearray()
    central = bytearray()
    names = [b"[Content_Types].xml", b"word/document.xml"] + [b"x/%07d" % i for i in range(n)]
    for name in names:
        off = len(base)
        crc, size = 0, 0
        base += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, size, size, len(name), 0) + name
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, size, size, len(name),
                               0, 0, 0, 0, 0, off) + name
    cd_off = len(base)
    count = min(len(names), 0xFFFF)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), cd_off, 0)
    return bytes(base + central + eocd)


def billion_laughs(suite):
    ents = '<!ENTITY lol "lol">' + "".join(
        '<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % ("" if i == 1 else i - 1)) * 10) for i in range(1, 10))
    xml = ('<?xml version="1.0"?><!DOCTYPE lolz [%s]><w:document xmlns:w="%s"><w:body><w:p><w:r>'
           '<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>' % (ents, W))
    return docx_bytes(suite, "laughs.docx", document_xml=xml)


def deep_nesting(suite, depth):
    xml = ('<?xml version="1.0"?><w:document xmlns:w="%s"><w:body>' % W + "<w:p>" * depth + "深" +
           "</w:p>" * depth + "</w:body></w:document>")
    return docx_bytes(suite, "deep.docx", document_xml=xml)


def pdf_bytes(suite, name, **kw):
    p = suite.path("hostile", name)
    harness.make_pdf(p, **kw)
    return open(p, "rb").read()


def cyclic_pdf(suite):
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>"]
    return pdf_bytes(suite, "cyclic.pdf", pages=None, raw_objects=objs)


def png_header_only(w, h):
    """A PNG that claims w x h pixels, with a tiny (truncated) image stream."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = zlib.compress(b"\0" + b"\0" * 3 * 1000)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def huge_image_docx(suite):
    emu = 50000 * 9525
    xml = ('<?xml version="1.0"?><w:document xmlns:w="%s" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body><w:p><w:r><w:drawing>'
           '<wp:inline><wp:extent cx="%d" cy="%d"/><wp:docPr id="1" name="p"/><a:graphic>'
           '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
           '<pic:nvPicPr><pic:cNvPr id="1" name="p"/><pic:cNvPicPr/></pic:nvPicPr>'
           '<pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
           '<a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData>'
           '</a:graphic></wp:inline></w:drawing></w:r></w:p><w:p><w:r><w:t>大图</w:t></w:r></w:p></w:body>'
           '</w:document>' % (W, emu, emu, emu, emu))
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
            'Target="media/big.png"/></Relationships>')
    return docx_bytes(suite, "huge-image.docx", document_xml=xml,
                      extra_members={"word/_rels/document.xml.rels": rels, "word/media/big.png": png_header_only(50000, 50000)})


def rss_kb(pid):
    """Resident and peak resident memory (KB) of a process."""
    rss = hwm = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


class Prober(threading.Thread):
    """Asks the server for /healthz and a search every 100 ms; records the slowest answer."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.stop_flag = False
        self.latencies = []
        self.failures = []

    def run(self):
        while not self.stop_flag:
            for path in ("/healthz", "/api/v1/search?q=%E6%AD%A3%E6%96%87"):
                t = time.monotonic()
                try:
                    status, _, _ = self.server.request("GET", path, timeout=10)
                    if status != 200:
                        self.failures.append((path, status))
                except OSError as e:
                    self.failures.append((path, str(e)))
                self.latencies.append(time.monotonic() - t)
            time.sleep(0.1)


def big_upload(server, total, timeout):
    """Streams a `total`-byte multipart body of zeros (a sparse file); returns (status, seconds)."""
    boundary = "----wenkubig"
    head = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n" % boundary).encode()
    tail = ("\r\n--%s--\r\n" % boundary).encode()
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    t = time.monotonic()
    status = None
    try:
        c.putrequest("POST", "/api/v1/documents")
        c.putheader("Content-Type", "multipart/form-data; boundary=" + boundary)
        c.putheader("Content-Length", str(len(head) + total + len(tail)))
        c.endheaders()
        c.send(head)
        zeros = b"\0" * (1 << 20)
        sent = 0
        try:
            while sent < total:
                c.send(zeros)
                sent += len(zeros)
            c.send(tail)
        except OSError:
            pass  # the server stopped reading: expected once the limit is passed
        r = c.getresponse()
        status = r.status
        r.read()
    except OSError:
        status = "closed"
    finally:
        c.close()
    return status, time.monotonic() - t


def check_big_upload(suite, server):
    status, secs = big_upload(server, 2 << 30, timeout=60)
    suite.check(status in (413, 400, "closed"), "2 GB upload answered %s" % status)
    suite.check(secs < 30, "2 GB upload took %.1f s to be refused" % secs)
    print("%-15s refused with %s after %.2f s" % ("2 GB upload", status, secs), flush=True)


def big_upload_only(suite, server):
    """The 2 GB upload alone: refused, and the server's memory stays bounded."""
    check_big_upload(suite, server)
    rss, hwm = rss_kb(server.proc.pid)
    suite.check(server.alive(), "the server died")
    suite.check(hwm < 2 * 1024 * 1024, "server peak memory %d MB after a 2 GB upload" % (hwm // 1024))
    suite.figure("server_peak_mb", hwm // 1024)
    server.stop()


def body(suite):
    fast = suite.args.tier == "fast"
    limit = 120 if fast else 180
    env = {"WENKU_CONVERT_TIMEOUT_SECONDS": "30", "WENKU_MAX_UPLOAD_BYTES": str(160 << 20)}
    data = os.path.dirname(suite.path("data", "x"))
    server = harness.Server(suite, data, env=env)
    if suite.args.big_upload == "only":
        return big_upload_only(suite, server)
    # A normal document first, so searches have something to find.
    status, ok_doc = server.upload("正文.txt", "正文 一份普通的文档。".encode())
    suite.require(status == 202, "normal upload answered %s" % status)

    cases = [
        ("zip bomb", "zip-bomb.docx", zip_bomb(suite, 64 if fast else 512)),
        ("entries", "entries.docx", many_entries(100_000 if fast else 1_000_000)),
        ("billion laughs", "laughs.docx", billion_laughs(suite)),
        ("deep nesting", "deep.docx", deep_nesting(suite, 100_000)),
        ("cyclic pages", "cyclic.pdf", cyclic_pdf(suite)),
        ("huge page", "huge-page.pdf", pdf_bytes(suite, "huge.pdf", pages=["huge"], media_box=(0, 0, 100000, 100000))),
        ("huge image", "huge-image.docx", huge_image_docx(suite)),
        ("not a pdf", "fake.pdf", b"%PDF-1.7\n" + os.urandom(4096)),
    ]
    names = [("dotdot", "../../../../etc/passwd"), ("nul", "a\0b.txt"), ("long", "长" * 300 + ".txt"),
             ("slash", "/abs/path.txt"), ("html", "<script>alert(1)</script>.html")]

    prober = Prober(server)
    prober.start()
    submitted = {}
    for label, name, content in cases:
        t = time.monotonic()
        status, resp = server.upload(name, content, timeout=120)
        if status == 202:
            submitted[label] = (resp["id"], time.monotonic())
        else:
            suite.check(status in (400, 413, 415, 422) and resp and "error" in resp,
                        "%s: upload answered %s %s" % (label, status, resp))
            print("%-15s rejected at upload: %s %s" % (label, status, resp), flush=True)
    for label, name in names:
        payload = ("名字测试 %s" % label).encode()
        status, resp = server.upload(name, payload)
        if suite.check(status == 202, "file name %r: upload answered %s %s" % (name, status, resp)):
            doc_id = resp["id"]
            st, doc = server.get_json("/api/v1/documents/%d" % doc_id)
            title = (doc or {}).get("title", "")
            suite.check(st == 200 and "\0" not in title and "/" not in title and 0 < len(title) <= 255,
                        "file name %r: stored title %r" % (name, title))
            # The page shows it escaped.
            st, headers, html = server.request("GET", "/d/%d" % doc_id)
            suite.check(b"<script>alert(1)</script>" not in html, "file name %r appears unescaped in /d/" % name)
    for root, dirs, files in os.walk(os.path.dirname(data)):
        suite.check("passwd" not in files, "a file named passwd appeared under %s" % root)

    # 2 GB (sparse) over HTTP: refused early, the others keep being served.
    if suite.args.big_upload == "include":
        check_big_upload(suite, server)

    outcomes = {}
    deadline = time.monotonic() + limit
    pending = dict(submitted)
    while pending and time.monotonic() < deadline:
        for label, (doc_id, t0) in list(pending.items()):
            st, doc = server.get_json("/api/v1/documents/%d" % doc_id)
            if st == 200 and doc["status"] != "processing":
                outcomes[label] = (doc["status"], doc.get("error") or "", time.monotonic() - t0, doc.get("pages"))
                del pending[label]
        time.sleep(0.25)
    prober.stop_flag = True
    prober.join(timeout=30)
    for label in pending:
        suite.check(False, "%s: still processing after %d s" % (label, limit))
    for label, (status, error, secs, pages) in sorted(outcomes.items()):
        print("%-15s %-6s in %5.1f s pages=%s %s" % (label, status, secs, pages, error), flush=True)
        if status == "failed":
            suite.check(len(error) >= 8 and "internal" not in error.lower(),
                        "%s: failed without a clear reason: %r" % (label, error))
    for label in ("zip bomb", "entries", "cyclic pages", "not a pdf"):
        if label in outcomes:
            suite.check(outcomes[label][0] == "failed", "%s: expected failed, got %s" % (label, outcomes[label]))

    rss, hwm = rss_kb(server.proc.pid)
    suite.check(server.alive(), "the server died")
    suite.check(hwm < 2 * 1024 * 1024, "server peak memory %d MB" % (hwm // 1024))
    suite.check(not prober.failures, "probes failed meanwhile: %s" % prober.failures[:5])
    lat = sorted(prober.latencies) or [0]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    suite.check(p99 < 2.0, "probe p99 %.2f s while hostile files were processed" % p99)
    server.stop()
    harness.check_twice(suite, data, "after hostile files")
    suite.figure("files", len(cases) + len(names) + 1)
    suite.figure("failed", sum(1 for o in outcomes.values() if o[0] == "failed"))
    suite.figure("ready", sum(1 for o in outcomes.values() if o[0] == "ready"))
    suite.figure("slowest_s", round(max([o[2] for o in outcomes.values()] or [0]), 1))
    suite.figure("server_peak_mb", hwm // 1024)
    suite.figure("probes", len(prober.latencies))
    suite.figure("probe_p99_ms", round(p99 * 1000, 1))
    suite.figure("probe_max_ms", round(lat[-1] * 1000, 1))


if __name__ == "__main__":
    ap = harness.arg_parser(__doc__)
    ap.add_argument("--big-upload", choices=["include", "skip", "only"], default="include",
                    help="the 2 GB upload with the other files, left out, or alone")
    harness.main_wrapper("hostile_files", ap.parse_args(), body)
