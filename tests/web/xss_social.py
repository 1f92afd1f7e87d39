"""XSS payloads in collection names and descriptions (issue 15), called by test_web_xss.py
for each payload with a signed-in client and its document: shown as text on the collection
page, on /me, in the document page's 加入专辑 form, in the sitemap and as data in the API."""
import html
import json
import re


def check(c, user, guest, doc, i, payload, dangerous):
    name = "专辑%d %s" % (i, payload)
    description = "专辑说明 %s" % payload
    r = user.post_form("/collections", {"name": name, "description": description, "public": "1"})
    c.eq(r.status, 303, "create a collection named with payload %d" % i)
    m = re.match(r"/collections/(\d+)$", r.headers.get("Location", ""))
    c.expect(m is not None, "collection page after create")
    cid = int(m.group(1))
    r = user.post_form("/d/%d/collect" % doc, {"listed": str(cid), "c": str(cid), "new_name": "新%d %s" % (i, payload)})
    c.eq(r.status, 303, "collect with payload %d" % i)
    c.eq(user.post_form("/d/%d/favourite" % doc, {"on": "1"}).status, 303, "favourite %d" % i)
    c.eq(user.post_form("/d/%d/rate" % doc, {"stars": "5"}).status, 303, "rate %d" % i)
    pages = {
        (user, "/collections/%d" % cid): [name, description],
        (guest, "/collections/%d" % cid): [name, description],
        (user, "/me"): [name],
        (user, "/d/%d" % doc): [name, "新%d %s" % (i, payload)],
    }
    for (cl, path), texts in pages.items():
        body = cl.get(path).text
        found = dangerous.search(body)
        c.expect(not found, "payload %d unescaped on %s: %s" % (i, path, found.group(0) if found else ""))
        text = html.unescape(body)
        for t in texts:
            c.expect(t in text, "payload %d shown as text on %s: %r" % (i, path, t))
    # Edited through the form and the API: still text.
    r = user.post_form("/collections/%d/edit" % cid, {"name": name + "!", "description": description, "public": "1"})
    c.eq(r.status, 303, "edit collection %d" % i)
    c.expect(not dangerous.search(guest.get("/collections/%d" % cid).text), "payload %d escaped after edit" % i)
    r = user.request("PATCH", "/api/v1/collections/%d" % cid, json.dumps({"name": name}).encode(),
                     headers={"X-CSRF-Token": user.csrf}, content_type="application/json")
    c.eq(r.status, 200, "PATCH collection %d" % i)
    c.eq(r.json()["name"], name.strip(), "the API returns the name as data")
    j = guest.get("/api/v1/collections/%d" % cid).json()
    c.eq(j["description"], description, "the API returns the description as data")
    c.expect("application/json" in guest.get("/api/v1/collections/%d" % cid).headers.get("Content-Type", ""),
             "collection API is JSON")
    return cid
