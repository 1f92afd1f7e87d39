"""A library whose files live in S3-compatible storage (`blob_url=s3://...`, issue 12): the
real server against s3rver (tests/s3's lock file, installed by scripts/setup.sh). Uploads
become ready with their page images in the bucket and none in the data directory, downloads
and ranges come back byte for byte, `wenku check` is clean, a backup of it restores into
another bucket prefix, and a wrong bucket is refused at start naming the setting."""
import os
import re
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(HERE, "..", "s3", "s3rver_launcher.js")
BUCKET = "wenku-it"
CREDS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


def blob_url(port, prefix, bucket=BUCKET):
    return f"blob_url=s3://{bucket}/{prefix}?endpoint=http://127.0.0.1:{port}&region=us-east-1"


def files_under(path):
    out = []
    for root, _, names in os.walk(path):
        out += [os.path.join(root, n) for n in names]
    return out


class S3LibraryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(os.path.join(HERE, "..", "s3", "node_modules", "s3rver")):
            raise AssertionError("s3rver is not installed (tests/s3/node_modules): run scripts/setup.sh")
        cls.tmp = w.TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.s3dir = os.path.join(cls.dir, "s3")
        os.makedirs(cls.s3dir)
        # --openssl-legacy-provider: s3rver makes its continuation tokens with DES, which
        # OpenSSL 3 keeps in its legacy provider (a truncated listing is a 500 without it).
        cls.s3 = subprocess.Popen(["node", "--openssl-legacy-provider", LAUNCHER, cls.s3dir, BUCKET], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = cls.s3.stdout.readline().decode()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            raise AssertionError("s3rver did not start: " + cls.s3.stderr.read().decode()[-500:])
        cls.port = int(m.group(1))
        os.environ.update(CREDS)

    @classmethod
    def tearDownClass(cls):
        cls.s3.stdin.close()
        try:
            cls.s3.wait(10)
        except subprocess.TimeoutExpired:
            cls.s3.kill()
        cls.tmp.__exit__(None, None, None)

    def test_documents_live_in_the_bucket(self):
        data = os.path.join(self.dir, "data")
        docx = os.path.join(self.dir, "通知.docx")
        w.make_docx(docx, ["关于开展校园安全检查工作的通知", "各学校要认真落实安全责任制度。"])
        with open(docx, "rb") as f:
            original = f.read()
        server = w.Server(data, ["--set", blob_url(self.port, "site-a")]).start()
        try:
            status, body = server.upload("通知.docx", original)
            self.assertIn(status, (201, 202), body)
            doc = server.wait_done(body["id"])
            self.assertEqual(doc["status"], "ready", doc)
            status, img, headers = server.get(f"/api/v1/documents/{doc['id']}/pages/1")
            self.assertEqual(status, 200)
            self.assertEqual(img[:4], b"RIFF")
            status, got, _ = server.get(f"/api/v1/documents/{doc['id']}/download")
            self.assertEqual((status, got), (200, original))
            status, part, _ = server.get(f"/api/v1/documents/{doc['id']}/download", {"Range": "bytes=10-29"})
            self.assertEqual((status, part), (206, original[10:30]))
            status, found = server.get_json("/api/v1/search?q=" + urllib.parse.quote("安全责任"))
            self.assertEqual(status, 200)
            self.assertIn(doc["id"], [h["id"] for h in found["hits"]])
        finally:
            server.stop()
        # The bytes are in the bucket, under the prefix; the data directory holds none.
        self.assertEqual([p for p in files_under(os.path.join(data, "blobs")) if "/tmp/" not in p], [])
        in_bucket = [p for p in files_under(self.s3dir) if "site-a" in p]
        self.assertGreaterEqual(len(in_bucket), 2, in_bucket)  # the original and a page image at least
        check = w.run("check", "--set", blob_url(self.port, "site-a"), data=data)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())

        # A backup of the bucket-backed library restores into another prefix, checked clean.
        backup = os.path.join(self.dir, "backup")
        made = w.run("backup", "--set", blob_url(self.port, "site-a"), backup, data=data)
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        restored = os.path.join(self.dir, "restored")
        back = w.run("restore", "--set", blob_url(self.port, "site-b"), backup, data=restored)
        self.assertEqual(back.returncode, 0, back.stdout.decode() + back.stderr.decode())
        self.assertRegex(back.stdout.decode(), r"remaining=0")
        self.assertTrue([p for p in files_under(self.s3dir) if "site-b" in p])
        server = w.Server(restored, ["--set", blob_url(self.port, "site-b")]).start()
        try:
            status, got, _ = server.get(f"/api/v1/documents/{doc['id']}/download")
            self.assertEqual((status, got), (200, original))
        finally:
            server.stop()

    def test_missing_bucket_is_refused_naming_the_setting(self):
        data = os.path.join(self.dir, "data-missing")
        proc = w.run("check", "--set", blob_url(self.port, "x", bucket="no-such-bucket"), data=data, timeout=120)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("blob_url", proc.stderr.decode())


if __name__ == "__main__":
    unittest.main()
