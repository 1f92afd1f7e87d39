// Analyzer: gram tokens for queries and text, query parsing, aligned normalisation.
#include <gtest/gtest.h>

#include "core/strings.h"
#include "index/analyzer.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::index {
namespace {

using Strings = std::vector<std::string>;

class AnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = text::make_normalizer();
    auto s = text::make_segmenter();
    if (n.ok() && s.ok()) {
      normalizer_ = std::move(*n).release();
      segmenter_ = std::move(*s).release();
    }
  }
  void SetUp() override {
    if (!normalizer_ || !segmenter_) GTEST_SKIP() << "text data (ICU, OpenCC, jieba) not installed";
    analyzer_ = std::make_unique<Analyzer>(*normalizer_, *segmenter_);
  }
  static inline text::Normalizer* normalizer_ = nullptr;  // lives for the whole run
  static inline text::Segmenter* segmenter_ = nullptr;
  std::unique_ptr<Analyzer> analyzer_;
};

TEST(QueryGramTokens, MatchACharacterSequenceAnywhere) {
  bool prefix = true;
  EXPECT_EQ(query_gram_tokens("计算机", prefix), (Strings{"计算", "算机"}));
  EXPECT_FALSE(prefix);
  EXPECT_EQ(query_gram_tokens("教", prefix), (Strings{"教"}));
  EXPECT_TRUE(prefix);
  // A run followed by more of the phrase ends in the text too, so its last character
  // stands alone there.
  EXPECT_EQ(query_gram_tokens("函数abc", prefix), (Strings{"函数", "数", "abc"}));
  EXPECT_FALSE(prefix);
  EXPECT_EQ(query_gram_tokens("lyapunov函数", prefix), (Strings{"lyapunov", "函数"}));
  // Spaces typed between ideographs are not boundaries.
  EXPECT_EQ(query_gram_tokens("人民 满意", prefix), (Strings{"人民", "民满", "满意"}));
  EXPECT_TRUE(query_gram_tokens("，。！", prefix).empty());
}

TEST_F(AnalyzerTest, IndexesWordsGramsAndCharacters) {
  AnalyzedField f = analyzer_->analyze_normalized("宗教abc 2019年");
  EXPECT_EQ(f.grams, "宗教 教 abc 2019 年");
  EXPECT_EQ(f.chars, "宗 教 年");
  EXPECT_NE((" " + f.words + " ").find(" 宗教 "), std::string::npos) << f.words;
  EXPECT_EQ(f.words.find("，"), std::string::npos);
}

// The index keeps where each word is instead of the words: the spans must cut exactly the
// words out of the text, sub-words (which start inside their word) included.
TEST_F(AnalyzerTest, WordSpansCutTheWordsOutOfTheText) {
  for (std::string text : {std::string("中华人民共和国成立了，宗教abc 2019年 Lyapunov函数。"),
                           std::string("e\xCC\x81t\xC3\xA9 ½ ——…… 😀 a"), std::string()}) {
    text = analyzer_->normalize(text);
    AnalyzedField f = analyzer_->analyze_normalized(text);
    ASSERT_EQ(f.word_spans.size() % 2, 0u);
    std::string joined;
    for (size_t i = 0; i < f.word_spans.size(); i += 2) {
      ASSERT_LE(f.word_spans[i] + f.word_spans[i + 1], text.size());
      if (!joined.empty()) joined += ' ';
      joined += text.substr(f.word_spans[i], f.word_spans[i + 1]);
    }
    EXPECT_EQ(joined, f.words);
  }
}

// add_grams copies tokens as bytes from the text; it must give what decoding to code
// points and encoding them again gave (indexes written before store checksums of it).
TEST_F(AnalyzerTest, GramsAreTheCodePointGramsOfTheText) {
  auto reference = [](std::string_view text) {
    std::u32string s = utf8_to_u32(text);
    std::string grams, chars;
    auto add = [&](std::string& out, std::u32string_view tok) {
      if (!out.empty()) out += ' ';
      out += u32_to_utf8(tok);
    };
    auto kind = [](char32_t c) {
      if (is_cjk(c)) return 0;
      return is_content_token(u32_to_utf8(std::u32string(1, c))) ? 1 : 2;
    };
    for (size_t i = 0; i < s.size();) {
      int k = kind(s[i]);
      size_t j = i + 1;
      while (j < s.size() && kind(s[j]) == k) ++j;
      std::u32string_view run = std::u32string_view(s).substr(i, j - i);
      if (k == 1) add(grams, run);
      if (k == 0) {
        for (size_t c = 0; c + 1 < run.size(); ++c) add(grams, run.substr(c, 2));
        add(grams, run.substr(run.size() - 1));
        for (size_t c = 0; c < run.size(); ++c) add(chars, run.substr(c, 1));
      }
      i = j;
    }
    return std::make_pair(grams, chars);
  };
  for (std::string text : {std::string("宗教abc 2019年，Ünïcode ÀB 한국어 かな 㐀𠀀 x"), std::string("中"),
                           std::string("a"), std::string("。。"), std::string()}) {
    text = analyzer_->normalize(text);
    AnalyzedField f;
    add_grams(text, f);
    auto [grams, chars] = reference(text);
    EXPECT_EQ(f.grams, grams) << text;
    EXPECT_EQ(f.chars, chars) << text;
  }
}

TEST_F(AnalyzerTest, ParsesPhrasesExclusionsAndDropsQuestionWords) {
  ParsedQuery q = analyzer_->parse_query("\"人民满意\" -手机 什么是教育？");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_TRUE(q.terms[0].phrase);
  EXPECT_EQ(q.terms[0].text, "人民满意");
  EXPECT_EQ(q.terms[1].text, "教育");
  ASSERT_EQ(q.excluded.size(), 1u);
  EXPECT_EQ(q.excluded[0].text, "手机");
  // Nothing but stop words: they are what the user wants, keep them.
  ParsedQuery only = analyzer_->parse_query("的");
  ASSERT_EQ(only.terms.size(), 1u);
  EXPECT_EQ(only.terms[0].text, "的");
}

TEST_F(AnalyzerTest, NormalisesQueriesLikeText) {
  ParsedQuery q = analyzer_->parse_query("大班額 ＡＢＣ");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[0].text + q.terms[1].text, "大班额abc");
  EXPECT_EQ(analyzer_->parse_query("學校").terms.at(0).text, "学校");
}

TEST_F(AnalyzerTest, KeepsAdjacentWordPairs) {
  ParsedQuery q = analyzer_->parse_query("盘古大陆在何时开始分裂");
  EXPECT_NE(std::find(q.pairs.begin(), q.pairs.end(), "开始 分裂"), q.pairs.end());
  for (const std::string& p : q.pairs) EXPECT_EQ(p.find("何时"), std::string::npos) << p;
}

TEST_F(AnalyzerTest, AlignedTextKeepsTheOriginalsCodePoints) {
  std::string original = "ＡＢＣ學校\n½ 公斤\n最後一行";
  AlignedText a = analyzer_->normalize_aligned(original);
  EXPECT_EQ(utf8_length(a.aligned), utf8_length(original));
  EXPECT_NE(a.aligned.find("abc学校"), std::string::npos) << a.aligned;
  EXPECT_NE(a.normalized.find("最后一行"), std::string::npos);
}

}  // namespace
}  // namespace wenku::index
