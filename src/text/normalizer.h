// Text normalisation, identical at index and query time: NFKC, full-width -> half-width,
// case folding, traditional -> simplified, so 學校/学校 and ＡＢＣ/abc meet.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wenku::text {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Returns normalised UTF-8. Thread-safe.
  virtual std::string normalize(std::string_view utf8) const = 0;
};

// Errors: kUnavailable when ICU or OpenCC data cannot be loaded.
Result<std::unique_ptr<Normalizer>> make_normalizer();

}  // namespace wenku::text
