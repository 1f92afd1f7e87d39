"""A library whose metadata lives in PostgreSQL (`metadata_url=postgresql://...`, issue 12):
the real server against a PostgreSQL 15 the test starts. An upload becomes ready and
searchable with its rows in the database and no SQLite file in the data directory; after a
restart the server still has it; a second server process on the same database (another
data directory, as a second machine would be) sees the same document; `wenku check` is
clean; `wenku backup` and `restore` refuse, naming PostgreSQL's tools; a bad URL and an
unreachable database are refused at start naming the setting."""
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_testlib  # noqa: E402
import wenku_testlib as w  # noqa: E402


class PgLibraryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = w.TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.pg = pg_testlib.PgServer().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.pg.__exit__(None, None, None)
        cls.tmp.__exit__(None, None, None)

    def test_documents_live_in_postgresql(self):
        url = self.pg.create_database("wenku_it")
        setting = ["--set", "metadata_url=" + url]
        data = os.path.join(self.dir, "data")
        docx = os.path.join(self.dir, "通知.docx")
        w.make_docx(docx, ["关于开展校园安全检查工作的通知", "各学校要认真落实安全责任制度。"])
        with open(docx, "rb") as f:
            original = f.read()
        query = "/api/v1/search?q=" + urllib.parse.quote("安全责任")
        server = w.Server(data, setting).start()
        try:
            status, body = server.upload("通知.docx", original)
            self.assertIn(status, (201, 202), body)
            doc = server.wait_done(body["id"])
            self.assertEqual(doc["status"], "ready", doc)
            status, found = server.get_json(query)
            self.assertEqual(status, 200)
            self.assertIn(doc["id"], [h["id"] for h in found["hits"]])
        finally:
            server.stop()
        # The rows are in PostgreSQL; the data directory holds no SQLite metadata.
        self.assertEqual(self.pg.sql("wenku_it", f"SELECT status FROM documents WHERE id = {doc['id']}"), "ready")
        self.assertFalse(os.path.exists(os.path.join(data, "wenku.db")))

        # Restarted, the server still has the document, ready and found.
        server = w.Server(data, setting).start()
        try:
            status, again = server.get_json(f"/api/v1/documents/{doc['id']}")
            self.assertEqual((status, again["status"], again["title"]), (200, "ready", doc["title"]))
            status, found = server.get_json(query)
            self.assertIn(doc["id"], [h["id"] for h in found["hits"]])
            status, got, _ = server.get(f"/api/v1/documents/{doc['id']}/download")
            self.assertEqual((status, got), (200, original))
        finally:
            server.stop()

        # Another process on the same database, with a data directory of its own, reads the
        # same records.
        other = w.Server(os.path.join(self.dir, "other"), setting).start()
        try:
            status, seen = other.get_json(f"/api/v1/documents/{doc['id']}")
            self.assertEqual((status, seen["title"]), (200, doc["title"]))
        finally:
            other.stop()

        check = w.run("check", *setting, data=data)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())

        # `wenku backup` and `wenku restore` cover the embedded store only: on PostgreSQL they
        # refuse, naming the database's own tools.
        made = w.run("backup", *setting, os.path.join(self.dir, "backup"), data=data)
        self.assertNotEqual(made.returncode, 0)
        self.assertIn("pg_dump", made.stderr.decode())
        back = w.run("restore", *setting, os.path.join(self.dir, "backup"), data=os.path.join(self.dir, "restored"))
        self.assertNotEqual(back.returncode, 0)
        self.assertIn("metadata_url", back.stderr.decode())

    def test_bad_or_unreachable_database_is_refused_naming_the_setting(self):
        data = os.path.join(self.dir, "data-bad")
        for url in (f"postgresql://wenku@127.0.0.1:{w.free_port()}/wenku",  # nobody listens
                    self.pg.url("no_such_database"),
                    "postgresql://wenku@127.0.0.1:notaport/x",
                    "mysql://wenku@127.0.0.1/wenku"):
            proc = w.run("check", "--set", "metadata_url=" + url, data=data, timeout=120)
            self.assertNotEqual(proc.returncode, 0, url)
            self.assertIn("metadata_url", proc.stderr.decode(), url)


if __name__ == "__main__":
    unittest.main()
