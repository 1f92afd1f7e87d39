// Which pages of a document match a query, and the highlighted snippet around the best
// passage: <em> around matched words in the original text, everything else HTML-escaped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wenku::index {

struct PageText {
  int page = 1;                // 1-based
  std::string_view original;   // as uploaded
  std::string_view aligned;    // normalised, same code point count as `original`
};

struct PageMatch {
  std::vector<int> pages;  // pages with a match, best first
  std::string snippet;     // HTML
};

// `terms` are normalised query words and phrases. Without any match the snippet is the
// start of the first page. `max_chars` bounds the snippet's visible length.
PageMatch match_pages(const std::vector<PageText>& pages, const std::vector<std::string>& terms,
                      size_t max_chars = 160);

}  // namespace wenku::index
