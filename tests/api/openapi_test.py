"""docs/openapi.yaml against the running server (issue 13, acceptance 4).

1. The file validates with @apidevtools/swagger-parser (tests/api/package-lock.json, installed
   by scripts/setup.sh with `npm ci`), and a broken copy does not (the validator is real).
2. A real `wenku serve` on a temporary data directory is called on every documented route and
   method, with cases for the documented error answers; each status must be one the document
   lists for that operation, and each JSON body must match its schema, with no property the
   schema does not name (so the file cannot fall behind the code unnoticed)."""
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reliability"))
from harness import make_pdf, free_port, multipart  # noqa: E402

SPEC = os.path.join(SOURCE, "docs", "openapi.yaml")
WENKU = os.environ.get("WENKU_BIN")
NODE = shutil.which("node")


def load_spec(path=SPEC):
    """(exit code, dereferenced spec or None, stderr) from validate.mjs."""
    p = subprocess.run([NODE, os.path.join(HERE, "validate.mjs"), path], capture_output=True, text=True,
                       cwd=HERE, timeout=120)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


def schema_errors(schema, value, where="$"):
    """What in `value` does not match `schema` (the OpenAPI 3.0 subset the file uses)."""
    errors = []
    if value is None:
        return [] if schema.get("nullable") else ["%s: null where %s" % (where, schema.get("type", "a value"))]
    if "allOf" in schema:
        merged = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return schema_errors(merged, value, where)
    t = schema.get("type")
    checks = {"object": dict, "array": list, "string": str, "boolean": bool}
    if t in checks and not isinstance(value, checks[t]):
        return ["%s: %r is not %s" % (where, value, t)]
    if t == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return ["%s: %r is not an integer" % (where, value)]
    if t == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return ["%s: %r is not a number" % (where, value)]
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: %r not in %s" % (where, value, schema["enum"]))
    if t == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
    if t == "string" and "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append("%s: longer than %d" % (where, schema["maxLength"]))
    if t == "array":
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append("%s: more than %d items" % (where, schema["maxItems"]))
        for i, item in enumerate(value):
            errors += schema_errors(schema.get("items", {}), item, "%s[%d]" % (where, i))
    if t == "object":
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append("%s: missing %s" % (where, key))
        for key, v in value.items():
            if key not in props:
                errors.append("%s: %s is not in the schema" % (where, key))
            else:
                errors += schema_errors(props[key], v, "%s.%s" % (where, key))
    return errors


@unittest.skipUnless(NODE, "node is not installed")
class OpenApiDocument(unittest.TestCase):
    def setUp(self):
        if not os.path.isdir(os.path.join(HERE, "node_modules", "@apidevtools", "swagger-parser")):
            self.skipTest("tests/api/node_modules missing: run scripts/setup.sh (npm ci)")

    def test_validates_and_a_broken_copy_does_not(self):
        rc, spec, err = load_spec()
        self.assertEqual(rc, 0, err)
        self.assertEqual(spec["openapi"], "3.0.3")
        with open(SPEC, encoding="utf-8") as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as d:
            broken = os.path.join(d, "openapi.yaml")
            with open(broken, "w", encoding="utf-8") as f:
                f.write(text.replace('$ref: "#/components/schemas/SearchHit"', '$ref: "#/components/schemas/NoSuchHit"'))
            rc, _, err = load_spec(broken)
            self.assertNotEqual(rc, 0, "the validator accepted a dangling $ref")


@unittest.skipUnless(NODE and WENKU and os.path.exists(WENKU), "node or WENKU_BIN missing")
class OpenApiAgainstTheServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(os.path.join(HERE, "node_modules", "@apidevtools", "swagger-parser")):
            raise unittest.SkipTest("tests/api/node_modules missing: run scripts/setup.sh (npm ci)")
        rc, cls.spec, err = load_spec()
        assert rc == 0, err
        cls.tmp = tempfile.mkdtemp(prefix="wenku-openapi-")
        cls.data = os.path.join(cls.tmp, "data")
        pdf = os.path.join(cls.tmp, "接口文档.pdf")
        make_pdf(pdf, ["openapi page one", "openapi page two", "openapi page three"])
        env = dict(os.environ, WENKU_LOG_LEVEL="warn", WENKU_WORKERS="1")
        p = subprocess.run([WENKU, "import", "--data", cls.data, "--json", pdf], env=env,
                           capture_output=True, text=True, timeout=300)
        cls.doc = json.loads([l for l in p.stdout.splitlines() if l.startswith("{")][0])["id"]
        cls.port = free_port()
        cls.log = open(os.path.join(cls.tmp, "wenku.log"), "wb")
        cls.server = subprocess.Popen([WENKU, "serve", "--data", cls.data, "--listen", "127.0.0.1:%d" % cls.port],
                                      env=env, stdout=cls.log, stderr=cls.log, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if cls.call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or cls.server.poll() is not None:
                raise AssertionError("wenku did not start")
            time.sleep(0.05)
        cls.walked = set()

    @classmethod
    def tearDownClass(cls):
        os.killpg(cls.server.pid, signal.SIGKILL)
        cls.server.wait(timeout=10)
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def call(cls, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=60)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def check(self, method, template, path, expect, body=None, headers=None):
        """Calls `path`; the status must be `expect` and documented for `template`; a JSON
        body must match the documented schema. Returns (headers, body)."""
        op = self.spec["paths"][template][method.lower()]
        status, h, raw = self.call(method, path, body, headers)
        self.walked.add((template, method.lower()))
        self.assertEqual(status, expect, "%s %s: %s" % (method, path, raw[:300]))
        response = op["responses"].get(str(status))
        self.assertIsNotNone(response, "%s %s answered %d, which the document does not list" % (method, template, status))
        content = response.get("content", {})
        ctype = h.get("content-type", "").split(";")[0].strip()
        if status not in (204, 304):  # no body
            self.assertIn(ctype, content, "%s %s %d: content type %s is not documented" % (method, template, status, ctype))
        if ctype == "application/json":
            errors = schema_errors(content[ctype]["schema"], json.loads(raw))
            self.assertEqual(errors, [], "%s %s %d" % (method, path, status))
        return h, raw

    def upload(self, content, name="上传.pdf", fields=None):
        body, ctype = multipart({"file": (name, content)}, fields or {})
        return body, {"Content-Type": ctype}

    def batch_upload(self):
        """A ZIP of two text files through /api/v1/batches: two documents, one refusal of a
        guest, one of an archive whose name climbs out."""
        me = self.sign_in("apibatch")
        plain = io.BytesIO()
        with zipfile.ZipFile(plain, "w") as z:
            z.writestr("第一份.txt", "批量上传的第一份文件 %s" % uuid.uuid4().hex)
            z.writestr("second.txt", "the second file of the batch %s" % uuid.uuid4().hex)
        body, headers = self.upload(plain.getvalue(), name="batch.zip", fields={"category": "测试/批量", "tags": "批量"})
        _, raw = self.check("POST", "/api/v1/batches", "/api/v1/batches", 202, body, dict(headers, **me))
        items = json.loads(raw)["items"]
        self.assertEqual([i["status"] for i in items], ["processing", "processing"], items)
        self.check("POST", "/api/v1/batches", "/api/v1/batches", 401, body, headers)
        climbing = io.BytesIO()
        with zipfile.ZipFile(climbing, "w") as z:
            z.writestr("../outside.txt", "x")
        body, headers = self.upload(climbing.getvalue(), name="bad.zip")
        self.check("POST", "/api/v1/batches", "/api/v1/batches", 400, body, dict(headers, **me))

    def sign_in(self, name, password="correct horse 1"):
        """An admin account's session: the headers its calls carry (cookie, CSRF token)."""
        subprocess.run([WENKU, "user", "add", "--data", self.data, "--admin", name], input=password + "\n",
                       text=True, check=True, capture_output=True)
        _, h, raw = self.call("GET", "/login")
        guest = re.search(r"wk_csrf=([^;]+)", h.get("set-cookie", "")).group(1)
        token = re.search(rb'name="csrf-token" content="([0-9a-f]{64})"', raw).group(1).decode()
        form = urllib.parse.urlencode({"name": name, "password": password, "csrf": token}).encode()
        _, h, _ = self.call("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                   "Cookie": "wk_csrf=" + guest})
        cookie = "wk_session=" + re.search(r"wk_session=([^;]+)", h.get("set-cookie", "")).group(1)
        _, _, raw = self.call("GET", "/", headers={"Cookie": cookie})
        token = re.search(rb'name="csrf-token" content="([0-9a-f]{64})"', raw).group(1).decode()
        return {"Cookie": cookie, "X-CSRF-Token": token}

    def comments_and_bin(self, d):
        """Comments and the recycle bin (issue 15), as a signed-in admin and as a guest."""
        me = self.sign_in("apiadmin")
        js = dict(me, **{"Content-Type": "application/json"})
        t = "/api/v1/documents/{id}/comments"
        _, raw = self.check("POST", t, "/api/v1/documents/%d/comments" % d, 201,
                            json.dumps({"body": "接口评论 <b>x</b>"}).encode(), js)
        cid = json.loads(raw)["id"]
        self.check("POST", t, "/api/v1/documents/%d/comments" % d, 429, json.dumps({"body": "太快"}).encode(), js)
        self.check("POST", t, "/api/v1/documents/%d/comments" % d, 400, json.dumps({"body": "  "}).encode(), js)
        self.check("POST", t, "/api/v1/documents/%d/comments" % d, 401, json.dumps({"body": "匿名"}).encode(),
                   {"Content-Type": "application/json"})
        self.check("POST", t, "/api/v1/documents/999999/comments", 404, json.dumps({"body": "x"}).encode(), js)
        _, raw = self.check("GET", t, "/api/v1/documents/%d/comments" % d, 200)
        self.assertEqual(json.loads(raw)["comments"][0]["body"], "接口评论 <b>x</b>")
        self.check("GET", t, "/api/v1/documents/999999/comments", 404)
        _, raw = self.check("GET", "/api/v1/captcha", "/api/v1/captcha", 200)
        self.assertIn("=", json.loads(raw)["question"])
        t = "/api/v1/comments/{id}/reports"
        self.check("POST", t, "/api/v1/comments/%d/reports" % cid, 201, json.dumps({"reason": "spam"}).encode(),
                   {"Content-Type": "application/json"})
        self.check("POST", t, "/api/v1/comments/%d/reports" % cid, 400, json.dumps({"reason": "dull"}).encode(),
                   {"Content-Type": "application/json"})
        self.check("POST", t, "/api/v1/comments/999999/reports", 404, json.dumps({"reason": "spam"}).encode(),
                   {"Content-Type": "application/json"})
        t = "/api/v1/comments/{id}"
        self.check("DELETE", t, "/api/v1/comments/%d" % cid, 401)
        self.check("DELETE", t, "/api/v1/comments/%d" % cid, 204, headers=me)
        self.check("DELETE", t, "/api/v1/comments/%d" % cid, 404, headers=me)
        # The recycle bin.
        self.check("GET", "/api/v1/me/bin", "/api/v1/me/bin", 401)
        t = "/api/v1/documents/{id}"
        self.check("DELETE", t, "/api/v1/documents/%d" % d, 401)
        self.check("DELETE", t, "/api/v1/documents/%d" % d, 204, headers=me)
        self.check("DELETE", t, "/api/v1/documents/%d" % d, 409, headers=me)
        self.check("GET", t, "/api/v1/documents/%d" % d, 404)
        _, raw = self.check("GET", "/api/v1/me/bin", "/api/v1/me/bin?all=1", 200, headers=me)
        self.assertIn(d, [x["id"] for x in json.loads(raw)["documents"]])
        t = "/api/v1/documents/{id}/restore"
        self.check("POST", t, "/api/v1/documents/%d/restore" % d, 401)
        self.check("POST", t, "/api/v1/documents/%d/restore" % d, 204, headers=me)
        self.check("POST", t, "/api/v1/documents/%d/restore" % d, 404, headers=me)
        self.check("GET", "/api/v1/documents/{id}", "/api/v1/documents/%d" % d, 200)
    def register(self, name):
        """A member's session: (headers with its cookie and CSRF token)."""
        status, h, raw = self.call("GET", "/register")
        guest = h.get("set-cookie", "").split(";")[0]
        token = re.search(rb'name="csrf-token" content="([0-9a-f]{64})"', raw).group(1).decode()
        form = "name=%s&password=%s&password2=%s&csrf=%s" % (name, "openapi-pass-1", "openapi-pass-1", token)
        status, h, _ = self.call("POST", "/register", form.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": guest})
        self.assertEqual(status, 303, "register " + name)
        session = h.get("set-cookie", "").split(";")[0]
        _, _, raw = self.call("GET", "/me", headers={"Cookie": session})
        token = re.search(rb'name="csrf-token" content="([0-9a-f]{64})"', raw).group(1).decode()
        return {"Cookie": session, "X-CSRF-Token": token, "Content-Type": "application/json"}

    def social_routes(self, d):
        """Favourites, ratings and collections (issue 15) for a member, a guest and another member."""
        me, other = self.register("openapi_member"), self.register("openapi_other")
        t = "/api/v1/documents/{id}/social"
        _, raw = self.check("GET", t, "/api/v1/documents/%d/social" % d, 200)
        self.assertEqual(json.loads(raw)["favourite"], False)
        self.check("GET", t, "/api/v1/documents/999999/social", 404)
        t = "/api/v1/documents/{id}/favourite"
        _, raw = self.check("PUT", t, "/api/v1/documents/%d/favourite" % d, 200, headers=me)
        self.assertEqual(json.loads(raw)["favourites"], 1)
        self.check("PUT", t, "/api/v1/documents/%d/favourite" % d, 401)
        self.check("PUT", t, "/api/v1/documents/%d/favourite" % d, 403, headers=dict(me, **{"X-CSRF-Token": "0" * 64}))
        self.check("PUT", t, "/api/v1/documents/999999/favourite", 404, headers=me)
        self.check("DELETE", t, "/api/v1/documents/%d/favourite" % d, 200, headers=other)
        self.check("DELETE", t, "/api/v1/documents/%d/favourite" % d, 401)
        self.check("DELETE", t, "/api/v1/documents/%d/favourite" % d, 403, headers=dict(me, **{"X-CSRF-Token": "0" * 64}))
        t = "/api/v1/documents/{id}/rating"
        _, raw = self.check("PUT", t, "/api/v1/documents/%d/rating" % d, 200, json.dumps({"stars": 4}).encode(), me)
        self.assertEqual(json.loads(raw)["rating"], {"average": 4.0, "count": 1})
        self.check("PUT", t, "/api/v1/documents/%d/rating" % d, 400, json.dumps({"stars": 9}).encode(), me)
        self.check("PUT", t, "/api/v1/documents/%d/rating" % d, 401, json.dumps({"stars": 4}).encode())
        self.check("PUT", t, "/api/v1/documents/%d/rating" % d, 403, json.dumps({"stars": 4}).encode(),
                   dict(me, **{"X-CSRF-Token": "0" * 64}))
        self.check("PUT", t, "/api/v1/documents/999999/rating", 404, json.dumps({"stars": 4}).encode(), me)
        t = "/api/v1/me/favourites"
        _, raw = self.check("GET", t, t, 200, headers=me)
        self.assertEqual([x["id"] for x in json.loads(raw)["documents"]], [d])
        self.check("GET", t, t, 401)
        t = "/api/v1/collections"
        body = json.dumps({"name": "接口专辑", "description": "说明", "public": False}).encode()
        _, raw = self.check("POST", t, t, 201, body, me)
        cid = json.loads(raw)["id"]
        self.check("POST", t, t, 400, json.dumps({"name": " "}).encode(), me)
        self.check("POST", t, t, 401, body)
        self.check("POST", t, t, 403, body, dict(me, **{"X-CSRF-Token": "0" * 64}))
        t = "/api/v1/me/collections"
        _, raw = self.check("GET", t, t, 200, headers=me)
        self.assertEqual([x["id"] for x in json.loads(raw)["collections"]], [cid])
        self.check("GET", t, t, 401)
        t = "/api/v1/collections/{collection}/documents/{id}"
        path = "/api/v1/collections/%d/documents/%d" % (cid, d)
        self.check("PUT", t, path, 204, headers=me)
        self.check("PUT", t, path, 401)
        self.check("PUT", t, path, 404, headers=other)
        self.check("PUT", t, "/api/v1/collections/%d/documents/999999" % cid, 404, headers=me)
        t = "/api/v1/collections/{collection}"
        path = "/api/v1/collections/%d" % cid
        _, raw = self.check("GET", t, path, 200, headers=me)
        self.assertEqual([x["id"] for x in json.loads(raw)["items"]], [d])
        self.check("GET", t, path, 404)
        self.check("GET", t, path, 404, headers=other)
        _, raw = self.check("PATCH", t, path, 200, json.dumps({"name": "公开专辑", "public": True}).encode(), me)
        self.assertTrue(json.loads(raw)["public"])
        self.check("GET", t, path, 200)
        self.check("PATCH", t, path, 400, json.dumps({"name": ""}).encode(), me)
        self.check("PATCH", t, path, 401, json.dumps({"name": "x"}).encode())
        self.check("PATCH", t, path, 403, json.dumps({"name": "x"}).encode(), other)
        self.check("PATCH", t, "/api/v1/collections/999999", 404, json.dumps({"name": "x"}).encode(), me)
        t2 = "/api/v1/collections/{collection}/documents/{id}"
        self.check("PUT", t2, "/api/v1/collections/%d/documents/%d" % (cid, d), 403, headers=other)
        self.check("DELETE", t2, "/api/v1/collections/%d/documents/%d" % (cid, d), 403, headers=other)
        self.check("DELETE", t2, "/api/v1/collections/%d/documents/%d" % (cid, d), 401)
        self.check("DELETE", t2, "/api/v1/collections/999999/documents/%d" % d, 404, headers=me)
        self.check("DELETE", t2, "/api/v1/collections/%d/documents/%d" % (cid, d), 204, headers=me)
        self.check("DELETE", t, path, 403, headers=other)
        self.check("DELETE", t, path, 401)
        self.check("DELETE", t, path, 204, headers=me)
        self.check("DELETE", t, path, 404, headers=me)

    def test_every_documented_route(self):
        d = self.doc
        self.check("GET", "/healthz", "/healthz", 200)
        self.check("GET", "/metrics", "/metrics", 200)
        # Documents.
        pdf = os.path.join(self.tmp, "new.pdf")
        make_pdf(pdf, ["fresh upload %s" % uuid.uuid4().hex])
        with open(pdf, "rb") as f:
            content = f.read()
        body, headers = self.upload(content, fields={"title": "接口上传", "category": "测试/接口", "tags": "a b"})
        _, raw = self.check("POST", "/api/v1/documents", "/api/v1/documents", 202, body, headers)
        self.assertEqual(json.loads(raw)["status"], "processing")
        _, raw = self.check("POST", "/api/v1/documents", "/api/v1/documents", 202, body, headers)
        self.assertEqual(json.loads(raw)["status"], "duplicate")
        body, headers = self.upload(b"")
        self.check("POST", "/api/v1/documents", "/api/v1/documents", 400, body, headers)
        self.check("POST", "/api/v1/documents", "/api/v1/documents", 411, b"",
                   {"Transfer-Encoding": "chunked", "Content-Type": "multipart/form-data; boundary=x"})
        t = "/api/v1/documents/{id}"
        _, raw = self.check("GET", t, "/api/v1/documents/%d" % d, 200)
        self.assertEqual(json.loads(raw)["pages"], 3)
        self.check("GET", t, "/api/v1/documents/999999", 404)
        t = "/api/v1/documents/{id}/text"
        _, raw = self.check("GET", t, "/api/v1/documents/%d/text" % d, 200)
        self.assertIn(b"openapi page two", raw)
        _, raw = self.check("GET", t, "/api/v1/documents/%d/text?page=3" % d, 200)
        self.assertIn(b"three", raw)
        self.check("GET", t, "/api/v1/documents/%d/text?page=9" % d, 404)
        t = "/api/v1/documents/{id}/pages/{n}"
        h, raw = self.check("GET", t, "/api/v1/documents/%d/pages/1" % d, 200)
        self.assertEqual(raw[8:12], b"WEBP")
        self.check("GET", t, "/api/v1/documents/%d/pages/2?size=thumb" % d, 200)
        self.check("GET", t, "/api/v1/documents/%d/pages/1" % d, 304, headers={"If-None-Match": h["etag"]})
        self.check("GET", t, "/api/v1/documents/%d/pages/9999" % d, 404)
        self.check("GET", "/api/v1/documents/{id}/related", "/api/v1/documents/%d/related" % d, 200)
        self.check("GET", "/api/v1/documents/{id}/related", "/api/v1/documents/999999/related", 404)
        t = "/api/v1/documents/{id}/download"
        h, raw = self.check("GET", t, "/api/v1/documents/%d/download" % d, 200)
        self.assertTrue(raw.startswith(b"%PDF"))
        self.assertIn("attachment", h.get("content-disposition", ""))
        h, part = self.check("GET", t, "/api/v1/documents/%d/download" % d, 206, headers={"Range": "bytes=0-9"})
        self.assertEqual(part, raw[:10])
        self.check("GET", t, "/api/v1/documents/999999/download", 404)
        t = "/api/v1/documents/{id}/reports"
        js = {"Content-Type": "application/json"}
        self.check("POST", t, "/api/v1/documents/%d/reports" % d, 201,
                   json.dumps({"reason": "spam", "detail": "接口测试"}).encode(), js)
        self.check("POST", t, "/api/v1/documents/%d/reports" % d, 201, b"reason=other",
                   {"Content-Type": "application/x-www-form-urlencoded"})
        self.check("POST", t, "/api/v1/documents/%d/reports" % d, 400, json.dumps({"reason": "boring"}).encode(), js)
        self.check("POST", t, "/api/v1/documents/999999/reports", 404, json.dumps({"reason": "spam"}).encode(), js)
        # Search.
        _, raw = self.check("GET", "/api/v1/search", "/api/v1/search?q=openapi&per_page=5&sort=newest", 200)
        self.assertIn(d, [hit["id"] for hit in json.loads(raw)["hits"]])
        self.check("GET", "/api/v1/search", "/api/v1/search?q=", 400)
        # The date filter (uploaded today: in a range that holds today, not in one before it)
        # and "more like this".
        today = time.strftime("%Y-%m-%d")
        _, raw = self.check("GET", "/api/v1/search", "/api/v1/search?q=openapi&from=%s&to=%s" % (today, today), 200)
        self.assertIn(d, [hit["id"] for hit in json.loads(raw)["hits"]])
        _, raw = self.check("GET", "/api/v1/search", "/api/v1/search?q=openapi&to=2001-01-01", 200)
        self.assertNotIn(d, [hit["id"] for hit in json.loads(raw)["hits"]])
        self.check("GET", "/api/v1/search", "/api/v1/search?q=openapi&from=2024-02-30", 400)
        self.check("GET", "/api/v1/search", "/api/v1/search?q=openapi&to=yesterday", 400)
        _, raw = self.check("GET", "/api/v1/search", "/api/v1/search?like=%d" % d, 200)
        self.assertNotIn(d, [hit["id"] for hit in json.loads(raw)["hits"]])
        self.check("GET", "/api/v1/search", "/api/v1/search?like=999999", 404)
        _, raw = self.check("GET", "/api/v1/suggest", "/api/v1/suggest?q=%E6%8E%A5", 200)
        self.check("GET", "/api/v1/suggest", "/api/v1/suggest", 200)
        self.batch_upload()
        self.comments_and_bin(d)
        self.social_routes(d)
        documented = {(p, m) for p, ops in self.spec["paths"].items() for m in ops if m in ("get", "post", "put", "delete", "patch")}
        self.assertEqual(documented - self.walked, set(), "documented routes this test did not call")
        print("FIGURES openapi routes=%d calls_checked=ok failures=0" % len(documented), flush=True)


if __name__ == "__main__":
    unittest.main()
