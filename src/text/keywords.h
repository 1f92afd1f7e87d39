// TF-IDF keywords of a text with jieba's IDF table (analyse/idf.txt), stop words filtered.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "text/segmenter.h"
#include "text/word_counts.h"

namespace wenku::text {

struct Keyword {
  std::string word;
  double weight = 0;  // term frequency share x IDF
};

class KeywordExtractor {
 public:
  // Loads idf.txt from the jieba data directory (find_jieba_dir() when empty).
  // Errors: kUnavailable when the file is missing, kCorrupt when it holds no weights.
  static Result<KeywordExtractor> load(const std::filesystem::path& jieba_dir = {});

  // The `top_n` words of `text` with the highest TF-IDF weight, highest first (ties by
  // word, so the order is stable). Words of one character, numbers, punctuation and stop
  // words are skipped; a word missing from the IDF table gets the median IDF.
  std::vector<Keyword> extract(const Segmenter& segmenter, std::string_view text, size_t top_n) const;
  // The same from the text's words already cut (query mode), when the caller needs them for
  // more than keywords (the library's SimHash): segmenting once instead of twice.
  std::vector<Keyword> extract(const std::vector<Token>& words, size_t top_n) const;
  // The same from those words counted (count_words), shared with the SimHash.
  std::vector<Keyword> extract(const WordCounts& counts, size_t top_n) const;

  // The IDF of a word (the median for unknown words).
  double idf(std::string_view word) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, double, Hash, std::equal_to<>> idf_;
  double median_idf_ = 0;
};

// True for words that carry no topic (的, 我们, 可以, the, and ...), compared lower-cased.
bool is_stop_word(std::string_view word);

}  // namespace wenku::text
