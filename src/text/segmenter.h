// Chinese word segmentation: a dictionary segmenter with unknown-word handling.
#pragma once

#include <filesystem>
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
  // A finer partition: like kQuery, but a long word made of shorter dictionary words is
  // split into them (中华人民共和国 -> 中华 人民 共和国). Still covers each character once,
  // so it suits output that must rebuild the text (`wenku segment --mode index`).
  virtual std::vector<Token> segment_fine(std::string_view utf8) const = 0;
};

// Loads the dictionary from python3-jieba's data (see find_jieba_dir() in
// text/jieba_data.h: $WENKU_JIEBA_DIR, else Debian's path). Errors: kUnavailable when the
// dictionary files are missing, kCorrupt when they cannot be read.
Result<std::unique_ptr<Segmenter>> make_segmenter();
// The same from an explicit jieba data directory (holding dict.txt and finalseg/).
Result<std::unique_ptr<Segmenter>> make_segmenter(const std::filesystem::path& jieba_dir);

}  // namespace wenku::text
