"""The authorisation matrix of favourites, ratings and collections (issue 15), called by
test_web_authz.py with its signed-in clients and its four documents (public, unlisted,
private, hidden): every new page, form and API route for a guest, a member, the owner, a
moderator and an admin; private collections 404 to all but their owner and admins; a
collection never shows a document to someone who may not see it listed."""
import json
import re

ROLES = ["guest", "member", "owner", "moderator", "admin"]
KINDS = ["public", "unlisted", "private", "hidden"]


def may_view(role, kind):
    if role == "admin":
        return True
    if kind == "private":
        return role == "owner"
    if kind == "hidden":
        return role in ("owner", "moderator")
    return True


def shown_in_collection(role, kind):
    """A collection lists listed documents to everyone; the rest only to who manages them
    (owner, admin) or, for staff, may see them."""
    if kind == "public":
        return True
    if role in ("owner", "admin"):
        return True
    return role == "moderator" and may_view(role, kind)


def api(cl, method, path, body=None, csrf=True):
    headers = {"X-CSRF-Token": cl.csrf} if csrf and cl.csrf else {}
    data = json.dumps(body).encode() if body is not None else None
    return cl.request(method, path, data, headers=headers, content_type="application/json" if data else None)


def check(c, srv, clients, ids):
    owner = clients["owner"]
    # The owner's collections: one private, one public, each holding all four documents.
    cols = {}
    for name, public in (("private", False), ("public", True)):
        fields = {"name": "矩阵专辑 %s" % name, "description": "说明 %s" % name}
        if public:
            fields["public"] = "1"
        r = owner.post_form("/collections", fields)
        c.eq(r.status, 303, "create %s collection" % name)
        m = re.match(r"/collections/(\d+)$", r.headers.get("Location", ""))
        c.expect(m is not None, "create redirects to the collection page")
        cols[name] = int(m.group(1))
        for kind in KINDS:
            r = api(owner, "PUT", "/api/v1/collections/%d/documents/%d" % (cols[name], ids[kind]))
            c.eq(r.status, 204, "owner adds %s to %s collection" % (kind, name))

    for role in ROLES:
        cl = clients[role]
        signed = role != "guest"
        for kind in KINDS:
            d = ids[kind]
            seen = may_view(role, kind)
            # Forms: guests are sent to sign in; members act on what they may see, 404 else.
            for path, fields in (("/d/%d/favourite" % d, {"on": "1"}), ("/d/%d/rate" % d, {"stars": "4"}),
                                 ("/d/%d/collect" % d, {"new_name": "%s 的专辑 %s" % (role, kind)})):
                r = cl.post_form(path, fields)
                want = 303 if (not signed or seen) else 404
                c.eq(r.status, want, "%s POST %s (%s)" % (role, path, kind))
                if not signed:
                    c.expect(r.headers.get("Location", "").startswith("/login"), "guest sent to sign in from " + path)
            r = api(cl, "PUT", "/api/v1/documents/%d/favourite" % d)
            c.eq(r.status, 401 if not signed else (200 if seen else 404), "%s PUT favourite (%s)" % (role, kind))
            r = api(cl, "PUT", "/api/v1/documents/%d/rating" % d, {"stars": 3})
            c.eq(r.status, 401 if not signed else (200 if seen else 404), "%s PUT rating (%s)" % (role, kind))
            r = cl.get("/api/v1/documents/%d/social" % d)
            c.eq(r.status, 200 if seen else 404, "%s GET social (%s)" % (role, kind))
            if r.status == 200 and signed:
                j = r.json()
                c.expect(j["favourite"] and j["my_rating"] == 3, "%s social of %s: %r" % (role, kind, j))
        r = api(cl, "DELETE", "/api/v1/documents/%d/favourite" % ids["unlisted"])
        c.eq(r.status, 401 if not signed else 200, "%s DELETE favourite" % role)
        # 我的收藏: listed documents (and, for who manages them, their own).
        r = cl.get("/api/v1/me/favourites")
        c.eq(r.status, 401 if not signed else 200, "%s GET /api/v1/me/favourites" % role)
        if signed:
            got = {x["id"] for x in r.json()["documents"]}
            want = {ids[k] for k in KINDS if may_view(role, k) and shown_in_collection(role, k) and k != "unlisted"}
            c.eq(got, want, "%s favourites list" % role)
            me = cl.get("/me").text
            c.expect('id="favourites"' in me and 'id="collections"' in me, role + " /me has favourites and collections")
            c.eq(cl.get("/api/v1/me/collections").status, 200, role + " GET /api/v1/me/collections")
        else:
            c.eq(cl.get("/api/v1/me/collections").status, 401, "guest GET /api/v1/me/collections")

        # Collection pages: private ones 404 to all but owner and admin.
        for name, cid in cols.items():
            sees = name == "public" or role in ("owner", "admin")
            r = cl.get("/collections/%d" % cid)
            c.eq(r.status, 200 if sees else 404, "%s GET /collections (%s)" % (role, name))
            r2 = cl.get("/api/v1/collections/%d" % cid)
            c.eq(r2.status, 200 if sees else 404, "%s GET /api/v1/collections (%s)" % (role, name))
            if sees:
                items = {x["id"] for x in r2.json()["items"]}
                want = {ids[k] for k in KINDS if shown_in_collection(role, k)}
                c.eq(items, want, "%s sees these documents of the %s collection" % (role, name))
                for k in KINDS:
                    c.eq('href="/d/%d"' % ids[k] in r.text, shown_in_collection(role, k),
                         "%s collection page (%s) lists %s" % (role, name, k))
            changes = role in ("owner", "admin")
            want_form = 303 if (not signed or changes) else (403 if sees else 404)
            want_api = 401 if not signed else (200 if changes else (403 if sees else 404))
            r = cl.post_form("/collections/%d/edit" % cid, {"name": "矩阵专辑 %s" % name, "public": "1" if name == "public" else "0"})
            c.eq(r.status, want_form, "%s POST edit (%s)" % (role, name))
            r = cl.post_form("/collections/%d/remove" % cid, {"document": str(ids["public"])})
            c.eq(r.status, want_form, "%s POST remove (%s)" % (role, name))
            if changes:
                c.eq(api(cl, "PUT", "/api/v1/collections/%d/documents/%d" % (cid, ids["public"])).status, 204,
                     "%s puts the document back (%s)" % (role, name))
            r = api(cl, "PATCH", "/api/v1/collections/%d" % cid, {"description": "说明 %s" % name})
            c.eq(r.status, want_api, "%s PATCH collection (%s)" % (role, name))
            want_put = 401 if not signed else (204 if changes else (403 if sees else 404))
            r = api(cl, "PUT", "/api/v1/collections/%d/documents/%d" % (cid, ids["public"]))
            c.eq(r.status, want_put, "%s PUT collection item (%s)" % (role, name))
            r = api(cl, "DELETE", "/api/v1/collections/%d/documents/%d" % (cid, ids["unlisted"]))
            c.eq(r.status, want_put, "%s DELETE collection item (%s)" % (role, name))
            if changes:
                api(cl, "PUT", "/api/v1/collections/%d/documents/%d" % (cid, ids["unlisted"]))
            if not changes:
                want_del = 401 if not signed else (403 if sees else 404)
                c.eq(api(cl, "DELETE", "/api/v1/collections/%d" % cid).status, want_del,
                     "%s DELETE collection (%s)" % (role, name))
                c.eq(cl.post_form("/collections/%d/delete" % cid, {}).status, 303 if not signed else want_del,
                     "%s POST delete collection (%s)" % (role, name))
        sitemap = cl.get("/sitemap.xml").text
        c.expect("/collections/%d<" % cols["public"] in sitemap, role + " sitemap lists the public collection")
        c.expect("/collections/%d<" % cols["private"] not in sitemap, role + " sitemap leaves out the private one")

    member = clients["member"]
    # CSRF: the forms and the API refuse a signed-in browser without the token.
    c.eq(member.post_form("/d/%d/favourite" % ids["public"], {"on": "1"}, with_csrf=False).status, 403,
         "favourite form without CSRF token")
    c.eq(member.post_form("/collections", {"name": "x"}, with_csrf=False).status, 403, "create collection without CSRF")
    c.eq(api(member, "PUT", "/api/v1/documents/%d/favourite" % ids["public"], csrf=False).status, 403,
         "favourite API without CSRF token")
    c.eq(api(member, "POST", "/api/v1/collections", {"name": "x"}, csrf=False).status, 403, "collection API without CSRF")
    # Bad input.
    c.eq(member.post_form("/d/%d/rate" % ids["public"], {"stars": "9"}).status, 400, "stars out of range")
    c.eq(api(member, "PUT", "/api/v1/documents/%d/rating" % ids["public"], {"stars": "五"}).status, 400, "stars not a number")
    c.eq(api(member, "POST", "/api/v1/collections", {"name": "  "}).status, 400, "empty collection name")
    r = api(member, "POST", "/api/v1/collections", {"name": "会员专辑", "public": True})
    c.eq(r.status, 201, "member creates a collection through the API")
    mine = r.json()["id"]
    c.eq(api(member, "DELETE", "/api/v1/collections/%d" % mine).status, 204, "member deletes it")
    c.eq(member.get("/collections/%d" % mine).status, 404, "a deleted collection is gone")
    # Counts hidden by the site settings.
    admin = clients["admin"]
    c.eq(admin.post_form("/admin/settings", {"show_favourite_count": "false", "show_rating": "false"}).status, 303,
         "hide counts")
    page = member.get("/d/%d" % ids["public"]).text
    c.expect('class="fav-count"' not in page and 'class="rate-form"' not in page, "counts and stars hidden")
    j = member.get("/api/v1/documents/%d/social" % ids["public"]).json()
    c.expect(j["favourites"] is None and j["rating"] is None, "API hides the counts too: %r" % j)
    c.eq(member.post_form("/d/%d/rate" % ids["public"], {"stars": "2"}).status, 403, "rating refused while hidden")
    c.eq(admin.post_form("/admin/settings", {"show_favourite_count": "true", "show_rating": "true"}).status, 303,
         "show counts")
    page = member.get("/d/%d" % ids["public"]).text
    c.expect('class="fav-count"' in page and 'class="avg"' in page, "counts shown again")
    return cols
