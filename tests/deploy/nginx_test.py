"""The shipped nginx site file (deploy/nginx/wenku.conf) in front of a real `wenku serve`
(issue 13): Debian's nginx-light on loopback with TLS (a throw-away certificate), run by
nginx_harness.py as the test's own user. Pages, the API, page images and text arrive through
nginx byte for byte as wenku sends them; /static/ is cached by nginx for a week; the internal
X-Accel-Redirect location cannot be reached from outside; bodies over client_max_body_size
are refused by nginx; plain HTTP is sent to HTTPS. (Trusted proxies and X-Accel-Redirect
itself are wenku's side: tested when the http module has them.)"""
import http.client
import json
import os
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


def wenku_request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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
        env = dict(os.environ, WENKU_LOG_LEVEL="warn", WENKU_WORKERS="1")
        p = subprocess.run([WENKU, "import", "--data", cls.data, "--json", pdf], env=env,
                           capture_output=True, text=True, timeout=300)
        line = json.loads([l for l in p.stdout.splitlines() if l.startswith("{")][0])
        assert line["status"] == "ready", p.stdout + p.stderr
        cls.doc = line["id"]
        cls.port = nginx_harness.free_port()
        cls.log = open(os.path.join(cls.tmp, "wenku.log"), "wb")
        cls.server = subprocess.Popen([WENKU, "serve", "--data", cls.data, "--listen", "127.0.0.1:%d" % cls.port],
                                      env=env, stdout=cls.log, stderr=cls.log, start_new_session=True)
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
                     "/api/v1/documents/%d/text?page=2" % d, "/api/v1/documents/%d/pages/1" % d,
                     "/api/v1/documents/%d/pages/3?size=thumb" % d, "/api/v1/documents/%d/related" % d,
                     "/api/v1/documents/999999", "/static/site.css", "/static/site.js"):
            with self.subTest(path=path):
                s1, h1, b1 = wenku_request(self.port, "GET", path, headers={"Host": self.nginx.server_name})
                s2, h2, b2 = self.nginx.request("GET", path)
                self.assertEqual(s2, s1)
                self.assertEqual(b2, b1, "nginx changed the bytes of %s" % path)
                self.assertEqual(h2.get("content-type"), h1.get("content-type"))
                self.assertEqual(h2.get("x-content-type-options"), "nosniff")
        s, _, b = self.nginx.request("GET", "/api/v1/documents/%d/pages/1" % d)
        self.assertEqual((s, b[:4], b[8:12]), (200, b"RIFF", b"WEBP"))

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
