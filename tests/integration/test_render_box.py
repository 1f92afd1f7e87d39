"""MuPDF runs in a box per document (src/render/boxed_document.h): `wenku import` of PDFs reads
them through wenku-render-helper; a helper that crashes on one PDF fails that document with
the reason, and the next PDF of the same import is read and ready (the worker lives on). The
crash comes from the test-build helper (`wenku-render-helper-probe`), which crashes on a page
whose text says WENKU-CRASH-PROBE, as a MuPDF bug would."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402


def simple_pdf(text):
    content = f"BT /F1 24 Tf 20 40 Td ({text}) Tj ET"
    return ("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            "2 0 obj << /Type /Pages /Kids [4 0 R] /Count 1 >> endobj\n"
            f"3 0 obj << /Length {len(content)} >> stream\n{content}\nendstream endobj\n"
            "4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >> endobj\n"
            "trailer << /Root 1 0 R >>\n%%EOF\n").encode()


class RenderBoxTest(unittest.TestCase):
    def test_a_crashing_helper_fails_its_document_and_the_next_one_is_read(self):
        probe = os.path.join(os.path.dirname(w.WENKU), "wenku-render-helper-probe")
        if not os.access(probe, os.X_OK):
            self.skipTest("wenku-render-helper-probe not built (a test build makes it)")
        with w.TempDir() as tmp:
            docs = os.path.join(tmp, "docs")
            os.makedirs(docs)
            with open(os.path.join(docs, "a-crash.pdf"), "wb") as f:
                f.write(simple_pdf("WENKU-CRASH-PROBE"))
            with open(os.path.join(docs, "b-fine.pdf"), "wb") as f:
                f.write(simple_pdf("Hello from the box"))
            os.environ["WENKU_RENDER_HELPER"] = probe
            try:
                p = w.run("import", "--json", docs, data=os.path.join(tmp, "data"))
            finally:
                del os.environ["WENKU_RENDER_HELPER"]
            out = {os.path.basename(d["path"]): d for d in
                   (json.loads(line) for line in p.stdout.decode().splitlines() if line.startswith("{"))}
            self.assertIn("a-crash.pdf", out, p.stdout.decode() + p.stderr.decode())
            crashed = out["a-crash.pdf"]
            self.assertEqual(crashed["status"], "failed", crashed)
            self.assertIn("render helper crashed", crashed["error"], crashed)
            self.assertIn("SIGSEGV", crashed["error"], crashed)
            fine = out["b-fine.pdf"]
            self.assertEqual(fine["status"], "ready", fine)
            self.assertEqual(fine["pages"], 1, fine)


if __name__ == "__main__":
    unittest.main()
