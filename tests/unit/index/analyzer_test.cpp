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
