// Search service: search, related documents and the searches of the query log.
#include "library/search_service.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "index/search_index.h"
#include "library/policy.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::library {

Result<SearchResponse> SearchService::search(const SearchRequest& request) {
  if (request.like != 0) return more_like(request);
  SearchResponse out;
  out.query = request.query;
  index::SearchQuery q;
  q.text = request.query;
  q.category_prefix = request.category;
  q.format = request.format;
  q.from = request.from;
  q.to = request.to;
  if (request.sort == "newest") q.sort = index::SortOrder::kNewest;
  if (request.sort == "views") q.sort = index::SortOrder::kMostViewed;
  int per_page = std::clamp(request.per_page, 1, 100);
  q.limit = per_page;
  q.offset = (std::max(request.page, 1) - 1) * per_page;
  WENKU_ASSIGN_OR_RETURN(auto result, index_.search(q));
  out.index_total = result.total;
  out.took_ms = result.took_ms;
  int64_t removed = 0;
  for (auto& hit : result.hits) {
    auto doc = store_.get_document(hit.id);
    if (!doc.ok()) continue;  // deleted since it was indexed
    // The index may be a moment behind an edit (hidden, private): the store's row decides.
    if (!policy::is_searchable(*doc)) {
      ++removed;
      continue;
    }
    out.hits.push_back({std::move(doc).value(), hit.score, std::move(hit.snippet), std::move(hit.pages)});
  }
  out.total = std::max<int64_t>(0, result.total - removed);
  return out;
}

namespace {
constexpr int kMoreLikeCandidates = 200;  // similar documents looked at for "more like this"
}  // namespace

// "More like this": the index's similar documents, filtered as a search is, one page of them.
Result<SearchResponse> SearchService::more_like(const SearchRequest& request) {
  int64_t started = now_unix_ms();
  auto source = store_.get_document(request.like);
  if (!source.ok() || !policy::can_view(request.viewer, *source)) {
    return make_error(ErrorCode::kNotFound, "文档不存在 / no such document");
  }
  WENKU_ASSIGN_OR_RETURN(auto ids, index_.related(request.like, kMoreLikeCandidates));
  std::vector<Document> similar;
  for (int64_t id : ids) {
    auto doc = store_.get_document(id);
    if (!doc.ok() || id == request.like || !policy::is_searchable(*doc)) continue;
    const Document& d = *doc;
    if (!request.category.empty() && d.category_path != request.category &&
        !starts_with(d.category_path, request.category + "/")) {
      continue;
    }
    if (!request.format.empty() && to_lower_ascii(d.format) != request.format) continue;
    if ((request.from != 0 && d.created_at < request.from) || (request.to != 0 && d.created_at > request.to)) continue;
    similar.push_back(std::move(doc).value());
  }
  if (request.sort == "newest") {
    std::stable_sort(similar.begin(), similar.end(), [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
  } else if (request.sort == "views") {
    std::stable_sort(similar.begin(), similar.end(), [](const auto& a, const auto& b) { return a.views > b.views; });
  }
  SearchResponse out;
  out.total = out.index_total = static_cast<int64_t>(similar.size());
  size_t per_page = static_cast<size_t>(std::clamp(request.per_page, 1, 100));
  size_t first = static_cast<size_t>(std::max(request.page, 1) - 1) * per_page;
  for (size_t i = first; i < similar.size() && i < first + per_page; ++i) {
    out.hits.push_back({std::move(similar[i]), 0.0, std::string(), {}});
  }
  out.took_ms = static_cast<double>(now_unix_ms() - started);
  return out;
}

Result<std::vector<Document>> SearchService::related(int64_t id, int limit) {
  WENKU_ASSIGN_OR_RETURN(auto ids, index_.related(id, limit));
  std::vector<Document> out;
  for (int64_t rid : ids) {
    auto doc = store_.get_document(rid);
    if (doc.ok() && rid != id && policy::is_listed(*doc)) out.push_back(std::move(doc).value());
  }
  return out;
}

// ---- searches from the query log: popular, related, suggestions ------------------------

namespace {
constexpr int64_t kPopularWindowSeconds = 30 * 86400;
constexpr int kLogCandidates = 500;      // popular searches looked at for related ones
constexpr size_t kMaxPrefixBytes = 50;   // what the search box sends while typing
}  // namespace

// Normalised words of a query and the dictionary words inside them (改革开放: 改革, 开放),
// without punctuation or spaces: what two queries share.
std::vector<std::string> SearchService::query_words(std::string_view query) const {
  std::string norm = normalizer_.normalize(query);
  std::vector<std::string> out;
  for (const text::Token& t : segmenter_.segment(norm, text::SegmentMode::kIndex)) {
    std::u32string u = utf8_to_u32(t.text);
    bool content = std::any_of(u.begin(), u.end(), [](char32_t c) {
      return c >= 0x3400 || (c < 0x80 && std::isalnum(static_cast<int>(c)));
    });
    if (content && std::find(out.begin(), out.end(), t.text) == out.end()) out.emplace_back(t.text);
  }
  return out;
}

// At most once an hour per process: the log keeps what the site's setting allows.
void SearchService::prune_query_log_if_due() {
  int64_t now = now_unix();
  int64_t last = query_log_pruned_at_.load();
  if (now - last < 3600 || !query_log_pruned_at_.compare_exchange_strong(last, now)) return;
  int64_t days = settings_.get_int("query_log_days");
  if (auto r = store_.prune_query_log(now - days * 86400); !r.ok()) {
    log::warn("query_log_prune_failed error={}", r.error().message);
  }
}

void SearchService::log_query(const std::string& query, int64_t results) {
  if (auto r = store_.log_query(query, results, 0); !r.ok()) log::warn("query_log_failed error={}", r.error().message);
}

Result<std::vector<QueryCount>> SearchService::popular_searches(int n) {
  prune_query_log_if_due();
  n = std::clamp(n, 0, 100);
  WENKU_ASSIGN_OR_RETURN(auto logged, store_.popular_queries(now_unix() - kPopularWindowSeconds, n * 4 + 8));
  // One entry per normalised query, shown as its most frequent spelling.
  std::vector<QueryCount> out;
  std::vector<std::string> keys;
  for (const auto& q : logged) {
    std::string key = normalizer_.normalize(trim(q.query));
    if (key.empty()) continue;
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      out.push_back(q);
    } else {
      out[static_cast<size_t>(it - keys.begin())].count += q.count;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  if (out.size() > static_cast<size_t>(n)) out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::vector<QueryCount>> SearchService::related_searches(const std::string& query, int n) {
  prune_query_log_if_due();
  n = std::clamp(n, 0, 100);
  std::vector<std::string> words = query_words(query);
  std::string self = normalizer_.normalize(trim(query));
  std::vector<QueryCount> out;
  if (words.empty() || n == 0) return out;
  WENKU_ASSIGN_OR_RETURN(auto logged, store_.popular_queries(now_unix() - kPopularWindowSeconds, kLogCandidates));
  struct Scored {
    double score;
    QueryCount q;
  };
  std::vector<Scored> scored;
  std::vector<std::string> seen{self};
  for (const auto& q : logged) {
    std::string key = normalizer_.normalize(trim(q.query));
    if (key.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    // Shared words, longer ones counting more ("教育改革" says more than "教育").
    double shared = 0;
    for (const std::string& w : query_words(q.query)) {
      if (std::find(words.begin(), words.end(), w) != words.end()) shared += static_cast<double>(utf8_length(w));
    }
    if (shared == 0) continue;
    seen.push_back(key);
    scored.push_back({shared * std::log(2.0 + static_cast<double>(q.count)), q});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  for (size_t i = 0; i < scored.size() && out.size() < static_cast<size_t>(n); ++i) out.push_back(scored[i].q);
  return out;
}

Result<std::vector<QueryCount>> SearchService::related_searches(int64_t document_id, int n) {
  n = std::clamp(n, 0, 100);
  WENKU_ASSIGN_OR_RETURN(auto doc, store_.get_document(document_id));
  WENKU_ASSIGN_OR_RETURN(auto led_here, store_.queries_for_document(document_id, n));
  std::vector<QueryCount> out;
  std::vector<std::string> keys;
  auto add = [&](const QueryCount& q) {
    std::string key = normalizer_.normalize(trim(q.query));
    if (key.empty() || out.size() >= static_cast<size_t>(n) ||
        std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return;
    }
    keys.push_back(key);
    out.push_back(q);
  };
  for (const auto& q : led_here) add(q);
  if (out.size() < static_cast<size_t>(n)) {
    WENKU_ASSIGN_OR_RETURN(auto by_title, related_searches(doc.title, n));
    for (const auto& q : by_title) add(q);
  }
  return out;
}

Result<std::vector<std::string>> SearchService::suggest(const std::string& prefix, int n) {
  n = std::clamp(n, 0, 50);
  std::string p = utf8_prefix(trim(sanitize_utf8(prefix)), kMaxPrefixBytes);
  std::vector<std::string> out;
  if (p.empty() || n == 0) return out;
  std::vector<std::string> keys;
  auto add = [&](const std::string& s) {
    std::string key = normalizer_.normalize(trim(s));
    if (key.empty() || out.size() >= static_cast<size_t>(n) ||
        std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return;
    }
    keys.push_back(key);
    out.push_back(s);
  };
  // Logged searches match as typed, and as normalised (學 typed finds 学校 searched).
  std::vector<QueryCount> logged;
  WENKU_ASSIGN_OR_RETURN(logged, store_.suggest_queries(p, n));
  std::string norm = normalizer_.normalize(p);
  if (norm != p && !norm.empty()) {
    WENKU_ASSIGN_OR_RETURN(auto more, store_.suggest_queries(norm, n));
    logged.insert(logged.end(), more.begin(), more.end());
    std::stable_sort(logged.begin(), logged.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  }
  for (const auto& q : logged) add(q.query);
  if (out.size() < static_cast<size_t>(n)) {
    WENKU_ASSIGN_OR_RETURN(auto titles, index_.suggest_titles(p, n));
    for (const auto& t : titles) add(t);
  }
  return out;
}

Result<void> SearchService::optimize_index() { return index_.optimize(); }

}  // namespace wenku::library
