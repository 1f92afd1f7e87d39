"""XSS payloads (issue 5, acceptance 3): every user-supplied string — title, file name,
description, tags, query, category, user name, report text, comment — carrying HTML and script
payloads is shown as text on every page that shows it, never as markup."""
import argparse
import html
import io
import re
import urllib.parse
import zipfile

from web_harness import Checker, Client, Server
import xss_social

PASSWORD = "correct horse 1"
PAYLOADS = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "'><svg onload=alert(3)>",
    "</title><script>alert(4)</script>",
    "<a href=\"javascript:alert(5)\">x</a>",
    "{{t.lang}}<b>{{{body}}}</b>",
]
# Markup that must never reach a page unescaped.
DANGEROUS = re.compile(r"<script>alert|<img src=x|<svg onload|<a href=\"javascript|<b>\{\{", re.I)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wenku", required=True)
    args = p.parse_args()
    c = Checker()
    with Server(args.wenku, {"registrations_per_hour": "50"}) as srv:
        srv.add_user("admin", PASSWORD, "admin")
        admin = Client(srv.base)
        c.eq(admin.login("admin", PASSWORD).status, 303, "admin login")
        shown = {}  # payload -> pages it must appear on as text
        for i, payload in enumerate(PAYLOADS):
            user = Client(srv.base)
            name = ("u%d" % i) + payload[:28]
            r = user.register(name, PASSWORD)
            c.eq(r.status, 303, "register %r" % name)
            category = "分类%d/%s" % (i, payload.replace("/", "|"))
            fields = {"title": "标题%d %s" % (i, payload), "description": "描述 %s 择校" % payload,
                      "tags": "标签%d,%s" % (i, payload.replace(",", " ")), "category": category}
            r = user.upload("文件%d %s.txt" % (i, payload.replace("/", "|")),
                            ("正文 %d 择校 %s\n第二行 %s\n" % (i, payload, payload)).encode(), fields)
            c.eq(r.status, 202, "upload with payload %d" % i)
            doc = r.json()["id"]
            srv.wait_done(user, doc)
            user.get("/d/%d" % doc)
            c.eq(user.post_form("/d/%d/report" % doc, {"reason": "other", "detail": "举报 " + payload}).status, 200,
                 "report with payload")
            # A comment with the payload (issue 15), reported by the admin so /admin shows it.
            r = user.post_form("/d/%d/comments" % doc, {"body": "评论 " + payload})
            c.eq(r.status, 303, "comment with payload %d" % i)
            cid = user.get("/api/v1/documents/%d/comments" % doc).json()["comments"][0]["id"]
            admin.get("/d/%d" % doc)
            c.eq(admin.post_form("/d/%d/comments/%d/report" % (doc, cid), {"reason": "abuse"}).status, 303,
                 "report of the comment with payload %d" % i)
            pages = {
                "/d/%d" % doc: [fields["title"], fields["description"], "评论 " + payload, name],
                "/s?q=" + urllib.parse.quote(payload): [payload],
                "/s?q=" + urllib.parse.quote("择校"): [fields["title"]],
                # "More like this" heads the results with the document's title; the date
                # filter's fields carry what was sent only when it is a date.
                "/s?like=%d" % doc: [fields["title"]],
                "/s?q=" + urllib.parse.quote(payload) + "&from=" + urllib.parse.quote(payload) + "&to=" +
                urllib.parse.quote(payload) + "&like=" + urllib.parse.quote(payload): [payload],
                "/": [fields["title"]],
                "/c/" + urllib.parse.quote(category): [category.split("/")[-1]],
                "/me": [fields["title"]],
            }
            for path, texts in pages.items():
                body = user.get(path).text
                c.expect(not DANGEROUS.search(body), "payload %d unescaped on %s: %s" % (
                    i, path, DANGEROUS.search(body).group(0) if DANGEROUS.search(body) else ""))
                text = html.unescape(body)
                for t in texts:
                    c.expect(t in text, "payload %d shown as text on %s: %r" % (i, path, t))
            r = user.get("/api/v1/search?q=" + urllib.parse.quote(payload) + "&from=" + urllib.parse.quote(payload))
            c.eq(r.status, 400, "API refuses a payload as a date")
            c.expect(not DANGEROUS.search(r.text) and "application/json" in r.headers.get("Content-Type", ""),
                     "the date error is JSON, payload not markup")
            api = user.get("/api/v1/documents/%d" % doc).json()
            c.eq(api["title"], fields["title"], "API returns the title as data")
            listed = user.get("/api/v1/documents/%d/comments" % doc).json()["comments"]
            c.eq(listed[0]["body"], "评论 " + payload, "comments API returns the body as data")
            # The recycle bin shows the title as text, to its owner and to admins.
            c.eq(user.post_form("/me/documents/%d/delete" % doc, {}).status, 303, "bin document %d" % i)
            for cl, path in ((user, "/me/bin"), (admin, "/admin/bin"), (user, "/d/%d" % doc)):
                body = cl.get(path).text
                c.expect(not DANGEROUS.search(body), "payload %d unescaped on %s" % (i, path))
                c.expect(fields["title"] in html.unescape(body), "payload %d title shown on %s" % (i, path))
            c.eq(user.post_form("/me/bin/%d/restore" % doc, {}).status, 303, "restore document %d" % i)
            # Collection names and descriptions (xss_social.py).
            xss_social.check(c, user, Client(srv.base), doc, i, payload, DANGEROUS)
            shown[payload] = (name, doc)
        # Staff pages: report details, user names, categories, document titles.
        for path in ["/admin?tab=reports", "/admin?tab=users", "/admin?tab=categories", "/admin?tab=stats",
                     "/sitemap.xml"]:
            body = admin.get(path).text
            c.expect(not DANGEROUS.search(body), "payload unescaped on %s" % path)
        text = html.unescape(admin.get("/admin?tab=reports").text)
        for payload in PAYLOADS:
            c.expect("举报 " + payload in text, "report text shown on /admin: %r" % payload)
            c.expect("评论 " + payload in text, "reported comment shown on /admin: %r" % payload)
        text = html.unescape(admin.get("/admin?tab=users").text)
        for payload, (name, _) in shown.items():
            c.expect(name in text, "user name shown on /admin users: %r" % name)
        # The watermark text (drawn into page images) is shown on the settings tab as text.
        for payload in PAYLOADS:
            c.eq(admin.post_form("/admin/settings", {"watermark_text": payload}).status, 303, "watermark payload saved")
            body = admin.get("/admin?tab=settings").text
            c.expect(not DANGEROUS.search(body), "watermark payload unescaped on the settings tab: %r" % payload)
            c.expect(payload in html.unescape(body), "watermark payload shown as text: %r" % payload)
        admin.post_form("/admin/settings", {"watermark_text": ""})
        # File names inside a batch upload's ZIP are shown as text in its status rows.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for i, payload in enumerate(PAYLOADS):
                z.writestr("批量%d %s.txt" % (i, payload.replace("/", "|")), "批量正文 %d\n" % i)
        boundary = "----wenkuxssbatch"
        body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.zip\"\r\n"
                 "Content-Type: application/zip\r\n\r\n" % boundary).encode() + buf.getvalue() +
                ("\r\n--%s--\r\n" % boundary).encode())
        r = admin.request("POST", "/upload/batch?csrf=" + urllib.parse.quote(admin.csrf), body,
                          content_type="multipart/form-data; boundary=" + boundary)
        c.eq(r.status, 200, "batch upload of payload file names")
        c.expect(not DANGEROUS.search(r.text), "batch status rows escape file names")
        for i, payload in enumerate(PAYLOADS):
            c.expect("批量%d %s.txt" % (i, payload.replace("/", "|")) in html.unescape(r.text),
                     "batch row shows the file name as text: %r" % payload)
        # Payloads in the language/layout switch and the login `next` never leave the site.
        r = admin.get("/lang?l=en&next=" + urllib.parse.quote("//evil.example/"))
        c.eq(r.headers.get("Location"), "/", "open redirect refused")
        r = Client(srv.base).get("/login?next=" + urllib.parse.quote("\"><script>alert(9)</script>"))
        c.expect(not DANGEROUS.search(r.text), "next parameter escaped on /login")
        # The content security policy forbids inline scripts everywhere.
        csp = admin.get("/").headers.get("Content-Security-Policy", "")
        c.expect("script-src 'self'" in csp and "unsafe-inline" not in csp, "CSP: " + csp)
    c.finish("web XSS payloads")


if __name__ == "__main__":
    main()
