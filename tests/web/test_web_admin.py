"""What an admin changes on /admin reaches the rest of the site at once (issue 11): a
category renamed or moved is what `/s?category=` finds; the site settings are the ones the
pipeline and the upload check use (preview pages rendered, upload limit), and values past
what the server can honour are refused with the limit named."""
import argparse
import time
import urllib.parse

from web_harness import Checker, Client, Server

PASSWORD = "correct horse 1"


def pdf_bytes(pages):
    """A small valid PDF of `pages` pages with one line of text each."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % (4 + 2 * i) for i in range(pages)), pages),
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Resources << /Font << /F1 3 0 R >> >> "
                       "/Contents %d 0 R >>" % (5 + 2 * i))
        stream = "BT /F1 12 Tf 20 300 Td (Page %d of the admin settings test) Tj ET" % (i + 1)
        objects.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = b"%PDF-1.4\n"
    offsets = []
    for n, o in enumerate(objects):
        offsets.append(len(out))
        out += ("%d 0 obj\n%s\nendobj\n" % (n + 1, o)).encode()
    xref = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)).encode()
    for off in offsets:
        out += ("%010d 00000 n \n" % off).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)).encode()
    return out


def search_ids(client, q, category):
    html = client.get("/s?q=%s&category=%s" % (urllib.parse.quote(q), urllib.parse.quote(category))).text
    import re
    return sorted(set(int(m) for m in re.findall(r'href="/d/(\d+)', html)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wenku", required=True)
    args = p.parse_args()
    c = Checker()
    with Server(args.wenku) as srv:
        srv.add_user("admin", PASSWORD, "admin")
        admin = Client(srv.base)
        c.eq(admin.login("admin", PASSWORD).status, 303, "login admin")
        guest = Client(srv.base)

        # A category rename reaches search at once.
        r = admin.upload("规定.txt", "学校图书馆借阅规定：每人每次可借三本，期限一个月。".encode("utf-8"),
                         {"title": "借阅规定", "category": "旧分类/图书"})
        doc_id = r.json()["id"]
        srv.wait_done(admin, doc_id)
        c.eq(search_ids(guest, "借阅规定", "旧分类"), [doc_id], "found under the old category")
        c.eq(admin.post_form("/admin/categories", {"action": "rename", "path": "旧分类", "name": "新分类"}).status, 303,
             "rename")
        c.eq(search_ids(guest, "借阅规定", "新分类"), [doc_id], "found under the new name at once")
        c.eq(search_ids(guest, "借阅规定", "新分类/图书"), [doc_id], "and under its renamed subcategory")
        c.eq(search_ids(guest, "借阅规定", "旧分类"), [], "no longer under the old name")
        c.eq(admin.post_form("/admin/categories", {"action": "move", "path": "新分类/图书", "parent": "馆藏"}).status, 303,
             "move")
        c.eq(search_ids(guest, "借阅规定", "馆藏/图书"), [doc_id], "found where it was moved, at once")

        # Settings past what the server honours are refused, naming the limit.
        r = admin.post_form("/admin/settings", {"max_preview_pages": "10000"})
        c.eq(r.status, 400, "max_preview_pages past max_pages refused")
        c.expect("max_pages" in r.text, "the refusal names max_pages: %s" % r.text[:200])
        r = admin.post_form("/admin/settings", {"max_upload_mb": "100000"})
        c.eq(r.status, 400, "an upload limit past max_upload_bytes refused")
        c.expect("max_upload_bytes" in r.text, "the refusal names max_upload_bytes: %s" % r.text[:200])

        # The admin's preview pages are what the pipeline renders.
        c.eq(admin.post_form("/admin/settings", {"preview_pages": "1", "max_preview_pages": "3"}).status, 303,
             "preview settings saved")
        r = admin.upload("six.pdf", pdf_bytes(6), {"title": "六页"})
        pdf_id = r.json()["id"]
        info = srv.wait_done(admin, pdf_id)
        c.eq(info["pages"], 6, "six pages")
        deadline = time.time() + 60
        while time.time() < deadline and info["preview_pages"] < 3:
            time.sleep(0.2)
            info = admin.get("/api/v1/documents/%d" % pdf_id).json()
        time.sleep(1)
        info = admin.get("/api/v1/documents/%d" % pdf_id).json()
        c.eq(info["preview_pages"], 3, "rendered up to the admin's max_preview_pages")
        c.eq(admin.get("/api/v1/documents/%d/pages/3" % pdf_id).status, 200, "page 3 has an image")
        c.eq(admin.get("/api/v1/documents/%d/pages/4" % pdf_id).status, 404, "page 4 has none")

        # The admin's upload limit is the server's.
        c.eq(admin.post_form("/admin/settings", {"max_upload_mb": "1"}).status, 303, "upload limit 1 MB")
        r = admin.upload("big.txt", ("大" * 400000).encode("utf-8"))
        c.eq(r.status, 413, "an upload over the admin's limit is too large")
        r = admin.upload("small.txt", "小文件的内容，关于图书馆的开放时间。".encode("utf-8"))
        c.eq(r.status, 202, "an upload under it is accepted")
    c.finish("web admin settings and categories")


if __name__ == "__main__":
    main()
