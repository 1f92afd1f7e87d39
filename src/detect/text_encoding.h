// Text encodings: BOMs, UTF-16/32 without BOM, charset detection and decoding to UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wenku::detect {

enum class CharsetEngine { kUchardet, kIcu };

struct TextGuess {
  bool binary = false;      // not text in any encoding we know
  std::string encoding;     // ICU converter name: UTF-8, UTF-16LE, GB18030, Big5, Shift_JIS, ...
  size_t bom_length = 0;    // bytes of byte-order mark to skip
};

// Guesses the encoding of `sample` (the start of a file, `complete` when it is the whole file,
// so a cut multi-byte character at its end is not held against UTF-8). BOMs win, then
// UTF-16/32 without BOM by the pattern of zero bytes, then strict UTF-8, then a charset
// declared in an HTML/XML head, then the statistical detector.
TextGuess guess_text_encoding(std::string_view sample, bool complete,
                              CharsetEngine engine = CharsetEngine::kUchardet);

// The statistical detector alone (exposed to compare the two engines); "" when it has no idea.
std::string detect_charset(std::string_view bytes, CharsetEngine engine);

// A charset named in `<meta charset=...>`, `content="...; charset=..."` or
// `<?xml ... encoding="..."?>` within the first KB; "" when there is none.
std::string declared_charset(std::string_view head);

// Decodes to UTF-8 (invalid sequences become U+FFFD), at most `max_out` bytes of output.
// Errors: kUnsupportedFormat (no converter for this encoding), kTooLarge (output over max).
Result<std::string> decode_to_utf8(std::string_view bytes, std::string_view encoding, size_t max_out);

}  // namespace wenku::detect
