"""Authorisation matrix (issue 5, acceptance 2): every document route and API call, for a
guest, a member, the owner, a moderator and an admin, on public, unlisted, private and hidden
documents: the expected status, asserted. Also: listings, search and the sitemap show only
public documents; CSRF tokens are required; login is rate limited; the download policy
(who, daily limits, signed links, ranges, RFC 5987 names)."""
import argparse
import io
import zipfile
import re
import subprocess
import time
import urllib.parse

from web_harness import Checker, Client, Server, docx_bytes
import authz_social

PASSWORD = "correct horse 1"
ROLES = ["guest", "member", "owner", "moderator", "admin"]
KINDS = ["public", "unlisted", "private", "hidden"]


def batch_upload(cl, role, with_csrf=True):
    """POSTs a ZIP of two small text files to /api/v1/batches."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a-%s.txt" % role, "批量 %s 一\n" % role)
        z.writestr("b-%s.txt" % role, "批量 %s 二\n" % role)
    if not cl.csrf:
        cl.get("/")
    boundary = "----wenkubatch" + role
    body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.zip\"\r\n"
             "Content-Type: application/zip\r\n\r\n" % boundary).encode() + buf.getvalue() +
            ("\r\n--%s--\r\n" % boundary).encode())
    headers = {"X-CSRF-Token": cl.csrf} if with_csrf else {}
    return cl.request("POST", "/api/v1/batches", body, headers=headers,
                      content_type="multipart/form-data; boundary=" + boundary)


def may_view(role, kind):
    if role == "admin":
        return True
    if kind == "private":
        return role == "owner"
    if kind == "hidden":
        return role in ("owner", "moderator")
    return True


def comments_and_bin(c, srv, clients, ids):
    """Comments (issue 15): who may post, read, report, delete and close them; the recycle
    bin: who may bin a document, see a bin and restore from it; a binned document is gone
    for visitors, listings and search, and back after a restore."""
    def api(cl, method, path, body=None):
        return cl.request(method, path, body.encode() if body is not None else None,
                          headers={"X-CSRF-Token": cl.csrf}, content_type="application/json" if body else None)

    for role in ROLES:
        cl = clients[role]
        for kind in KINDS:
            d = ids[kind]
            seen = may_view(role, kind)
            r = cl.post_form("/d/%d/comments" % d, {"body": "%s 的评论 %s" % (role, kind)})
            if not seen:
                c.eq(r.status, 404, "%s comment form (%s)" % (role, kind))
            elif role == "guest":
                c.eq(r.status, 303, "guest comment form sends to login (%s)" % kind)
                c.expect(r.headers.get("Location", "").startswith("/login"), "guest comment goes to /login")
            else:
                c.eq(r.status, 303, "%s comment form (%s)" % (role, kind))
            c.eq(cl.get("/api/v1/documents/%d/comments" % d).status, 200 if seen else 404,
                 "%s GET comments API (%s)" % (role, kind))
            r = api(cl, "POST", "/api/v1/documents/%d/comments" % d, '{"body":"API 评论"}')
            want = (401 if role == "guest" else 201) if seen else 404
            c.eq(r.status, want, "%s POST comments API (%s)" % (role, kind))
            r = cl.post_form("/me/documents/%d/comments" % d, {"closed": "0"})
            if role == "guest":
                want = 303
            elif role in ("owner", "admin"):
                want = 303
            else:
                want = 403 if seen else 404
            c.eq(r.status, want, "%s close comments (%s)" % (role, kind))
        c.eq(cl.get("/me/bin").status, 303 if role == "guest" else 200, role + " /me/bin")
        want_admin_bin = {"guest": 303, "member": 403, "owner": 403, "moderator": 403, "admin": 200}[role]
        c.eq(cl.get("/admin/bin").status, want_admin_bin, role + " /admin/bin")
        c.eq(cl.get("/api/v1/me/bin").status, 401 if role == "guest" else 200, role + " GET /api/v1/me/bin")

    # The owner's comment on the public document: only its author and admins delete it.
    listed = clients["guest"].get("/api/v1/documents/%d/comments" % ids["public"]).json()
    mine = [x["id"] for x in listed["comments"] if x["user"] == "owner"]
    c.expect(len(mine) >= 2, "the owner's comments are listed: %r" % listed)
    for role, want in (("guest", 401), ("member", 403), ("moderator", 403)):
        c.eq(api(clients[role], "DELETE", "/api/v1/comments/%d" % mine[0]).status, want, role + " deletes another's comment")
        r = clients[role].post_form("/d/%d/comments/%d/delete" % (ids["public"], mine[0]), {})
        c.eq(r.status, 303 if role == "guest" else 403, role + " delete form on another's comment")
    c.eq(api(clients["admin"], "DELETE", "/api/v1/comments/%d" % mine[0]).status, 204, "admin deletes a comment")
    c.eq(clients["owner"].post_form("/d/%d/comments/%d/delete" % (ids["public"], mine[1]), {}).status, 303,
         "the author deletes their comment")
    # Reports of a comment: whoever sees the document; a comment of a private document is
    # not found for those who cannot see it.
    other = [x["id"] for x in listed["comments"] if x["user"] == "member"][0]
    for role in ROLES:
        r = api(clients[role], "POST", "/api/v1/comments/%d/reports" % other, '{"reason":"spam"}')
        c.eq(r.status, 201, role + " reports a comment")
    private = clients["owner"].get("/api/v1/documents/%d/comments" % ids["private"]).json()["comments"][0]["id"]
    for role in ROLES:
        r = api(clients[role], "POST", "/api/v1/comments/%d/reports" % private, '{"reason":"spam"}')
        c.eq(r.status, 201 if may_view(role, "private") else 404, role + " reports a private document's comment")
        want = {"guest": 401, "member": 404, "moderator": 404}.get(role)
        if want:
            r = api(clients[role], "DELETE", "/api/v1/comments/%d" % private)
            c.eq(r.status, want, role + " deletes a private document's comment")

    # The recycle bin: others may not bin the public document; its owner does.
    pub = ids["public"]
    word = urllib.parse.quote("矩阵public测试")
    for role in ("member", "moderator"):
        c.eq(clients[role].post_form("/me/documents/%d/delete" % pub, {}).status, 403, role + " bins another's document")
        c.eq(api(clients[role], "DELETE", "/api/v1/documents/%d" % pub).status, 403, role + " DELETE another's document")
    c.eq(clients["owner"].post_form("/me/documents/%d/delete" % pub, {}).status, 303, "owner bins the document")
    for role in ROLES:
        want = 200 if role in ("owner", "admin", "moderator") else 404
        c.eq(clients[role].get("/d/%d" % pub).status, want, role + " sees the binned document's page")
        found = [h["id"] for h in clients[role].get("/api/v1/search?q=" + word).json()["hits"]]
        c.expect(pub not in found, role + " search leaves the binned document out")
        c.expect('href="/d/%d"' % pub not in clients[role].get("/").text, role + " home leaves it out")
    # `wenku check` stays clean with a document in the bin (its files kept, its index entry
    # agreeing with the store).
    chk = subprocess.run([srv.wenku, "check", "--data", srv.data], capture_output=True, text=True)
    c.eq(chk.returncode, 0, "wenku check with a binned document: " + chk.stdout[-300:])
    c.expect("problems=0" in chk.stdout, "check finds no problem: " + chk.stdout[-300:])
    c.expect('href="/d/%d"' % pub in clients["owner"].get("/me/bin").text, "the owner's bin lists it")
    c.expect('class="my-doc" data-id="%d"' % pub not in clients["owner"].get("/me").text, "/me leaves it out")
    c.expect('href="/d/%d"' % pub in clients["admin"].get("/admin/bin").text, "the admin's bin lists it")
    c.expect('href="/d/%d"' % pub not in clients["member"].get("/me/bin").text, "another's bin does not")
    c.expect(any(x["id"] == pub for x in clients["owner"].get("/api/v1/me/bin").json()["documents"]), "bin API lists it")
    for role in ("member", "moderator"):
        c.eq(clients[role].post_form("/me/bin/%d/restore" % pub, {}).status, 404, role + " restores another's document")
        c.eq(clients[role].post_form("/admin/bin/%d/restore" % pub, {}).status, 403, role + " admin restore")
        c.eq(clients[role].post_form("/admin/bin/%d/purge" % pub, {}).status, 403, role + " admin purge")
    c.eq(clients["owner"].post_form("/admin/bin/%d/restore" % pub, {}).status, 403, "owner may not use admin restore")
    c.eq(clients["owner"].post_form("/me/bin/%d/restore" % pub, {}).status, 303, "owner restores")
    c.eq(clients["guest"].get("/d/%d" % pub).status, 200, "restored document is public again")
    found = [h["id"] for h in clients["guest"].get("/api/v1/search?q=" + word).json()["hits"]]
    c.expect(pub in found, "restored document is found again")
    # An admin bins through the API and restores from the admin's bin.
    c.eq(api(clients["admin"], "DELETE", "/api/v1/documents/%d" % pub).status, 204, "admin DELETE bins")
    c.eq(clients["guest"].get("/d/%d" % pub).status, 404, "binned by the admin")
    c.eq(clients["admin"].post_form("/admin/bin/%d/restore" % pub, {}).status, 303, "admin restores")
    c.eq(clients["guest"].get("/d/%d" % pub).status, 200, "restored by the admin")
    c.eq(api(clients["owner"], "POST", "/api/v1/documents/%d/restore" % pub, "{}").status, 404,
         "restore of a document not in the bin")

    # The server's captcha (site setting comment_captcha): a comment needs the answer to the
    # page's question, once; comments off for the site refuse everyone; the count hides.
    admin, member = clients["admin"], clients["member"]
    admin.get("/admin?tab=settings")
    c.eq(admin.post_form("/admin/settings", {"comment_captcha": "true"}).status, 303, "captcha on")
    page = member.get("/d/%d" % pub).text
    q = re.search(r'class="captcha-question">(\d+) \+ (\d+) = \?<', page)
    token = re.search(r'name="captcha_token" value="([^"]+)"', page)
    c.expect(q is not None and token is not None, "the comment form asks a question")
    answer = str(int(q.group(1)) + int(q.group(2)))
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "无答案"}).status, 400, "comment without the answer")
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "错答案", "captcha_token": token.group(1),
                                                   "captcha_answer": str(int(answer) + 1)}).status, 400, "wrong answer")
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "对答案", "captcha_token": token.group(1),
                                                   "captcha_answer": answer}).status, 303, "right answer")
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "再用一次", "captcha_token": token.group(1),
                                                   "captcha_answer": answer}).status, 400, "an answer counts once")
    c.eq(admin.post_form("/admin/settings", {"comment_captcha": "false", "comments": "false",
                                             "show_comment_count": "false"}).status, 303, "comments off")
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "关了"}).status, 403, "comments off for the site")
    page = member.get("/d/%d" % pub).text
    c.expect('class="comment-form"' not in page and 'class="comment-count"' not in page, "no form, no count")
    c.eq(admin.post_form("/admin/settings", {"comments": "true", "show_comment_count": "true"}).status, 303, "comments on")
    # Closed on one document by its owner.
    c.eq(clients["owner"].post_form("/me/documents/%d/comments" % pub, {"closed": "1"}).status, 303, "owner closes")
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "关了"}).status, 403, "comments closed on the document")
    c.eq(clients["owner"].post_form("/me/documents/%d/comments" % pub, {"closed": "0"}).status, 303, "owner opens")
    # The length limit.
    c.eq(member.post_form("/d/%d/comments" % pub, {"body": "长" * 501}).status, 400, "comment over comment_max_chars")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wenku", required=True)
    args = p.parse_args()
    c = Checker()
    with Server(args.wenku, {"login_attempts_per_10min": "12", "comment_interval_seconds": "0",
                             "comments_per_hour": "1000"}) as srv:
        srv.add_user("admin", PASSWORD, "admin")
        srv.add_user("moder", PASSWORD, "moderator")
        clients = {r: Client(srv.base) for r in ROLES}
        c.eq(clients["owner"].register("owner", PASSWORD).status, 303, "register owner")
        c.eq(clients["member"].register("member", PASSWORD).status, 303, "register member")
        c.eq(clients["moderator"].login("moder", PASSWORD).status, 303, "login moderator")
        c.eq(clients["admin"].login("admin", PASSWORD).status, 303, "login admin")
        clients["guest"].get("/")
        owner = clients["owner"]

        # One document of each kind, each with its own words so searches tell them apart.
        ids = {}
        for kind in KINDS:
            word = "矩阵%s测试" % kind
            body = docx_bytes(["%s 第一段，关于择校的说明。" % word, "第二段 %s。" % word])
            vis = kind if kind in ("unlisted", "private") else "public"
            r = owner.upload("%s.docx" % kind, body, {"title": "矩阵 %s" % kind, "visibility": vis})
            c.eq(r.status, 202, "upload " + kind)
            ids[kind] = r.json()["id"]
        for kind in KINDS:
            d = srv.wait_done(owner, ids[kind])
            c.eq(d["status"], "ready", "processed " + kind)
        # Hidden by moderation: a report, then the admin hides the document.
        r = clients["member"].post_form("/d/%d/report" % ids["hidden"], {"reason": "spam", "detail": "广告"})
        c.eq(r.status, 200, "report form")
        reports = clients["admin"].get("/admin?tab=reports").text
        m = re.search(r'action="/admin/reports/(\d+)"', reports)
        c.expect(m is not None, "admin sees the report")
        r = clients["admin"].post_form("/admin/reports/%s" % m.group(1), {"action": "hide"})
        c.eq(r.status, 303, "admin hides")

        routes = [
            ("GET", "/d/{id}"), ("GET", "/d/{id}?text=1"), ("GET", "/d/{id}?p=2"), ("GET", "/api/v1/documents/{id}"), ("GET", "/api/v1/documents/{id}/pages/1"),
            ("GET", "/api/v1/documents/{id}/pages/1?size=thumb"), ("GET", "/api/v1/documents/{id}/text"),
            ("GET", "/api/v1/documents/{id}/text?page=1"), ("GET", "/api/v1/documents/{id}/related"),
            ("GET", "/api/v1/documents/{id}/download"), ("POST", "/api/v1/documents/{id}/reports"),
        ]
        for role in ROLES:
            cl = clients[role]
            for kind in KINDS:
                for method, pattern in routes:
                    path = pattern.format(id=ids[kind])
                    if method == "GET":
                        r = cl.get(path)
                        want = 200 if may_view(role, kind) else 404
                    else:
                        r = cl.request("POST", path, ('{"reason":"other","detail":"x"}').encode(),
                                       headers={"X-CSRF-Token": cl.csrf}, content_type="application/json")
                        want = 201 if may_view(role, kind) else 404
                    c.eq(r.status, want, "%s %s %s (%s)" % (role, method, path, kind))
                # The reader's page box: to the page's anchor for those who may see it.
                r = cl.get("/d/%d?jump=1&p=2" % ids[kind])
                c.eq(r.status, 303 if may_view(role, kind) else 404, "%s page jump (%s)" % (role, kind))
                # Managing: owner and admin; others get 403 when they can see it, else 404;
                # guests are sent to log in.
                r = cl.post_form("/me/documents/%d/edit" % ids[kind], {"title": "矩阵 %s" % kind})
                if role == "guest":
                    want = 303
                elif role in ("owner", "admin"):
                    want = 303
                else:
                    want = 403 if may_view(role, kind) else 404
                c.eq(r.status, want, "%s edit %s" % (role, kind))
                if role in ("owner", "admin") and r.status == 303:
                    c.expect(r.headers.get("Location", "").startswith("/me"), "edit redirects to /me")

            # Listings: only the public document, for everyone (even its owner and admins).
            for kind in KINDS:
                word = "矩阵%s测试" % kind
                j = cl.get("/api/v1/search?q=" + urllib.parse.quote(word)).json()
                found = [h["id"] for h in j["hits"]]
                c.eq(ids[kind] in found, kind == "public", "%s search lists %s" % (role, kind))
                html = cl.get("/s?q=" + urllib.parse.quote(word)).text
                c.eq('href="/d/%d?' % ids[kind] in html, kind == "public", "%s /s lists %s" % (role, kind))
            # The date filter: uploaded today, so a range of today lists it and one before
            # does not (same rules: only the public document).
            today = time.strftime("%Y-%m-%d")
            for kind in KINDS:
                word = urllib.parse.quote("矩阵%s测试" % kind)
                found = [h["id"] for h in cl.get("/api/v1/search?q=%s&from=%s&to=%s" % (word, today, today)).json()["hits"]]
                c.eq(ids[kind] in found, kind == "public", "%s dated search lists %s" % (role, kind))
                html = cl.get("/s?q=%s&from=%s&to=%s" % (word, today, today)).text
                c.eq('href="/d/%d?' % ids[kind] in html, kind == "public", "%s dated /s lists %s" % (role, kind))
                found = [h["id"] for h in cl.get("/api/v1/search?q=%s&to=2001-01-01" % word).json()["hits"]]
                c.eq(found, [], "%s search before 2001 lists nothing (%s)" % (role, kind))
            # More like this: like a document the visitor may see (else 404 / an empty page);
            # the hits are public documents only, never the document itself.
            for kind in KINDS:
                r = cl.get("/api/v1/search?like=%d" % ids[kind])
                c.eq(r.status, 200 if may_view(role, kind) else 404, "%s search like %s" % (role, kind))
                if r.status == 200:
                    found = {h["id"] for h in r.json()["hits"]}
                    c.expect(found <= {ids["public"]} - {ids[kind]}, "%s like %s lists only public others: %s" % (role, kind, found))
                html = cl.get("/s?like=%d" % ids[kind]).text
                shown = {k for k in KINDS if 'href="/d/%d?' % ids[k] in html}
                c.expect(shown <= {"public"} - {kind}, "%s /s like %s lists only public others: %s" % (role, kind, shown))
                c.eq('class="like-title"' in html, may_view(role, kind), "%s /s like %s names it" % (role, kind))
            sitemap = cl.get("/sitemap.xml").text
            home = cl.get("/").text
            for kind in KINDS:
                c.eq("/d/%d<" % ids[kind] in sitemap, kind == "public", "%s sitemap has %s" % (role, kind))
                c.eq('href="/d/%d"' % ids[kind] in home, kind == "public", "%s home lists %s" % (role, kind))

            # Account pages.
            want_me = 303 if role == "guest" else 200
            c.eq(cl.get("/me").status, want_me, role + " /me")
            c.eq(cl.get("/upload").status, want_me, role + " /upload")
            # Batch upload: the status list shows only documents this visitor may see; the API
            # takes a ZIP from accounts only, with the CSRF token.
            batch_ids = ",".join(str(ids[k]) for k in KINDS)
            c.eq(cl.get("/upload/batch?ids=" + batch_ids).status, want_me, role + " /upload/batch")
            if role != "guest":
                listed = cl.get("/upload/batch?ids=" + batch_ids).text
                for kind in KINDS:
                    c.eq('data-id="%d"' % ids[kind] in listed, may_view(role, kind), "%s batch list shows %s" % (role, kind))
            c.eq(batch_upload(cl, role).status, 401 if role == "guest" else 202, role + " POST /api/v1/batches")
            if role != "guest":
                c.eq(batch_upload(cl, role, with_csrf=False).status, 403, role + " POST /api/v1/batches without CSRF")
            want_admin = {"guest": 303, "member": 403, "owner": 403, "moderator": 200, "admin": 200}[role]
            c.eq(cl.get("/admin").status, want_admin, role + " /admin")
            want_settings = {"guest": 303, "member": 403, "owner": 403, "moderator": 403, "admin": 303}[role]
            c.eq(cl.post_form("/admin/settings", {"icp": "京ICP备00000号"}).status, want_settings, role + " POST settings")
            # The watermark settings (page images remade, downloads watermarked): admins only.
            c.eq(cl.post_form("/admin/settings", {"watermark_pdf_download": "false"}).status, want_settings,
                 role + " POST watermark setting")

        comments_and_bin(c, srv, clients, ids)

        # Moderators see the reports tab but not the settings tab.
        c.expect("tab=settings" not in clients["moderator"].get("/admin").text, "moderator has no settings tab")
        c.expect("京ICP备00000号" in clients["guest"].get("/").text, "footer shows the ICP number")

        # CSRF: a signed-in browser's state change without the token is refused.
        r = owner.post_form("/me/documents/%d/edit" % ids["public"], {"title": "x"}, with_csrf=False)
        c.eq(r.status, 403, "edit without CSRF token")
        r = owner.post_form("/me/documents/%d/edit" % ids["public"], {"title": "x", "csrf": "0" * 64})
        c.eq(r.status, 403, "edit with a wrong CSRF token")
        r = owner.upload("x.txt", "没有令牌".encode(), with_csrf=False)
        c.eq(r.status, 403, "API upload from a browser session without CSRF token")
        r = clients["member"].request("POST", "/api/v1/documents/%d/reports" % ids["public"], b'{"reason":"spam"}',
                                      content_type="application/json")
        c.eq(r.status, 403, "report API without CSRF token")
        c.eq(Client(srv.base).post_form("/login", {"name": "admin", "password": PASSWORD}, with_csrf=False).status,
             403, "login without the CSRF cookie")
        # Session cookie attributes.
        fresh = Client(srv.base)
        fresh.get("/login")
        r = fresh.post_form("/login", {"name": "member", "password": PASSWORD})
        cookie = r.headers.get("Set-Cookie", "")
        c.expect("HttpOnly" in cookie and "SameSite=Lax" in cookie, "session cookie is HttpOnly SameSite=Lax: " + cookie)

        # Favourites, ratings and collections (authz_social.py).
        authz_social.check(c, srv, clients, ids)

        # Download policy: members only, one download per account per day, signed links.
        admin = clients["admin"]
        admin.get("/admin?tab=settings")
        c.eq(admin.post_form("/admin/settings", {"download_who": "members", "download_daily_user": "1"}).status, 303,
             "set download policy")
        guest = Client(srv.base)
        c.eq(guest.get("/api/v1/documents/%d/download" % ids["public"]).status, 401, "guest download under members policy")
        member = Client(srv.base)
        c.eq(member.register("member2", PASSWORD).status, 303, "register member2")
        member.get("/d/%d" % ids["public"])
        r = member.post_form("/d/%d/download" % ids["public"], {})
        c.eq(r.status, 303, "download form redirects to a signed link")
        link = r.headers.get("Location", "")
        c.expect("sig=" in link and "exp=" in link, "signed link: " + link)
        r = member.get(link)
        c.eq(r.status, 200, "signed link downloads")
        c.expect(r.body[:2] == b"PK", "the original DOCX bytes")
        cd = r.headers.get("Content-Disposition", "")
        c.expect("filename*=UTF-8''" in cd, "RFC 5987 filename: " + cd)
        r = member.get(link, headers={"Range": "bytes=0-9"})
        c.eq(r.status, 206, "range request")
        c.eq(len(r.body), 10, "range length")
        c.eq(member.get(re.sub(r"sig=[0-9a-f]+", "sig=" + "0" * 32, link)).status, 403, "tampered signature")
        c.eq(member.get(re.sub(r"exp=\d+", "exp=1", link)).status, 403, "expired link")
        r = member.get("/api/v1/documents/%d/download" % ids["unlisted"])
        c.eq(r.status, 429, "second document over the daily limit")
        c.eq(member.get("/api/v1/documents/%d/download" % ids["public"]).status, 200,
             "the same document again within minutes is not counted twice")

        # Views are not inflated by reloads.
        before = guest.get("/api/v1/documents/%d" % ids["public"]).json()["views"]
        for _ in range(3):
            guest.get("/d/%d" % ids["public"], headers={"User-Agent": "reloading-browser/1.0"})
        after = guest.get("/api/v1/documents/%d" % ids["public"]).json()["views"]
        c.eq(after - before, 1, "three reloads count one view")

        # Review before publishing: a member's upload stays hidden until a moderator approves.
        c.eq(admin.post_form("/admin/settings", {"review_before_publish": "true"}).status, 303, "review on")
        r = owner.upload("review.docx", docx_bytes(["待审核的文档，关于择校的内容。"]), {"title": "待审核"})
        rid = r.json()["id"]
        srv.wait_done(owner, rid)
        c.eq(Client(srv.base).get("/d/%d" % rid).status, 404, "unreviewed upload hidden from guests")
        c.eq(owner.get("/d/%d" % rid).status, 200, "the owner sees the upload in review")
        c.expect("正在等待审核" in owner.get("/d/%d" % rid).text, "review notice for the owner")
        moderator = clients["moderator"]
        c.expect('action="/admin/review/%d"' % rid in moderator.get("/admin?tab=review").text, "in the review queue")
        c.eq(moderator.post_form("/admin/review/%d" % rid, {"action": "approve"}).status, 303, "moderator approves")
        c.eq(Client(srv.base).get("/d/%d" % rid).status, 200, "approved upload is public")
        c.expect('action="/admin/review/%d"' % rid not in moderator.get("/admin?tab=review").text, "queue emptied")

        # Login rate limit: wrong passwords for one name end in 429.
        attacker = Client(srv.base)
        attacker.get("/login")
        statuses = [attacker.post_form("/login", {"name": "owner", "password": "wrong password"}).status
                    for _ in range(14)]
        c.expect(statuses[0] == 401 and statuses[-1] == 429, "login attempts limited: %r" % statuses)
    c.finish("web authorisation matrix")


if __name__ == "__main__":
    main()
