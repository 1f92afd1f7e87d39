"""Security over HTTP (issue 6): security headers on every answer, uploads never served as
HTML from the site's origin, path traversal on every path-like input, error bodies as JSON."""
import os
import time

import harness

TRAVERSALS = ["/static/../../../../etc/passwd", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
              "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/c/..%2f..%2f..%2fetc%2fpasswd",
              "/api/v1/documents/1/pages/..%2f..%2fwenku.db", "/d/..%2f..%2fwenku.db",
              "/api/v1/documents/..%2f1", "/../../../../etc/passwd", "/static/....//....//etc/passwd",
              "/api/v1/documents/1/download/../../../wenku.db"]


def body(suite):
    data = os.path.dirname(suite.path("data", "x"))
    server = harness.Server(suite, data)
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>\xe4\xbd\xa0</body></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    ids = {}
    for name, content in (("evil.html", html), ("evil.svg", svg), ("evil.txt", html)):
        status, resp = server.upload(name, content)
        suite.require(status == 202, "upload %s: %s %s" % (name, status, resp))
        ids[name] = resp["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(d["status"] != "processing" for d in harness.documents(data).values()):
            break
        time.sleep(0.2)

    checked = 0
    # Every answer carries the headers; an uploaded file is never text/html from our origin.
    paths = ["/", "/healthz", "/api/v1/search?q=alert", "/d/%d" % ids["evil.html"], "/no/such/page"]
    for i in ids.values():
        paths += ["/api/v1/documents/%d" % i, "/api/v1/documents/%d/download" % i, "/api/v1/documents/%d/text" % i,
                  "/api/v1/documents/%d/pages/1" % i, "/d/%d" % i]
    for p in paths:
        st, h, b = server.request("GET", p)
        checked += 1
        suite.check(st < 500, "%s answered %d" % (p, st))
        suite.check(h.get("x-content-type-options", "").lower() == "nosniff", "%s: no X-Content-Type-Options: nosniff" % p)
        ctype = h.get("content-type", "")
        if "/download" in p or "/pages/" in p or "/text" in p:
            suite.check("html" not in ctype and "svg" not in ctype and "xml" not in ctype,
                        "%s: an upload served as %s" % (p, ctype))
            if "/download" in p and st == 200:
                suite.check("attachment" in h.get("content-disposition", ""),
                            "%s: download without Content-Disposition: attachment" % p)
            suite.check(b"<script>alert" not in b or "text/plain" in ctype or "octet-stream" in ctype
                        or "attachment" in h.get("content-disposition", ""),
                        "%s: script served inline as %s" % (p, ctype))
        if "text/html" in ctype:
            csp = h.get("content-security-policy", "")
            suite.check("default-src" in csp or "script-src" in csp, "%s: HTML page without a Content-Security-Policy" % p)
            suite.check("x-frame-options" in h or "frame-ancestors" in csp, "%s: no framing protection" % p)
            suite.check(b"<script>alert(document.cookie)</script>" not in b, "%s: upload's script in our page" % p)
        if p.startswith("/api/") and st >= 400:
            suite.check("json" in ctype, "%s: API error as %s" % (p, ctype))
    # Path traversal: never a file from outside the site's own assets.
    secret = open("/etc/passwd", "rb").read()[:20]
    with open(os.path.join(data, "wenku.db"), "rb") as f:
        db_head = f.read(16)
    for p in TRAVERSALS:
        try:
            st, h, b = server.request("GET", p)
        except OSError as e:
            suite.check(False, "%s: %s" % (p, e))
            continue
        checked += 1
        suite.check(secret not in b and db_head not in b, "%s: served a file from outside (%d)" % (p, st))
        suite.check(st in (301, 302, 400, 403, 404), "%s answered %d" % (p, st))
    suite.check(server.alive(), "the server died")
    server.stop()
    suite.figure("requests", checked)
    suite.figure("traversals", len(TRAVERSALS))


if __name__ == "__main__":
    harness.main_wrapper("http_security", harness.arg_parser(__doc__).parse_args(), body)
