// Page matching and snippet highlighting over aligned (original, normalised) page texts.
#include "index/snippet.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"
#include "index/analyzer.h"

namespace wenku::index {
namespace {

constexpr size_t kMaxHitsPerTerm = 2000;  // enough to rank a page, bounded for huge pages
constexpr size_t kMaxPagesListed = 50;
constexpr size_t kLeadChars = 24;  // context shown before the first match

struct Hit {
  size_t pos, len;
  size_t term;
};

bool is_word_char(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Every occurrence of each term in `text`; Latin and numeric terms only on word boundaries
// so "ai" does not light up inside "said".
std::vector<Hit> find_hits(const std::u32string& text, const std::vector<std::u32string>& terms) {
  std::vector<Hit> hits;
  for (size_t t = 0; t < terms.size(); ++t) {
    const std::u32string& term = terms[t];
    if (term.empty()) continue;
    bool wordy_front = is_word_char(term.front());
    bool wordy_back = is_word_char(term.back());
    size_t found = 0;
    for (size_t p = text.find(term); p != std::u32string::npos && found < kMaxHitsPerTerm;
         p = text.find(term, p + 1)) {
      if (wordy_front && p > 0 && is_word_char(text[p - 1])) continue;
      size_t e = p + term.size();
      if (wordy_back && e < text.size() && is_word_char(text[e])) continue;
      hits.push_back({p, term.size(), t});
      ++found;
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.pos != b.pos ? a.pos < b.pos : a.len > b.len;
  });
  return hits;
}

// Longer terms say more: weight a distinct matched term by its length, capped.
double term_weight(const std::u32string& term) {
  return static_cast<double>(std::min<size_t>(term.size(), 4));
}

double page_score(const std::vector<Hit>& hits, const std::vector<std::u32string>& terms) {
  std::vector<size_t> count(terms.size(), 0);
  for (const Hit& h : hits) ++count[h.term];
  double s = 0;
  for (size_t t = 0; t < terms.size(); ++t) {
    if (count[t] > 0) s += term_weight(terms[t]) * (1.0 + 0.2 * std::log(static_cast<double>(count[t])));
  }
  return s;
}

void append_escaped(std::string& out, std::u32string_view s) {
  std::string utf8;
  for (char32_t c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    append_utf8(utf8, c);
  }
  out += html_escape(utf8);
}

std::string render(const std::u32string& original, const std::vector<Hit>& hits, size_t start,
                   size_t end) {
  std::string out;
  if (start > 0) out += "…";
  size_t at = start;
  for (const Hit& h : hits) {
    if (h.pos < at || h.pos >= end) continue;  // overlaps an earlier mark, or outside
    size_t e = std::min(end, h.pos + h.len);
    append_escaped(out, std::u32string_view(original).substr(at, h.pos - at));
    out += "<em>";
    append_escaped(out, std::u32string_view(original).substr(h.pos, e - h.pos));
    out += "</em>";
    at = e;
  }
  append_escaped(out, std::u32string_view(original).substr(at, end - at));
  if (end < original.size()) out += "…";
  return out;
}

std::string best_window(const std::u32string& original, const std::vector<Hit>& hits,
                        const std::vector<std::u32string>& terms, size_t max_chars) {
  // Slide a window of max_chars over the hits; keep the one covering the most weight of
  // distinct terms (then the most hits).
  size_t best_i = 0;
  double best_w = -1;
  size_t best_n = 0;
  std::vector<size_t> in_window(terms.size(), 0);
  double w = 0;
  size_t j = 0;
  size_t window = std::max<size_t>(max_chars * 2 / 3, 1);
  for (size_t i = 0; i < hits.size(); ++i) {
    while (j < hits.size() && hits[j].pos + hits[j].len <= hits[i].pos + window) {
      if (in_window[hits[j].term]++ == 0) w += term_weight(terms[hits[j].term]);
      ++j;
    }
    if (w > best_w || (w == best_w && j - i > best_n)) {
      best_w = w;
      best_n = j - i;
      best_i = i;
    }
    if (--in_window[hits[i].term] == 0) w -= term_weight(terms[hits[i].term]);
  }
  size_t first = hits.empty() ? 0 : hits[best_i].pos;
  size_t start = first > kLeadChars ? first - kLeadChars : 0;
  // Start at a sentence boundary when one is close before the match.
  for (size_t k = first; k > start; --k) {
    char32_t c = original[k - 1];
    if (c == U'。' || c == U'！' || c == U'？' || c == U'\n' || c == U'；') {
      start = k;
      break;
    }
  }
  size_t end = std::min(original.size(), start + max_chars);
  return render(original, hits, start, end);
}

}  // namespace

PageMatch match_pages(const std::vector<PageText>& pages, const std::vector<std::string>& terms,
                      size_t max_chars) {
  PageMatch out;
  std::vector<std::u32string> uterms;
  for (const std::string& t : terms) {
    std::u32string u;
    for (char32_t c : utf8_to_u32(t)) {
      if (c != ' ') u += c;  // a phrase typed with spaces matches the unspaced text
    }
    uterms.push_back(std::move(u));
  }
  std::vector<std::pair<double, int>> scored;
  size_t best = pages.size();
  double best_score = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    std::u32string aligned = utf8_to_u32(pages[i].aligned);
    std::vector<Hit> hits = find_hits(aligned, uterms);
    if (hits.empty()) continue;
    double s = page_score(hits, uterms);
    scored.emplace_back(s, pages[i].page);
    if (s > best_score) {
      best_score = s;
      best = i;
    }
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (size_t i = 0; i < scored.size() && i < kMaxPagesListed; ++i) out.pages.push_back(scored[i].second);
  if (best < pages.size()) {
    std::u32string original = utf8_to_u32(pages[best].original);
    std::u32string aligned = utf8_to_u32(pages[best].aligned);
    if (original.size() == aligned.size()) {
      out.snippet = best_window(original, find_hits(aligned, uterms), uterms, max_chars);
      return out;
    }
  }
  if (!pages.empty()) {
    std::u32string original = utf8_to_u32(pages.front().original);
    out.snippet = render(original, {}, 0, std::min(original.size(), max_chars));
  }
  return out;
}

}  // namespace wenku::index
