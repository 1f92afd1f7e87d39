// Loads jieba's HMM tables from their Python-literal files and runs the Viterbi search.
#include "text/hmm.h"

#include <cstdlib>
#include <string>

#include "text/jieba_data.h"

namespace wenku::text {

namespace {

constexpr double kMinLogp = -3.14e100;  // jieba's MIN_FLOAT
constexpr int kB = 0, kM = 1, kE = 2, kS = 3;

int state_index(char c) {
  switch (c) {
    case 'B': return kB;
    case 'M': return kM;
    case 'E': return kE;
    case 'S': return kS;
    default: return -1;
  }
}

// A tiny reader for the literals in prob_*.py: nested dicts of quoted keys to floats.
class LiteralReader {
 public:
  explicit LiteralReader(std::string_view s) : s_(s) {}

  // Next quoted string (handles \uXXXX escapes and literal UTF-8); false at the end.
  bool next_string(std::u32string& out) {
    size_t q = s_.find('\'', pos_);
    if (q == std::string_view::npos) return false;
    size_t i = q + 1;
    out.clear();
    while (i < s_.size() && s_[i] != '\'') {
      if (s_[i] == '\\' && i + 1 < s_.size() && s_[i + 1] == 'u' && i + 6 <= s_.size()) {
        out.push_back(static_cast<char32_t>(std::strtoul(std::string(s_.substr(i + 2, 4)).c_str(), nullptr, 16)));
        i += 6;
      } else {
        // Literal UTF-8: decode one code point.
        auto b = static_cast<unsigned char>(s_[i]);
        size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        char32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
        for (size_t k = 1; k < len && i + k < s_.size(); ++k) cp = (cp << 6) | (s_[i + k] & 0x3F);
        out.push_back(cp);
        i += len;
      }
    }
    pos_ = i + 1;
    return true;
  }
  // The character after the last string, skipping spaces and ':' (either '{' or a number).
  char peek_value() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == ':' || s_[pos_] == '\n')) ++pos_;
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  double number() {
    const char* begin = s_.data() + pos_;
    char* end = nullptr;
    double v = std::strtod(begin, &end);
    pos_ += static_cast<size_t>(end - begin);
    return v;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Result<std::string> read_table(const std::filesystem::path& dir, const char* name) {
  auto r = read_data_file(dir / name);
  if (!r) {
    return make_error(ErrorCode::kUnavailable, "jieba HMM table missing: " + (dir / name).string() +
                                                   " (install python3-jieba)");
  }
  return r;
}

}  // namespace

Result<WordHmm> WordHmm::load(const std::filesystem::path& finalseg_dir) {
  WordHmm hmm;
  hmm.unseen_.fill(kMinLogp);
  for (auto& row : hmm.trans_) row.fill(kMinLogp);
  hmm.start_.fill(kMinLogp);
  hmm.dense_.assign(kDenseLast - kDenseFirst + 1, hmm.unseen_);
  std::u32string key;

  WENKU_ASSIGN_OR_RETURN(std::string start, read_table(finalseg_dir, "prob_start.py"));
  {
    LiteralReader r(start);
    int n = 0;
    while (r.next_string(key)) {
      if (key.size() != 1 || state_index(static_cast<char>(key[0])) < 0) continue;
      hmm.start_[state_index(static_cast<char>(key[0]))] = r.number();
      ++n;
    }
    if (n != 4) return make_error(ErrorCode::kCorrupt, "jieba prob_start.py: expected 4 states");
  }
  WENKU_ASSIGN_OR_RETURN(std::string trans, read_table(finalseg_dir, "prob_trans.py"));
  {
    LiteralReader r(trans);
    int from = -1;
    int n = 0;
    while (r.next_string(key)) {
      int st = key.size() == 1 ? state_index(static_cast<char>(key[0])) : -1;
      if (st < 0) return make_error(ErrorCode::kCorrupt, "jieba prob_trans.py: unknown state");
      if (r.peek_value() == '{') {
        from = st;
      } else if (from >= 0) {
        hmm.trans_[from][st] = r.number();
        ++n;
      }
    }
    if (n < 4) return make_error(ErrorCode::kCorrupt, "jieba prob_trans.py: too few transitions");
  }
  WENKU_ASSIGN_OR_RETURN(std::string emit, read_table(finalseg_dir, "prob_emit.py"));
  {
    LiteralReader r(emit);
    int state = -1;
    size_t n = 0;
    while (r.next_string(key)) {
      if (r.peek_value() == '{') {
        state = key.size() == 1 ? state_index(static_cast<char>(key[0])) : -1;
        continue;
      }
      if (state < 0 || key.size() != 1) continue;
      double v = r.number();
      char32_t cp = key[0];
      if (cp >= kDenseFirst && cp <= kDenseLast) {
        hmm.dense_[cp - kDenseFirst][state] = v;
      } else {
        auto it = hmm.sparse_.try_emplace(cp, hmm.unseen_).first;
        it->second[state] = v;
      }
      ++n;
    }
    if (n < 1000) return make_error(ErrorCode::kCorrupt, "jieba prob_emit.py: too few entries");
  }
  return hmm;
}

const WordHmm::Row& WordHmm::emit(char32_t cp) const {
  if (cp >= kDenseFirst && cp <= kDenseLast) return dense_[cp - kDenseFirst];
  auto it = sparse_.find(cp);
  return it == sparse_.end() ? unseen_ : it->second;
}

void WordHmm::cut(const char32_t* cps, size_t n, std::vector<size_t>& ends) const {
  ends.clear();
  if (n == 0) return;
  // Each state's possible predecessors, as in jieba's PrevStatus.
  static constexpr int kPrev[4][2] = {{kE, kS}, {kM, kB}, {kB, kM}, {kS, kE}};
  std::vector<std::array<double, 4>> v(n);
  std::vector<std::array<int8_t, 4>> back(n);
  const Row& e0 = emit(cps[0]);
  for (int s = 0; s < 4; ++s) {
    v[0][s] = start_[s] + e0[s];
    back[0][s] = -1;
  }
  for (size_t t = 1; t < n; ++t) {
    const Row& e = emit(cps[t]);
    for (int s = 0; s < 4; ++s) {
      int p0 = kPrev[s][0], p1 = kPrev[s][1];
      double a = v[t - 1][p0] + trans_[p0][s];
      double b = v[t - 1][p1] + trans_[p1][s];
      // jieba's max over (prob, state) tuples breaks ties by the larger state letter.
      bool take_a = a > b || (a == b && "BMES"[p0] > "BMES"[p1]);
      v[t][s] = (take_a ? a : b) + e[s];
      back[t][s] = static_cast<int8_t>(take_a ? p0 : p1);
    }
  }
  int state = v[n - 1][kE] >= v[n - 1][kS] ? kE : kS;
  if (v[n - 1][kE] == v[n - 1][kS]) state = kS;  // tie: 'S' > 'E' in jieba's max
  std::vector<int8_t> path(n);
  for (size_t t = n; t-- > 0;) {
    path[t] = static_cast<int8_t>(state);
    if (t > 0) state = back[t][state];
  }
  // A word ends after each E or S; a trailing B or M (cannot happen) still ends the run.
  for (size_t t = 0; t < n; ++t) {
    if (path[t] == kE || path[t] == kS) ends.push_back(t + 1);
  }
  if (ends.empty() || ends.back() != n) ends.push_back(n);
}

}  // namespace wenku::text
