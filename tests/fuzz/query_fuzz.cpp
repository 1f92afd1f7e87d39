// libFuzzer target: query parsing (src/index/analyzer.h parse_query) and the snippet built
// from the parsed query over a page (src/index/snippet.h), as a search does. The input's
// first line is the query, the rest is the page text.
#include <cstdlib>
#include <string_view>

#include "fuzz_entries.h"
#include "index/analyzer.h"
#include "index/snippet.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::fuzz {
namespace {

struct QueryTools {
  std::unique_ptr<text::Normalizer> normalizer;
  std::unique_ptr<text::Segmenter> segmenter;
  std::unique_ptr<index::Analyzer> analyzer;
  QueryTools() {
    auto n = text::make_normalizer();
    auto s = text::make_segmenter();
    if (!n.ok() || !s.ok()) std::abort();  // the fuzzer cannot run without them: say so loudly
    normalizer = std::move(n).value();
    segmenter = std::move(s).value();
    analyzer = std::make_unique<index::Analyzer>(*normalizer, *segmenter);
  }
};

const QueryTools& tools() {
  static const QueryTools t;
  return t;
}

}  // namespace

void query_init() { (void)tools(); }

int query_one(const uint8_t* data, size_t size) {
  return guarded("query", [&] {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    size_t nl = in.find('\n');
    std::string_view query = in.substr(0, nl);
    std::string_view page = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    // The site passes at most 200 characters, the CLI whole lines: 1 KB bounds the time per input.
    if (query.size() > 1024) query = query.substr(0, 1024);

    index::ParsedQuery pq = tools().analyzer->parse_query(query);
    for (const auto& t : pq.terms) {
      bool prefix_last = false;
      (void)index::query_gram_tokens(t.text, prefix_last);
    }
    index::AlignedText at = tools().analyzer->normalize_aligned(page);
    (void)tools().analyzer->analyze_normalized(at.normalized);
    std::vector<index::PageText> pages = {{1, page, at.aligned}, {2, at.aligned, at.aligned}};
    index::PageMatch m = index::match_pages(pages, pq.highlight, 160);
    if (m.snippet.find('<') != std::string::npos) {
      // Only our own <em> tags may appear: everything else of the page is escaped.
      for (size_t p = m.snippet.find('<'); p != std::string::npos; p = m.snippet.find('<', p + 1)) {
        std::string_view rest = std::string_view(m.snippet).substr(p);
        if (rest.substr(0, 4) != "<em>" && rest.substr(0, 5) != "</em>")
          fail("query", "a tag of the page reached the snippet");
      }
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN_INIT(query_one, query_init)
