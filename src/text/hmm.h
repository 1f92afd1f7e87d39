// jieba's character HMM (states B, M, E, S) for words the dictionary does not know.
#pragma once

#include <array>
#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace wenku::text {

class WordHmm {
 public:
  // Reads finalseg/prob_start.py, prob_trans.py and prob_emit.py (Python literals).
  // Errors: kUnavailable when a file is missing, kCorrupt when a table cannot be read.
  static Result<WordHmm> load(const std::filesystem::path& finalseg_dir);

  // Splits a run of Han code points into words; fills `ends` with the exclusive end index
  // of each word. Viterbi over B/M/E/S exactly as jieba's finalseg.
  void cut(const char32_t* cps, size_t n, std::vector<size_t>& ends) const;

 private:
  using Row = std::array<double, 4>;  // indexed by state B, M, E, S
  const Row& emit(char32_t cp) const;

  Row start_{};
  std::array<Row, 4> trans_{};
  // Dense for the common Han block, a map for the rest.
  static constexpr char32_t kDenseFirst = 0x4E00;
  static constexpr char32_t kDenseLast = 0x9FFF;
  std::vector<Row> dense_;
  std::unordered_map<char32_t, Row> sparse_;
  Row unseen_{};
};

}  // namespace wenku::text
