// Text analysis for the index: normalisation with alignment, words, CJK bigrams, queries.
#include "index/analyzer.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/strings.h"
#include "text/normalizer.h"
#include "text/segmenter.h"
#include "text/utf8_scan.h"

namespace wenku::index {
namespace {

// Kinds of code points for tokenising grams.
enum class CharKind { kCjk, kWord, kOther };

CharKind kind_of(char32_t c) {
  if (is_cjk(c)) return CharKind::kCjk;
  if (c < 0x80) {
    return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
               ? CharKind::kWord
               : CharKind::kOther;
  }
  return u_isalnum(static_cast<UChar32>(c)) ? CharKind::kWord : CharKind::kOther;
}

// A run of code points of one kind, as [begin, end) indexes into a u32 string.
struct Run {
  size_t begin, end;
  CharKind kind;
};

std::vector<Run> runs_of(const std::u32string& s) {
  std::vector<Run> out;
  size_t i = 0;
  while (i < s.size()) {
    CharKind k = kind_of(s[i]);
    size_t j = i + 1;
    while (j < s.size() && kind_of(s[j]) == k) ++j;
    if (k != CharKind::kOther) out.push_back({i, j, k});
    i = j;
  }
  return out;
}

constexpr size_t kMaxPairs = 8;

// Question and function words: they say how something is asked, not what about.
constexpr std::string_view kStopWords[] = {
    "的", "了", "是", "在", "和", "与", "及", "或", "吗", "呢", "吧", "啊", "呀", "么",
    "什么", "哪", "哪个", "哪些", "哪里", "哪儿", "哪一", "谁", "多少", "几", "如何", "怎么",
    "怎样", "怎么样", "为什么", "为何", "何", "何时", "何处", "请问", "被", "把", "对", "由",
    "于", "为", "以", "之", "其", "这", "那", "这个", "那个", "该", "一个", "个", "也", "都",
    "而", "并", "就", "还", "又", "等", "着", "过", "得", "地", "所", "从", "向", "到", "有",
    "没有", "会", "能", "可以", "要", "a", "the"};

}  // namespace

bool is_cjk(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F) ||
         (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF);
}

bool is_content_token(std::string_view token) {
  // Decoded in place: this runs for every word of every document indexed.
  for (size_t i = 0, len = 1; i < token.size(); i += len) {
    char32_t c = text::decode_utf8_at(token, i, len);
    if (c != text::kInvalidCodePoint && kind_of(c) != CharKind::kOther) return true;
  }
  return false;
}

bool Analyzer::is_stop_word(std::string_view normalized_word) const {
  return std::binary_search(stop_words_.begin(), stop_words_.end(), normalized_word);
}

std::vector<std::string> query_gram_tokens(std::string_view normalized, bool& prefix_last) {
  prefix_last = false;
  std::u32string s = utf8_to_u32(normalized);
  std::vector<Run> runs = runs_of(s);
  // Whitespace typed between two ideographs inside a phrase is not a boundary in the text.
  for (size_t r = 0; r + 1 < runs.size();) {
    bool joinable = runs[r].kind == CharKind::kCjk && runs[r + 1].kind == CharKind::kCjk;
    for (size_t i = runs[r].end; joinable && i < runs[r + 1].begin; ++i) {
      if (s[i] != ' ' && s[i] != '\t' && s[i] != 0x3000) joinable = false;
    }
    if (!joinable) {
      ++r;
      continue;
    }
    s.erase(runs[r].end, runs[r + 1].begin - runs[r].end);
    runs = runs_of(s);
  }
  std::vector<std::string> out;
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    bool last = r + 1 == runs.size();
    if (run.kind != CharKind::kCjk) {
      out.push_back(u32_to_utf8(std::u32string_view(s).substr(run.begin, run.end - run.begin)));
      continue;
    }
    size_t n = run.end - run.begin;
    for (size_t i = run.begin; i + 1 < run.end; ++i) {
      out.push_back(u32_to_utf8(std::u32string_view(s).substr(i, 2)));
    }
    if (n == 1 || !last) out.push_back(u32_to_utf8(std::u32string_view(s).substr(run.end - 1, 1)));
    if (n == 1 && last) prefix_last = true;
  }
  return out;
}

Analyzer::Analyzer(const text::Normalizer& normalizer, const text::Segmenter& segmenter)
    : normalizer_(normalizer), segmenter_(segmenter) {
  for (std::string_view w : kStopWords) {
    stop_words_.push_back(std::string(w));
    stop_words_.push_back(normalizer_.normalize(w));
  }
  std::sort(stop_words_.begin(), stop_words_.end());
  stop_words_.erase(std::unique(stop_words_.begin(), stop_words_.end()), stop_words_.end());
}

std::string Analyzer::normalize(std::string_view s) const { return normalizer_.normalize(s); }

AlignedText Analyzer::normalize_aligned(std::string_view original) const {
  AlignedText out;
  out.normalized.reserve(original.size());
  out.aligned.reserve(original.size());
  size_t start = 0;
  while (start <= original.size()) {
    size_t nl = original.find('\n', start);
    size_t end = nl == std::string_view::npos ? original.size() : nl;
    std::string_view line = original.substr(start, end - start);
    std::string norm = normalizer_.normalize(line);
    out.normalized += norm;
    if (utf8_length(norm) == utf8_length(line)) {
      out.aligned += norm;
    } else {
      // Rare (NFKC expanded or merged something): normalise this line character by
      // character, keeping the original character where one becomes several.
      for (char32_t c : utf8_to_u32(line)) {
        std::string one;
        append_utf8(one, c);
        std::string n1 = normalizer_.normalize(one);
        out.aligned += utf8_length(n1) == 1 ? n1 : one;
      }
    }
    if (nl == std::string_view::npos) break;
    out.normalized += '\n';
    out.aligned += '\n';
    start = nl + 1;
  }
  return out;
}

AnalyzedField Analyzer::analyze_normalized(std::string_view normalized) const {
  AnalyzedField out;
  out.words.reserve(normalized.size() + normalized.size() / 2);
  for (const text::Token& t : segmenter_.segment(normalized, text::SegmentMode::kIndex)) {
    if (!is_content_token(t.text)) continue;
    if (!out.words.empty()) out.words += ' ';
    out.words.append(t.text);
    out.word_spans.push_back(static_cast<uint32_t>(t.offset));
    out.word_spans.push_back(static_cast<uint32_t>(t.text.size()));
  }
  add_grams(normalized, out);
  return out;
}

void add_grams(std::string_view normalized, AnalyzedField& out) {
  // Tokens are copied as bytes from the text (code point i spans offsets[i]..offsets[i+1]):
  // decoding to code points and encoding them again was a tenth of the indexing CPU.
  thread_local std::vector<char32_t> cps;
  thread_local std::vector<uint32_t> offsets;
  text::decode_utf8(normalized, cps, offsets);
  out.grams.clear();
  out.chars.clear();
  out.grams.reserve(normalized.size() * 3);
  out.chars.reserve(normalized.size() + normalized.size() / 3);
  auto bytes = [&](size_t from, size_t to) { return normalized.substr(offsets[from], offsets[to] - offsets[from]); };
  auto add = [&](size_t from, size_t to) {
    if (!out.grams.empty()) out.grams += ' ';
    out.grams.append(bytes(from, to));
  };
  size_t i = 0;
  while (i < cps.size()) {
    CharKind k = kind_of(cps[i]);
    size_t j = i + 1;
    while (j < cps.size() && kind_of(cps[j]) == k) ++j;
    if (k == CharKind::kWord) {
      add(i, j);
    } else if (k == CharKind::kCjk) {
      for (size_t c = i; c + 1 < j; ++c) add(c, c + 2);
      add(j - 1, j);
      for (size_t c = i; c < j; ++c) {
        if (!out.chars.empty()) out.chars += ' ';
        out.chars.append(bytes(c, c + 1));
      }
    }
    i = j;
  }
}

std::vector<std::string> Analyzer::query_words(std::string_view normalized) const {
  std::vector<std::string> out;
  for (const text::Token& t : segmenter_.segment(normalized, text::SegmentMode::kQuery)) {
    if (is_content_token(t.text)) out.emplace_back(t.text);
  }
  return out;
}

std::vector<std::string> Analyzer::sub_words(std::string_view normalized_word) const {
  std::vector<std::string> out;
  for (const text::Token& t : segmenter_.segment_fine(normalized_word)) {
    if (is_content_token(t.text)) out.emplace_back(t.text);
  }
  if (out.size() < 2) out.clear();
  return out;
}

ParsedQuery Analyzer::parse_query(std::string_view query) const {
  ParsedQuery out;
  std::string norm = normalizer_.normalize(query);
  // Quotes may arrive as full-width or curly forms; NFKC keeps curly quotes, so map them.
  std::string q;
  q.reserve(norm.size());
  for (char32_t c : utf8_to_u32(norm)) {
    if (c == 0x201C || c == 0x201D || c == 0x300C || c == 0x300D) c = '"';
    append_utf8(q, c);
  }
  std::vector<QueryTerm> plain;  // kept apart so stop words can be dropped from them only
  std::vector<QueryTerm> plain_stop;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && (q[i] == ' ' || q[i] == '\t')) ++i;
    if (i >= q.size()) break;
    bool negate = false;
    if (q[i] == '-' && i + 1 < q.size() && q[i + 1] != ' ') {
      negate = true;
      ++i;
    }
    std::string chunk;
    bool quoted = false;
    if (q[i] == '"') {
      size_t close = q.find('"', i + 1);
      if (close == std::string::npos) close = q.size();
      chunk = q.substr(i + 1, close - i - 1);
      quoted = true;
      i = close + 1;
    } else {
      size_t end = q.find_first_of(" \t\"", i);
      if (end == std::string::npos) end = q.size();
      chunk = q.substr(i, end - i);
      i = end;
    }
    std::vector<std::string> words = query_words(chunk);
    if (words.empty()) continue;
    if (quoted || negate) {
      QueryTerm t{chunk, words, quoted || words.size() > 1};
      if (negate) {
        out.excluded.push_back(std::move(t));
      } else {
        out.highlight.push_back(chunk);
        out.terms.push_back(std::move(t));
      }
      continue;
    }
    for (size_t k = 0; k < words.size(); ++k) {
      bool stop = is_stop_word(words[k]);
      if (!stop && k + 1 < words.size() && !is_stop_word(words[k + 1]) &&
          out.pairs.size() < kMaxPairs) {
        out.pairs.push_back(words[k] + " " + words[k + 1]);
      }
      QueryTerm t{words[k], {words[k]}, false};
      (stop ? plain_stop : plain).push_back(std::move(t));
    }
  }
  out.dropped_words = !plain_stop.empty();
  if (plain.empty() && out.terms.empty()) {
    plain = std::move(plain_stop);
    out.dropped_words = false;
  }
  // The same word twice asks for it once.
  for (QueryTerm& t : plain) {
    bool dup = std::any_of(out.terms.begin(), out.terms.end(),
                           [&](const QueryTerm& o) { return o.text == t.text; });
    if (dup) continue;
    out.highlight.push_back(t.text);
    out.terms.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> Analyzer::related_words(std::string_view source) const {
  // The document's own words: its title and keywords first, then its most frequent body
  // words of two or more characters.
  std::string norm = normalize(source);
  std::vector<std::string> words = query_words(norm);
  size_t title_end = query_words(normalize(source.substr(0, source.find('\n')))).size();
  std::vector<std::string> picked;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < title_end && i < words.size(); ++i) {
    if (utf8_length(words[i]) >= 2 && !is_stop_word(words[i]) && seen.insert(words[i]).second) {
      picked.push_back(words[i]);
    }
  }
  std::unordered_map<std::string, int> freq;
  for (size_t i = title_end; i < words.size(); ++i) {
    if (utf8_length(words[i]) >= 2 && !is_stop_word(words[i])) ++freq[words[i]];
  }
  std::vector<std::pair<int, std::string>> by_freq;
  for (auto& [w, f] : freq) {
    if (f >= 2 && !seen.count(w)) by_freq.emplace_back(f, w);
  }
  std::sort(by_freq.begin(), by_freq.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (size_t i = 0; i < by_freq.size() && picked.size() < 12; ++i) picked.push_back(by_freq[i].second);
  return picked;
}

}  // namespace wenku::index
