// Golden test: every file of the shared corpus MANIFEST is detected as its content says.
#include <gtest/gtest.h>

#include <set>

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
      EXPECT_NE(d.reason.find(" / "), std::string::npos) << r.path;
    }
    if (d.format == "txt" || d.format == "html") {
      EXPECT_FALSE(d.encoding.empty()) << r.path;
    }
  }
}

}  // namespace
}  // namespace wenku
