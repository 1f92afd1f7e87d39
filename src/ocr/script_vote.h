// Simplified or traditional: a character-set test on the sample band read by both models.
// Most Han characters are written the same in both scripts, so a model's mean confidence
// says little (the traditional model reads a simplified page almost as confidently, and
// turns 侠 into 俠). The evidence is where the two scripts differ, by OpenCC's tables.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wenku::ocr {

// One character of a reading with the model's confidence in it (0..100).
struct ReadChar {
  char32_t c = 0;
  float conf = 0;
};

// OpenCC's character tables (STCharacters, TSCharacters): which characters exist only in
// one script. A character is simplified-only when OpenCC converts it to traditional and it
// is not itself among the traditional forms (这 -> 這; not 范, whose forms are 範 and 范),
// and traditional-only the other way round (這, 們; not 著, nor 於, which OpenCC also keeps).
class ScriptTables {
 public:
  // Loaded once per process; nullptr when OpenCC's data cannot be read (the engine then
  // chooses by confidence alone).
  static const ScriptTables* get();
  bool simplified_only(char32_t c) const { return simp_only_.count(c) != 0; }
  bool traditional_only(char32_t c) const { return trad_only_.count(c) != 0; }
  // The character's simplified form (the first of OpenCC's), or itself.
  char32_t to_simplified(char32_t c) const;
  // For tests: tables from explicit entries.
  ScriptTables(std::unordered_map<char32_t, std::u32string> s2t,
               std::unordered_map<char32_t, std::u32string> t2s);

 private:
  std::unordered_set<char32_t> simp_only_, trad_only_;
  std::unordered_map<char32_t, char32_t> t2s_;
};

// What the two readings of one band say. Aligned on their simplified forms, a position where
// the simplified model read a simplified-only character and the traditional model its
// traditional form is a contested pair: the model more confident of its character there wins
// it (the printed glyph is one of the two, and the other model only found a look-alike).
// A character a model read against its own script (the traditional model reading 这, the
// simplified one 這) is a vote for that script without contest.
struct ScriptVote {
  int simplified = 0;   // pairs won by the simplified model + simplified-only characters in the
                        // traditional model's reading
  int traditional = 0;  // the same for traditional
  int pairs = 0;        // contested pairs
  std::string describe() const;
  // Which script the votes name: +1 simplified, -1 traditional, 0 undecided. `clear` asks for a
  // clear majority (twice the other side's votes and two more); otherwise any majority.
  int winner(bool clear) const;
};

// Readings longer than `kMaxVoteChars` Han characters are compared on their first ones.
inline constexpr size_t kMaxVoteChars = 2000;
ScriptVote vote_script(const std::vector<ReadChar>& simplified_reading,
                       const std::vector<ReadChar>& traditional_reading, const ScriptTables& tables);

}  // namespace wenku::ocr
