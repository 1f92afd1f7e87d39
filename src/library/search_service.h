// Search service: full-text search (only policy::is_searchable documents come back),
// related documents (only listed ones), and the searches of the query log: what people
// searched (recorded, pruned after query_log_days), popular searches (热门搜索), related
// searches (相关搜索) and suggestions as one types. May call: store (query log and
// documents), index, text (normalising and segmenting queries), policy.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/policy.h"
#include "library/types.h"

namespace wenku::index {
class SearchIndex;
}
namespace wenku::text {
class Normalizer;
class Segmenter;
}

namespace wenku::library {

struct SearchRequest {
  std::string query;
  std::string category;
  std::string format;
  std::string sort;           // "", "newest", "views"
  int64_t from = 0, to = 0;   // uploaded between (unix seconds, inclusive), 0 = open
  int64_t like = 0;           // "more like this": documents similar to this one, instead of a query
  Viewer viewer;              // who asks (may they see `like`?)
  int page = 1;
  int per_page = 10;
};

struct SearchHitView {
  Document doc;
  double score = 0;
  std::string snippet;        // escaped HTML with <em>
  std::vector<int> pages;
};

struct SearchResponse {
  std::string query;
  int64_t total = 0;          // matches that may be shown
  int64_t index_total = 0;    // matches in the index (for "is there a next page")
  double took_ms = 0;
  std::vector<SearchHitView> hits;
};

class SearchService {
 public:
  SearchService(const Settings& settings, store::MetadataStore& store, index::SearchIndex& index,
                const text::Normalizer& normalizer, const text::Segmenter& segmenter)
      : settings_(settings), store_(store), index_(index), normalizer_(normalizer), segmenter_(segmenter) {}

  // The hits of request.query, or with request.like the documents like that one (which the
  // viewer must be able to see), filtered by category, format and date alike.
  // Errors: kNotFound (`like` unknown or not visible), kInvalidArgument, kIo.
  Result<SearchResponse> search(const SearchRequest& request);
  // Listed documents like `id`, most similar first, never `id` itself.
  Result<std::vector<Document>> related(int64_t id, int limit);

  // Records a search someone made (`results` found) in the query log.
  void log_query(const std::string& query, int64_t results);

  // Popular searches (热门搜索) of the last 30 days that found something, most frequent
  // first; 學校 and 学校 count as one. Errors: kIo.
  Result<std::vector<QueryCount>> popular_searches(int n);
  // Related searches (相关搜索) of a query: popular searches sharing a word with it, those
  // sharing more and longer words first, never the query itself. Errors: kIo.
  Result<std::vector<QueryCount>> related_searches(const std::string& query, int n);
  // Related searches of a document: the searches that led to it, then those related to its
  // title. Errors: kNotFound, kIo.
  Result<std::vector<QueryCount>> related_searches(int64_t document_id, int n);
  // Suggestions as the user types: popular searches starting with `prefix`, then titles of
  // listed documents starting with it (both compared after normalisation). Errors: kIo.
  Result<std::vector<std::string>> suggest(const std::string& prefix, int n);
  // Merges the search index after a bulk import (faster queries; takes seconds per 100k
  // documents). Errors: kIo.
  Result<void> optimize_index();

 private:
  Result<SearchResponse> more_like(const SearchRequest& request);
  std::vector<std::string> query_words(std::string_view query) const;
  void prune_query_log_if_due();

  const Settings& settings_;
  store::MetadataStore& store_;
  index::SearchIndex& index_;
  const text::Normalizer& normalizer_;
  const text::Segmenter& segmenter_;
  std::atomic<int64_t> query_log_pruned_at_{0};
};

}  // namespace wenku::library
