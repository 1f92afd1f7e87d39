#include "text/word_counts.h"

#include <unordered_map>

namespace wenku::text {

WordCounts count_words(const std::vector<Token>& words) {
  std::unordered_map<std::string_view, double> counts;
  counts.reserve(words.size() / 4 + 16);  // a long text repeats most of its words
  for (const Token& t : words) counts[t.text] += 1;
  return WordCounts(counts.begin(), counts.end());
}

}  // namespace wenku::text
