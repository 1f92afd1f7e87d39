// Text normalisation, identical at index and query time: NFKC, full-width -> half-width,
// case folding, traditional -> simplified, so 學校/学校 and ＡＢＣ/abc meet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::text {

// Normalised text with, for each of its bytes, the byte offset in the input of the
// character it came from; `source_offsets` has one more entry, the input's size, so an
// output range [a, b) maps to the input range [source_offsets[a], source_offsets[b]).
struct NormalizedText {
  std::string text;
  std::vector<uint32_t> source_offsets;
};

// What is guaranteed about lengths: every output character comes from exactly one input
// character (or from a short run when combining marks compose, e.g. e + U+0301 -> é), in
// order. Han characters map 1:1 (NFKC leaves unified ideographs alone, compatibility
// ideographs become one ideograph, and the OpenCC tables used change characters one for
// one). Other characters may grow (½ -> 1⁄2, ㈱ -> (株)) or vanish (soft hyphen, zero-width
// joiner); invalid UTF-8 bytes become U+FFFD each.
class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Returns normalised UTF-8. Thread-safe.
  virtual std::string normalize(std::string_view utf8) const = 0;
  // The same text with the offset map for highlighting. Inputs over 4 GiB are not supported.
  virtual NormalizedText normalize_with_offsets(std::string_view utf8) const = 0;
};

// NFKC with case folding (ICU's nfkc_cf), then OpenCC's tw2s (Taiwan-standard traditional
// to simplified: like t2s plus the Taiwan variants, so 看著 meets 看着; measured in
// bench/README.md). Errors: kUnavailable when ICU or OpenCC data cannot be loaded.
Result<std::unique_ptr<Normalizer>> make_normalizer();

struct NormalizerOptions {
  // Converts traditional runs that hold no OpenCC phrase with a per-character table
  // instead of OpenCC (same result, ~15x faster); false sends every run to OpenCC.
  bool opencc_fast_path = true;
};
Result<std::unique_ptr<Normalizer>> make_normalizer(const NormalizerOptions& options);

}  // namespace wenku::text
