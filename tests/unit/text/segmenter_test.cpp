// Word segmentation: real sentences, numbers, dates, Latin, index sub-words, hostile input.
#include "text/segmenter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "text/segment_command.h"

namespace wenku::text {
namespace {

const Segmenter& seg() {
  static auto s = make_segmenter();
  if (!s) throw std::runtime_error(s.error().message);
  return **s;
}

std::vector<std::string> words(std::string_view text, SegmentMode mode = SegmentMode::kQuery) {
  std::vector<std::string> out;
  for (const auto& t : seg().segment(text, mode)) out.emplace_back(t.text);
  return out;
}

std::string joined(const std::vector<Token>& tokens) {
  std::string s;
  for (const auto& t : tokens) s += std::string(t.text) + "|";
  return s;
}

using V = std::vector<std::string>;

TEST(Segmenter, SplitsRealSentencesIntoDictionaryWords) {
  EXPECT_EQ(words("我们在北京大学学习计算机科学"),
            (V{"我们", "在", "北京大学", "学习", "计算机科学"}));
  EXPECT_EQ(words("市教育局机关汇报总结会讲话稿"),
            (V{"市", "教育局", "机关", "汇报", "总结会", "讲话稿"}));
}

TEST(Segmenter, FindsUnknownWordsWithTheHmm) {
  // 杭研 is in no dictionary; the HMM joins it instead of leaving two characters.
  EXPECT_EQ(words("他来到了网易杭研大厦"), (V{"他", "来到", "了", "网易", "杭研", "大厦"}));
}

TEST(Segmenter, KeepsNumbersDatesAndLatinWordsWhole) {
  EXPECT_EQ(words("2019年7月18日发布iPhone12，售价3.5万元，打8折即50%。"),
            (V{"2019年", "7月", "18日", "发布", "iPhone12", "，", "售价", "3.5", "万元", "，", "打",
               "8", "折", "即", "50%", "。"}));
  EXPECT_EQ(words("上传时间:2019-07-18 大小:27.96KB"),
            (V{"上传", "时间", ":", "2019-07-18", "大小", ":", "27.96KB"}));
  EXPECT_EQ(words("二○○一年十二月三十一日"), (V{"二○○一年", "十二月", "三十一日"}));
  EXPECT_EQ(words("Lyapunov函数与C++"), (V{"Lyapunov", "函数", "与", "C++"}));
  // 万元 and 分钟 are words: the unit stays with them instead of joining the number.
  EXPECT_EQ(words("只用３分钟"), (V{"只用", "３", "分钟"}));
  EXPECT_EQ(words("３时１０分"), (V{"３时", "１０分"}));
}

TEST(Segmenter, DropsWhitespaceAndKeepsPunctuation) {
  EXPECT_EQ(words("  你好，\t世界！——……\n"), (V{"你好", "，", "世界", "！", "——", "……"}));
}

TEST(Segmenter, TokensPointIntoTheInputWithOffsets) {
  std::string text = "ab 中文";
  auto tokens = seg().segment(text, SegmentMode::kQuery);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].offset, 3u);
  EXPECT_EQ(tokens[1].text.data(), text.data() + 3);
}

TEST(Segmenter, IndexModeAddsSubWordsOfLongWords) {
  auto w = words("中华人民共和国成立", SegmentMode::kIndex);
  for (const char* sub : {"中华", "人民", "共和", "共和国", "中华人民共和国", "成立"}) {
    EXPECT_NE(std::find(w.begin(), w.end(), sub), w.end()) << sub;
  }
}

TEST(Segmenter, FineSplitCoversTheTextOnce) {
  EXPECT_EQ(joined(seg().segment_fine("中华人民共和国成立了")), "中华|人民共和国|成立|了|");
}

TEST(Segmenter, SurvivesInvalidUtf8EmojiAndHugeLines) {
  std::string bad = "中\xFF\xFE文\xE5\xAD" "abc\xC0\xAF";
  auto w = words(bad);
  EXPECT_EQ(w, (V{"中", "文", "abc"}));
  EXPECT_EQ(words("好😀👍🏽"), (V{"好", "😀", "👍🏽"}));
  std::string huge;
  for (int i = 0; i < 200000; ++i) huge += "我们的";  // 1.8 MB without a space
  auto tokens = seg().segment(huge, SegmentMode::kQuery);
  size_t covered = 0;
  for (const auto& t : tokens) covered += t.text.size();
  EXPECT_EQ(covered, huge.size());
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk += static_cast<char>((i * 2654435761u) >> 24);
  for (const auto& t : seg().segment(junk, SegmentMode::kIndex)) {
    EXPECT_LE(t.offset + t.text.size(), junk.size());
  }
}

TEST(SegmentCommand, WritesOneLineOfWordsPerInputLine) {
  std::istringstream in("我爱北京天安门\n\nHello world 2019年\n");
  std::ostringstream out;
  EXPECT_EQ(run_segment_command(seg(), in, out, SegmentMode::kQuery), 0);
  EXPECT_EQ(out.str(), "我 爱 北京 天安门\n\nHello world 2019年\n");
}

}  // namespace
}  // namespace wenku::text
