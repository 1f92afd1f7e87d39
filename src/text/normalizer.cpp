// NFKC + case folding through a precomputed table for the Basic Multilingual Plane (ICU only
// for composing sequences), then OpenCC over the Han runs that hold a convertible character.
#include "text/normalizer.h"

#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>
#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "text/utf8_scan.h"

namespace wenku::text {

namespace {

constexpr uint32_t kNoBoundaryBefore = 0xFFFFFFFF;  // composes with what precedes it
constexpr uint32_t kIdentity = 0xFFFFFFFE;
constexpr char32_t kConvertibleLimit = 0x30000;
constexpr const char* kOpenccConfig = "tw2s.json";
// The dictionaries of tw2s.json that hold entries longer than one character (phrases) or
// change a character before TSCharacters does; see build_fast_path().
constexpr const char* kOpenccDataDir = "/usr/share/opencc/";
constexpr const char* kPhraseDicts[] = {"TSPhrases.ocd2", "TWVariantsRevPhrases.ocd2",
                                        "TWVariantsRev.ocd2"};
// In simple_: the character converts, but only OpenCC itself may convert its run.
constexpr char32_t kNeedsOpencc = 0xFFFFFFFF;

void append_cp(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Opencc {
 public:
  explicit Opencc(opencc_t h) : h_(h) {}
  ~Opencc() { opencc_close(h_); }
  Opencc(const Opencc&) = delete;
  Opencc& operator=(const Opencc&) = delete;
  std::string convert(std::string_view s) const {
    char* r = opencc_convert_utf8(h_, s.data(), s.size());
    if (r == nullptr) return std::string(s);
    std::string out(r);
    opencc_convert_utf8_free(r);
    return out;
  }

 private:
  opencc_t h_;
};

class IcuOpenccNormalizer final : public Normalizer {
 public:
  IcuOpenccNormalizer(const icu::Normalizer2* nfkc_cf, std::unique_ptr<Opencc> cc, bool fast_path)
      : nfkc_cf_(nfkc_cf), cc_(std::move(cc)) {
    build_table();
    build_convertible();
    if (fast_path) build_fast_path();
  }

  std::string normalize(std::string_view utf8) const override {
    std::string out;
    run(utf8, out, nullptr);
    return out;
  }

  NormalizedText normalize_with_offsets(std::string_view utf8) const override {
    NormalizedText r;
    run(utf8, r.text, &r.source_offsets);
    r.source_offsets.push_back(static_cast<uint32_t>(utf8.size()));
    return r;
  }

 private:
  void build_table() {
    bmp_.assign(0x10000, kIdentity);
    UErrorCode ec = U_ZERO_ERROR;
    for (char32_t cp = 0; cp < 0x10000; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;  // never decoded from valid UTF-8
      auto c = static_cast<UChar32>(cp);
      if (nfkc_cf_->isInert(c)) continue;
      if (!nfkc_cf_->hasBoundaryBefore(c)) {
        bmp_[cp] = kNoBoundaryBefore;
        continue;
      }
      icu::UnicodeString in(c);
      icu::UnicodeString mapped = nfkc_cf_->normalize(in, ec);
      if (U_FAILURE(ec)) {
        ec = U_ZERO_ERROR;
        bmp_[cp] = kNoBoundaryBefore;  // let the slow path try it in context
        continue;
      }
      if (mapped == in) continue;
      std::string utf8;
      mapped.toUTF8String(utf8);
      if (utf8.size() > 15) {
        bmp_[cp] = kNoBoundaryBefore;
        continue;
      }
      bmp_[cp] = static_cast<uint32_t>(pool_.size() << 4) | static_cast<uint32_t>(utf8.size());
      pool_ += utf8;
    }
  }

  // Marks the Han characters OpenCC changes on their own; a run without one is left as it
  // is (OpenCC's phrase tables only ever change runs holding such a character, but for a
  // few phrases like 沈默 whose characters are all simplified already).
  void build_convertible() {
    convertible_.assign(kConvertibleLimit, false);
    std::string all;
    std::vector<char32_t> cps;
    for (char32_t cp = 0x3400; cp < 0xFB00; ++cp) {
      if (!is_han(cp)) continue;
      cps.push_back(cp);
      append_cp(all, cp);
      all += '\n';
    }
    std::string conv = cc_->convert(all);
    size_t pos = 0;
    for (char32_t cp : cps) {
      size_t eol = conv.find('\n', pos);
      if (eol == std::string::npos) break;
      std::string_view got(conv.data() + pos, eol - pos);
      std::string want;
      append_cp(want, cp);
      if (got != want) {
        convertible_[cp] = true;
        std::vector<char32_t> one;
        std::vector<uint32_t> offs;
        decode_utf8(got, one, offs);
        simple_.emplace(cp, one.size() == 1 && is_han(one[0]) ? one[0] : kNeedsOpencc);
      }
      pos = eol + 1;
    }
  }

  // OpenCC costs ~6 MB/s (marisa trie lookups at every character), a sixth of indexing
  // for traditional text. Its result differs from converting character by character only
  // where an entry of more than one character matches (TSPhrases: 著名 stays, 乾隆 stays;
  // TWVariantsRevPhrases), or where TWVariantsRev changes a character before TSCharacters
  // sees it. So: the first two characters of every multi-character entry are kept, and a
  // run holding none of them (nor a TWVariantsRev character) is converted with the
  // per-character table; the rest (~6% of traditional text) still goes to OpenCC. When
  // the dictionaries cannot be read, everything goes to OpenCC, as before.
  void build_fast_path() {
    std::unordered_set<uint64_t> starts;
    std::vector<char32_t> needs;
    for (const char* name : kPhraseDicts) {
      std::string path = std::string(kOpenccDataDir) + name;
      FILE* fp = std::fopen(path.c_str(), "rb");
      if (fp == nullptr) return;
      opencc::LexiconPtr lexicon;
      try {
        lexicon = opencc::MarisaDict::NewFromFile(fp)->GetLexicon();
      } catch (...) {  // OpenCC reports unreadable files by exceptions of its own
        std::fclose(fp);
        return;
      }
      std::fclose(fp);
      bool variants = std::string_view(name) == "TWVariantsRev.ocd2";
      for (const auto& entry : *lexicon) {
        std::vector<char32_t> key;
        std::vector<uint32_t> offs;
        decode_utf8(entry->Key(), key, offs);
        if (key.size() >= 2) {
          starts.insert(pair_key(key[0], key[1]));
        } else if (key.size() == 1 && variants) {
          needs.push_back(key[0]);
        }
      }
    }
    for (char32_t cp : needs) {
      auto it = simple_.find(cp);
      if (it != simple_.end()) it->second = kNeedsOpencc;
    }
    phrase_starts_ = std::move(starts);
    fast_path_ = true;
  }

  static uint64_t pair_key(char32_t a, char32_t b) { return (uint64_t{a} << 32) | b; }

  // The per-character conversion of the Han run at [from, to) of `text` into `out`, or
  // false when the run needs OpenCC (see build_fast_path()).
  bool convert_simply(std::string_view text, const std::vector<size_t>& starts, size_t to,
                      std::string& out) const {
    if (!fast_path_) return false;
    out.clear();
    char32_t prev = 0;
    for (size_t k = 0; k < starts.size(); ++k) {
      size_t len = (k + 1 < starts.size() ? starts[k + 1] : to) - starts[k];
      size_t l = 1;
      char32_t cp = decode_utf8_at(text, starts[k], l);
      if (k > 0 && phrase_starts_.count(pair_key(prev, cp)) != 0) return false;
      prev = cp;
      if (cp < kConvertibleLimit && convertible_[cp]) {
        auto it = simple_.find(cp);
        if (it == simple_.end() || it->second == kNeedsOpencc) return false;
        append_cp(out, it->second);
      } else {
        out.append(text.substr(starts[k], len));
      }
    }
    return true;
  }

  bool no_boundary_before(char32_t cp) const {
    if (cp < 0x10000) return bmp_[cp] == kNoBoundaryBefore;
    return cp != kInvalidCodePoint && !nfkc_cf_->hasBoundaryBefore(static_cast<UChar32>(cp));
  }

  static void note(std::vector<uint32_t>* offs, size_t bytes, size_t src) {
    if (offs != nullptr) offs->insert(offs->end(), bytes, static_cast<uint32_t>(src));
  }

  void run(std::string_view s, std::string& out, std::vector<uint32_t>* offs) const {
    out.clear();
    out.reserve(s.size() + s.size() / 8);
    if (offs != nullptr) offs->reserve(s.size() + s.size() / 8 + 1);
    bool has_convertible = false;
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
      auto b = static_cast<unsigned char>(s[i]);
      // ASCII followed by ASCII (or the end): fold case without ICU.
      if (b < 0x80 && (i + 1 >= n || static_cast<unsigned char>(s[i + 1]) < 0x80)) {
        out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
        note(offs, 1, i);
        ++i;
        continue;
      }
      size_t len = 1;
      char32_t cp = decode_utf8_at(s, i, len);
      if (cp == kInvalidCodePoint) {
        out += "\xEF\xBF\xBD";
        note(offs, 3, i);
        ++i;
        continue;
      }
      size_t next_len = 1;
      char32_t next = i + len < n ? decode_utf8_at(s, i + len, next_len) : 0;
      if (!no_boundary_before(cp) && !no_boundary_before(next)) {
        size_t before = out.size();
        if (cp < 0x10000) {
          uint32_t e = bmp_[cp];
          if (e == kIdentity) {
            out.append(s.data() + i, len);
          } else {
            out.append(pool_.data() + (e >> 4), e & 0xF);
          }
        } else if (nfkc_cf_->isInert(static_cast<UChar32>(cp))) {
          out.append(s.data() + i, len);
        } else {
          slow(s.substr(i, len), out);
        }
        if (cp < kConvertibleLimit && convertible_[cp]) has_convertible = true;
        note(offs, out.size() - before, i);
        i += len;
        continue;
      }
      // A composing sequence: from here to the next character that starts a new one.
      size_t k = i + len;
      while (k < n) {
        size_t l = 1;
        char32_t c = decode_utf8_at(s, k, l);
        if (c == kInvalidCodePoint || !no_boundary_before(c)) break;
        k += l;
      }
      size_t before = out.size();
      slow(s.substr(i, k - i), out);
      note(offs, out.size() - before, i);
      has_convertible = true;  // rare; let the OpenCC pass look
      i = k;
    }
    if (has_convertible) convert_han_runs(out, offs);
  }

  void slow(std::string_view piece, std::string& out) const {
    UErrorCode ec = U_ZERO_ERROR;
    icu::UnicodeString in = icu::UnicodeString::fromUTF8(
        icu::StringPiece(piece.data(), static_cast<int32_t>(piece.size())));
    icu::UnicodeString mapped = nfkc_cf_->normalize(in, ec);
    if (U_FAILURE(ec)) {
      out.append(piece);
      return;
    }
    mapped.toUTF8String(out);
  }

  // Replaces each Han run that holds a convertible character by OpenCC's conversion,
  // keeping the run unchanged if the conversion changed its number of characters.
  void convert_han_runs(std::string& text, std::vector<uint32_t>* offs) const {
    std::string out;
    std::vector<uint32_t> new_offs;
    out.reserve(text.size());
    if (offs != nullptr) new_offs.reserve(offs->size());
    size_t copied = 0;  // text[0, copied) is already in out
    auto copy_to = [&](size_t end) {
      out.append(text, copied, end - copied);
      if (offs != nullptr) new_offs.insert(new_offs.end(), offs->begin() + static_cast<ptrdiff_t>(copied), offs->begin() + static_cast<ptrdiff_t>(end));
      copied = end;
    };
    size_t i = 0;
    const size_t n = text.size();
    std::vector<size_t> starts;
    while (i < n) {
      size_t len = 1;
      char32_t cp = decode_utf8_at(text, i, len);
      if (!is_han(cp)) {
        i += len;
        continue;
      }
      size_t run_start = i;
      bool convertible = false;
      starts.clear();
      while (i < n) {
        cp = decode_utf8_at(text, i, len);
        if (!is_han(cp)) break;
        starts.push_back(i);
        if (cp < kConvertibleLimit && convertible_[cp]) convertible = true;
        i += len;
      }
      if (!convertible) continue;
      std::string conv;
      if (!convert_simply(text, starts, i, conv)) {
        conv = cc_->convert(std::string_view(text).substr(run_start, i - run_start));
      }
      std::vector<char32_t> conv_cps;
      std::vector<uint32_t> conv_offs;
      decode_utf8(conv, conv_cps, conv_offs);
      if (conv_cps.size() != starts.size()) continue;  // keep offsets exact
      copy_to(run_start);
      out += conv;
      if (offs != nullptr) {
        for (size_t k = 0; k < conv_cps.size(); ++k) {
          new_offs.insert(new_offs.end(), conv_offs[k + 1] - conv_offs[k], (*offs)[starts[k]]);
        }
      }
      copied = i;
    }
    if (copied == 0) return;
    copy_to(n);
    text.swap(out);
    if (offs != nullptr) offs->swap(new_offs);
  }

  const icu::Normalizer2* nfkc_cf_;
  std::unique_ptr<Opencc> cc_;
  std::vector<uint32_t> bmp_;
  std::string pool_;
  std::vector<bool> convertible_;
  std::unordered_map<char32_t, char32_t> simple_;  // convertible character -> OpenCC's result alone
  std::unordered_set<uint64_t> phrase_starts_;     // first two characters of OpenCC's phrases
  bool fast_path_ = false;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_normalizer() { return make_normalizer(NormalizerOptions{}); }

Result<std::unique_ptr<Normalizer>> make_normalizer(const NormalizerOptions& options) {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(ec);
  if (U_FAILURE(ec) || nfkc_cf == nullptr) {
    return make_error(ErrorCode::kUnavailable,
                      std::string("ICU NFKC_Casefold data unavailable: ") + u_errorName(ec));
  }
  opencc_t h = opencc_open(kOpenccConfig);
  if (h == reinterpret_cast<opencc_t>(-1)) {
    return make_error(ErrorCode::kUnavailable,
                      std::string("OpenCC cannot open ") + kOpenccConfig + ": " + opencc_error() +
                          " (install libopencc1.1 / libopencc-data)");
  }
  return std::unique_ptr<Normalizer>(new IcuOpenccNormalizer(nfkc_cf, std::make_unique<Opencc>(h), options.opencc_fast_path));
}

}  // namespace wenku::text
