// open_search_index: picks the SearchIndex implementation from the URL's scheme.
#include "index/search_index.h"

#include "core/strings.h"
#include "index/sqlite_index.h"
#include "index/xapian_index.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::index {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr std::string_view kXapianScheme = "xapian://";
constexpr std::string_view kXapianTcpScheme = "xapian+tcp://";

// An index that owns the normaliser and segmenter it analyses text with.
class OwningIndex : public SearchIndex {
 public:
  OwningIndex(std::unique_ptr<text::Normalizer> n, std::unique_ptr<text::Segmenter> s)
      : normalizer_(std::move(n)), segmenter_(std::move(s)) {}
  void set_inner(std::unique_ptr<SearchIndex> inner) { inner_ = std::move(inner); }
  const text::Normalizer& normalizer() const { return *normalizer_; }
  const text::Segmenter& segmenter() const { return *segmenter_; }

  Result<void> upsert(const IndexDocument& doc) override { return inner_->upsert(doc); }
  Result<void> upsert_batch(const std::vector<IndexDocument>& docs) override {
    return inner_->upsert_batch(docs);
  }
  Result<void> remove(int64_t id) override { return inner_->remove(id); }
  Result<void> set_listed(int64_t id, bool listed) override { return inner_->set_listed(id, listed); }
  Result<SearchResult> search(const SearchQuery& q) const override { return inner_->search(q); }
  Result<std::vector<int64_t>> related(int64_t id, int limit) const override {
    return inner_->related(id, limit);
  }
  Result<std::vector<int64_t>> all_ids() const override { return inner_->all_ids(); }
  Result<void> flush() override { return inner_->flush(); }
  Result<void> optimize() override { return inner_->optimize(); }
  Result<std::vector<std::string>> suggest_titles(const std::string& prefix, int limit) const override {
    return inner_->suggest_titles(prefix, limit);
  }

 private:
  // Declared before inner_ so they outlive it.
  std::unique_ptr<text::Normalizer> normalizer_;
  std::unique_ptr<text::Segmenter> segmenter_;
  std::unique_ptr<SearchIndex> inner_;
};

}  // namespace

Result<std::unique_ptr<SearchIndex>> open_search_index(const std::string& url,
                                                       const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter) {
  if (starts_with(url, kSqliteScheme)) {
    std::string path = url.substr(kSqliteScheme.size());
    if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "index: sqlite:// URL without a path");
    return open_sqlite_index(path, normalizer, segmenter);
  }
  for (std::string_view scheme : {kXapianScheme, kXapianTcpScheme}) {
    if (!starts_with(url, scheme)) continue;
    WENKU_ASSIGN_OR_RETURN(XapianLocation where,
                           parse_xapian_location(url.substr(scheme.size()), scheme == kXapianTcpScheme));
    return open_xapian_index(where, normalizer, segmenter);
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "index: unknown index URL '" + url +
                        "' (expected sqlite:///path/to/index.db, xapian:///path or xapian+tcp://host1:port1,host2:port2)");
}

Result<std::unique_ptr<SearchIndex>> open_search_index(const std::string& url) {
  WENKU_ASSIGN_OR_RETURN(std::unique_ptr<text::Normalizer> n, text::make_normalizer());
  WENKU_ASSIGN_OR_RETURN(std::unique_ptr<text::Segmenter> s, text::make_segmenter());
  auto owner = std::make_unique<OwningIndex>(std::move(n), std::move(s));
  WENKU_ASSIGN_OR_RETURN(std::unique_ptr<SearchIndex> inner,
                         open_search_index(url, owner->normalizer(), owner->segmenter()));
  owner->set_inner(std::move(inner));
  return std::unique_ptr<SearchIndex>(std::move(owner));
}

}  // namespace wenku::index
