// SimHash (Charikar) over word features.
#include "text/simhash.h"

#include <array>

#include "text/utf8_scan.h"

namespace wenku::text {

uint64_t word_hash64(std::string_view word) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : word) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  // FNV's high bits mix poorly for short keys; a finaliser spreads them.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t simhash(const std::vector<std::pair<std::string_view, double>>& weighted_words) {
  std::array<double, 64> v{};
  for (const auto& [w, weight] : weighted_words) {
    uint64_t h = word_hash64(w);
    for (int b = 0; b < 64; ++b) v[b] += ((h >> b) & 1) != 0 ? weight : -weight;
  }
  uint64_t out = 0;
  for (int b = 0; b < 64; ++b) {
    if (v[b] > 0) out |= uint64_t{1} << b;
  }
  return out;
}

uint64_t simhash_text(const Segmenter& segmenter, std::string_view text) {
  return simhash_words(segmenter.segment(text, SegmentMode::kQuery));
}

uint64_t simhash_words(const std::vector<Token>& words) { return simhash_words(count_words(words)); }

uint64_t simhash_words(const WordCounts& counts) {
  WordCounts weighted;
  weighted.reserve(counts.size());
  for (const auto& [text, n] : counts) {
    size_t len = 1;
    char32_t cp = decode_utf8_at(text, 0, len);
    bool word = is_han(cp) || (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') || cp >= 0x80;
    // Punctuation tokens carry no content.
    if (!word || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F)) continue;
    weighted.emplace_back(text, n);
  }
  return simhash(weighted);
}

}  // namespace wenku::text
