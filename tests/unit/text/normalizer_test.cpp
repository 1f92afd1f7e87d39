// Normalisation at index and query time: width, case, NFKC, traditional -> simplified, offsets.
#include "text/normalizer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace wenku::text {
namespace {

const Normalizer& norm() {
  static auto n = make_normalizer();
  if (!n) throw std::runtime_error(n.error().message);
  return **n;
}

TEST(Normalizer, TraditionalBecomesSimplified) {
  EXPECT_EQ(norm().normalize("學校"), "学校");
  EXPECT_EQ(norm().normalize("大班額"), "大班额");
  EXPECT_EQ(norm().normalize("頭髮與發展"), "头发与发展");
}

TEST(Normalizer, TaiwanAspectParticleMeetsSimplified) {
  // tw2s rather than t2s: Taiwan writes 著 for the particle 着, yet 著名 stays.
  EXPECT_EQ(norm().normalize("看著"), norm().normalize("看着"));
  EXPECT_EQ(norm().normalize("著名"), "著名");
}

TEST(Normalizer, SimplifiedTextIsUnchanged) {
  EXPECT_EQ(norm().normalize("市教育局机关汇报总结会讲话稿"), "市教育局机关汇报总结会讲话稿");
}

TEST(Normalizer, FullWidthLatinAndDigitsBecomeHalfWidthLowerCase) {
  EXPECT_EQ(norm().normalize("ＡＢＣ"), "abc");
  EXPECT_EQ(norm().normalize("２０１９年"), "2019年");
  EXPECT_EQ(norm().normalize("Ｌｙａｐｕｎｏｖ函數"), "lyapunov函数");
  EXPECT_EQ(norm().normalize("ＨＥＬＬＯ　ｗｏｒｌｄ！"), "hello world!");
}

TEST(Normalizer, CaseFoldsBeyondAscii) {
  EXPECT_EQ(norm().normalize("Straße ÉCOLE"), "strasse école");
}

TEST(Normalizer, ComposesCombiningMarks) {
  EXPECT_EQ(norm().normalize("e\xCC\x81"), "\xC3\xA9");  // e + U+0301 -> é
}

TEST(Normalizer, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(norm().normalize("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(norm().normalize("\xE5\xAD"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated 学
}

TEST(Normalizer, OffsetsMapEveryOutputByteToItsSource) {
  std::string in = "Ａ學校½ｘ";
  NormalizedText r = norm().normalize_with_offsets(in);
  EXPECT_EQ(r.text, "a学校1\xE2\x81\x84" "2x");
  ASSERT_EQ(r.source_offsets.size(), r.text.size() + 1);
  EXPECT_EQ(r.source_offsets[0], 0u);                 // a <- Ａ
  EXPECT_EQ(r.source_offsets[1], 3u);                 // 学 <- 學
  EXPECT_EQ(r.source_offsets[4], 6u);                 // 校 <- 校
  EXPECT_EQ(r.source_offsets[7], 9u);                 // 1⁄2 <- ½
  EXPECT_EQ(r.source_offsets[r.text.size() - 1], 11u);  // x <- ｘ
  EXPECT_EQ(r.source_offsets.back(), in.size());
}

TEST(Normalizer, HanCharactersMapOneToOne) {
  std::string in = "臺灣的學校與圖書館，著作權法。";
  NormalizedText r = norm().normalize_with_offsets(in);
  // Every Han character keeps its position: the k-th output character comes from the
  // k-th input character.
  size_t out_chars = 0;
  for (size_t i = 0; i < r.text.size(); ++i) {
    if ((static_cast<unsigned char>(r.text[i]) & 0xC0) != 0x80) {
      EXPECT_EQ(r.source_offsets[i], out_chars * 3) << i;
      ++out_chars;
    }
  }
  EXPECT_EQ(out_chars, 15u);
}

const Normalizer& reference() {
  NormalizerOptions o;
  o.opencc_fast_path = false;
  static auto n = make_normalizer(o);
  if (!n) throw std::runtime_error(n.error().message);
  return **n;
}

TEST(Normalizer, PerCharacterConversionKeepsOpenccPhrases) {
  // Phrases of tw2s's dictionaries, where converting character by character would differ.
  for (std::string_view s : {"著名的巨著", "看著他", "乾隆皇帝", "乾燥的天氣", "頭髮與發展",
                             "為了大眾", "老態龍鍾", "他口吃", "覆蓋與反覆"}) {
    EXPECT_EQ(norm().normalize(s), reference().normalize(s)) << s;
  }
}

TEST(Normalizer, FastPathEqualsOpenccOnTheCorpus) {
  WENKU_REQUIRE_CORPUS(corpus);
  std::ifstream in(corpus / "text" / "passages.jsonl");
  ASSERT_TRUE(in) << "passages.jsonl";
  std::string line;
  size_t lines = 0, changed = 0;
  while (std::getline(in, line) && lines < 3000) {
    ++lines;
    std::string fast = norm().normalize(line);
    ASSERT_EQ(fast, reference().normalize(line)) << "line " << lines;
    NormalizedText a = norm().normalize_with_offsets(line);
    NormalizedText b = reference().normalize_with_offsets(line);
    ASSERT_EQ(a.source_offsets, b.source_offsets) << "line " << lines;
    if (fast.find("国") != std::string::npos && line.find("國") != std::string::npos) ++changed;
  }
  EXPECT_EQ(lines, 3000u);
  EXPECT_GT(changed, 100u);  // the corpus holds traditional passages: the test saw conversions
}

TEST(Normalizer, AnyBytesDoNotCrash) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) & 0xFF);
  NormalizedText r = norm().normalize_with_offsets(junk);
  EXPECT_EQ(r.source_offsets.size(), r.text.size() + 1);
  for (uint32_t o : r.source_offsets) EXPECT_LE(o, junk.size());
}

}  // namespace
}  // namespace wenku::text
