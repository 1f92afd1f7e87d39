// The character-set test of script_vote.h: OpenCC's character tables, the two readings
// aligned on their simplified forms (longest common subsequence), votes counted.
#include "ocr/script_vote.h"

#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "core/strings.h"

namespace wenku::ocr {

namespace {

constexpr const char* kOpenccDataDir = "/usr/share/opencc/";
constexpr float kPairMargin = 1.0f;

bool is_han(char32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F);
}

// One OpenCC character table: key -> its forms in the other script. False when unreadable.
bool load_table(const char* name, std::unordered_map<char32_t, std::u32string>* out) {
  std::string path = std::string(kOpenccDataDir) + name;
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) return false;
  opencc::LexiconPtr lexicon;
  try {
    lexicon = opencc::MarisaDict::NewFromFile(fp)->GetLexicon();
  } catch (...) {  // OpenCC reports unreadable files by exceptions of its own
    std::fclose(fp);
    return false;
  }
  std::fclose(fp);
  for (const auto& entry : *lexicon) {
    std::u32string key = utf8_to_u32(entry->Key());
    if (key.size() != 1) continue;
    std::u32string forms;
    for (const std::string& v : entry->Values()) {
      std::u32string f = utf8_to_u32(v);
      if (f.size() == 1) forms += f[0];
    }
    if (!forms.empty()) (*out)[key[0]] = std::move(forms);
  }
  return true;
}

}  // namespace

ScriptTables::ScriptTables(std::unordered_map<char32_t, std::u32string> s2t,
                           std::unordered_map<char32_t, std::u32string> t2s) {
  for (const auto& [c, forms] : s2t) {
    if (forms.find(c) == std::u32string::npos) simp_only_.insert(c);
  }
  for (const auto& [c, forms] : t2s) {
    if (forms.find(c) == std::u32string::npos) trad_only_.insert(c);
    t2s_[c] = forms[0];
  }
}

const ScriptTables* ScriptTables::get() {
  static std::once_flag once;
  static std::unique_ptr<ScriptTables> tables;
  std::call_once(once, [] {
    std::unordered_map<char32_t, std::u32string> s2t, t2s;
    if (load_table("STCharacters.ocd2", &s2t) && load_table("TSCharacters.ocd2", &t2s) && !s2t.empty() &&
        !t2s.empty()) {
      tables = std::make_unique<ScriptTables>(std::move(s2t), std::move(t2s));
    }
  });
  return tables.get();
}

char32_t ScriptTables::to_simplified(char32_t c) const {
  auto it = t2s_.find(c);
  return it == t2s_.end() ? c : it->second;
}

std::string ScriptVote::describe() const {
  return "simplified " + std::to_string(simplified) + ", traditional " + std::to_string(traditional) + " (" +
         std::to_string(pairs) + " contested)";
}

int ScriptVote::winner(bool clear) const {
  if (clear) {
    if (simplified >= 2 * traditional + 2) return 1;
    if (traditional >= 2 * simplified + 2) return -1;
    return 0;
  }
  return simplified > traditional ? 1 : traditional > simplified ? -1 : 0;
}

ScriptVote vote_script(const std::vector<ReadChar>& simplified_reading,
                       const std::vector<ReadChar>& traditional_reading, const ScriptTables& tables) {
  // Han characters only: punctuation and Latin differ between the models in ways that say
  // nothing about the script (，/, for one).
  std::vector<ReadChar> a, b;
  for (const ReadChar& r : simplified_reading) {
    if (is_han(r.c)) a.push_back(r);
  }
  for (const ReadChar& r : traditional_reading) {
    if (is_han(r.c)) b.push_back(r);
  }
  ScriptVote vote;
  // Uncontested votes: a character read against the model's own script.
  for (const ReadChar& r : a) vote.traditional += tables.traditional_only(r.c) ? 1 : 0;
  for (const ReadChar& r : b) vote.simplified += tables.simplified_only(r.c) ? 1 : 0;
  // The readings aligned on their simplified forms (a band is a few dozen characters: the
  // quadratic table is small).
  a.resize(std::min(a.size(), kMaxVoteChars));
  b.resize(std::min(b.size(), kMaxVoteChars));
  const size_t n = a.size(), m = b.size();
  if (n == 0 || m == 0) return vote;
  std::vector<uint16_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint16_t& { return lcs[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      at(i, j) = tables.to_simplified(a[i].c) == tables.to_simplified(b[j].c)
                     ? static_cast<uint16_t>(at(i + 1, j + 1) + 1)
                     : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  for (size_t i = 0, j = 0; i < n && j < m;) {
    if (tables.to_simplified(a[i].c) == tables.to_simplified(b[j].c)) {
      if (a[i].c != b[j].c && tables.simplified_only(a[i].c) && tables.traditional_only(b[j].c)) {
        ++vote.pairs;
        // Both models are usually sure of their character (99 and 98): a pair is won by a
        // clear point only.
        if (a[i].conf >= b[j].conf + kPairMargin) ++vote.simplified;
        else if (b[j].conf >= a[i].conf + kPairMargin) ++vote.traditional;
      }
      ++i;
      ++j;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      ++i;
    } else {
      ++j;
    }
  }
  return vote;
}

}  // namespace wenku::ocr
