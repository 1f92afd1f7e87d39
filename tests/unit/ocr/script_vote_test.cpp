// vote_script: contested pairs won by the more confident model, characters read against a
// model's own script, alignment across characters one reading lacks; OpenCC's tables.
#include "ocr/script_vote.h"

#include <gtest/gtest.h>

#include <map>

#include "core/strings.h"

namespace wenku::ocr {
namespace {

std::vector<ReadChar> reading(const std::string& utf8, float conf = 99, std::map<size_t, float> at = {}) {
  std::vector<ReadChar> out;
  for (char32_t c : utf8_to_u32(utf8)) out.push_back(ReadChar{c, conf});
  for (const auto& [i, v] : at) out[i].conf = v;
  return out;
}

ScriptTables small_tables() {
  // 这/這, 侠/俠, 国/國; 范 has the traditional forms 範 and 范 (so it is not simplified-only).
  return ScriptTables({{U'这', U"這"}, {U'侠', U"俠"}, {U'国', U"國"}, {U'范', U"範范"}},
                      {{U'這', U"这"}, {U'俠', U"侠"}, {U'國', U"国"}, {U'範', U"范"}});
}

TEST(ScriptVote, TablesKnowWhichCharactersBelongToOneScript) {
  ScriptTables t = small_tables();
  EXPECT_TRUE(t.simplified_only(U'这'));
  EXPECT_TRUE(t.traditional_only(U'這'));
  EXPECT_FALSE(t.simplified_only(U'范'));
  EXPECT_FALSE(t.simplified_only(U'的'));
  EXPECT_EQ(t.to_simplified(U'國'), U'国');
  EXPECT_EQ(t.to_simplified(U'的'), U'的');
}

TEST(ScriptVote, TheMoreConfidentModelWinsEachContestedPair) {
  ScriptTables t = small_tables();
  // Simplified print: chi_tra's look-alikes 這/國 are less sure than chi_sim's 这/国.
  auto v = vote_script(reading("这是中国的侠客"), reading("這是中國的俠客", 99, {{0, 90}, {3, 95}, {5, 97}}), t);
  EXPECT_EQ(v.pairs, 3);
  EXPECT_EQ(v.simplified, 3);
  EXPECT_EQ(v.traditional, 0);
  EXPECT_EQ(v.winner(true), 1);
  // A tie inside the margin is no vote.
  v = vote_script(reading("这国"), reading("這國", 98.5f), t);
  EXPECT_EQ(v.pairs, 2);
  EXPECT_EQ(v.simplified + v.traditional, 0);
  EXPECT_EQ(v.winner(false), 0);
}

TEST(ScriptVote, TraditionalPrintAndReadingsOfDifferentLength) {
  ScriptTables t = small_tables();
  // chi_sim misses a character and adds punctuation; the alignment still pairs 这/這 and 国/國.
  auto v = vote_script(reading("这是，国家", 80), reading("這就是國家", 99), t);
  EXPECT_EQ(v.pairs, 2);
  EXPECT_EQ(v.traditional, 2);
  EXPECT_EQ(v.winner(true), -1);
}

TEST(ScriptVote, AReadingAgainstItsOwnScriptIsAVote) {
  ScriptTables t = small_tables();
  // chi_tra read 这 (its set has a few simplified characters): the glyph is simplified.
  auto v = vote_script(reading("这个"), reading("这个"), t);
  EXPECT_EQ(v.pairs, 0);
  EXPECT_EQ(v.simplified, 1);
  EXPECT_EQ(v.winner(false), 1);
  EXPECT_EQ(v.winner(true), 0);  // one vote is not a clear majority
}

TEST(ScriptVote, NoHanCharactersNoVotes) {
  ScriptTables t = small_tables();
  auto v = vote_script(reading("ABC 123"), reading("ABC 123"), t);
  EXPECT_EQ(v.simplified + v.traditional + v.pairs, 0);
  EXPECT_EQ(v.winner(false), 0);
}

TEST(ScriptVote, OpenccTables) {
  const ScriptTables* t = ScriptTables::get();
  ASSERT_NE(t, nullptr) << "OpenCC's data (libopencc) is not installed";
  EXPECT_TRUE(t->simplified_only(U'这'));
  EXPECT_TRUE(t->simplified_only(U'侠'));
  EXPECT_TRUE(t->traditional_only(U'俠'));
  EXPECT_TRUE(t->traditional_only(U'們'));
  EXPECT_FALSE(t->simplified_only(U'范'));  // 范 is a traditional character too
  EXPECT_FALSE(t->traditional_only(U'著'));
  EXPECT_FALSE(t->simplified_only(U'的'));
  EXPECT_EQ(t->to_simplified(U'這'), U'这');
}

}  // namespace
}  // namespace wenku::ocr
