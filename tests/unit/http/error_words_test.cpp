// Worded errors (issue 11): every key the code uses has words in Chinese and English with
// the same parameters; lines are worded in the visitor's language or in both; old reasons
// stored as plain text read as they are.
// GCC 12 with the sanitizers at -O1 warns inside <regex> (the std::function of its NFA states)
// of a use it cannot prove initialised: a false positive in the library, not in this test.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "http/error_words.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/result.h"
#include "library/document_json.h"

namespace wenku::http {
namespace {

namespace fs = std::filesystem;

std::set<std::string> placeholders(const std::string& words) {
  std::set<std::string> out;
  static const std::regex re(R"(\{([a-z_]+)\})");
  for (auto it = std::sregex_iterator(words.begin(), words.end(), re); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

TEST(ErrorWords, EveryKeyInTheSourcesHasWordsInBothLanguages) {
  const char* src = std::getenv("WENKU_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "ctest sets WENKU_SOURCE_DIR";
  auto zh = error_word_keys("zh-CN");
  auto en = error_word_keys("en");
  std::set<std::string> zh_keys(zh.begin(), zh.end()), en_keys(en.begin(), en.end());
  EXPECT_EQ(zh_keys, en_keys) << "errors.zh-CN.json and errors.en.json have the same keys";
  // keyed_error(code, "key" ...) and error_line("key" ...), possibly across lines.
  static const std::regex use(R"re((?:keyed_error\([^;"]*?|error_line\()\s*"([a-z0-9_.]+)")re");
  size_t used = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(src) / "src")) {
    if (!e.is_regular_file() || (e.path().extension() != ".cpp" && e.path().extension() != ".h")) continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), use); it != std::sregex_iterator(); ++it) {
      std::string key = (*it)[1].str();
      ++used;
      EXPECT_TRUE(zh_keys.count(key)) << key << " (" << e.path().filename() << ") has no Chinese words";
      EXPECT_TRUE(en_keys.count(key)) << key << " (" << e.path().filename() << ") has no English words";
    }
  }
  EXPECT_GT(used, 100u) << "the scan finds the keys the modules use";
  for (const auto& key : zh_keys) {
    std::string line = error_line(key);
    // Same parameters in both languages: word each with its placeholders named after themselves.
    std::string zh_words = error_words(line, "zh-CN"), en_words = error_words(line, "en");
    EXPECT_NE(zh_words, key);
    EXPECT_NE(en_words, key);
  }
}

TEST(ErrorWords, BothLanguagesNameTheSameParameters) {
  for (const auto& key : error_word_keys("en")) {
    // Filling every parameter by its own name shows which ones each language uses.
    ErrorParams params;
    for (const char* name : {"bytes", "detail", "encoding", "entries", "error", "format", "height", "how",
                             "language", "mime", "ms", "page", "pages", "part", "path", "seconds", "times",
                             "what", "why", "width"}) {
      params.push_back({name, std::string("<") + name + ">"});
    }
    std::string line = error_line(key, params);
    std::string zh = error_words(line, "zh-CN"), en = error_words(line, "en");
    EXPECT_TRUE(placeholders(zh).empty()) << key << ": an unknown parameter in " << zh;
    EXPECT_TRUE(placeholders(en).empty()) << key << ": an unknown parameter in " << en;
    std::set<std::string> in_zh, in_en;
    for (const auto& p : params) {
      if (zh.find(p.value) != std::string::npos) in_zh.insert(p.name);
      if (en.find(p.value) != std::string::npos) in_en.insert(p.name);
    }
    EXPECT_EQ(in_zh, in_en) << key << ": " << zh << " | " << en;
  }
}

TEST(ErrorWords, WordsALineInEachLanguageAndInBoth) {
  Error e = keyed_error(ErrorCode::kTooLarge, "pdf.too_large", {{"bytes", "1234"}});
  EXPECT_EQ(e.key, "pdf.too_large");
  EXPECT_EQ(error_words(e, "zh-CN"), "PDF 文件过大（1234 字节）");
  EXPECT_EQ(error_words(e, "en"), "PDF is too large (1234 bytes)");
  EXPECT_EQ(error_words(e, "fr"), "PDF 文件过大（1234 字节）") << "Chinese first";
  EXPECT_EQ(error_words_both(e), "PDF 文件过大（1234 字节） / PDF is too large (1234 bytes)");
  // The words the modules wrote before keys read the same through the CLI.
  EXPECT_EQ(error_words_both(keyed_error(ErrorCode::kEncrypted, "pdf.encrypted_needs_password")),
            "PDF 已加密，需要密码才能打开 / PDF is encrypted and needs a password");
}

TEST(ErrorWords, NestedLinesAndValuesWithBarsAndEquals) {
  std::string inner = error_line("ofd.xml_not_well_formed", {{"detail", "a|b=c%d\nnext"}});
  Error e = keyed_error(ErrorCode::kCorrupt, "ofd.corrupt", {{"part", "Doc_0/Document.xml"}, {"why", inner}});
  auto parsed = parse_error_line(e.message);
  ASSERT_TRUE(parsed.has_value()) << e.message;
  ASSERT_EQ(parsed->params.size(), 2u);
  EXPECT_EQ(parsed->params[1].value, inner);
  EXPECT_EQ(error_words(e, "en"), "corrupt OFD: Doc_0/Document.xml: not well-formed XML: a|b=c%d\nnext");
  EXPECT_EQ(error_words(e, "zh-CN"), "OFD 文件已损坏（Doc_0/Document.xml：XML 无法解析：a|b=c%d\nnext）");
  // A message that ends in a line (a caller's prefix) has the line worded.
  EXPECT_EQ(error_words("retry failed: " + e.message, "en"),
            "retry failed: corrupt OFD: Doc_0/Document.xml: not well-formed XML: a|b=c%d\nnext");
}

TEST(ErrorWords, OldPlainTextReasonsReadAsStored) {
  const std::string old = "PDF 已加密，需要密码才能打开 / PDF is encrypted and needs a password";
  EXPECT_EQ(error_words(old, "zh-CN"), old);
  EXPECT_EQ(error_words(old, "en"), old);
  EXPECT_EQ(error_words_both(old), old);
  EXPECT_EQ(error_words("failed", "en"), "failed");
  EXPECT_EQ(error_words("err:Not A Key", "en"), "err:Not A Key");
  EXPECT_EQ(error_words("", "en"), "");
  // The document JSON words the stored reason; an old one is given as stored.
  store::Document d;
  d.error = old;
  EXPECT_EQ(library::document_json(d, reason_words_in("en"))["error"], old);
  d.error = error_line("pdf.has_no_pages");
  EXPECT_EQ(library::document_json(d, reason_words_in("en"))["error"], "PDF has no pages");
  EXPECT_EQ(library::document_json(d, reason_words_in("zh-CN"))["error"], "PDF 没有页面");
  EXPECT_EQ(library::document_json(d, reason_words_both)["error"], "PDF 没有页面 / PDF has no pages");
}

TEST(ErrorWords, UnknownKeyReadsAsTheKey) {
  EXPECT_EQ(error_words(error_line("no.such_key", {{"a", "b"}}), "en"), "no.such_key");
}

}  // namespace
}  // namespace wenku::http
