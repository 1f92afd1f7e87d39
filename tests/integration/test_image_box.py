"""Uploaded pictures are decoded, previewed and read by OCR in the render helper's box
(src/render/boxed_document.h, BoxOptions::Kind::kImage): `wenku import` of images whose
decoder (or Tesseract) crashes or hangs fails that document with the reason, and the next
picture of the same import is read and ready (the worker lives on). The crash and the hang come
from the test-build helper (`wenku-render-helper-probe`): a file whose bytes hold
WENKU-CRASH-PROBE crashes it at every request (as a decoder bug would), WENKU-OCRCRASH-PROBE
only when OCR is asked for (as a Tesseract bug would), WENKU-HANG-PROBE never answers."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenku_testlib as w  # noqa: E402

try:
    from PIL import Image, ImageDraw, PngImagePlugin
except ImportError:  # the default PATH's python lacks Debian's PIL
    Image = None


def png(path, comment=None):
    img = Image.new("L", (600, 300), 255)
    ImageDraw.Draw(img).text((40, 120), "Hello from the image box", fill=0)
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)
    img.save(path, "PNG", pnginfo=info)


class ImageBoxTest(unittest.TestCase):
    def setUp(self):
        if Image is None:
            self.skipTest("PIL missing (run with /usr/bin/python3)")
        self.probe = os.path.abspath(os.path.join(os.path.dirname(w.WENKU), "wenku-render-helper-probe"))
        if not os.access(self.probe, os.X_OK):
            self.skipTest("wenku-render-helper-probe not built (a test build makes it)")

    def import_dir(self, tmp, files):
        docs = os.path.join(tmp, "docs")
        os.makedirs(docs)
        for name, comment in files:
            png(os.path.join(docs, name), comment)
        env = {"WENKU_RENDER_HELPER": self.probe, "WENKU_JOB_MAX_ATTEMPTS": "1"}
        os.environ.update(env)
        try:
            p = w.run("import", "--json", docs, data=os.path.join(tmp, "data"))
        finally:
            for k in env:
                del os.environ[k]
        out = {os.path.basename(d["path"]): d for d in
               (json.loads(line) for line in p.stdout.decode().splitlines() if line.startswith("{"))}
        return out, p.stdout.decode() + p.stderr.decode()

    def test_a_crashing_decoder_fails_its_picture_and_the_next_one_is_read(self):
        with w.TempDir() as tmp:
            out, log = self.import_dir(tmp, [("a-crash.png", "WENKU-CRASH-PROBE"), ("b-fine.png", None)])
            self.assertIn("a-crash.png", out, log)
            crashed = out["a-crash.png"]
            self.assertEqual(crashed["status"], "failed", crashed)
            self.assertIn("image helper crashed", crashed["error"], crashed)
            self.assertIn("SIGSEGV", crashed["error"], crashed)
            fine = out["b-fine.png"]
            self.assertEqual(fine["status"], "ready", fine)
            self.assertEqual(fine["pages"], 1, fine)
            self.assertFalse(fine.get("error"), fine)

    def test_a_crashing_ocr_leaves_its_picture_ready_with_the_reason_and_the_next_is_read(self):
        with w.TempDir() as tmp:
            out, log = self.import_dir(tmp, [("a-ocr.png", "WENKU-OCRCRASH-PROBE"), ("b-fine.png", None)])
            self.assertIn("a-ocr.png", out, log)
            crashed = out["a-ocr.png"]
            self.assertEqual(crashed["status"], "ready", crashed)  # its preview was made
            self.assertIn("OCR", crashed["error"] or "", crashed)
            self.assertIn("image helper crashed", crashed["error"], crashed)
            fine = out["b-fine.png"]
            self.assertEqual(fine["status"], "ready", fine)
            self.assertFalse(fine.get("error"), fine)

    def test_a_hanging_decoder_is_stopped_and_the_next_picture_is_read(self):
        with w.TempDir() as tmp:
            out, log = self.import_dir(tmp, [("a-hang.png", "WENKU-HANG-PROBE"), ("b-fine.png", None)])
            self.assertIn("a-hang.png", out, log)
            hung = out["a-hang.png"]
            self.assertEqual(hung["status"], "failed", hung)
            self.assertIn("took too long", hung["error"], hung)
            self.assertIn("image helper was stopped", hung["error"], hung)
            fine = out["b-fine.png"]
            self.assertEqual(fine["status"], "ready", fine)


if __name__ == "__main__":
    unittest.main()
