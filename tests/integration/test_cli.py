"""The command line as DESIGN.md §5 fixes it: import --json, show, check, manifests and
bad input (issue 2 acceptance 3 and 6)."""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402


def lines(proc):
    return [json.loads(l) for l in proc.stdout.decode().splitlines() if l.strip()]


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = w.TempDir()
        self.dir = self.tmp.__enter__()
        self.data = os.path.join(self.dir, "data")

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def write(self, name, content):
        p = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content)
        return p

    def test_reference_document_is_docx(self):
        # The corpus's seed document, or without the corpus the speech tests/support/fixtures.py
        # makes (also a DOCX named .doc, with the same words on known pages).
        corpus = w.corpus_dir()
        if corpus:
            seed = os.path.join(corpus, "seed", "市教育局机关汇报总结会讲话稿.doc")
        else:
            seed = os.path.join(self.dir, "教育系统工作总结会讲话稿.doc")
            fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "fixtures.py")
            subprocess.run([sys.executable, fixtures, "reference", seed], check=True)
        p = w.run("import", "--json", seed, data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        (out,) = lines(p)
        self.assertEqual(out["format"], "docx")
        self.assertEqual(out["status"], "ready")
        self.assertGreaterEqual(out["pages"], 2)
        show = w.run("show", "--json", str(out["id"]), data=self.data)
        doc = json.loads(show.stdout)
        self.assertEqual(doc["format"], "docx")
        self.assertEqual(doc["title"], os.path.basename(seed))
        if corpus:
            self.assertEqual(doc["size_text"], "12.34KB")

        def search(q):
            r = w.run("search", "--json", q, data=self.data)
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout)["hits"]

        # Found by its heading, by a word on one page, and in traditional characters.
        self.assertEqual([h["id"] for h in search("人民满意教育")], [out["id"]])
        self.assertTrue(search("择校")[0]["pages"], "a page-level hit")
        self.assertEqual([h["id"] for h in search("大班額")], [out["id"]])
        # The page text comes from the PDF's laid-out lines; a paragraph's lines are joined
        # again, so a word the margin split (软硬件建 / 设, in the corpus's document) is one
        # word and one phrase.
        (hit,) = search("软硬件建设")
        plain = re.sub(r"</?em>", "", hit["snippet"])
        self.assertIn("薄弱学校软硬件建设", plain)
        self.assertIn("<em>建设</em>", hit["snippet"])

    def test_import_reports_every_input_and_bad_ones_change_nothing(self):
        good = self.write("docs/a.txt", "第一份文档：学校安全工作。".encode())
        self.write("docs/sub/b.txt", "第二份文档：全民阅读活动。".encode("gb18030"))
        empty = self.write("empty.txt", b"")
        missing = os.path.join(self.dir, "missing.pdf")
        os.symlink(os.path.join(self.dir, "docs"), os.path.join(self.dir, "docs", "sub", "loop"))
        p = w.run("import", "--json", os.path.join(self.dir, "docs"), empty, missing, data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = {os.path.relpath(o["path"], self.dir): o for o in lines(p)}
        self.assertEqual(set(out), {"docs/a.txt", "docs/sub/b.txt", "empty.txt", "missing.pdf"})
        self.assertEqual(out["docs/a.txt"]["status"], "ready")
        self.assertEqual(out["docs/sub/b.txt"]["status"], "ready")
        self.assertEqual(out["empty.txt"]["status"], "failed")
        self.assertIn("empty", out["empty.txt"]["error"])
        self.assertEqual(out["missing.pdf"]["status"], "failed")
        self.assertIsNone(out["missing.pdf"]["id"])
        self.assertIn("loop", p.stderr.decode())
        # Importing the same file again is a duplicate of the first.
        again = lines(w.run("import", "--json", good, data=self.data))
        self.assertEqual(again[0]["status"], "duplicate")
        self.assertEqual(again[0]["id"], out["docs/a.txt"]["id"])
        check = w.run("check", data=self.data)
        self.assertEqual(check.returncode, 0, check.stdout)
        self.assertIn("problems=0", check.stdout.decode())

    def test_manifest_with_a_broken_line_imports_the_others(self):
        manifest = self.write("m.jsonl", "\n".join([
            json.dumps({"external_id": "p1", "title": "第一篇", "text": "床前明月光，疑是地上霜。"}, ensure_ascii=False),
            "{not json",
            json.dumps({"external_id": "p2", "title": "第二篇", "text": "白日依山尽，黄河入海流。",
                        "category": "古诗/唐诗", "tags": ["唐诗"]}, ensure_ascii=False),
            json.dumps({"external_id": "p3", "title": "文件", "file": "docs/c.txt"}),
        ]).encode())
        self.write("docs/c.txt", "欲穷千里目，更上一层楼。".encode())
        p = w.run("import", "--json", "--manifest", manifest, data=self.data)
        self.assertEqual(p.returncode, 0)
        out = lines(p)
        self.assertEqual([o["status"] for o in out], ["ready", "failed", "ready", "ready"])
        self.assertIn("line 2", out[1]["error"])
        self.assertIn("line 2", p.stderr.decode())
        s = w.run("search", "--json", "黄河", data=self.data)
        hits = json.loads(s.stdout)["hits"]
        self.assertEqual([h["external_id"] for h in hits], ["p2"])

    def test_usage_errors(self):
        p = w.run("import", "--no-such-option", "x", data=self.data)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--no-such-option", p.stderr.decode())
        self.assertFalse(os.path.exists(os.path.join(self.data, "wenku.db")), "a usage error changes nothing")
        for cmd in ("serve", "import", "search", "show", "check", "segment", "retry"):
            h = w.run(cmd, "--help")
            self.assertEqual(h.returncode, 0, cmd)
            self.assertIn("usage: wenku " + cmd, h.stdout.decode())

    def test_segment_prints_words(self):
        p = w.run("segment", input="我们在学校学习\n\n教育局\n".encode())
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.decode().split("\n")[:3], ["我们 在 学校 学习", "", "教育局"])


if __name__ == "__main__":
    unittest.main()
