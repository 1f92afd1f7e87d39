// Page matching and snippet highlighting over aligned (original, normalised) page texts.
#include "index/snippet.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/strings.h"
#include "index/analyzer.h"

namespace wenku::index {
namespace {

constexpr size_t kMaxHitsPerTerm = 2000;  // enough to rank a page, bounded for huge pages
constexpr size_t kMaxPagesListed = 50;
constexpr size_t kLeadChars = 24;  // context shown before the first match

struct Hit {
  size_t pos, len;  // in code points (or bytes, before conversion)
  size_t term;
};

bool is_word_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Every occurrence of each term in `text`, as byte ranges; Latin and numeric terms only on
// word boundaries so "ai" does not light up inside "said". Byte search keeps huge pages
// cheap: only the chosen window is converted to code points.
std::vector<Hit> find_hits(std::string_view text, const std::vector<std::string>& terms) {
  std::vector<Hit> hits;
  for (size_t t = 0; t < terms.size(); ++t) {
    const std::string& term = terms[t];
    if (term.empty()) continue;
    bool wordy_front = is_word_byte(term.front());
    bool wordy_back = is_word_byte(term.back());
    size_t found = 0;
    // memmem (two-way) rather than find: in CJK UTF-8 almost every byte could start a
    // match, which makes a first-byte scan compare at every character.
    auto next = [&](size_t from) -> size_t {
      if (from >= text.size()) return std::string_view::npos;
      const void* at = memmem(text.data() + from, text.size() - from, term.data(), term.size());
      return at ? static_cast<size_t>(static_cast<const char*>(at) - text.data()) : std::string_view::npos;
    };
    for (size_t p = next(0); p != std::string_view::npos && found < kMaxHitsPerTerm; p = next(p + 1)) {
      if (wordy_front && p > 0 && is_word_byte(text[p - 1])) continue;
      size_t e = p + term.size();
      if (wordy_back && e < text.size() && is_word_byte(text[e])) continue;
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
double term_weight(const std::string& term) {
  return static_cast<double>(std::min<size_t>(utf8_length(term), 4));
}

double page_score(const std::vector<Hit>& hits, const std::vector<std::string>& terms) {
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

// Turns the hits' byte ranges in UTF-8 `s` into code point ranges.
void bytes_to_chars(std::string_view s, std::vector<Hit>& hits) {
  size_t byte = 0, chars = 0;
  std::vector<std::pair<size_t, size_t*>> marks;
  for (Hit& x : hits) {
    marks.emplace_back(x.pos, &x.pos);
    marks.emplace_back(x.pos + x.len, &x.len);  // end, converted to a length below
  }
  std::sort(marks.begin(), marks.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [off, ptr] : marks) {
    while (byte < off && byte < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[byte]);
      byte += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      ++chars;
    }
    *ptr = chars;
  }
  for (Hit& x : hits) x.len -= x.pos;  // both now in code points: end - start
}

std::string best_window(std::string_view original, std::string_view aligned, std::vector<Hit> hits,
                        const std::vector<std::string>& terms, size_t max_chars) {
  // Slide a window over the hits (byte offsets in `aligned`); keep the one covering the
  // most weight of distinct terms (then the most hits).
  size_t best_i = 0;
  double best_w = -1;
  size_t best_n = 0;
  std::vector<size_t> in_window(terms.size(), 0);
  double w = 0;
  size_t j = 0;
  size_t window = std::max<size_t>(max_chars * 2, 3);  // bytes: about 2/3 of the chars in CJK
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
    if (j > i && --in_window[hits[i].term] == 0) w -= term_weight(terms[hits[i].term]);
  }
  // Convert the hits near the chosen window to code point positions, which index the
  // original and the aligned text alike.
  size_t from_byte = hits.empty() ? 0 : hits[best_i].pos;
  std::vector<Hit> near;
  for (const Hit& h : hits) {
    if (h.pos >= from_byte && h.pos < from_byte + max_chars * 4) near.push_back(h);
  }
  bytes_to_chars(aligned, near);
  size_t first = near.empty() ? 0 : near.front().pos;
  // Only the stretch around the window is decoded: pages can be hundreds of KB.
  size_t from = first > kLeadChars ? first - kLeadChars : 0;
  size_t byte = 0;
  for (size_t c = 0; c < from && byte < original.size(); ++c) {
    unsigned char b = static_cast<unsigned char>(original[byte]);
    byte += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  }
  std::u32string text = utf8_to_u32(utf8_prefix(original.substr(std::min(byte, original.size())),
                                                kLeadChars + max_chars + 1));
  for (Hit& h : near) h.pos -= std::min(h.pos, from);
  first -= from;
  size_t start = 0;
  // Start at a sentence boundary when one is close before the match.
  for (size_t k = first; k > start && k <= text.size(); --k) {
    char32_t c = text[k - 1];
    if (c == U'。' || c == U'！' || c == U'？' || c == U'\n' || c == U'；') {
      start = k;
      break;
    }
  }
  size_t end = std::min(text.size(), start + max_chars);
  std::string out = render(text, near, start, end);
  if (from > 0 && start == 0) out = "…" + out;
  return out;
}

}  // namespace

PageMatch match_pages(const std::vector<PageText>& pages, const std::vector<std::string>& terms,
                      size_t max_chars) {
  PageMatch out;
  std::vector<std::string> needles;
  for (const std::string& t : terms) {
    std::string u;
    for (char c : t) {
      if (c != ' ') u += c;  // a phrase typed with spaces matches the unspaced text
    }
    needles.push_back(std::move(u));
  }
  std::vector<std::pair<double, int>> scored;
  size_t best = pages.size();
  double best_score = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    std::vector<Hit> hits = find_hits(pages[i].aligned, needles);
    if (hits.empty()) continue;
    double s = page_score(hits, needles);
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
  if (best < pages.size() && utf8_length(pages[best].original) == utf8_length(pages[best].aligned)) {
    out.snippet = best_window(pages[best].original, pages[best].aligned,
                              find_hits(pages[best].aligned, needles), needles, max_chars);
    return out;
  }
  if (!pages.empty()) {
    std::u32string original = utf8_to_u32(utf8_prefix(pages.front().original, max_chars + 1));
    out.snippet = render(original, {}, 0, std::min(original.size(), max_chars));
  }
  return out;
}

}  // namespace wenku::index
