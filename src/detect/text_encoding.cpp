// Encoding detection (uchardet by default, ICU's detector as the measured alternative) and
// decoding to UTF-8 with ICU converters.
#include "detect/text_encoding.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <uchardet.h>

#include <algorithm>
#include <array>
#include <memory>

#include "core/strings.h"

namespace wenku::detect {
namespace {

bool has_prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Maps detector and declared names to the ICU converter we decode with. Legacy subsets are
// widened to their supersets: a GB2312 page often holds GBK characters, and GBK ⊂ GB18030.
std::string canonical(std::string name) {
  std::string l = to_lower_ascii(name);
  if (l == "gb2312" || l == "gbk" || l == "gb18030" || l == "x-gbk" || l == "cp936" || l == "euc-cn" ||
      l == "hz-gb-2312")
    return l == "hz-gb-2312" ? "HZ" : "GB18030";
  if (l == "big5" || l == "big5-hkscs" || l == "cp950" || l == "x-euc-tw" || l == "euc-tw")
    return l == "big5-hkscs" ? "Big5-HKSCS" : (l == "euc-tw" || l == "x-euc-tw" ? "EUC-TW" : "Big5");
  if (l == "shift_jis" || l == "sjis" || l == "windows-31j" || l == "cp932" || l == "x-sjis") return "Shift_JIS";
  if (l == "euc-kr" || l == "uhc" || l == "cp949" || l == "windows-949") return "EUC-KR";
  if (l == "ascii" || l == "us-ascii" || l == "utf-8" || l == "utf8") return "UTF-8";
  if (l == "iso-8859-1") return "windows-1252";  // what browsers do, and a superset
  if (l == "tis-620" || l == "iso-8859-11") return "windows-874";
  if (l == "maccyrillic" || l == "x-mac-cyrillic" || l == "mac-cyrillic") return "x-mac-cyrillic";
  if (l == "ibm855") return "IBM855";
  if (l == "ibm866" || l == "cp866") return "IBM866";
  if (starts_with(l, "windows-") || starts_with(l, "iso-8859-") || starts_with(l, "koi8") ||
      starts_with(l, "utf-") || starts_with(l, "euc-") || starts_with(l, "iso-2022"))
    return name;
  return name;
}

// Zero-byte pattern of UTF-16/32 text without a BOM: in mostly-ASCII or mostly-BMP text,
// the zero bytes sit at fixed positions in each code unit.
std::string utf16_32_without_bom(std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 8192) & ~size_t{3};
  if (n < 8) return "";
  std::array<size_t, 4> zeros{};
  for (size_t i = 0; i < n; ++i)
    if (s[i] == 0) ++zeros[i % 4];
  const size_t units4 = n / 4;
  auto valid32 = [&](bool be) {
    for (size_t i = 0; i + 4 <= n; i += 4) {
      auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
      uint32_t cp = be ? (b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3)) : (b(3) << 24 | b(2) << 16 | b(1) << 8 | b(0));
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) return false;
    }
    return true;
  };
  if (zeros[0] == units4 && zeros[1] >= units4 * 9 / 10 && valid32(true)) return "UTF-32BE";
  if (zeros[3] == units4 && zeros[2] >= units4 * 9 / 10 && valid32(false)) return "UTF-32LE";
  const size_t even = zeros[0] + zeros[2], odd = zeros[1] + zeros[3], units2 = n / 2;
  if (even >= units2 / 3 && odd < units2 / 20) return "UTF-16BE";
  if (odd >= units2 / 3 && even < units2 / 20) return "UTF-16LE";
  return "";
}

// Chinese in UTF-16 without a BOM has few zero bytes (only from ASCII such as line breaks):
// count code units that are CJK, CJK punctuation, full-width forms or printable ASCII under
// each byte order. Only asked when the sample holds a zero byte, which legacy encodings never do.
std::string cjk_utf16_without_bom(std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 8192) & ~size_t{1};
  const size_t units2 = n / 2;
  auto texty = [&](bool be) {
    size_t good = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
      auto hi = static_cast<unsigned char>(s[be ? i : i + 1]), lo = static_cast<unsigned char>(s[be ? i + 1 : i]);
      uint32_t u = static_cast<uint32_t>(hi) << 8 | lo;
      if ((u >= 0x4E00 && u <= 0x9FFF) || (u >= 0x3000 && u <= 0x303F) || (u >= 0xFF00 && u <= 0xFFEF) ||
          (u >= 0x20 && u < 0x7F) || u == '\n' || u == '\r' || u == '\t')
        ++good;
    }
    return good;
  };
  if (n >= 16) {
    size_t le = texty(false), be = texty(true);
    if (le * 10 >= units2 * 9 && le > be) return "UTF-16LE";
    if (be * 10 >= units2 * 9 && be > le) return "UTF-16BE";
  }
  return "";
}

// Control characters that never appear in text (NUL aside, handled above).
bool looks_binary(std::string_view s) {
  size_t bad = 0, nul = 0;
  const size_t n = std::min<size_t>(s.size(), 65536);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) ++nul;
    else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B && c != 0x0B) ++bad;
  }
  return nul > 0 || bad * 100 > n * 2 + 1;
}

// Strict UTF-8 check that forgives a sequence cut at the end of a partial sample.
bool is_utf8_sample(std::string_view s, bool complete) {
  if (is_valid_utf8(s)) return true;
  if (complete) return false;
  for (size_t cut = 1; cut <= 3 && cut < s.size(); ++cut)
    if (is_valid_utf8(s.substr(0, s.size() - cut))) return true;
  return false;
}

}  // namespace

std::string detect_charset(std::string_view bytes, CharsetEngine engine) {
  bytes = bytes.substr(0, 256 * 1024);
  if (engine == CharsetEngine::kUchardet) {
    uchardet_t ud = uchardet_new();
    if (ud == nullptr) return "";
    std::string out;
    if (uchardet_handle_data(ud, bytes.data(), bytes.size()) == 0) {
      uchardet_data_end(ud);
      out = uchardet_get_charset(ud);
    }
    uchardet_delete(ud);
    return out;
  }
  UErrorCode st = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&st);
  if (U_FAILURE(st)) return "";
  std::string out;
  ucsdet_setText(det, bytes.data(), static_cast<int32_t>(bytes.size()), &st);
  const UCharsetMatch* m = ucsdet_detect(det, &st);
  if (U_SUCCESS(st) && m != nullptr) {
    const char* name = ucsdet_getName(m, &st);
    if (U_SUCCESS(st) && name != nullptr) out = name;
  }
  ucsdet_close(det);
  return out;
}

std::string declared_charset(std::string_view head) {
  std::string h = to_lower_ascii(head.substr(0, 2048));
  for (std::string_view key : {"charset=", "encoding="}) {
    size_t p = 0;
    while ((p = h.find(key, p)) != std::string::npos) {
      p += key.size();
      size_t b = p;
      while (b < h.size() && (h[b] == '"' || h[b] == '\'' || h[b] == ' ')) ++b;
      size_t e = b;
      while (e < h.size() && (std::isalnum(static_cast<unsigned char>(h[e])) || h[e] == '-' || h[e] == '_' ||
                              h[e] == '.' || h[e] == ':'))
        ++e;
      if (e > b && e - b < 40) return std::string(head.substr(b, e - b));
    }
  }
  return "";
}

TextGuess guess_text_encoding(std::string_view s, bool complete, CharsetEngine engine) {
  TextGuess g;
  if (has_prefix(s, "\xEF\xBB\xBF")) return {false, "UTF-8", 3};
  if (has_prefix(s, std::string_view("\xFF\xFE\0\0", 4))) return {false, "UTF-32LE", 4};
  if (has_prefix(s, std::string_view("\0\0\xFE\xFF", 4))) return {false, "UTF-32BE", 4};
  if (has_prefix(s, "\xFF\xFE")) return {false, "UTF-16LE", 2};
  if (has_prefix(s, "\xFE\xFF")) return {false, "UTF-16BE", 2};
  if (has_prefix(s, "\x84\x31\x95\x33")) return {false, "GB18030", 4};
  if (std::string u = utf16_32_without_bom(s); !u.empty()) return {false, u, 0};
  if (s.substr(0, 8192).find('\0') != std::string_view::npos) {
    if (std::string u = cjk_utf16_without_bom(s); !u.empty()) return {false, u, 0};
  }
  if (looks_binary(s)) {
    g.binary = true;
    return g;
  }
  if (is_utf8_sample(s, complete)) return {false, "UTF-8", 0};
  std::string declared = declared_charset(s);
  if (!declared.empty()) {
    std::string c = canonical(declared);
    UErrorCode st = U_ZERO_ERROR;
    UConverter* cv = ucnv_open(c.c_str(), &st);
    if (U_SUCCESS(st) && to_lower_ascii(c) != "utf-8") {
      ucnv_close(cv);
      return {false, c, 0};
    }
    if (cv) ucnv_close(cv);
  }
  std::string d = detect_charset(s, engine);
  if (d.empty()) d = "GB18030";  // the likeliest legacy encoding of a Chinese upload
  return {false, canonical(d), 0};
}

Result<std::string> decode_to_utf8(std::string_view bytes, std::string_view encoding, size_t max_out) {
  const std::string enc(encoding.empty() ? "UTF-8" : encoding);
  if (to_lower_ascii(enc) == "utf-8") {
    if (bytes.size() > max_out) return keyed_error(ErrorCode::kTooLarge, "detect.text_too_large");
    return sanitize_utf8(bytes);
  }
  UErrorCode st = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> from(ucnv_open(enc.c_str(), &st), &ucnv_close);
  if (U_FAILURE(st))
    return keyed_error(ErrorCode::kUnsupportedFormat, "detect.unsupported_encoding", {{"encoding", enc}});
  std::unique_ptr<UConverter, decltype(&ucnv_close)> to(ucnv_open("UTF-8", &st), &ucnv_close);
  if (U_FAILURE(st)) return make_error(ErrorCode::kInternal, "ICU UTF-8 converter missing");
  std::string out;
  out.reserve(std::min<size_t>(bytes.size() * 3 / 2 + 16, max_out));
  std::array<char, 65536> buf;
  std::array<UChar, 16384> pivot;
  UChar* ps = pivot.data();
  UChar* pt = pivot.data();
  const char* src = bytes.data();
  const char* src_end = bytes.data() + bytes.size();
  bool reset = true;
  for (;;) {
    char* tgt = buf.data();
    st = U_ZERO_ERROR;
    ucnv_convertEx(to.get(), from.get(), &tgt, buf.data() + buf.size(), &src, src_end, pivot.data(), &ps, &pt,
                   pivot.data() + pivot.size(), reset, true, &st);
    reset = false;
    out.append(buf.data(), static_cast<size_t>(tgt - buf.data()));
    if (out.size() > max_out) return keyed_error(ErrorCode::kTooLarge, "detect.text_too_large");
    if (st == U_BUFFER_OVERFLOW_ERROR) continue;
    if (U_FAILURE(st))
      return keyed_error(ErrorCode::kCorrupt, "detect.cannot_decode", {{"encoding", enc}});
    break;
  }
  return out;
}

}  // namespace wenku::detect
