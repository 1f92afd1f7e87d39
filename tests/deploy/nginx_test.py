"""The shipped nginx site file (deploy/nginx/wenku.conf) in front of a real `wenku serve`
(issue 13, acceptance 1): Debian's nginx-light on loopback with TLS (a throw-away certificate),
run by nginx_harness.py as the test's own user; wenku trusts nginx (`trusted_proxies`) and
hands files over with `accel_redirect`. Clients are played from several loopback addresses
(127.0.0.2, 127.0.0.3, ...): through nginx each gets its own login limit, download quota and
view count, while X-Forwarded-For and X-Forwarded-Proto sent straight to wenku by an untrusted
peer are ignored. Page images, thumbnails and downloads arrive through X-Accel-Redirect with
the blob's bytes, ranges (206) and headers; a private document's image is refused to guests
through nginx and never cached. Pages and the API arrive byte for byte; /static/ is cached a
week; the internal location cannot be reached from outside; bodies over client_max_body_size
are refused by nginx; plain HTTP is sent to HTTPS."""
import http.client
import json
import os
import re
import sqlite3
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reliability"))
import nginx_harness  # noqa: E402
from harness import make_pdf  # noqa: E402

WENKU = os.environ.get("WENKU_BIN")


CSRF = "c" * 64  # a guest's CSRF cookie and form token (any 64 hex digits)
ADMIN, ADMIN_PASSWORD = "nginx-admin", "nginx-admin-password-1"
UNTRUSTED = "127.0.0.5"  # a peer outside trusted_proxies talking to wenku directly


def wenku_request(port, method, path, body=None, headers=None, source=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                   source_address=(source, 0) if source else None)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        c.close()


@unittest.skipUnless(WENKU and os.path.exists(WENKU), "WENKU_BIN is not set")
class NginxInFront(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = nginx_harness.available()
        if why:
            raise unittest.SkipTest(why)
        cls.tmp = tempfile.mkdtemp(prefix="wenku-nginx-")
        cls.data = os.path.join(cls.tmp, "data")
        pdf = os.path.join(cls.tmp, "nginx-three-pages.pdf")
        make_pdf(pdf, ["nginx page one", "nginx page two", "nginx page three"])
        private = os.path.join(cls.tmp, "nginx-private.pdf")
        make_pdf(private, ["private page one", "private page two"])
        with open(pdf, "rb") as f:
            cls.pdf_bytes = f.read()
        env = dict(os.environ, WENKU_LOG_LEVEL="warn", WENKU_WORKERS="1",
                   WENKU_TRUSTED_PROXIES="127.0.0.1, ::1", WENKU_ACCEL_REDIRECT="true",
                   WENKU_LOGIN_ATTEMPTS_PER_10MIN="3")
        p = subprocess.run([WENKU, "import", "--data", cls.data, "--json", pdf, private], env=env,
                           capture_output=True, text=True, timeout=300)
        lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
        assert [l["status"] for l in lines] == ["ready", "ready"], p.stdout + p.stderr
        cls.doc, cls.private = lines[0]["id"], lines[1]["id"]
        pw = os.path.join(cls.tmp, "password")
        with open(pw, "w") as f:
            f.write(ADMIN_PASSWORD + "\n")
        subprocess.run([WENKU, "user", "add", "--data", cls.data, "--admin", "--password-file", pw, ADMIN],
                       env=env, check=True, capture_output=True, timeout=60)
        # Before the server starts: the second document becomes private, and the address quota
        # of downloads 2 a day (a site setting, as /admin stores it).
        db = sqlite3.connect(os.path.join(cls.data, "wenku.db"))
        with db:
            db.execute("UPDATE documents SET visibility = 'private' WHERE id = ?", (cls.private,))
            db.execute("INSERT OR REPLACE INTO site_settings (key, value) VALUES ('download_daily_ip', '2')")
        db.close()
        cls.port = nginx_harness.free_port()
        cls.log_path = os.path.join(cls.tmp, "wenku.log")
        cls.log = open(cls.log_path, "wb")
        cls.server = subprocess.Popen([WENKU, "serve", "--data", cls.data, "--listen", "127.0.0.1:%d" % cls.port],
                                      env=dict(env, WENKU_LOG_LEVEL="info"), stdout=cls.log, stderr=cls.log,
                                      start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if wenku_request(cls.port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or cls.server.poll() is not None:
                raise AssertionError("wenku did not start")
            time.sleep(0.05)
        cls.nginx = nginx_harness.Nginx(cls.tmp, cls.port, os.path.join(cls.data, "blobs")).start()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        os.killpg(cls.server.pid, signal.SIGKILL)
        cls.server.wait(timeout=10)
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_bytes_through_nginx_are_wenkus(self):
        d = self.doc
        for path in ("/healthz", "/robots.txt", "/api/v1/documents/%d/text" % d,
                     "/api/v1/documents/%d/text?page=2" % d, "/api/v1/documents/%d/related" % d,
                     "/api/v1/documents/999999", "/static/site.css", "/static/site.js"):
            with self.subTest(path=path):
                # As nginx asks (robots.txt names the sitemap by the client's scheme).
                s1, h1, b1 = wenku_request(self.port, "GET", path,
                                           headers={"Host": self.nginx.server_name, "X-Forwarded-Proto": "https"})
                s2, h2, b2 = self.nginx.request("GET", path)
                self.assertEqual(s2, s1)
                self.assertEqual(b2, b1, "nginx changed the bytes of %s" % path)
                self.assertEqual(h2.get("content-type"), h1.get("content-type"))
                self.assertEqual(h2.get("x-content-type-options"), "nosniff")

    # -- X-Accel-Redirect: wenku decides, nginx sends the file
    def blob_of(self, path, source=None):
        """The internal path wenku names for `path` (asked directly, as nginx does) and the bytes
        of that blob on disk."""
        s, h, b = wenku_request(self.port, "GET", path, headers={"Host": self.nginx.server_name}, source=source)
        self.assertEqual((s, b), (200, b""), path)
        target = h.get("x-accel-redirect", "")
        self.assertRegex(target, r"^/_wenku_blobs/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")
        with open(os.path.join(self.data, "blobs", target[len("/_wenku_blobs/"):]), "rb") as f:
            return h, f.read()

    def test_page_images_and_thumbnails_arrive_by_accel_redirect(self):
        for path in ("/api/v1/documents/%d/pages/1" % self.doc, "/api/v1/documents/%d/pages/3?size=thumb" % self.doc):
            with self.subTest(path=path):
                direct, blob = self.blob_of(path)
                self.assertEqual(direct.get("content-type"), "image/webp")
                s, h, b = self.nginx.request("GET", path)
                self.assertEqual(s, 200)
                self.assertEqual(b, blob)
                self.assertEqual((b[:4], b[8:12]), (b"RIFF", b"WEBP"))
                self.assertEqual(h.get("content-type"), "image/webp")
                self.assertEqual(h.get("cache-control"), "public, max-age=300")
                self.assertEqual(h.get("x-content-type-options"), "nosniff")
                self.assertEqual(h.get("content-length"), str(len(blob)))
                self.assertNotIn("x-accel-redirect", h)
                self.assertNotIn("x-cache-status", h)
                # Ranges are nginx's: 206 with the right slice.
                s, h, part = self.nginx.request("GET", path, headers={"Range": "bytes=10-99"})
                self.assertEqual(s, 206)
                self.assertEqual(part, blob[10:100])
                self.assertEqual(h.get("content-range"), "bytes 10-99/%d" % len(blob))
                self.assertEqual(h.get("content-type"), "image/webp")
                # Revalidation with the validator the client was given.
                etag = self.nginx.request("GET", path)[1].get("etag")
                self.assertTrue(etag)
                s, _, b = self.nginx.request("GET", path, headers={"If-None-Match": etag})
                self.assertEqual((s, b), (304, b""))

    def test_downloads_arrive_by_accel_redirect(self):
        path = "/api/v1/documents/%d/download" % self.doc
        direct, blob = self.blob_of(path, source="127.0.0.6")
        self.assertEqual(blob, self.pdf_bytes)
        s, h, b = self.nginx.request("GET", path, source="127.0.0.6")
        self.assertEqual(s, 200)
        self.assertEqual(b, self.pdf_bytes)
        self.assertEqual(h.get("content-type"), "application/octet-stream")
        self.assertIn('attachment; filename="nginx-three-pages.pdf"', h.get("content-disposition", ""))
        self.assertIn("filename*=UTF-8''nginx-three-pages.pdf", h.get("content-disposition", ""))
        self.assertEqual(h.get("cache-control"), "private, max-age=0")
        self.assertEqual(h.get("accept-ranges"), "bytes")
        self.assertNotIn("x-accel-redirect", h)
        s, h, part = self.nginx.request("GET", path, headers={"Range": "bytes=9-"}, source="127.0.0.6")
        self.assertEqual(s, 206)
        self.assertEqual(part, self.pdf_bytes[9:])
        self.assertEqual(h.get("content-range"), "bytes 9-%d/%d" % (len(self.pdf_bytes) - 1, len(self.pdf_bytes)))
        self.assertIn("attachment;", h.get("content-disposition", ""))

    def login(self, source, name, password, extra=None, direct=False):
        body = "csrf=%s&name=%s&password=%s" % (CSRF, name, password)
        headers = {"Cookie": "wk_csrf=" + CSRF, "Content-Type": "application/x-www-form-urlencoded"}
        headers.update(extra or {})
        if direct or source == UNTRUSTED:
            headers["Host"] = self.nginx.server_name
            return wenku_request(self.port, "POST", "/login", body=body, headers=headers, source=source)
        return self.nginx.request("POST", "/login", body=body, headers=headers, source=source)

    def test_private_document_image_is_refused_through_nginx(self):
        image = "/api/v1/documents/%d/pages/1" % self.private
        for path in (image, image + "?size=thumb", "/api/v1/documents/%d/download" % self.private,
                     "/d/%d" % self.private):
            s, h, b = self.nginx.request("GET", path, source="127.0.0.7")
            self.assertEqual(s, 404, path)
            self.assertNotIn(b"RIFF", b[:4])
        # Its owner (here an admin) gets it, through X-Accel-Redirect, for no cache but the browser's.
        s, h, _ = self.login("127.0.0.7", ADMIN, ADMIN_PASSWORD)
        self.assertEqual(s, 303)
        self.assertIn("Secure", h.get("set-cookie", ""), "X-Forwarded-Proto: https from nginx is believed")
        session = re.search(r"wk_session=([0-9a-f]{64})", h["set-cookie"]).group(1)
        s, h, b = self.nginx.request("GET", image, headers={"Cookie": "wk_session=" + session}, source="127.0.0.7")
        self.assertEqual(s, 200)
        self.assertEqual((b[:4], b[8:12]), (b"RIFF", b"WEBP"))
        self.assertEqual(h.get("cache-control"), "private, no-cache")
        self.assertNotIn("x-cache-status", h)
        # Right after, a guest is still refused: nothing in front answered from a cache.
        s, _, b = self.nginx.request("GET", image, source="127.0.0.7")
        self.assertEqual(s, 404)
        # And the blob itself is not reachable by its internal path.
        direct = wenku_request(self.port, "GET", image, headers={"Cookie": "wk_session=" + session})[1]
        s, _, b = self.nginx.request("GET", direct["x-accel-redirect"])
        self.assertEqual(s, 404)
        self.assertNotIn(b"RIFF", b[:4])

    # -- the client behind nginx: X-Forwarded-For from the trusted peer only
    def test_login_limit_is_per_client(self):
        # login_attempts_per_10min = 3: the fourth attempt from one client is refused, while
        # another client behind the same nginx is not affected.
        for i in range(3):
            self.assertEqual(self.login("127.0.0.2", "nobody-a%d" % i, "wrong")[0], 401)
        self.assertEqual(self.login("127.0.0.2", "nobody-a3", "wrong")[0], 429)
        # A forged X-Forwarded-For sent to nginx is to the left of the hop nginx appends.
        self.assertEqual(self.login("127.0.0.2", "nobody-a4", "wrong", {"X-Forwarded-For": "203.0.113.9"})[0], 429)
        self.assertEqual(self.login("127.0.0.3", "nobody-b0", "wrong")[0], 401)
        # Straight to wenku from an untrusted peer: its X-Forwarded-For is ignored, so every
        # "client" it names is the peer and shares its limit.
        codes = [self.login(UNTRUSTED, "nobody-s%d" % i, "wrong", {"X-Forwarded-For": "198.51.100.%d" % i})[0]
                 for i in range(4)]
        self.assertEqual(codes, [401, 401, 401, 429])

    def test_download_quota_is_per_client(self):
        # download_daily_ip = 2; each new User-Agent is a new visitor from the same address.
        path = "/api/v1/documents/%d/download" % self.doc

        def get(source, agent, extra=None):
            h = {"User-Agent": agent}
            h.update(extra or {})
            if source == UNTRUSTED:
                h["Host"] = self.nginx.server_name
                return wenku_request(self.port, "GET", path, headers=h, source=source)
            return self.nginx.request("GET", path, headers=h, source=source)

        a = [get("127.0.0.2", "agent-a%d" % i) for i in range(3)]
        self.assertEqual([r[0] for r in a], [200, 200, 429])
        self.assertEqual(a[0][2], self.pdf_bytes)
        self.assertEqual(get("127.0.0.2", "agent-a9", {"X-Forwarded-For": "203.0.113.9"})[0], 429)
        b = get("127.0.0.3", "agent-b0")
        self.assertEqual((b[0], b[2]), (200, self.pdf_bytes))
        spoofed = [get(UNTRUSTED, "agent-s%d" % i, {"X-Forwarded-For": "198.51.100.%d" % i})[0] for i in range(3)]
        self.assertEqual(spoofed, [200, 200, 429])

    def test_views_are_counted_per_client(self):
        def views():
            return json.loads(wenku_request(self.port, "GET", "/api/v1/documents/%d" % self.doc)[2])["views"]

        before = views()
        for source in ("127.0.0.2", "127.0.0.2", "127.0.0.3"):
            self.assertEqual(self.nginx.request("GET", "/d/%d" % self.doc, source=source)[0], 200)
        self.assertEqual(views(), before + 2)
        for i in range(2):
            s = wenku_request(self.port, "GET", "/d/%d" % self.doc, source=UNTRUSTED,
                              headers={"X-Forwarded-For": "198.51.100.%d" % (50 + i)})[0]
            self.assertEqual(s, 200)
        self.assertEqual(views(), before + 3)

    def test_access_log_names_the_client_and_the_peer(self):
        self.assertEqual(self.nginx.request("GET", "/healthz?log-check", source="127.0.0.3")[0], 200)
        self.assertEqual(wenku_request(self.port, "GET", "/healthz?log-check-direct", source=UNTRUSTED,
                                       headers={"X-Forwarded-For": "198.51.100.77"})[0], 200)
        # wenku writes an access line after the answer has gone, so the two lines may come in
        # either order: wait for both.
        deadline = time.monotonic() + 10
        while True:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                log = f.read()
            both = "remote=127.0.0.3 " in log and "remote=%s route=" % UNTRUSTED in log
            if both or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # Through the trusted proxy: the client, then the proxy as the peer. Directly: the
        # peer is the client, named once.
        self.assertIn("remote=127.0.0.3 peer=127.0.0.1", log)
        self.assertIn("remote=%s route=" % UNTRUSTED, log)
        self.assertNotIn("198.51.100.77", log)

    def test_forwarded_proto_only_from_the_trusted_peer(self):
        s, _, b = self.nginx.request("GET", "/sitemap.xml")
        self.assertEqual(s, 200)
        self.assertIn(b"<loc>https://wenku.example.cn/d/%d</loc>" % self.doc, b)
        headers = {"Host": self.nginx.server_name, "X-Forwarded-Proto": "https"}
        b = wenku_request(self.port, "GET", "/sitemap.xml", headers=headers, source=UNTRUSTED)[2]
        self.assertIn(b"<loc>http://wenku.example.cn/d/%d</loc>" % self.doc, b)
        s, h, _ = self.login("127.0.0.8", ADMIN, ADMIN_PASSWORD, {"X-Forwarded-Proto": "https"}, direct=True)
        self.assertEqual(s, 303)
        self.assertNotIn("Secure", h.get("set-cookie", ""))
        # A guest's CSRF cookie likewise: Secure through the TLS front, not for a forged header.
        s, h, _ = self.nginx.request("GET", "/login", source="127.0.0.9")
        self.assertEqual(s, 200)
        self.assertRegex(h.get("set-cookie", ""), r"wk_csrf=[0-9a-f]{64};.*; Secure")
        h = wenku_request(self.port, "GET", "/login", headers=headers, source=UNTRUSTED)[1]
        self.assertIn("wk_csrf=", h.get("set-cookie", ""))
        self.assertNotIn("Secure", h.get("set-cookie", ""))

    def test_json_and_pages_arrive(self):
        s, h, b = self.nginx.request("GET", "/api/v1/documents/%d" % self.doc)
        self.assertEqual(s, 200)
        j = json.loads(b)
        self.assertEqual((j["id"], j["pages"], j["status"]), (self.doc, 3, "ready"))
        s, h, b = self.nginx.request("GET", "/api/v1/search?q=nginx")
        self.assertEqual(s, 200)
        self.assertIn(self.doc, [hit["id"] for hit in json.loads(b)["hits"]])
        for path in ("/", "/d/%d" % self.doc, "/s?q=nginx"):
            s, h, b = self.nginx.request("GET", path)
            self.assertEqual(s, 200, path)
            self.assertIn("text/html", h.get("content-type", ""))
            self.assertIn("content-security-policy", h)
        self.assertIn(b"nginx-three-pages", self.nginx.request("GET", "/d/%d" % self.doc)[2])

    def test_static_assets_are_cached_a_week(self):
        path = "/static/site.css?cache-test"
        first = self.nginx.request("GET", path)
        second = self.nginx.request("GET", path)
        self.assertEqual(first[0], 200)
        self.assertEqual(first[1].get("x-cache-status"), "MISS")
        self.assertEqual(second[1].get("x-cache-status"), "HIT")
        self.assertEqual(second[2], first[2])
        self.assertIn("max-age=604800", second[1].get("cache-control", ""))

    def test_nothing_else_is_cached(self):
        for path in ("/", "/api/v1/documents/%d/pages/1" % self.doc, "/api/v1/documents/%d" % self.doc):
            for _ in range(2):
                _, h, _ = self.nginx.request("GET", path)
                self.assertNotIn("x-cache-status", h, path)

    def test_internal_blob_location_is_not_reachable(self):
        blobs = os.path.join(self.data, "blobs")
        some = next(os.path.relpath(os.path.join(r, f), blobs) for r, _, fs in os.walk(blobs) for f in fs)
        s, _, b = self.nginx.request("GET", "/_wenku_blobs/" + some)
        self.assertEqual(s, 404)
        self.assertNotIn(b"%PDF", b)

    def test_body_over_the_limit_is_refused_by_nginx(self):
        # Only the head: nginx answers 413 from Content-Length alone (client_max_body_size 200m).
        raw = ("POST /api/v1/documents HTTP/1.1\r\nHost: %s\r\nContent-Type: application/octet-stream\r\n"
               "Content-Length: %d\r\n\r\n" % (self.nginx.server_name, 201 << 20)).encode()
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", self.nginx.https_port), timeout=10) as plain:
            with ctx.wrap_socket(plain) as s:
                s.sendall(raw)
                head = s.recv(4096)
        self.assertTrue(head.startswith(b"HTTP/1.1 413"), head[:80])

    def test_plain_http_goes_to_https(self):
        s, h, _ = self.nginx.request("GET", "/d/%d?x=1" % self.doc, tls=False)
        self.assertEqual(s, 301)
        self.assertEqual(h["location"], "https://%s/d/%d?x=1" % (self.nginx.server_name, self.doc))


if __name__ == "__main__":
    unittest.main()
