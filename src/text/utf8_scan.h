// Fast UTF-8 decoding into code points with byte offsets, shared by the text module.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace wenku::text {

// Marks a byte that does not start a valid UTF-8 sequence (it decodes alone).
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes one code point at `s[i]`; sets `len` to the bytes consumed (1 for an invalid byte).
inline char32_t decode_utf8_at(std::string_view s, size_t i, size_t& len) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  unsigned char b = p[i];
  len = 1;
  if (b < 0x80) return b;
  auto cont = [&](size_t k) { return i + k < n && (p[i + k] & 0xC0) == 0x80; };
  if (b >= 0xC2 && b <= 0xDF) {
    if (!cont(1)) return kInvalidCodePoint;
    len = 2;
    return (char32_t(b & 0x1F) << 6) | (p[i + 1] & 0x3F);
  }
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(1) || !cont(2)) return kInvalidCodePoint;
    char32_t cp = (char32_t(b & 0x0F) << 12) | (char32_t(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
    // Overlong forms and UTF-16 surrogates are not valid UTF-8.
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalidCodePoint;
    len = 3;
    return cp;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return kInvalidCodePoint;
    char32_t cp = (char32_t(b & 0x07) << 18) | (char32_t(p[i + 1] & 0x3F) << 12) |
                  (char32_t(p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return kInvalidCodePoint;
    len = 4;
    return cp;
  }
  return kInvalidCodePoint;
}

// Code points of `s` and, for each, its byte offset; `offsets` has one extra entry (s.size()).
inline void decode_utf8(std::string_view s, std::vector<char32_t>& cps, std::vector<uint32_t>& offsets) {
  cps.clear();
  offsets.clear();
  cps.reserve(s.size());
  offsets.reserve(s.size() + 1);
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    char32_t cp = decode_utf8_at(s, i, len);
    cps.push_back(cp);
    offsets.push_back(static_cast<uint32_t>(i));
    i += len;
  }
  offsets.push_back(static_cast<uint32_t>(s.size()));
}

inline bool is_han(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x323AF) || cp == 0x3007;
}

}  // namespace wenku::text
