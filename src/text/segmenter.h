// Chinese word segmentation: a dictionary segmenter with unknown-word handling.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::text {

enum class SegmentMode {
  kQuery,  // the best single segmentation (what `wenku segment --mode query` prints)
  kIndex,  // the same words plus the dictionary sub-words of long words, for recall
};

struct Token {
  std::string_view text;  // points into the input
  size_t offset = 0;      // byte offset in the input
};

class Segmenter {
 public:
  virtual ~Segmenter() = default;
  // Splits UTF-8 text into words (whitespace dropped; punctuation kept as its own tokens).
  // Thread-safe; tokens point into `utf8`.
  virtual std::vector<Token> segment(std::string_view utf8, SegmentMode mode) const = 0;
};

// Loads the dictionary. Errors: kUnavailable when the dictionary files are missing.
Result<std::unique_ptr<Segmenter>> make_segmenter();

}  // namespace wenku::text
