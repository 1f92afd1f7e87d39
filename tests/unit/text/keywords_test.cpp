// Keywords (TF-IDF) and SimHash near-duplicate fingerprints on real text.
#include "text/keywords.h"

#include <gtest/gtest.h>

#include "text/simhash.h"

namespace wenku::text {
namespace {

const Segmenter& seg() {
  static auto s = make_segmenter();
  if (!s) throw std::runtime_error(s.error().message);
  return **s;
}

constexpr std::string_view kSpeech =
    "市教育局召开机关汇报总结会。会议强调，要办好人民满意的教育，推进义务教育均衡发展，"
    "化解大班额问题，规范招生秩序，坚决治理择校热。教育局各科室汇报了全年工作，"
    "校长们就大班额和择校问题提出了意见。";

TEST(Keywords, RanksTheTopicWordsOfAShortText) {
  auto k = KeywordExtractor::load();
  ASSERT_TRUE(k.ok()) << k.error().message;
  auto top = k->extract(seg(), kSpeech, 5);
  ASSERT_EQ(top.size(), 5u);
  std::vector<std::string> words;
  for (const auto& kw : top) words.push_back(kw.word);
  for (const char* w : {"大班额", "教育局"}) {
    EXPECT_NE(std::find(words.begin(), words.end(), w), words.end()) << w;
  }
  for (size_t i = 1; i < top.size(); ++i) EXPECT_GE(top[i - 1].weight, top[i].weight);
  for (const auto& kw : top) {
    EXPECT_FALSE(is_stop_word(kw.word)) << kw.word;
    EXPECT_GT(kw.word.size(), 3u) << kw.word;  // no single characters
  }
}

TEST(Keywords, SkipsStopWordsNumbersAndPunctuation) {
  auto k = KeywordExtractor::load();
  ASSERT_TRUE(k.ok());
  auto top = k->extract(seg(), "我们 我们 我们 2019 2019 ，，。 The the and 数据库", 10);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].word, "数据库");
}

TEST(SimHash, NearDuplicatesAreCloseAndDifferentTextsFar) {
  std::string a(kSpeech);
  std::string b = a;
  b.replace(b.find("全年"), std::string("全年").size(), "上半年");  // a one-word edit
  std::string c =
      "本文研究了非线性系统的Lyapunov函数构造方法，给出了判定全局渐近稳定的充分条件，"
      "并通过数值仿真验证了所提方法在电力系统中的有效性和可行性。";
  uint64_t ha = simhash_text(seg(), a), hb = simhash_text(seg(), b), hc = simhash_text(seg(), c);
  EXPECT_LE(hamming_distance(ha, hb), 8);
  EXPECT_GE(hamming_distance(ha, hc), 16);
  EXPECT_EQ(hamming_distance(ha, ha), 0);
  EXPECT_EQ(simhash_text(seg(), ""), 0u);
}

}  // namespace
}  // namespace wenku::text
