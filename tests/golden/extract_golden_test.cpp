// Golden test: corpus files -> the facts their text must yield (format, pages, snippets,
// Chinese characters), plus whole-corpus checks: well-formed files extract, PDF page counts
// match the MANIFEST, nothing crashes and every failure says why. The files the repository
// makes itself (tests/fuzz/make_repo_seeds.py, tests/support/fixtures.py) run without the
// corpus.
#include <gtest/gtest.h>

#include <set>

#include "core/strings.h"
#include "extract/extract.h"
#include "golden/manifest.h"
#include "support/test_support.h"

namespace wenku {
namespace {

struct Fact {
  const char* path;     // relative to the corpus
  const char* format;
  int pages;            // -1: any
  int page;             // which page holds the snippet (0-based)
  const char* snippet;  // UTF-8 text that must appear on that page
  int min_han;          // Han characters in the whole text, at least
};

const Fact kFacts[] = {
    {"seed/市教育局机关汇报总结会讲话稿.doc", "docx", 1, 0, "落实“四新”要求 全力办好人民满意教育", 1000},
    {"docs/zh/pdf/pdfjs__issue19360.pdf", "pdf", 1, 0, "坚持社会主义核心价值体系", 20},
    {"docs/zh/pdf/pdfminer__issue_566_test_2.pdf", "pdf", 1, 0, "甲方：中国饮料有限公司", 10},
    {"docs/zh/pdf/ofdrw_resources__Test.pdf", "pdf", 5, 0, "竞", 4000},
    {"docs/zh/pdf/pdfcpu__chineseSimple.pdf", "pdf", 2, 1, "演示表格", 100},
    {"docs/zh/docx/easypoi__纳税信息.docx", "docx", 1, 0, "纳税信息", 30},
    {"docs/zh/docx/jeecg_resources__test.docx", "docx", 1, 0, "pnpm安装依赖报错", 700},
    {"docs/zh/epub/readium__chinese.epub", "epub", 1, 0, "汉语", 4000},
    {"docs/zh/txt/chardet_Big5__digitalwall.com.xml", "xml", 1, 0, "個人", 100},
    {"docs/zh/txt/chardet_GB2312__coverer.com.xml", "xml", 1, 0, "宁波最专业的网站建设团队", 2000},
    {"docs/zh/html/chardet_GB2312__chromium_gb18030_with_no_encoding_specified.html.xml", "html", 1, 0,
     "中国制造的领军者", 250},
    {"docs/zh/txt/chardet_GB2312__mozilla_bug171813_text.html", "html", 1, 0, "搜狐在线", 30},
    {"docs/zh/txt/weknora__test_download.txt", "txt", 1, 0, "这是一个测试文档", 100},
    {"docs/zh/pptx/mineru__pptx_01.pptx", "pptx", 6, 0, "Test Table Slide", 100},
    {"docs/zh/xlsx/hutool__alias.xlsx", "xlsx", 1, 0, "用户姓名\t库房", 20},
    {"docs/zh/odf/tika__testStarOffice-6.0-calc.sxc", "sxc", 3, 0, "利盛新鮮蔬菜", 200},
    {"docs/txt/chardet_UTF-16LE__nobom-utf16le.txt", "txt", 1, 0, "", 0},
};

// The fuzzer's detect seeds (tests/fuzz/seeds/detect/, made by make_repo_seeds.py).
const Fact kSeedFacts[] = {
    {"docx", "docx", 1, 0, "中华人民共和国教育部", 40},
    {"xlsx", "xlsx", 2, 0, "姓名", 4},
    {"pptx", "pptx", 2, 1, "Second slide", 6},
    {"odt", "odt", 1, 0, "加粗", 40},
    {"ods", "ods", 2, 0, "工作表1", 4},
    {"odp", "odp", 2, 1, "第二页", 6},
    {"odt_without_mimetype", "odt", 1, 0, "标题", 40},
    {"epub", "epub", 1, 0, "第一章", 40},
    {"pdf", "pdf", 2, 1, "Page two", 0},
    {"pdf_flate", "pdf", 1, 0, "Compressed page", 0},
    {"utf8.txt", "txt", 1, 0, "第二章", 100},
    {"gbk.txt", "txt", 1, 0, "教师队伍建设", 100},
    {"big5.txt", "txt", 1, 0, "教師隊伍", 60},
    {"utf16le_bom.txt", "txt", 1, 0, "English words", 100},
    {"html", "html", 1, 0, "关于开展教研活动的通知", 40},
    {"html_gbk", "html", 1, 0, "中文", 40},
    {"xml", "xml", 1, 0, "标题", 40},
};

TEST(ExtractGolden, RepositorySeedsYieldTheirFacts) {
  const auto dir = testing::source_dir() / "tests" / "fuzz" / "seeds" / "detect";
  for (const Fact& f : kSeedFacts) {
    SCOPED_TRACE(f.path);
    auto d = detect::detect_file(dir / f.path);
    EXPECT_EQ(d.format, f.format);
    auto r = extract::extract_text(dir / f.path, d);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(static_cast<int>(r->pages.size()), f.pages);
    ASSERT_LT(static_cast<size_t>(f.page), r->pages.size());
    EXPECT_NE(r->pages[f.page].find(f.snippet), std::string::npos) << utf8_prefix(r->pages[f.page], 300);
    int han = 0;
    for (const auto& p : r->pages) {
      EXPECT_TRUE(is_valid_utf8(p));
      for (char32_t c : utf8_to_u32(p)) han += (c >= 0x4E00 && c <= 0x9FFF) ? 1 : 0;
    }
    EXPECT_GE(han, f.min_han);
  }
  // Script and script tags, and the escapes, of the HTML seed.
  auto html = extract::extract_text(dir / "html", detect::detect_file(dir / "html"));
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(html->pages[0].find("不是正文"), std::string::npos);
  EXPECT_NE(html->pages[0].find("<转义>"), std::string::npos);
}

TEST(ExtractGolden, CorpusFilesYieldTheirFacts) {
  WENKU_REQUIRE_CORPUS(corpus);
  for (const Fact& f : kFacts) {
    SCOPED_TRACE(f.path);
    auto d = detect::detect_file(corpus / f.path);
    EXPECT_EQ(d.format, f.format);
    auto r = extract::extract_text(corpus / f.path, d);
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (f.pages >= 0) {
      EXPECT_EQ(static_cast<int>(r->pages.size()), f.pages);
    }
    ASSERT_LT(static_cast<size_t>(f.page), r->pages.size());
    EXPECT_NE(r->pages[f.page].find(f.snippet), std::string::npos) << utf8_prefix(r->pages[f.page], 200);
    int han = 0;
    for (const auto& p : r->pages) {
      EXPECT_TRUE(is_valid_utf8(p));
      for (char32_t c : utf8_to_u32(p)) han += (c >= 0x4E00 && c <= 0x9FFF) ? 1 : 0;
    }
    EXPECT_GE(han, f.min_han);
  }
}

TEST(ExtractGolden, PdfPageCountsMatchTheManifest) {
  WENKU_REQUIRE_CORPUS(corpus);
  int checked = 0;
  for (const auto& r : testing::read_manifest(corpus)) {
    if (r.folder != "pdf") continue;
    size_t p = r.notes.find("pages=");
    if (p == std::string::npos) continue;
    int want = std::atoi(r.notes.c_str() + p + 6);
    auto x = extract::extract_pdf_text(corpus / r.path);
    ASSERT_TRUE(x.ok()) << r.path << ": " << x.error().message;
    EXPECT_EQ(static_cast<int>(x->pages.size()), want) << r.path;
    EXPECT_TRUE(x->paged);
    ++checked;
  }
  EXPECT_GE(checked, 80);
}

TEST(ExtractGolden, WellFormedFilesExtractAndFailuresCarryAReason) {
  WENKU_REQUIRE_CORPUS(corpus);
  const std::set<std::string> native = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "pdf", "txt", "html", "xml"};
  const std::set<std::string> special = {"corrupt", "encrypted", "mislabeled", "other"};
  int wellformed = 0, extracted = 0;
  for (const auto& r : testing::read_manifest(corpus)) {
    auto d = detect::detect_file(corpus / r.path);
    auto x = extract::extract_text(corpus / r.path, d);
    if (!x.ok()) {
      EXPECT_FALSE(x.error().key.empty()) << r.path << ": " << x.error().message;
    }
    if (special.count(r.folder) || !native.count(d.format)) continue;
    ++wellformed;
    if (x.ok()) ++extracted;
    else ADD_FAILURE() << r.path << ": " << x.error().message;
  }
  EXPECT_GE(wellformed, 300);
  EXPECT_EQ(extracted, wellformed);
}

}  // namespace
}  // namespace wenku
