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
// hashes of the code points, 8 bytes a slot (a 32-bit tag from bits the slot index does
// not use, and the log probability) at a load of at most 0.7: 8 MB for jieba's 349k words
// and their prefixes, where 16-byte slots at a load of 0.15 took 64 MB and nearly every
// probe missed the cache. A false match needs the same slot run and the same 32-bit tag
// (about 1 in 10^15 per probe): ignored. Single BMP characters, the first step of every
// lookup, have a table of their own (256 KB).
class WordDictionary {
 public:
  enum class Probe { kAbsent, kPrefixOnly, kWord };

  // Parses dict.txt lines `word freq [pos]`. Errors: kCorrupt when it holds no words.
  static Result<WordDictionary> parse(std::string_view dict_txt);

  // Looks up the word whose hash is `h`; sets `logp` for words.
  Probe probe(uint64_t h, float& logp) const {
    uint64_t m = mix(h);
    size_t i = static_cast<size_t>(m) & mask_;
    uint32_t tag = tag_of(m);
    while (true) {
      const Entry& e = entries_[i];
      if (e.tag == tag) {
        if (e.logp <= 0) {
          logp = e.logp;
          return Probe::kWord;
        }
        return Probe::kPrefixOnly;
      }
      if (e.tag == 0) return Probe::kAbsent;
      i = (i + 1) & mask_;
    }
  }
  // The same for the one-character word `cp` (whose hash is `h`).
  Probe probe_char(char32_t cp, uint64_t h, float& logp) const {
    if (cp >= kCharTable) return probe(h, logp);
    float v = chars_[cp];
    if (v <= 0) {
      logp = v;
      return Probe::kWord;
    }
    return v == kPrefixValue ? Probe::kPrefixOnly : Probe::kAbsent;
  }
  // True when the UTF-8 text is a dictionary word (frequency above zero).
  bool contains(std::string_view utf8) const;
  // log(1 / total frequency): what jieba gives a character that is no word.
  float unknown_logp() const { return unknown_logp_; }
  size_t word_count() const { return words_; }
  // Longest word in code points, bounds the prefix walk.
  size_t max_word_length() const { return max_len_; }
  // Bytes of the lookup tables.
  size_t table_bytes() const { return entries_.size() * sizeof(Entry) + chars_.size() * sizeof(float); }

 private:
  static constexpr float kPrefixValue = 1.0f;  // a prefix only (log probabilities are <= 0)
  static constexpr float kAbsentValue = 2.0f;  // in chars_: no word starts with it
  static constexpr char32_t kCharTable = 0x10000;
  struct Entry {
    uint32_t tag = 0;  // 0: empty
    float logp = kPrefixValue;
  };
  static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  }
  static uint32_t tag_of(uint64_t m) {
    auto t = static_cast<uint32_t>(m >> 32);
    return t == 0 ? 1 : t;
  }

  std::vector<Entry> entries_;
  std::vector<float> chars_;
  size_t mask_ = 0;
  size_t words_ = 0;
  size_t max_len_ = 1;
  float unknown_logp_ = 0;
};

}  // namespace wenku::text
