// Golden test: every file of the shared corpus MANIFEST is detected as its content says; the
// files the repository makes itself (tests/fuzz/make_repo_seeds.py) run without the corpus.
#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "detect/detect.h"
#include "golden/manifest.h"
#include "support/test_support.h"

namespace wenku {
namespace {

using testing::ManifestRow;

// Rows where wenku deliberately disagrees with the corpus note: these are HTML pages (a
// <html> or <body> element with markup) that the corpus classifier called plain text. Reading
// them as HTML gives their text without the tags.
const std::set<std::string> kHtmlNotedAsText = {
    "docs/txt/chardet_TIS-620__mozilla_bug488426_text.html",
    "docs/txt/chardet_UTF-16BE__plane1-utf-16be.html",
    "docs/zh/txt/chardet_GB2312__mozilla_bug171813_text.html",
};

// The detect seeds of the fuzzer (made from scratch by tests/fuzz/make_repo_seeds.py) and what
// each is: the table runs on every clone, corpus or not.
struct SeedFact {
  const char* name;
  const char* format;
  int supported;  // 1 or 0; -1: either (formats whose support is being added: OFD, Works)
  bool encrypted;
};

const SeedFact kSeedFacts[] = {
    {"docx", "docx", 1, false},
    {"xlsx", "xlsx", 1, false},
    {"pptx", "pptx", 1, false},
    {"odt", "odt", 1, false},
    {"ods", "ods", 1, false},
    {"odp", "odp", 1, false},
    {"odt_without_mimetype", "odt", 1, false},
    {"epub", "epub", 1, false},
    {"ofd", "ofd", -1, false},
    {"ooxml_theme_only", "ooxml-other", 0, false},
    {"odf_encrypted", "ods", 0, true},
    {"doc", "doc", 1, false},
    {"doc_regular_sectors", "doc", 1, false},
    {"doc_encrypted", "doc", 0, true},
    {"xls", "xls", 1, false},
    {"xls_book_biff5", "xls", 1, false},
    {"xls_encrypted", "xls", 0, true},
    {"ppt", "ppt", 1, false},
    {"ppt_encrypted", "ppt", 0, true},
    {"ooxml_encrypted", "ooxml-encrypted", 0, true},
    {"hwp5", "hwp", 0, false},
    {"works", "works", -1, false},
    {"pdf", "pdf", 1, false},
    {"pdf_flate", "pdf", 1, false},
    {"pdf_junk_before_header", "pdf", 1, false},
    {"pdf_broken_xref", "pdf", 1, false},
    {"pdf_encrypted_rc4", "pdf", 0, true},
    {"utf8.txt", "txt", 1, false},
    {"utf8_bom.txt", "txt", 1, false},
    {"gbk.txt", "txt", 1, false},
    {"gb18030.txt", "txt", 1, false},
    {"big5.txt", "txt", 1, false},
    {"utf16le_bom.txt", "txt", 1, false},
    {"utf16be_bom.txt", "txt", 1, false},
    {"html", "html", 1, false},
    {"html_gbk", "html", 1, false},
    {"xml", "xml", 1, false},
    {"email.txt", "txt", 1, false},
    {"rtf", "rtf", 1, false},
    {"rtf_bom_space", "rtf", 1, false},
    {"word2_magic", "doc", 1, false},
    {"biff4_worksheet", "xls", 1, false},
    {"wordperfect", "wordperfect", 0, false},
    {"hwp", "hwp", 0, false},
    {"png", "png", 1, false},
    {"jpeg", "jpeg", 1, false},
    {"gif", "image", 0, false},  // GIF stays refused: animations and icons, rarely a page
    {"tiff", "tiff", 1, false},
    {"webp", "webp", 1, false},
    {"rar", "archive", 0, false},
    {"7z", "archive", 0, false},
    {"gzip", "archive", 0, false},
    {"bzip2", "archive", 0, false},
    {"xz", "archive", 0, false},
    {"elf", "executable", 0, false},
    {"exe", "executable", 0, false},
    {"djvu", "djvu", 0, false},
    {"binary_zeros", "unknown", 0, false},
};

TEST(DetectGolden, RepositorySeedsAreWhatTheirMakerSays) {
  const auto dir = testing::source_dir() / "tests" / "fuzz" / "seeds" / "detect";
  for (const SeedFact& f : kSeedFacts) {
    SCOPED_TRACE(f.name);
    ASSERT_TRUE(std::filesystem::exists(dir / f.name)) << "run tests/fuzz/make_repo_seeds.py";
    auto d = detect::detect_file(dir / f.name);
    EXPECT_EQ(d.format, f.format);
    if (f.supported >= 0) {
      EXPECT_EQ(d.supported, f.supported == 1) << d.reason;
    }
    EXPECT_EQ(d.encrypted, f.encrypted) << d.reason;
    if (!d.supported) {
      EXPECT_TRUE(parse_error_line(d.reason).has_value()) << d.reason;
    }
  }
}

TEST(DetectGolden, AgreesWithManifestContentOnWellFormedAndMislabeledFiles) {
  WENKU_REQUIRE_CORPUS(corpus);
  auto rows = testing::read_manifest(corpus);
  ASSERT_GE(rows.size(), 500u);
  size_t total = 0, agree = 0;
  for (const ManifestRow& r : rows) {
    if (r.content.empty() || testing::is_alias(r.content) || r.folder == "corrupt" || r.folder == "encrypted")
      continue;
    ++total;
    auto d = detect::detect_file(corpus / r.path);
    if (testing::format_agrees(r.content, d.format)) {
      ++agree;
    } else if (kHtmlNotedAsText.count(r.path)) {
      EXPECT_EQ(d.format, "html") << r.path;
    } else {
      ADD_FAILURE() << r.path << ": detected " << d.format << ", content is " << r.content;
    }
  }
  // The failures above list every disagreement; the bar is 98 %.
  RecordProperty("agree", static_cast<int>(agree));
  RecordProperty("total", static_cast<int>(total));
  EXPECT_GE(agree * 100, total * 98) << agree << "/" << total;
}

TEST(DetectGolden, ReferenceDocumentNamedDocIsDocx) {
  WENKU_REQUIRE_CORPUS(corpus);
  auto d = detect::detect_file(corpus / "seed" / "市教育局机关汇报总结会讲话稿.doc");
  EXPECT_EQ(d.format, "docx");
  EXPECT_TRUE(d.supported);
  EXPECT_TRUE(d.needs_conversion);
  EXPECT_FALSE(d.encrypted);
}

TEST(DetectGolden, EncryptedFolderIsEncryptedExceptOwnerPasswordOnlyPdfs) {
  WENKU_REQUIRE_CORPUS(corpus);
  for (const ManifestRow& r : testing::read_manifest(corpus)) {
    if (r.folder != "encrypted") continue;
    auto d = detect::detect_file(corpus / r.path);
    SCOPED_TRACE(r.path);
    EXPECT_EQ(d.format, r.content);
    if (d.encrypted) {
      EXPECT_FALSE(d.supported);
      EXPECT_FALSE(d.reason.empty());
    }
    // Only PDFs may open without a password (owner password only, or an empty user password).
    if (d.format != "pdf") {
      EXPECT_TRUE(d.encrypted);
    }
  }
}

TEST(DetectGolden, UnsupportedAndEncryptedDetectionsCarryAReason) {
  WENKU_REQUIRE_CORPUS(corpus);
  for (const ManifestRow& r : testing::read_manifest(corpus)) {
    auto d = detect::detect_file(corpus / r.path);
    if (!d.supported || d.encrypted) {
      EXPECT_TRUE(parse_error_line(d.reason).has_value()) << r.path << ": " << d.reason;
    }
    if (d.format == "txt" || d.format == "html") {
      EXPECT_FALSE(d.encoding.empty()) << r.path;
    }
  }
}

}  // namespace
}  // namespace wenku
