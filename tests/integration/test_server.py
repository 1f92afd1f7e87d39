"""The server as a user meets it: upload over the API, the document page, restart, and the
same again (issue 2 acceptance 1 and 3)."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = w.TempDir()
        self.dir = self.tmp.__enter__()
        self.data = os.path.join(self.dir, "data")
        self.server = w.Server(self.data).start()

    def tearDown(self):
        self.server.stop()
        self.tmp.__exit__(None, None, None)

    def test_upload_is_processed_and_survives_a_restart(self):
        docx = os.path.join(self.dir, "通知.docx")
        w.make_docx(docx, ["关于规范中小学招生工作的通知", "严禁以任何形式举行与招生挂钩的考试，治理择校问题。"])
        status, body = self.server.upload("关于招生工作的通知.doc", open(docx, "rb").read(),
                                          {"title": "招生通知", "category": "办公文档/通知公告"})
        self.assertEqual(status, 202, body)
        self.assertEqual(body["status"], "processing")
        doc = self.server.wait_done(body["id"])
        self.assertEqual(doc["status"], "ready", doc)
        self.assertEqual(doc["format"], "docx", "detected from the content, not the .doc name")
        self.assertGreaterEqual(doc["pages"], 1)
        self.assertEqual(doc["category"], "办公文档/通知公告")

        status, page, headers = self.server.get(f"/d/{body['id']}")
        self.assertEqual(status, 200)
        html = page.decode()
        self.assertIn("格式:<span class=\"format\">DOCX", html)
        self.assertIn("文档编号:<span class=\"doc-id\">" + str(body["id"]), html)
        self.assertIn("第1页 / 共", html)
        self.assertIn("nosniff", headers.get("X-Content-Type-Options", ""))

        status, img, headers = self.server.get(f"/api/v1/documents/{body['id']}/pages/1")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "image/webp")
        self.assertEqual(img[:4], b"RIFF")

        status, search = self.server.get_json("/api/v1/search?q=" + __import__("urllib.parse").parse.quote("择校"))
        self.assertEqual(status, 200)
        self.assertEqual([h["id"] for h in search["hits"]], [body["id"]])

        self.server.stop()
        self.server.start()
        status, again = self.server.get_json(f"/api/v1/documents/{body['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(again["status"], "ready")
        self.assertEqual(again["sha256"], doc["sha256"])
        check = w.run("check", data=self.data)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_text_is_searchable_while_previews_are_still_missing(self):
        # Issue 3: a document is searchable as soon as its text exists. The converter here
        # cannot start, so the document stays `processing` (its preview job retrying) while
        # search must already find it, and its page says it is being processed.
        self.server.stop()
        os.environ["WENKU_CONVERT_HELPER"] = "/bin/false"
        try:
            self.server.start()
        finally:
            del os.environ["WENKU_CONVERT_HELPER"]
        docx = os.path.join(self.dir, "报告.docx")
        w.make_docx(docx, ["学期工作报告", "本学期开展了课后服务试点，覆盖全部九个年级。"])
        status, body = self.server.upload("报告.docx", open(docx, "rb").read())
        self.assertEqual(status, 202, body)
        q = __import__("urllib.parse").parse.quote("课后服务")
        deadline = time.time() + 10
        found = False
        while time.time() < deadline and not found:
            status, search = self.server.get_json("/api/v1/search?q=" + q)
            found = status == 200 and [h["id"] for h in search["hits"]] == [body["id"]]
            if not found:
                time.sleep(0.05)
        self.assertTrue(found, "the document's text was not searchable within 10 s")
        status, doc = self.server.get_json(f"/api/v1/documents/{body['id']}")
        self.assertEqual(doc["status"], "processing", "the previews cannot exist: no converter")
        status, page, _ = self.server.get("/s?q=" + q)
        self.assertIn(f"/d/{body['id']}", page.decode())

    def test_errors_are_json_with_status(self):
        status, body, _ = self.server.get("/api/v1/documents/999999")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"]["code"], "not_found")
        status, body = self.server.upload("empty.txt", b"")
        self.assertEqual(status, 400)
        self.assertIn("empty", body["error"]["message"])
        status, body, _ = self.server.request("POST", "/api/v1/documents", b"x", {"Content-Type": "text/plain"})
        self.assertEqual(status, 400)

    def test_download_returns_the_original_with_its_name(self):
        status, body = self.server.upload("说明.txt", "下载测试的文字内容。".encode())
        self.assertEqual(status, 202)
        self.server.wait_done(body["id"])
        status, data, headers = self.server.get(f"/api/v1/documents/{body['id']}/download")
        self.assertEqual(status, 200)
        self.assertEqual(data, "下载测试的文字内容。".encode())
        self.assertIn("filename*=UTF-8''%E8%AF%B4%E6%98%8E.txt", headers["Content-Disposition"])
        status, part, _ = self.server.get(f"/api/v1/documents/{body['id']}/download", {"Range": "bytes=0-2"})
        self.assertEqual(status, 206)
        self.assertEqual(part, "下".encode())


if __name__ == "__main__":
    unittest.main()
