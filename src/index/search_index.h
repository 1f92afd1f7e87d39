// SearchIndex: the full-text search interface (Chinese-first) and its factory by URL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace wenku::text {
class Normalizer;
class Segmenter;
}  // namespace wenku::text

namespace wenku::index {

struct IndexDocument {
  int64_t id = 0;  // document number
  std::string title, keywords, description;
  std::string category_path;  // "办公文档/事务文书"
  std::string format, uploader;
  int64_t created_at = 0;  // unix seconds
  int64_t views = 0;
  // Body text per page (1-based page n = pages[n-1]); a non-paged document has one entry.
  std::vector<std::string> pages;
  bool listed = true;  // false: unlisted/private/hidden, never returned by search
};

enum class SortOrder { kRelevance, kNewest, kMostViewed };

struct SearchQuery {
  std::string text;             // user query: words, "quoted phrases", -excluded
  std::string category_prefix;  // subtree filter ("办公文档" matches "办公文档/事务文书"), "" = all
  std::string format;           // "" = all
  int64_t from = 0, to = 0;     // created_at range, inclusive, 0 = open
  SortOrder sort = SortOrder::kRelevance;
  int offset = 0, limit = 10;
};

struct SearchHit {
  int64_t id = 0;
  double score = 0;
  std::string snippet;     // HTML: escaped original text with <em> around matched words
  std::vector<int> pages;  // 1-based pages that match, best first
};

struct SearchResult {
  int64_t total = 0;  // documents matching (all words, or the relaxed query when none do)
  std::vector<SearchHit> hits;
  double took_ms = 0;
  bool relaxed = false;  // true when no document has every word: the hits have most of them
};

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;
  // Replaces all of a document, atomically. Errors: kInvalidArgument (too large), kIo.
  virtual Result<void> upsert(const IndexDocument& doc) = 0;
  // Several documents in one commit: each is whole or absent after a crash, and the batch
  // costs far less than one commit per document (bulk imports). Errors: as upsert.
  virtual Result<void> upsert_batch(const std::vector<IndexDocument>& docs) {
    for (const IndexDocument& d : docs) WENKU_TRY(upsert(d));
    return {};
  }
  // Removing an unknown id is not an error. Errors: kIo.
  virtual Result<void> remove(int64_t id) = 0;
  // Errors: kNotFound, kIo.
  virtual Result<void> set_listed(int64_t id, bool listed) = 0;
  // Errors: kInvalidArgument (bad paging), kIo.
  virtual Result<SearchResult> search(const SearchQuery& q) const = 0;
  // Similar listed documents (相关资源), best first, never `id` itself. Errors: kNotFound, kIo.
  virtual Result<std::vector<int64_t>> related(int64_t id, int limit) const = 0;
  // Every indexed id (listed or not), ascending; for `wenku check`. Errors: kIo.
  virtual Result<std::vector<int64_t>> all_ids() const = 0;
  // Durable on return. Errors: kIo.
  virtual Result<void> flush() = 0;
  // Merges the index into its most compact, fastest form after a bulk import; takes time
  // in proportion to the index size. Errors: kIo.
  virtual Result<void> optimize() { return flush(); }
  // Titles of listed documents that begin with `prefix` (compared after normalisation, so
  // 教育 finds 教育學), most viewed first, each title once: suggestions as the user types.
  // A prefix of one character suggests nothing (it would scan half the index). Errors: kIo.
  virtual Result<std::vector<std::string>> suggest_titles(const std::string& prefix, int limit) const {
    (void)prefix;
    (void)limit;
    return std::vector<std::string>{};
  }
};

// Opens an index by URL: "sqlite:///path/to/index.db" (embedded, SQLite FTS5). Builds its
// own normaliser and segmenter. Errors: kInvalidArgument (unknown scheme), kIo,
// kUnavailable (text data missing).
Result<std::unique_ptr<SearchIndex>> open_search_index(const std::string& url);
// The same with a caller-owned normaliser and segmenter, which must outlive the index.
Result<std::unique_ptr<SearchIndex>> open_search_index(const std::string& url,
                                                       const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter);

}  // namespace wenku::index
