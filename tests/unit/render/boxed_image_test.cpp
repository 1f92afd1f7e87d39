// The render helper's other work in the box: pictures (BoxOptions::Kind::kImage) give the same
// previews and OCR rasters as decoded in-process; OCR runs in the helper; the watermarked copy of
// a PDF is made there. A helper that crashes on a picture, in OCR or while watermarking fails
// that file with the reason, and the next file is read (wenku-render-helper-probe, test builds).
#include <webp/encode.h>

#include <cstdlib>

#include "image/image_file.h"
#include "render/boxed_document.h"
#include "render/watermark.h"
#include "support/test_support.h"

namespace wenku::render {
namespace {

using wenku::testing::TempDir;
using wenku::testing::write_file;

std::filesystem::path build_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path(); }

// A lossless WebP picture (gradient and a dark bar), with `trailer` after it: libwebp ignores
// bytes past the RIFF size, the probe helper reads them.
std::string picture(int width, int height, const std::string& trailer = {}) {
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
      const bool bar = y > height / 3 && y < height / 2;
      p[0] = static_cast<uint8_t>(bar ? 20 : x * 255 / width);
      p[1] = static_cast<uint8_t>(bar ? 20 : y * 255 / height);
      p[2] = bar ? 20 : 128;
    }
  }
  uint8_t* out = nullptr;
  const size_t n = WebPEncodeLosslessRGB(rgb.data(), width, height, width * 3, &out);
  std::string bytes(reinterpret_cast<const char*>(out), n);
  WebPFree(out);
  return bytes + trailer;
}

std::string text_pdf(const std::string& text) {
  const std::string content = "BT /F1 24 Tf 20 40 Td (" + text + ") Tj ET";
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [4 0 R 5 0 R] /Count 2 >> endobj\n"
         "3 0 obj << /Length " + std::to_string(content.size()) + " >> stream\n" + content +
         "\nendstream endobj\n"
         "4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
         "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >> endobj\n"
         "5 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
         "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >> endobj\n"
         "trailer << /Root 1 0 R >>\n%%EOF\n";
}

BoxOptions image_box(bool probe = false) {
  BoxOptions box;
  box.kind = BoxOptions::Kind::kImage;
  if (probe) box.helper_path = build_dir() / "wenku-render-helper-probe";
  return box;
}

TEST(BoxedImage, SamePreviewsAndOcrRastersAsInProcess) {
  TempDir dir;
  write_file(dir / "a.webp", picture(1200, 700));
  auto local = image::ImageFile::open_file((dir / "a.webp").string());
  ASSERT_TRUE(local.ok()) << local.error().message;
  auto boxed = BoxedDocument::open(dir / "a.webp", {}, image_box());
  ASSERT_TRUE(boxed.ok()) << boxed.error().message;
  EXPECT_EQ((*boxed)->page_count(), 1);
  auto raster = (*local)->decode_page(0);
  ASSERT_TRUE(raster.ok());
  RenderOptions o;
  o.watermark = "水印 wenku";
  auto want = encode_page_images(*raster, o);
  auto got = (*boxed)->render_page(0, o);
  ASSERT_TRUE(want.ok() && got.ok()) << (got.ok() ? "" : got.error().message);
  EXPECT_EQ(want->width, got->width);
  EXPECT_TRUE(want->preview_webp == got->preview_webp) << "preview bytes differ";
  EXPECT_TRUE(want->thumb_webp == got->thumb_webp) << "thumbnail bytes differ";
  auto ocr = (*boxed)->ocr_image(0, 200, 60'000'000);
  ASSERT_TRUE(ocr.ok()) << ocr.error().message;
  EXPECT_TRUE(ocr->raster.pixels == raster->pixels);
  EXPECT_EQ((*boxed)->page_text(0).value(), "");
}

TEST(BoxedImage, NotAPictureIsRefusedAsInProcess) {
  TempDir dir;
  write_file(dir / "x.webp", "RIFF\x10\0\0\0WEBPVP8 garbage garbage garbage garbage");
  auto local = image::ImageFile::open_file((dir / "x.webp").string());
  auto boxed = BoxedDocument::open(dir / "x.webp", {}, image_box());
  ASSERT_FALSE(local.ok());
  ASSERT_FALSE(boxed.ok());
  EXPECT_EQ(local.error().code, boxed.error().code) << boxed.error().message;
}

TEST(BoxedImage, OcrRunsInTheHelper) {
  TempDir dir;
  write_file(dir / "a.webp", picture(800, 600));
  auto doc = BoxedDocument::open(dir / "a.webp", {}, image_box());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ocr::OcrOptions o;
  o.timeout_ms = 20'000;
  auto page = (*doc)->recognize(0, o, 200, 60'000'000);
  if (!page.ok() && page.error().code == ErrorCode::kUnavailable) GTEST_SKIP() << page.error().message;
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_FALSE(page->language.empty());
  EXPECT_FALSE((*doc)->failed());
}

TEST(BoxedImage, DecoderCrashFailsThatPictureAndTheNextIsRead) {
  TempDir dir;
  write_file(dir / "crash.webp", picture(300, 200, "WENKU-CRASH-PROBE"));
  write_file(dir / "next.webp", picture(300, 200));
  auto doc = BoxedDocument::open(dir / "crash.webp", {}, image_box(true));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  auto img = (*doc)->render_page(0, {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(img.error().key.find("image.helper_crashed"), std::string::npos) << img.error().message;
  EXPECT_NE(img.error().message.find("SIGSEGV"), std::string::npos) << img.error().message;
  EXPECT_TRUE((*doc)->failed());
  auto next = BoxedDocument::open(dir / "next.webp", {}, image_box(true));
  ASSERT_TRUE(next.ok()) << next.error().message;
  auto ok = (*next)->render_page(0, {});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->width, 300);
}

TEST(BoxedImage, OcrCrashFailsOcrOnlyAndTheHangIsStopped) {
  TempDir dir;
  write_file(dir / "ocr.webp", picture(300, 200, "WENKU-OCRCRASH-PROBE"));
  write_file(dir / "hang.webp", picture(300, 200, "WENKU-HANG-PROBE"));
  auto doc = BoxedDocument::open(dir / "ocr.webp", {}, image_box(true));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_TRUE((*doc)->render_page(0, {}).ok());  // the preview is made
  auto page = (*doc)->recognize(0, {}, 200, 60'000'000);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kCorrupt) << page.error().message;
  EXPECT_TRUE((*doc)->failed());

  BoxOptions box = image_box(true);
  box.grace_ms = -19'000;  // a 20 s page limit stopped after 1 s
  auto hang = BoxedDocument::open(dir / "hang.webp", {}, box);
  ASSERT_TRUE(hang.ok()) << hang.error().message;
  auto img = (*hang)->render_page(0, {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code, ErrorCode::kTimeout) << img.error().message;
  EXPECT_NE(img.error().key.find("image.page_timeout_helper_stopped"), std::string::npos) << img.error().message;
}

TEST(BoxedWatermark, CopyMadeInTheBoxAndACrashFailsOnlyThatCopy) {
  TempDir dir;
  write_file(dir / "a.pdf", text_pdf("Hello"));
  write_file(dir / "crash.pdf", text_pdf("WENKU-CRASH-PROBE"));
  auto made = boxed_watermark_pdf(dir / "a.pdf", dir / "a-wm.pdf", "水印 wenku", 256 << 20, {});
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto copy = PdfDocument::open(dir / "a-wm.pdf");
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  EXPECT_EQ((*copy)->page_count(), 2);
  // As in-process: the same page count and a copy of about the same size.
  ASSERT_TRUE(watermark_pdf((dir / "a.pdf").string(), (dir / "local.pdf").string(), "水印 wenku", 256 << 20).ok());
  const auto boxed_size = std::filesystem::file_size(dir / "a-wm.pdf");
  const auto local_size = std::filesystem::file_size(dir / "local.pdf");
  EXPECT_NEAR(static_cast<double>(boxed_size), static_cast<double>(local_size), 0.05 * static_cast<double>(local_size));

  BoxOptions probe;
  probe.helper_path = build_dir() / "wenku-render-helper-probe";
  auto crashed = boxed_watermark_pdf(dir / "crash.pdf", dir / "crash-wm.pdf", "x", 256 << 20, probe);
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(crashed.error().message.find("crashed"), std::string::npos) << crashed.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "crash-wm.pdf"));
  EXPECT_TRUE(boxed_watermark_pdf(dir / "a.pdf", dir / "b-wm.pdf", "x", 256 << 20, probe).ok());
}

}  // namespace
}  // namespace wenku::render
