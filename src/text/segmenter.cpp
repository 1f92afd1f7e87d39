// jieba's algorithm in C++: a word DAG over the dictionary, the most probable path, and the
// HMM for runs of characters the dictionary does not join; Latin words, numbers and dates
// are found by rules before the dictionary sees the text.
#include "text/segmenter.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <limits>

#include "text/hmm.h"
#include "text/jieba_data.h"
#include "text/utf8_scan.h"

namespace wenku::text {

namespace {

// Input is cut into pieces of about this size (at a safe boundary) so that a huge line
// needs bounded scratch memory and offsets fit in 32 bits.
constexpr size_t kPieceBytes = 1 << 20;
// segment_fine() splits dictionary words of at least this many characters.
constexpr size_t kFineMinLength = 4;
constexpr size_t kMaxFineLength = 64;

bool is_space(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF || c < 0x20 || c == 0x7F ||
         c == kInvalidCodePoint;
}
bool is_digit(char32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }
bool is_ascii_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xFF21 && c <= 0xFF3A) ||
         (c >= 0xFF41 && c <= 0xFF5A);
}
bool is_letter(char32_t c) {
  if (c < 0x80 || (c >= 0xFF00 && c <= 0xFFEF)) return is_ascii_letter(c);
  return !is_han(c) && u_isalnum(static_cast<UChar32>(c));
}
bool is_mark(char32_t c) {
  if (c < 0x300) return false;
  if (c == 0xFE0F || c == 0xFE0E || c == 0x200D || (c >= 0x1F3FB && c <= 0x1F3FF)) return true;
  int8_t t = u_charType(static_cast<UChar32>(c));
  return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}
// Characters of Chinese numbers as they appear in dates (二○○一年, 三十一日).
bool is_cn_numeral(char32_t c) {
  switch (c) {
    case 0x3007: case 0x25CB: case U'零': case U'一': case U'二': case U'三': case U'四':
    case U'五': case U'六': case U'七': case U'八': case U'九': case U'十':
      return true;
    default:
      return false;
  }
}
bool is_date_unit(char32_t c) { return c == U'年' || c == U'月' || c == U'日' || c == U'号'; }
// Units written after an Arabic number as part of it (2019年, 3.5亿, 10时).
bool is_number_unit(char32_t c) {
  return is_date_unit(c) || c == U'时' || c == U'分' || c == U'秒' || c == U'万' || c == U'亿';
}
bool is_decimal_sep(char32_t c) {
  return c == '.' || c == 0xFF0E || c == ':' || c == 0xFF1A || c == '/' || c == 0xFF0F ||
         c == '-' || c == ',';
}

struct Scratch {
  std::vector<char32_t> cps;
  std::vector<uint32_t> offs;
  std::vector<double> best;
  std::vector<uint32_t> next;
  std::vector<size_t> ends;
};

class JiebaSegmenter final : public Segmenter {
 public:
  JiebaSegmenter(WordDictionary dict, WordHmm hmm) : dict_(std::move(dict)), hmm_(std::move(hmm)) {}

  std::vector<Token> segment(std::string_view utf8, SegmentMode mode) const override {
    return segment_impl(utf8, mode, false);
  }

  std::vector<Token> segment_fine(std::string_view utf8) const override {
    return segment_impl(utf8, SegmentMode::kQuery, true);
  }

 private:
  std::vector<Token> segment_impl(std::string_view utf8, SegmentMode mode, bool fine) const {
    std::vector<Token> out;
    out.reserve(utf8.size() / 4 + 1);
    Scratch s;
    size_t base = 0;
    while (base < utf8.size()) {
      size_t end = piece_end(utf8, base);
      segment_piece(utf8.substr(base, end - base), base, mode, fine, s, out);
      base = end;
    }
    return out;
  }


  // The end of the piece starting at `base`: the whole rest when small, else a cut after
  // a newline or space (or at least at a code-point boundary) near kPieceBytes.
  static size_t piece_end(std::string_view s, size_t base) {
    if (s.size() - base <= kPieceBytes) return s.size();
    size_t limit = base + kPieceBytes;
    for (size_t k = limit; k > limit - 4096; --k) {
      char c = s[k - 1];
      if (c == '\n' || c == ' ' || c == '\t') return k;
    }
    size_t k = limit;
    while (k > base + 1 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
    return k;
  }

  void emit(std::string_view text, size_t base, const Scratch& s, size_t i, size_t j,
            std::vector<Token>& out) const {
    out.push_back(Token{text.substr(s.offs[i], s.offs[j] - s.offs[i]), base + s.offs[i]});
  }

  // End of a Chinese-number date starting at `i` (二○○一年, 十二月, 二００一年), or 0.
  static size_t date_end(const Scratch& s, size_t i, size_t n) {
    if (!is_cn_numeral(s.cps[i])) return 0;
    size_t m = i;
    while (m < n && (is_cn_numeral(s.cps[m]) || is_digit(s.cps[m]))) ++m;
    if (m - i >= 2 && m < n && is_date_unit(s.cps[m])) return m + 1;
    return 0;
  }

  bool is_word2(char32_t a, char32_t b) const {
    float logp = 0;
    return dict_.probe(word_hash_step(word_hash_step(kWordHashSeed, a), b), logp) ==
           WordDictionary::Probe::kWord;
  }

  // A Latin word, a number (3.14, 2019-07-18, 1,000, 50%) with its unit (2019年, 3亿).
  size_t alnum_end(const Scratch& s, size_t i, size_t n) const {
    const auto& c = s.cps;
    size_t j = i;
    bool last_digit = false;
    while (j < n) {
      if (is_digit(c[j]) || is_letter(c[j])) {
        last_digit = is_digit(c[j]);
        ++j;
      } else if (j > i && is_mark(c[j])) {
        ++j;
      } else if (last_digit && j + 1 < n && is_decimal_sep(c[j]) && is_digit(c[j + 1])) {
        j += 1;
      } else {
        break;
      }
    }
    if (j >= n) return j;
    if (last_digit) {
      if (c[j] == '%' || c[j] == 0xFF05 || c[j] == 0x2030) return j + 1;
      // A unit joins the number unless it starts a word with what follows (3分钟, 5年级).
      if (is_number_unit(c[j]) && !(j + 1 < n && is_word2(c[j], c[j + 1]))) {
        bool myriad = c[j] == U'万' || c[j] == U'亿';
        ++j;
        if (myriad && j < n && c[j] == U'亿') ++j;
      }
      return j;
    }
    // C++, C#, F#: short names that keep their sign.
    if (j - i <= 2) {
      if (c[j] == '#') return j + 1;
      if (c[j] == '+' && j + 1 < n && c[j + 1] == '+') return j + 2;
    }
    return j;
  }

  void segment_piece(std::string_view text, size_t base, SegmentMode mode, bool fine, Scratch& s,
                     std::vector<Token>& out) const {
    decode_utf8(text, s.cps, s.offs);
    const size_t n = s.cps.size();
    size_t i = 0;
    while (i < n) {
      char32_t c = s.cps[i];
      if (is_space(c)) {
        ++i;
        continue;
      }
      if (size_t d = date_end(s, i, n); d != 0) {
        emit(text, base, s, i, d, out);
        i = d;
        continue;
      }
      if (is_han(c)) {
        size_t j = i + 1;
        while (j < n && is_han(s.cps[j]) && date_end(s, j, n) == 0) ++j;
        cut_han(text, base, i, j, mode, fine, s, out);
        i = j;
        continue;
      }
      if (is_digit(c) || is_letter(c)) {
        size_t j = alnum_end(s, i, n);
        emit(text, base, s, i, j, out);
        i = j;
        continue;
      }
      // Punctuation and symbols: a run of the same one (——, ……) is one token, and so is a
      // symbol with its modifiers (emoji with skin tone, variation selector or ZWJ).
      size_t j = i + 1;
      while (j < n && (s.cps[j] == c || is_mark(s.cps[j]) || (s.cps[j - 1] == 0x200D && !is_space(s.cps[j])))) {
        ++j;
      }
      emit(text, base, s, i, j, out);
      i = j;
    }
  }

  // Segments the Han run cps[b, e): jieba's DAG and route, then its HMM over runs of
  // single characters.
  void cut_han(std::string_view text, size_t base, size_t b, size_t e, SegmentMode mode,
               bool fine, Scratch& s, std::vector<Token>& out) const {
    const size_t n = e - b;
    const char32_t* cp = s.cps.data() + b;
    s.best.resize(n + 1);
    s.next.resize(n);
    s.best[n] = 0;
    const size_t max_len = dict_.max_word_length();
    for (size_t k = n; k-- > 0;) {
      uint64_t h = kWordHashSeed;
      double best = -std::numeric_limits<double>::infinity();
      size_t best_end = 0;
      size_t limit = std::min(n, k + max_len);
      for (size_t x = k; x < limit; ++x) {
        h = word_hash_step(h, cp[x]);
        float logp = 0;
        auto r = x == k ? dict_.probe_char(cp[x], h, logp) : dict_.probe(h, logp);
        if (r == WordDictionary::Probe::kAbsent) break;
        if (r == WordDictionary::Probe::kWord) {
          double cand = logp + s.best[x + 1];
          if (cand >= best) {  // ties go to the longer word, as in jieba
            best = cand;
            best_end = x + 1;
          }
        }
      }
      if (best_end == 0) {
        best = dict_.unknown_logp() + s.best[k + 1];
        best_end = k + 1;
      }
      s.best[k] = best;
      s.next[k] = static_cast<uint32_t>(best_end);
    }
    auto word = [&](size_t x, size_t y) {
      if (mode == SegmentMode::kIndex && y - x > 2) add_sub_words(text, base, b, x, y, s, out);
      if (fine && y - x >= kFineMinLength && emit_fine_split(text, base, b, x, y, s, out)) return;
      emit(text, base, s, b + x, b + y, out);
    };
    // Consecutive single characters: one character stays; a run that is itself a word
    // stays as characters; any other run goes to the HMM, which finds unknown words.
    auto flush = [&](size_t x, size_t y) {
      if (y - x == 1) {
        word(x, y);
        return;
      }
      uint64_t h = kWordHashSeed;
      for (size_t k = x; k < y; ++k) h = word_hash_step(h, cp[k]);
      float logp = 0;
      if (dict_.probe(h, logp) == WordDictionary::Probe::kWord) {
        for (size_t k = x; k < y; ++k) word(k, k + 1);
        return;
      }
      hmm_.cut(cp + x, y - x, s.ends);
      size_t start = x;
      for (size_t end : s.ends) {
        word(start, x + end);
        start = x + end;
      }
    };
    size_t x = 0;
    size_t buf = SIZE_MAX;
    while (x < n) {
      size_t y = s.next[x];
      if (y - x == 1) {
        if (buf == SIZE_MAX) buf = x;
      } else {
        if (buf != SIZE_MAX) flush(buf, x);
        buf = SIZE_MAX;
        word(x, y);
      }
      x = y;
    }
    if (buf != SIZE_MAX) flush(buf, n);
  }

  // Splits the word cp[x, y) into the most probable sequence of shorter dictionary words
  // of two or more characters, when there is one; returns false (emitting nothing) if not.
  bool emit_fine_split(std::string_view text, size_t base, size_t b, size_t x, size_t y,
                       const Scratch& s, std::vector<Token>& out) const {
    const char32_t* cp = s.cps.data() + b;
    const size_t n = y - x;
    double best[kMaxFineLength + 1];
    size_t next[kMaxFineLength + 1] = {};
    if (n > kMaxFineLength) return false;
    best[n] = 0;
    for (size_t k = n; k-- > 0;) {
      best[k] = -std::numeric_limits<double>::infinity();
      next[k] = 0;
      uint64_t h = word_hash_step(kWordHashSeed, cp[x + k]);
      for (size_t m = k + 1; m < n; ++m) {
        h = word_hash_step(h, cp[x + m]);
        if (k == 0 && m + 1 == n) break;  // the whole word itself
        float logp = 0;
        auto r = dict_.probe(h, logp);
        if (r == WordDictionary::Probe::kAbsent) break;
        if (r == WordDictionary::Probe::kWord && best[m + 1] > -std::numeric_limits<double>::infinity() &&
            logp + best[m + 1] > best[k]) {
          best[k] = logp + best[m + 1];
          next[k] = m + 1;
        }
      }
    }
    if (next[0] == 0) return false;
    for (size_t k = 0; k < n; k = next[k]) emit(text, base, s, b + x + k, b + x + next[k], out);
    return true;
  }

  // jieba's search mode: the dictionary words of two and three characters inside a longer
  // word, emitted before it.
  void add_sub_words(std::string_view text, size_t base, size_t b, size_t x, size_t y,
                     const Scratch& s, std::vector<Token>& out) const {
    const char32_t* cp = s.cps.data() + b;
    for (size_t len = 2; len <= 3 && len < y - x; ++len) {
      for (size_t k = x; k + len <= y; ++k) {
        uint64_t h = kWordHashSeed;
        for (size_t m = k; m < k + len; ++m) h = word_hash_step(h, cp[m]);
        float logp = 0;
        if (dict_.probe(h, logp) == WordDictionary::Probe::kWord) emit(text, base, s, b + k, b + k + len, out);
      }
    }
  }

  WordDictionary dict_;
  WordHmm hmm_;
};

}  // namespace

Result<std::unique_ptr<Segmenter>> make_segmenter(const std::filesystem::path& jieba_dir) {
  WENKU_ASSIGN_OR_RETURN(std::string dict_txt, read_data_file(jieba_dir / "dict.txt"));
  WENKU_ASSIGN_OR_RETURN(WordDictionary dict, WordDictionary::parse(dict_txt));
  WENKU_ASSIGN_OR_RETURN(WordHmm hmm, WordHmm::load(jieba_dir / "finalseg"));
  return std::unique_ptr<Segmenter>(new JiebaSegmenter(std::move(dict), std::move(hmm)));
}

Result<std::unique_ptr<Segmenter>> make_segmenter() {
  WENKU_ASSIGN_OR_RETURN(std::filesystem::path dir, find_jieba_dir());
  return make_segmenter(dir);
}

}  // namespace wenku::text
