// Catalogue: the documents as readers and owners see them. Reading (a document for a
// viewer, its pages, its stored files), listings (listed documents only, by policy),
// categories (a rename or move re-indexes the documents it touches, so search by category
// follows at once), edits and deletions (the search index brought along under the
// indexer's lock), retry, counters (views, downloads and their daily quotas) and the
// figures of /admin and /metrics. May call: store, blob, index (through the indexer),
// policy.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/policy.h"
#include "library/types.h"

namespace wenku::blob {
class BlobStore;
}
namespace wenku::index {
class SearchIndex;
}

namespace wenku::library {

class Indexer;

class Catalogue {
 public:
  Catalogue(const Settings& settings, store::MetadataStore& store, blob::BlobStore& blobs, index::SearchIndex& index,
            Indexer& indexer, std::function<void()> notify)
      : settings_(settings), store_(store), blobs_(blobs), index_(index), indexer_(indexer), notify_(std::move(notify)) {}

  // Errors: kNotFound.
  Result<Document> get(int64_t id);
  // The document if `viewer` may see it (policy::can_view); everyone else gets kNotFound,
  // so hidden and private documents do not reveal that they exist.
  Result<Document> visible(const Viewer& viewer, int64_t id);
  Result<std::vector<Page>> pages(int64_t id);
  // One page without its text (for its images); nullopt when there is no such page.
  Result<std::optional<Page>> page_image(int64_t id, int number);

  // Stored files (originals, PDFs, page images) by key. Errors: kNotFound, kIo.
  Result<uint64_t> file_size(const std::string& key);
  Result<std::string> read_file(const std::string& key);
  // Where the stored file lies under the blob store's root ("aa/bb/KEY", the same for the
  // data directory's blobs/ and an S3 prefix): what nginx serves after an X-Accel-Redirect.
  // Errors: kNotFound (not a key).
  Result<std::string> file_path(const std::string& key) const;
  Result<void> read_file_range(const std::string& key, uint64_t offset, uint64_t length,
                               const std::function<bool(std::string_view)>& sink);

  // Documents of a filter. With filter.listed_only the store's query narrows and the
  // result holds only policy::is_listed documents.
  Result<std::vector<Document>> list(const DocumentFilter& filter);
  Result<int64_t> count(const DocumentFilter& filter);

  Result<std::vector<Category>> categories();
  Result<int64_t> ensure_category(const std::string& path);
  // Renames or moves a category with its subtree, and re-indexes its documents before
  // returning (a crash in between leaves them marked for the start-up scan). Errors:
  // kNotFound, kAlreadyExists, kInvalidArgument.
  Result<void> move_category(const std::string& from_path, const std::string& to_path);

  // Blocks until the document is ready or failed (or `timeout_seconds` pass).
  Result<Document> wait_until_done(int64_t id, int timeout_seconds);
  // Re-runs the processing of one document. Errors: kNotFound.
  Result<void> retry(int64_t id);
  // Changes a document's metadata (title, category, visibility, hidden, ...) and brings the
  // search index along, so search shows what the document page shows. Errors: kNotFound.
  Result<void> update_document(int64_t id, const DocumentUpdate& update);
  // Deletes a document: its row, pages and jobs, its index entry, and the stored files no
  // other document refers to. Errors: kNotFound.
  Result<void> delete_document(int64_t id);

  // A reader opened the document (from a search for `query`, "" when not).
  void record_view(int64_t id, const std::string& query);
  // One download of `id` by the account `user_id` (0: a guest) from `address`, within the
  // daily quotas (0 = no limit): false when a quota is used up. Errors: kIo.
  Result<bool> take_download(int64_t id, int64_t user_id, const std::string& address, int64_t user_quota,
                             int64_t address_quota);

  // Figures for /admin and /metrics.
  Result<std::vector<DayCount>> daily_counts(const std::string& kind, int days);
  Result<std::vector<QueryCount>> format_counts();
  Result<int64_t> count_jobs(JobState state);

 private:
  const Settings& settings_;
  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  index::SearchIndex& index_;
  Indexer& indexer_;
  std::function<void()> notify_;
};

}  // namespace wenku::library
