// The PostgreSQL MetadataStore's class, for its implementation files only: a pool of libpq
// connections (postgres_conn.h), every write in a transaction that is run again on a
// serialization failure, a deadlock or a lost connection. Defined by slices of the
// interface, one file each, as the SQLite store is:
//   postgres_store.cpp             opening, migrations, transactions and retries, backup
//   postgres_store_documents.cpp   documents, pages, categories, tags, analysis
//   postgres_store_jobs.cpp        the job queue (FOR UPDATE SKIP LOCKED, leases)
//   postgres_store_accounts.cpp    users and sessions
//   postgres_store_moderation.cpp  reports, review queue, site settings
//   postgres_store_social.cpp      favourites, ratings, collections
//   postgres_store_statistics.cpp  query log, daily counters and quotas
//   postgres_store_comments.cpp    comments, comments closed, the recycle bin
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "store/metadata_store.h"
#include "store/postgres_conn.h"

namespace wenku::store {

using pg::Conn;
using pg::Params;
using pg::Rows;

class PostgresStore final : public MetadataStore {
 public:
  PostgresStore(std::string url, int connections) : pool_(std::move(url), connections) {}
  // Connects and applies the migrations under an advisory lock. Errors: kUnavailable,
  // kInvalidArgument (both naming metadata_url).
  Result<void> init();

  // Documents, pages, categories, analysis (postgres_store_documents.cpp).
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

  // Jobs (postgres_store_jobs.cpp).
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

  // Accounts (postgres_store_accounts.cpp).
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

  // Moderation and site settings (postgres_store_moderation.cpp).
  Result<int64_t> create_report(const Report& rep) override;
  Result<std::vector<Report>> list_reports(const std::string& state, int offset, int limit) override;
  Result<void> resolve_report(int64_t id, const std::string& action, int64_t resolved_by,
                              bool all_of_document) override;
  Result<void> add_to_review(int64_t document_id) override;
  Result<void> remove_from_review(int64_t document_id) override;
  Result<std::vector<int64_t>> review_queue(int limit) override;
  Result<std::vector<std::pair<std::string, std::string>>> site_settings() override;
  Result<void> set_site_setting(const std::string& key, const std::string& value) override;

  // Statistics (postgres_store_statistics.cpp).
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

  // Favourites, ratings, collections (postgres_store_social.cpp).
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

  // Comments and the recycle bin (postgres_store_comments.cpp).
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
  // Rows for moving a library between stores (postgres_store_rows.cpp).
  Result<void> export_rows(const std::string& table, int batch_rows,
                           const std::function<Result<void>(const RowBatch&)>& sink) override;
  Result<int64_t> import_rows(const RowBatch& rows) override;
  Result<int64_t> count_rows(const std::string& table) override;


 private:
  std::atomic<uint64_t> rate_calls_{0};  // take_rate calls (when to sweep old hits)
  enum class Isolation { kReadCommitted, kSerializable };
  static constexpr int kAttempts = 6;

  // Runs `f(conn)` inside one transaction, again from the start (after a short pause) when
  // it or its commit failed on a serialization failure, a deadlock or a lost connection.
  // A connection lost during COMMIT itself is reported, not retried: the write may have
  // been made.
  template <typename F>
  auto write(F&& f, Isolation iso = Isolation::kReadCommitted) -> decltype(f(std::declval<Conn&>())) {
    using R = decltype(f(std::declval<Conn&>()));
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease.ok()) {
        if (attempt < kAttempts) { pause(attempt); continue; }
        return R(lease.take_error());
      }
      Conn& c = **lease;
      auto begun = c.exec(iso == Isolation::kSerializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN");
      if (!begun.ok()) {
        if (c.broken()) pool_.discard_idle();
        if (c.last_failure_retryable() && attempt < kAttempts) { pause(attempt); continue; }
        return R(begun.take_error());
      }
      R r = f(c);
      if (!r.ok()) {
        bool again = c.last_failure_retryable();
        if (c.broken()) pool_.discard_idle();
        (void)c.exec("ROLLBACK");
        if (again && attempt < kAttempts) { pause(attempt); continue; }
        return r;
      }
      auto committed = c.exec("COMMIT");
      if (committed.ok()) return r;
      bool serialization = c.sqlstate() == "40001" || c.sqlstate() == "40P01";
      if (serialization && attempt < kAttempts) { pause(attempt); continue; }
      return R(committed.take_error());
    }
  }

  // Runs `f(conn)` for reads (one statement or a few, no transaction), again on a lost
  // connection.
  template <typename F>
  auto read(F&& f) -> decltype(f(std::declval<Conn&>())) {
    using R = decltype(f(std::declval<Conn&>()));
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease.ok()) {
        if (attempt < kAttempts) { pause(attempt); continue; }
        return R(lease.take_error());
      }
      R r = f(**lease);
      if (!r.ok() && (*lease)->broken()) pool_.discard_idle();
      if (!r.ok() && (*lease)->last_failure_retryable() && attempt < kAttempts) { pause(attempt); continue; }
      return r;
    }
  }

  static void pause(int attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10 << std::min(attempt, 6)));
  }

  Result<std::optional<Document>> find_one(const char* where, const std::string& value);
  Result<std::vector<QueryCount>> query_counts(const std::string& sql, const Params& params);
  Result<void> add_counter(const char* column, int64_t id, int64_t n);
  // Inside a transaction of `write`.
  static Result<int64_t> enqueue_in(Conn& c, const JobSpec& job);
  static Result<void> set_tags_in(Conn& c, int64_t id, const std::vector<std::string>& tags);
  static Result<int64_t> ensure_category_in(Conn& c, const std::string& raw_path);

  pg::Pool pool_;
};

// The schema, as numbered migrations (postgres_migrations.cpp); migration N is element N-1.
const std::vector<std::string_view>& postgres_migrations();
// Applies the missing migrations on `c` while holding the advisory lock that every wenku
// process takes for this, so two processes starting at once never race.
Result<void> postgres_migrate(Conn& c);
// Lists the tables of the schema in an order that satisfies the foreign keys.
const std::vector<std::string_view>& postgres_tables();

}  // namespace wenku::store
