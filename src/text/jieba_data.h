// Where python3-jieba's data (dict.txt, finalseg HMM tables, analyse/idf.txt) lives, and
// the word dictionary built from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::text {

// The jieba data directory: $WENKU_JIEBA_DIR when set, else Debian's python3-jieba path.
// Errors: kUnavailable (naming the places searched and the package to install).
Result<std::filesystem::path> find_jieba_dir();

// Reads a whole file. Errors: kUnavailable when missing, kIo when unreadable.
Result<std::string> read_data_file(const std::filesystem::path& path);

// Hash of a code-point sequence, extended one code point at a time so that the segmenter
// can walk all prefixes starting at a position with one probe each.
inline constexpr uint64_t kWordHashSeed = 0xcbf29ce484222325ULL;
inline uint64_t word_hash_step(uint64_t h, char32_t cp) {
  return (h ^ static_cast<uint64_t>(cp)) * 0x100000001b3ULL;
}

// jieba's dictionary: every word with its log probability, and every prefix of a word (so
// that walking stops as soon as no longer word can follow). Open addressing over 64-bit
// hashes of the code points; a collision of two 64-bit hashes is ignored as negligible.
class WordDictionary {
 public:
  enum class Probe { kAbsent, kPrefixOnly, kWord };

  // Parses dict.txt lines `word freq [pos]`. Errors: kCorrupt when it holds no words.
  static Result<WordDictionary> parse(std::string_view dict_txt);

  // Looks up the word whose hash is `h`; sets `logp` for words.
  Probe probe(uint64_t h, float& logp) const {
    if (h == 0) h = 1;  // 0 marks an empty slot
    size_t i = slot(h);
    while (true) {
      const Entry& e = entries_[i];
      if (e.key == h) {
        if (e.logp > kPrefixMarker) {
          logp = e.logp;
          return Probe::kWord;
        }
        return Probe::kPrefixOnly;
      }
      if (e.key == 0) return Probe::kAbsent;
      i = (i + 1) & mask_;
    }
  }
  // True when the UTF-8 text is a dictionary word (frequency above zero).
  bool contains(std::string_view utf8) const;
  // log(1 / total frequency): what jieba gives a character that is no word.
  float unknown_logp() const { return unknown_logp_; }
  size_t word_count() const { return words_; }
  // Longest word in code points, bounds the prefix walk.
  size_t max_word_length() const { return max_len_; }

 private:
  static constexpr float kPrefixMarker = -1e30f;
  struct Entry {
    uint64_t key = 0;
    float logp = kPrefixMarker - 1;
  };
  size_t slot(uint64_t h) const {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return static_cast<size_t>(h) & mask_;
  }
  // Inserts or updates; `logp` below kPrefixMarker marks a prefix only.
  void put(uint64_t h, float logp, bool word);

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t words_ = 0;
  size_t max_len_ = 1;
  float unknown_logp_ = 0;
};

}  // namespace wenku::text
