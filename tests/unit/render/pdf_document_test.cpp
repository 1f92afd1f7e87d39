// PdfDocument on PDFs the test writes (plain, encrypted-like, hostile) and on corpus PDFs.
#include "render/pdf_document.h"

#include <webp/decode.h>

#include <algorithm>
#include <cmath>

#include "support/test_support.h"

namespace wenku::render {
namespace {

using wenku::testing::TempDir;
using wenku::testing::write_file;

// A small PDF; MuPDF repairs the missing xref table, which hostile files rely on too.
std::string simple_pdf(const std::string& media_box, int pages, const std::string& text = "Hello") {
  std::string kids;
  std::string objs;
  for (int i = 0; i < pages; ++i) {
    int page_obj = 4 + i;
    kids += std::to_string(page_obj) + " 0 R ";
    objs += std::to_string(page_obj) + " 0 obj << /Type /Page /Parent 2 0 R /MediaBox [" + media_box +
            "] /Contents 3 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
            "/BaseFont /Helvetica >> >> >> >> endobj\n";
  }
  std::string content = "BT /F1 24 Tf 20 40 Td (" + text + ") Tj ET";
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) +
         " >> endobj\n3 0 obj << /Length " + std::to_string(content.size()) + " >> stream\n" +
         content + "\nendstream endobj\n" + objs + "trailer << /Root 1 0 R >>\n%%EOF\n";
}

void expect_webp(const std::string& data, int width, int height) {
  int w = 0, h = 0;
  ASSERT_TRUE(WebPGetInfo(reinterpret_cast<const uint8_t*>(data.data()), data.size(), &w, &h));
  EXPECT_EQ(w, width);
  EXPECT_EQ(h, height);
}

TEST(PdfDocument, OpensCountsPagesAndReadsText) {
  TempDir dir;
  write_file(dir / "a.pdf", simple_pdf("0 0 595 842", 3, "Hello wenku"));
  auto doc = PdfDocument::open(dir / "a.pdf");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)->page_count(), 3);
  auto text = (*doc)->page_text(2);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("Hello wenku"), std::string::npos);
  auto fonts = (*doc)->page_fonts(0);
  ASSERT_TRUE(fonts.ok());
  ASSERT_EQ(fonts->size(), 1u);
  EXPECT_EQ((*fonts)[0], "Helvetica");
  EXPECT_EQ((*doc)->page_text(3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*doc)->page_text(-1).error().code, ErrorCode::kInvalidArgument);
}

TEST(PdfDocument, RendersPreviewAndThumbnailAtTheAskedWidths) {
  TempDir dir;
  write_file(dir / "a4.pdf", simple_pdf("0 0 595 842", 1));
  auto doc = PdfDocument::open(dir / "a4.pdf");
  ASSERT_TRUE(doc.ok());
  RenderOptions options;
  auto img = (*doc)->render_page(0, options);
  ASSERT_TRUE(img.ok()) << img.error().message;
  EXPECT_EQ(img->width, 800);
  EXPECT_NEAR(img->height, 842.0 * 800 / 595, 1.0);
  expect_webp(img->preview_webp, img->width, img->height);
  expect_webp(img->thumb_webp, 200, static_cast<int>(std::lround(img->height * 200.0 / 800)));
  EXPECT_LT(img->thumb_webp.size(), img->preview_webp.size());
}

TEST(PdfDocument, NameDoesNotMatterOnlyContent) {
  TempDir dir;
  write_file(dir / "really-a-pdf.doc", simple_pdf("0 0 200 200", 1));
  auto doc = PdfDocument::open(dir / "really-a-pdf.doc");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)->page_count(), 1);
}

TEST(PdfDocument, GiantPageRendersScaledDownWithinLimits) {
  TempDir dir;
  write_file(dir / "giant.pdf", simple_pdf("0 0 100000 100000", 1));
  auto doc = PdfDocument::open(dir / "giant.pdf");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  auto img = (*doc)->render_page(0, {});
  if (img.ok()) {
    EXPECT_LE(img->width, 800);
    EXPECT_LE(static_cast<int64_t>(img->width) * img->height, RenderOptions{}.max_pixels);
  } else {
    EXPECT_EQ(img.error().code, ErrorCode::kTooLarge);
  }
}

TEST(PdfDocument, ExtremelyTallPageIsRefusedAsTooLarge) {
  TempDir dir;
  write_file(dir / "tall.pdf", simple_pdf("0 0 10 1000000", 1));
  auto doc = PdfDocument::open(dir / "tall.pdf");
  ASSERT_TRUE(doc.ok());
  auto img = (*doc)->render_page(0, {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code, ErrorCode::kTooLarge);
}

TEST(PdfDocument, CyclicPageTreeFailsCleanly) {
  TempDir dir;
  // The page tree points back at itself: /Kids of 2 is 2.
  write_file(dir / "cycle.pdf",
             "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             "2 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 5 >> endobj\n"
             "3 0 obj << /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 4 >> endobj\n"
             "trailer << /Root 1 0 R >>\n%%EOF\n");
  auto doc = PdfDocument::open(dir / "cycle.pdf");
  if (!doc.ok()) {
    EXPECT_EQ(doc.error().code, ErrorCode::kCorrupt) << doc.error().message;
    return;
  }
  for (int i = 0; i < (*doc)->page_count(); ++i) {
    auto img = (*doc)->render_page(i, {});
    if (!img.ok()) {
      EXPECT_EQ(img.error().code, ErrorCode::kCorrupt) << img.error().message;
    }
  }
}

TEST(PdfDocument, GarbageAndMissingFilesFailCleanly) {
  TempDir dir;
  write_file(dir / "junk.pdf", std::string(10000, 'x'));
  auto junk = PdfDocument::open(dir / "junk.pdf");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, ErrorCode::kCorrupt);
  auto missing = PdfDocument::open(dir / "nope.pdf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(PdfDocument, MemoryBudgetTurnsIntoTooLarge) {
  TempDir dir;
  write_file(dir / "a4.pdf", simple_pdf("0 0 595 842", 1));
  OpenLimits limits;
  limits.max_memory_bytes = 8 << 20;  // a 4000-px-wide pixmap alone needs more
  auto doc = PdfDocument::open(dir / "a4.pdf", limits);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  RenderOptions options;
  options.preview_width = 4000;
  auto img = (*doc)->render_page(0, options);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code, ErrorCode::kTooLarge);
}

TEST(PdfDocumentCorpus, ChinesePdfsRenderWithTextAndSizes) {
  WENKU_REQUIRE_CORPUS(corpus);
  int rendered = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus / "docs/zh/pdf")) {
    auto doc = PdfDocument::open(entry.path());
    if (!doc.ok()) continue;
    ASSERT_GE((*doc)->page_count(), 1);
    auto img = (*doc)->render_page(0, {});
    ASSERT_TRUE(img.ok()) << entry.path().filename() << ": " << img.error().message;
    EXPECT_EQ(img->width, 800);
    expect_webp(img->thumb_webp, 200, static_cast<int>(std::lround(img->height * 200.0 / 800)));
    ++rendered;
  }
  EXPECT_GE(rendered, 15);
  auto doc = PdfDocument::open(corpus / "docs/zh/pdf/pdfcpu__chineseSimple.pdf");
  ASSERT_TRUE(doc.ok());
  auto text = (*doc)->page_text(0);
  ASSERT_TRUE(text.ok());
  bool has_han = false;
  for (size_t i = 0; i + 2 < text->size(); ++i) {
    auto c = static_cast<unsigned char>((*text)[i]);
    if (c >= 0xE4 && c <= 0xE9) has_han = true;
  }
  EXPECT_TRUE(has_han) << *text;
}

TEST(PdfDocumentCorpus, EncryptedPdfsNeedAPasswordUnlessOwnerOnly) {
  WENKU_REQUIRE_CORPUS(corpus);
  auto user = PdfDocument::open(corpus / "docs/encrypted/pypdf__r6-user-password.pdf");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, ErrorCode::kEncrypted);
  auto empty = PdfDocument::open(corpus / "docs/encrypted/pypdf__r5-empty-password.pdf");
  EXPECT_TRUE(empty.ok()) << empty.error().message;
}

TEST(PdfDocumentCorpus, CorruptPdfsNeverCrash) {
  WENKU_REQUIRE_CORPUS(corpus);
  for (const auto& entry : std::filesystem::directory_iterator(corpus / "docs/corrupt")) {
    if (entry.path().extension() != ".pdf") continue;
    auto doc = PdfDocument::open(entry.path());
    if (!doc.ok()) continue;
    for (int i = 0; i < std::min((*doc)->page_count(), 3); ++i) {
      (void)(*doc)->render_page(i, {});
      (void)(*doc)->page_text(i);
    }
  }
}

}  // namespace
}  // namespace wenku::render
