// The embedded MetadataStore's class, for its implementation files only: one SQLite file in
// WAL mode, one writer connection behind a mutex and a pool of reader connections. The class
// is defined by slices of the interface, one file each:
//   sqlite_store.cpp             opening, the reader pool, backup
//   sqlite_store_documents.cpp   documents, pages, categories, tags, analysis
//   sqlite_store_jobs.cpp        the job queue
//   sqlite_store_accounts.cpp    users and sessions
//   sqlite_store_moderation.cpp  reports, review queue, site settings
//   sqlite_store_social.cpp      favourites, ratings, collections
//   sqlite_store_statistics.cpp  query log, daily counters and quotas
//   sqlite_store_comments.cpp    comments, comments closed, the recycle bin
#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "sqlite/database.h"
#include "store/metadata_store.h"

namespace wenku::store {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;

class SqliteStore final : public MetadataStore {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  // Opens the writer and applies the migrations. Errors: kIo, kInvalidArgument.
  Result<void> init();

  // Documents, pages, categories, analysis (sqlite_store_documents.cpp).
  Result<int64_t> create_document(const NewDocument& doc, const JobSpec& job) override;
  Result<Document> get_document(int64_t id) override;
  Result<std::optional<Document>> find_by_sha256(const std::string& sha256) override;
  Result<std::optional<Document>> find_by_external_id(const std::string& external_id) override;
  Result<std::vector<Document>> list_documents(const DocumentFilter& f) override;
  Result<int64_t> count_documents(const DocumentFilter& f) override;
  Result<void> update_document(int64_t id, const DocumentUpdate& u) override;
  Result<void> delete_document(int64_t id) override;
  Result<void> add_views(int64_t id, int64_t n) override;
  Result<void> add_downloads(int64_t id, int64_t n) override;
  Result<void> replace_pages(int64_t document_id, const std::vector<Page>& pages) override;
  Result<std::vector<Page>> get_pages(int64_t document_id) override;
  Result<std::optional<Page>> get_page_image(int64_t document_id, int number) override;
  Result<void> set_page_image(int64_t document_id, int number, const std::string& image_key,
                              const std::string& thumb_key, int width, int height) override;
  Result<int64_t> ensure_category(const std::string& path) override;
  Result<std::vector<Category>> list_categories(const ListingRule& counted) override;
  Result<void> move_category(const std::string& from_path, const std::string& to_raw) override;
  Result<void> set_analysis(int64_t document_id, const DocumentAnalysis& a) override;
  Result<DocumentAnalysis> get_analysis(int64_t document_id) override;
  Result<std::optional<std::pair<int64_t, int>>> find_near_duplicate(int64_t document_id, uint64_t simhash,
                                                                     int max_distance) override;
  Result<std::optional<Derivative>> get_derivative(int64_t document_id, const std::string& kind) override;
  Result<void> put_derivative(int64_t document_id, const Derivative& d) override;
  Result<bool> is_blob_referenced(const std::string& key) override;
  Result<std::vector<std::string>> referenced_blob_keys() override;
  Result<std::vector<int64_t>> unindexed_documents() override;
  Result<bool> mark_indexed(int64_t id, int64_t index_gen) override;

  // Jobs (sqlite_store_jobs.cpp).
  Result<int64_t> enqueue_job(const JobSpec& job) override;
  Result<std::optional<Job>> claim_job(const std::string& worker, const std::vector<std::string>& kinds,
                                       int lease_seconds) override;
  Result<void> renew_job(int64_t job_id, const std::string& worker, int lease_seconds,
                         double progress) override;
  Result<void> complete_job(int64_t job_id) override;
  Result<void> fail_job(int64_t job_id, const std::string& error, int64_t retry_at) override;
  Result<std::vector<Job>> jobs_of(int64_t document_id) override;
  Result<std::vector<std::pair<Job, std::string>>> running_jobs() override;
  Result<void> release_job(int64_t job_id) override;
  Result<void> defer_job(int64_t job_id, const std::string& error, int64_t retry_at) override;
  Result<bool> hurry_job(const std::string& kind, int64_t document_id, int priority) override;
  Result<bool> enqueue_job_once(const JobSpec& job) override;
  Result<int64_t> count_jobs(JobState state) override;
  Result<int64_t> oldest_queued_job_at() override;

  // Accounts (sqlite_store_accounts.cpp).
  Result<int64_t> create_user(const std::string& name, const std::string& password_hash, Role role) override;
  Result<User> get_user(int64_t id) override;
  Result<std::optional<User>> find_user(const std::string& name) override;
  Result<std::vector<User>> list_users(int offset, int limit) override;
  Result<int64_t> count_users() override;
  Result<void> update_user(int64_t id, const UserUpdate& u) override;
  Result<void> create_session(const Session& s) override;
  Result<std::optional<Session>> find_session(const std::string& token_hash, int64_t now) override;
  Result<void> delete_session(const std::string& token_hash) override;
  Result<void> delete_user_sessions(int64_t user_id, const std::string& except_hash) override;

  // Moderation and site settings (sqlite_store_moderation.cpp).
  Result<int64_t> create_report(const Report& rep) override;
  Result<std::vector<Report>> list_reports(const std::string& state, int offset, int limit) override;
  Result<void> resolve_report(int64_t id, const std::string& action, int64_t resolved_by,
                              bool all_of_document) override;
  Result<void> add_to_review(int64_t document_id) override;
  Result<void> remove_from_review(int64_t document_id) override;
  Result<std::vector<int64_t>> review_queue(int limit) override;
  Result<std::vector<std::pair<std::string, std::string>>> site_settings() override;
  Result<void> set_site_setting(const std::string& key, const std::string& value) override;

  // Statistics (sqlite_store_statistics.cpp).
  Result<void> log_query(const std::string& query, int64_t results, int64_t clicked_document_id) override;
  Result<std::vector<QueryCount>> popular_queries(int64_t since, int limit) override;
  Result<std::vector<QueryCount>> queries_for_document(int64_t document_id, int limit) override;
  Result<std::vector<QueryCount>> suggest_queries(const std::string& prefix, int limit) override;
  Result<void> prune_query_log(int64_t before) override;
  Result<void> add_daily(const std::string& kind, int64_t n) override;
  Result<std::vector<DayCount>> daily_counts(const std::string& kind, int days) override;
  Result<bool> take_daily_quota(const std::string& subject, int64_t limit) override;
  Result<bool> take_rate(const std::string& key, int64_t max, int64_t window_seconds) override;
  Result<std::vector<QueryCount>> format_counts() override;

  // Favourites, ratings, collections (sqlite_store_social.cpp).
  Result<void> set_favourite(int64_t user_id, int64_t document_id, bool on) override;
  Result<bool> is_favourite(int64_t user_id, int64_t document_id) override;
  Result<int64_t> count_favourites(int64_t document_id) override;
  Result<std::vector<int64_t>> favourite_ids(int64_t user_id, int offset, int limit) override;
  Result<void> set_rating(int64_t user_id, int64_t document_id, int stars) override;
  Result<int> rating_of(int64_t user_id, int64_t document_id) override;
  Result<RatingSummary> rating_summary(int64_t document_id) override;
  Result<int64_t> create_collection(const Collection& c) override;
  Result<Collection> get_collection(int64_t id) override;
  Result<std::vector<Collection>> list_collections(int64_t owner_id, bool public_only, int offset,
                                                   int limit) override;
  Result<void> update_collection(int64_t id, const CollectionUpdate& u) override;
  Result<void> delete_collection(int64_t id) override;
  Result<void> add_to_collection(int64_t collection_id, int64_t document_id) override;
  Result<void> remove_from_collection(int64_t collection_id, int64_t document_id) override;
  Result<std::vector<int64_t>> collection_item_ids(int64_t collection_id, int offset, int limit) override;
  Result<std::vector<int64_t>> collections_holding(int64_t owner_id, int64_t document_id) override;

  // Backup (sqlite_store.cpp).
  Result<void> backup_to(const std::string& url) override;

  // Comments and the recycle bin (sqlite_store_comments.cpp).
  Result<int64_t> create_comment(const Comment& comment) override;
  Result<std::optional<Comment>> get_comment(int64_t id) override;
  Result<std::vector<Comment>> list_comments(int64_t document_id, int offset, int limit) override;
  Result<int64_t> count_comments(int64_t document_id) override;
  Result<void> delete_comment(int64_t id) override;
  Result<void> set_comments_closed(int64_t document_id, bool closed) override;
  Result<bool> comments_closed(int64_t document_id) override;
  Result<void> bin_document(int64_t id, int64_t by, int64_t at) override;
  Result<void> unbin_document(int64_t id) override;
  Result<std::optional<BinnedDocument>> find_binned(int64_t id) override;
  Result<std::vector<BinnedDocument>> list_bin(int64_t uploader_id, int offset, int limit) override;
  Result<std::vector<int64_t>> bin_expired(int64_t before, int limit) override;
  // Rows for moving a library between stores (sqlite_store_rows.cpp).
  Result<void> export_rows(const std::string& table, int batch_rows,
                           const std::function<Result<void>(const RowBatch&)>& sink) override;
  Result<int64_t> import_rows(const RowBatch& rows) override;
  Result<int64_t> count_rows(const std::string& table) override;

 private:
  // A reader connection borrowed from the pool for the lifetime of the lease.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore& s, std::unique_ptr<Connection> c) : s_(s), c_(std::move(c)) {}
    ~ReaderLease() {
      std::lock_guard lock(s_.pool_mu_);
      s_.readers_.push_back(std::move(c_));
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Connection* operator->() { return c_.get(); }
    Connection& operator*() { return *c_; }

   private:
    SqliteStore& s_;
    std::unique_ptr<Connection> c_;
  };

  ReaderLease reader();

  Result<std::optional<Document>> find_one(const char* where, const std::string& value);
  template <typename Bind>
  Result<std::vector<QueryCount>> query_counts(const char* sql, Bind bind);
  Result<void> add_counter(const char* column, int64_t id, int64_t n);
  Result<void> job_changed(int64_t job_id);
  // The caller holds write_mu_ (and, for the last two, a transaction).
  Result<int64_t> enqueue_locked(const JobSpec& job);
  Result<void> set_tags_locked(int64_t id, const std::vector<std::string>& tags);
  Result<int64_t> ensure_category_locked(const std::string& raw_path);

  std::string path_;
  std::mutex write_mu_;
  uint64_t rate_calls_ = 0;  // take_rate calls, under write_mu_ (when to sweep old hits)
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace wenku::store
