// 64-bit SimHash over words, for near-duplicate detection (与文档 #N 高度相似).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "text/segmenter.h"
#include "text/word_counts.h"

namespace wenku::text {

// SimHash of weighted features: each bit is the sign of the summed weights of the features
// whose 64-bit hash has that bit set. Empty input gives 0.
uint64_t simhash(const std::vector<std::pair<std::string_view, double>>& weighted_words);

// SimHash of a text's words (query segmentation, whitespace and punctuation left out),
// each weighted by how often it occurs.
uint64_t simhash_text(const Segmenter& segmenter, std::string_view text);
// The same from the text's words already cut in query mode.
uint64_t simhash_words(const std::vector<Token>& words);
// The same from those words counted (count_words), when the keywords use the counts too.
uint64_t simhash_words(const WordCounts& counts);

// Number of differing bits; near duplicates are within about 3 of 64.
inline int hamming_distance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

// 64-bit hash of a word (FNV-1a with a final mix), stable across runs and machines.
uint64_t word_hash64(std::string_view word);

}  // namespace wenku::text
