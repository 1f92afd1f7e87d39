// Catalogue: reading, listing, categories, edits and counters of documents.
#include "library/catalogue.h"

#include <chrono>
#include <thread>

#include "blob/blob_store.h"
#include "index/search_index.h"
#include "library/indexer.h"
#include "library/job_kinds.h"

namespace wenku::library {

Result<Document> Catalogue::get(int64_t id) { return store_.get_document(id); }

Result<Document> Catalogue::visible(const Viewer& viewer, int64_t id) {
  auto doc = store_.get_document(id);
  if (!doc.ok()) return doc;
  if (!policy::can_view(viewer, *doc)) {
    return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
  }
  return doc;
}

Result<std::vector<Page>> Catalogue::pages(int64_t id) { return store_.get_pages(id); }

Result<std::optional<Page>> Catalogue::page_image(int64_t id, int number) { return store_.get_page_image(id, number); }

Result<uint64_t> Catalogue::file_size(const std::string& key) { return blobs_.size(key); }

Result<std::string> Catalogue::file_path(const std::string& key) const {
  if (!blob::is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no stored file " + key);
  return blob::relative_path(key);
}

Result<std::string> Catalogue::read_file(const std::string& key) { return blobs_.read_all(key); }

Result<void> Catalogue::read_file_range(const std::string& key, uint64_t offset, uint64_t length,
                                        const std::function<bool(std::string_view)>& sink) {
  return blobs_.read_range(key, offset, length, sink);
}

namespace {

// listed_only asks for what the policy lists: the store receives the policy's rule as data.
DocumentFilter with_policy(DocumentFilter f) {
  if (f.listed_only) f.listed = policy::listing_rule();
  return f;
}

}  // namespace

Result<std::vector<Document>> Catalogue::list(const DocumentFilter& filter) {
  return store_.list_documents(with_policy(filter));
}

Result<int64_t> Catalogue::count(const DocumentFilter& filter) { return store_.count_documents(with_policy(filter)); }

Result<std::vector<Category>> Catalogue::categories() { return store_.list_categories(policy::listing_rule()); }

Result<int64_t> Catalogue::ensure_category(const std::string& path) { return store_.ensure_category(path); }

Result<void> Catalogue::move_category(const std::string& from_path, const std::string& to_path) {
  // The move marks the subtree's documents behind in its own transaction; the index then
  // learns their new paths, those still processing included (search finds them at once).
  WENKU_TRY(store_.move_category(from_path, to_path));
  return indexer_.catch_up(true);
}

Result<Document> Catalogue::wait_until_done(int64_t id, int timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(auto doc, store_.get_document(id));
    if (doc.status != DocumentStatus::kProcessing) return doc;
    if (std::chrono::steady_clock::now() > deadline) {
      return keyed_error(ErrorCode::kTimeout, "library.processing_timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<void> Catalogue::retry(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, store_.get_document(id));
  DocumentUpdate u;
  u.status = DocumentStatus::kProcessing;
  u.error = "";
  WENKU_TRY(store_.update_document(id, u));
  WENKU_TRY(store_.enqueue_job({kJobExtract, id, 0, static_cast<int>(settings_.get_int("job_max_attempts"))}));
  if (notify_) notify_();
  return {};
}

Result<void> Catalogue::update_document(int64_t id, const DocumentUpdate& update) {
  // A document still processing is re-indexed too (unlisted until it is ready): skipping it
  // relied on this process's re-index lock to know whether a worker had read the row yet,
  // and a worker in another process (role=worker) wrote the old title after the edit.
  // Now every edit moves the document's index generation, so a re-indexer anywhere that
  // read the row before the edit fails its mark and writes the row again (Indexer).
  // The edit and "the index is behind" commit together: a kill before the index catches up
  // leaves indexed=false, which the start-up scan and `wenku check` re-index. (Committing the
  // edit alone left search on the old title for good: crash_edit_test found it.)
  DocumentUpdate u = update;
  if (!u.indexed) u.indexed = false;
  WENKU_TRY(store_.update_document(id, u));
  return indexer_.reindex(id);
}

Result<void> Catalogue::delete_document(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, store_.get_document(id));
  WENKU_ASSIGN_OR_RETURN(auto pages, store_.get_pages(id));
  std::vector<std::string> keys = {doc.blob_key, doc.pdf_key};
  if (auto copy = store_.get_derivative(id, "watermark_pdf"); copy.ok() && *copy) keys.push_back((*copy)->blob_key);
  for (const auto& p : pages) {
    keys.push_back(p.image_key);
    keys.push_back(p.thumb_key);
  }
  {
    // Not between a re-indexer's read and its commit, which would put the document back
    // into the index after this removed it.
    std::lock_guard serial(indexer_.serial());
    WENKU_TRY(store_.delete_document(id));
    WENKU_TRY(index_.remove(id));
  }
  // Files are shared by content (a blank page, the same original): remove only those no
  // remaining row names. A crash in between leaves orphans that `wenku check` removes.
  for (const auto& key : keys) {
    if (key.empty()) continue;
    auto used = store_.is_blob_referenced(key);
    if (used.ok() && !*used) (void)blobs_.remove(key);
  }
  return {};
}

void Catalogue::record_view(int64_t id, const std::string& query) {
  (void)store_.add_views(id, 1);
  (void)store_.add_daily("view", 1);
  // A click from search results feeds 相关搜索.
  if (!query.empty()) (void)store_.log_query(query, 1, id);
}

Result<bool> Catalogue::take_download(int64_t id, int64_t user_id, const std::string& address, int64_t user_quota,
                                      int64_t address_quota) {
  if (user_id != 0) {
    WENKU_ASSIGN_OR_RETURN(bool ok, store_.take_daily_quota("user:" + std::to_string(user_id), user_quota));
    if (!ok) return false;
  }
  WENKU_ASSIGN_OR_RETURN(bool ok, store_.take_daily_quota("ip:" + address, address_quota));
  if (!ok) return false;
  (void)store_.add_downloads(id, 1);
  (void)store_.add_daily("download", 1);
  return true;
}

Result<std::vector<DayCount>> Catalogue::daily_counts(const std::string& kind, int days) {
  return store_.daily_counts(kind, days);
}

Result<std::vector<QueryCount>> Catalogue::format_counts() { return store_.format_counts(); }

Result<int64_t> Catalogue::count_jobs(JobState state) { return store_.count_jobs(state); }

}  // namespace wenku::library
