// MetadataStore: documents, pages, categories, users, sessions, tags, jobs, reports and the
// query log, behind one interface; the embedded implementation is SQLite (sqlite_store.h),
// the one for several machines PostgreSQL (postgres_store.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wenku::store {

enum class DocumentStatus { kProcessing, kReady, kFailed };
std::string_view status_name(DocumentStatus s);

enum class Visibility { kPublic, kUnlisted, kPrivate };
std::string_view visibility_name(Visibility v);
Visibility parse_visibility(std::string_view s);

struct Document {
  int64_t id = 0;
  std::string external_id;
  std::string title;
  std::string original_name;
  int64_t uploader_id = 0;          // 0: no account (imported from the command line)
  std::string uploader_name;
  int64_t category_id = 0;          // 0: none
  std::string category_path;        // "办公文档/事务文书", filled on reads
  std::string description;
  std::string keywords;             // space-separated
  std::vector<std::string> tags;    // filled on reads
  std::string format;               // detected, e.g. "docx"
  int64_t size = 0;
  std::string sha256;
  std::string blob_key;             // the original
  std::string pdf_key;              // converted PDF, "" when none
  int pages = 0;
  int preview_pages_done = 0;       // pages with a rendered image
  DocumentStatus status = DocumentStatus::kProcessing;
  std::string error;                // reason a person can act on, when failed
  int64_t duplicate_of = 0;         // exact duplicate of this document (same sha256)
  int64_t similar_to = 0;           // near-duplicate of this document
  double similarity = 0;
  Visibility visibility = Visibility::kPublic;
  bool hidden = false;              // hidden by moderation
  bool indexed = false;             // the search index holds its current text
  int64_t index_gen = 0;            // counts the updates that set indexed false (mark_indexed)
  int64_t views = 0;
  int64_t downloads = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct NewDocument {
  std::string external_id, title, original_name, uploader_name, category_path, description;
  std::vector<std::string> tags;
  int64_t uploader_id = 0;
  std::string format;  // may be empty until detected
  int64_t size = 0;
  std::string sha256, blob_key;
  Visibility visibility = Visibility::kPublic;
  // Review before publishing: the row is written hidden and queued for a moderator in the
  // same transaction, so no crash can leave it listed or searchable before review.
  bool hold_for_review = false;
};

// Fields a processing step changes; unset optionals stay as they are.
struct DocumentUpdate {
  std::optional<std::string> title, format, pdf_key, error, keywords, description, category_path;
  std::optional<std::vector<std::string>> tags;
  std::optional<int> pages, preview_pages_done;
  std::optional<DocumentStatus> status;
  std::optional<int64_t> similar_to;
  std::optional<double> similarity;
  std::optional<Visibility> visibility;
  std::optional<bool> hidden, indexed;
};

struct Page {
  int number = 0;                  // 1-based
  std::string text;
  std::string image_key, thumb_key;  // "" until rendered
  int width = 0, height = 0;
};

enum class DocumentSort { kNewest, kMostViewed, kOldest };

// Which documents a list shows, as data. The library's policy makes the one rule
// (library/policy.h: "listed"); the store turns it into its queries and `admits` applies
// the same rule to a document in memory, so a query and the code cannot disagree.
struct ListingRule {
  std::optional<DocumentStatus> status;  // only documents in this status
  std::optional<Visibility> visibility;  // only documents with this visibility
  bool include_hidden = true;            // false: not those hidden by moderation or binned
  bool admits(const Document& d) const;
};

struct DocumentFilter {
  std::optional<DocumentStatus> status;
  std::string category_prefix;     // subtree, "" = all
  int64_t uploader_id = 0;         // 0 = any
  bool listed_only = false;        // only what the policy lists: the library fills `listed`
  std::optional<ListingRule> listed;  // only what this rule admits (the store refuses
                                      // listed_only without it: it never guesses the policy)
  DocumentSort sort = DocumentSort::kNewest;
  int offset = 0;
  int limit = 20;
};

struct Category {
  int64_t id = 0;
  int64_t parent_id = 0;
  std::string name;
  std::string path;                // "办公文档/事务文书"
  int64_t documents = 0;           // documents in this subtree, counted by list_categories' rule
};

struct Derivative {
  std::string kind;      // "watermark_pdf"
  std::string params;    // what it was made from
  std::string blob_key;
  int64_t size = 0;
};

enum class JobState { kQueued, kRunning, kDone, kFailed };

struct JobSpec {
  std::string kind;                // "process", "render_rest", ...
  int64_t document_id = 0;
  int priority = 0;                // lower runs first
  int max_attempts = 3;
  int page = 0;                    // 1-based page a job is about (render_page); 0: none
};

struct Job {
  int64_t id = 0;
  std::string kind;
  int64_t document_id = 0;
  int priority = 0;
  int attempts = 0;                // including the current one
  int max_attempts = 3;
  JobState state = JobState::kQueued;
  std::string error;
  double progress = 0;
  int page = 0;                    // as in JobSpec
};


// Accounts (users, sessions), reports, site settings, the query log and daily statistics:
// what the web site keeps besides documents.
enum class Role { kMember, kModerator, kAdmin };
std::string_view role_name(Role r);
Role parse_role(std::string_view s);

struct User {
  int64_t id = 0;
  std::string name;
  std::string password_hash;       // Argon2id string (crypto_pwhash_str)
  Role role = Role::kMember;
  bool banned = false;
  int64_t created_at = 0;
};

struct UserUpdate {
  std::optional<std::string> password_hash;
  std::optional<Role> role;
  std::optional<bool> banned;
};

struct Session {
  std::string token_hash;          // SHA-256 of the cookie value; the token itself is never stored
  int64_t user_id = 0;
  std::string csrf_token;
  int64_t created_at = 0, expires_at = 0;
};

struct Report {
  int64_t id = 0;
  int64_t document_id = 0;
  int64_t reporter_id = 0;         // 0: a guest
  std::string reason;              // spam, porn, copyright, privacy, abuse, other
  std::string detail;
  std::string state;               // open, resolved
  std::string action;              // dismiss, hide, ban
  int64_t resolved_by = 0;
  int64_t created_at = 0, resolved_at = 0;
  std::string document_title;      // filled on reads
  int64_t comment_id = 0;          // a report of one comment (0: of the document)
  std::string comment_body;        // filled on reads ("" when the comment is gone)
};

struct QueryCount {
  std::string query;
  int64_t count = 0;
};

struct DayCount {
  int64_t day = 0;                 // unix day number (seconds / 86400)
  int64_t count = 0;
};

// A reader's comment (评论) on a document.
struct Comment {
  int64_t id = 0;
  int64_t document_id = 0;
  int64_t user_id = 0;
  std::string body;
  int64_t created_at = 0;
  std::string user_name;           // filled on reads
};

// A document in the recycle bin (回收站): hidden until restored or purged.
struct BinnedDocument {
  int64_t document_id = 0;
  int64_t uploader_id = 0;         // filled on reads
  std::string title;               // filled on reads
  int64_t deleted_by = 0;
  int64_t deleted_at = 0;
};

// What the library derives from a document's text.
struct DocumentAnalysis {
  uint64_t simhash = 0;
  std::string suggested_category;
};

// Favourites (收藏), collections (专辑) and ratings: what signed-in readers keep and say.
// Rows go with their document and their account (foreign keys, ON DELETE CASCADE).
struct Collection {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string owner_name;          // filled on reads
  std::string name;
  std::string description;
  bool is_public = false;
  int64_t documents = 0;           // filled on reads: every item, whatever its visibility
  int64_t created_at = 0, updated_at = 0;
};

struct CollectionUpdate {
  std::optional<std::string> name, description;
  std::optional<bool> is_public;
};

struct RatingSummary {
  int64_t count = 0;
  double average = 0;              // 0 when count is 0
};
// Rows of one table in a backend-neutral form, for moving a library between stores:
// every value as text (integers and reals in decimal, booleans "0"/"1"), nullopt for NULL.
struct RowBatch {
  std::string table;
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// The tables a migration copies, parents before children: everything but sessions (people
// log in again) and the rate-limit hits (a day's counters).
const std::vector<std::string>& migration_tables();

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Documents. create_document writes the row (status processing) and its first job in one
  // transaction: an acknowledged upload is never lost and never half there.
  // Errors: kInvalidArgument, kIo.
  virtual Result<int64_t> create_document(const NewDocument& doc, const JobSpec& job) = 0;
  // Errors: kNotFound.
  virtual Result<Document> get_document(int64_t id) = 0;
  virtual Result<std::optional<Document>> find_by_sha256(const std::string& sha256) = 0;
  virtual Result<std::optional<Document>> find_by_external_id(const std::string& external_id) = 0;
  virtual Result<std::vector<Document>> list_documents(const DocumentFilter& filter) = 0;
  virtual Result<int64_t> count_documents(const DocumentFilter& filter) = 0;
  // Errors: kNotFound.
  virtual Result<void> update_document(int64_t id, const DocumentUpdate& update) = 0;
  // Removes the document with its pages, tags, jobs and reports. Errors: kNotFound.
  virtual Result<void> delete_document(int64_t id) = 0;
  virtual Result<void> add_views(int64_t id, int64_t n) = 0;
  virtual Result<void> add_downloads(int64_t id, int64_t n) = 0;

  // Pages: replace_pages sets the text of every page (images kept where numbers survive) and
  // marks the document not indexed (a new index_gen) in the same transaction.
  virtual Result<void> replace_pages(int64_t document_id, const std::vector<Page>& pages) = 0;
  virtual Result<std::vector<Page>> get_pages(int64_t document_id) = 0;
  // One page without its text (for serving its images). nullopt when there is no such page.
  virtual Result<std::optional<Page>> get_page_image(int64_t document_id, int number) = 0;
  virtual Result<void> set_page_image(int64_t document_id, int number, const std::string& image_key,
                                      const std::string& thumb_key, int width, int height) = 0;

  // Categories: a tree addressed by paths like "办公文档/事务文书".
  virtual Result<int64_t> ensure_category(const std::string& path) = 0;
  // Each category with the number of documents `counted` admits in its subtree.
  virtual Result<std::vector<Category>> list_categories(const ListingRule& counted) = 0;
  // Renames or moves a category with its subtree: "a/b" -> "c/b2" (missing parents are
  // created). The documents of the subtree are marked not indexed (a new index_gen) in the
  // same transaction, since the index holds their category paths; the caller re-indexes
  // them (or the start-up scan does, after a crash). Errors: kNotFound, kAlreadyExists,
  // kInvalidArgument (into its own subtree).
  virtual Result<void> move_category(const std::string& from_path, const std::string& to_path) = 0;

  // Jobs: a durable queue. claim_job takes the next runnable job of one of `kinds` (or any
  // kind when empty) and leases it to `worker` until now + lease_seconds; an expired lease
  // makes a running job claimable again.
  virtual Result<int64_t> enqueue_job(const JobSpec& job) = 0;
  virtual Result<std::optional<Job>> claim_job(const std::string& worker,
                                               const std::vector<std::string>& kinds,
                                               int lease_seconds) = 0;
  virtual Result<void> renew_job(int64_t job_id, const std::string& worker, int lease_seconds,
                                 double progress) = 0;
  virtual Result<void> complete_job(int64_t job_id) = 0;
  // Puts the job back in the queue to run after `retry_at` (unix s), or fails it for good
  // when retry_at is 0.
  virtual Result<void> fail_job(int64_t job_id, const std::string& error, int64_t retry_at) = 0;
  virtual Result<std::vector<Job>> jobs_of(int64_t document_id) = 0;
  // Running jobs with the worker that holds each (to release those of dead local workers).
  virtual Result<std::vector<std::pair<Job, std::string>>> running_jobs() = 0;
  // Puts a running job back in the queue at once (its worker is known to be dead).
  virtual Result<void> release_job(int64_t job_id) = 0;
  // Puts a running job back in the queue to run after `retry_at` (unix s) without counting
  // the run as an attempt: it failed because a backend of the site (database, bucket, index)
  // did not answer, not because of its file (issue 12: retried later, never lost).
  virtual Result<void> defer_job(int64_t job_id, const std::string& error, int64_t retry_at) = 0;
  // A reader is waiting for it: the queued job of `kind` for the document runs next among
  // jobs of a lower `priority` number than its own (its priority lowered to `priority`, its
  // retry time, if any, brought to now). False when no such job is queued (running or done).
  virtual Result<bool> hurry_job(const std::string& kind, int64_t document_id, int priority) = 0;
  // Queues `job` unless a job of the same kind, document and page is queued or running
  // (one pending job per page a reader asked for). True when it was queued. Errors: kIo.
  virtual Result<bool> enqueue_job_once(const JobSpec& job) = 0;
  virtual Result<int64_t> count_jobs(JobState state) = 0;
  // Since when (unix s) the longest-waiting runnable queued job has waited: queued, or its
  // retry time come (a job waiting out a retry back-off is not waiting on the workers);
  // 0 when none is.
  virtual Result<int64_t> oldest_queued_job_at() = 0;

  // Analysis: the SimHash and suggested category of a document (replaced whole).
  virtual Result<void> set_analysis(int64_t document_id, const DocumentAnalysis& analysis) = 0;
  // Errors: kNotFound when none was stored.
  virtual Result<DocumentAnalysis> get_analysis(int64_t document_id) = 0;
  // The most similar other document whose SimHash is at most `max_distance` bits from
  // `simhash` (at most 3: candidates come from the four 16-bit bands), with the distance.
  virtual Result<std::optional<std::pair<int64_t, int>>> find_near_duplicate(int64_t document_id, uint64_t simhash,
                                                                             int max_distance) = 0;

  // Files derived from a document (the watermarked PDF a download serves): one per kind,
  // made from `params` (what it depends on, e.g. the watermark text). nullopt when none.
  virtual Result<std::optional<Derivative>> get_derivative(int64_t document_id, const std::string& kind) = 0;
  // Stores (replacing) the document's derivative of d.kind. Errors: kNotFound (no document), kIo.
  virtual Result<void> put_derivative(int64_t document_id, const Derivative& d) = 0;

  // True when a document or page still refers to the blob `key`.
  virtual Result<bool> is_blob_referenced(const std::string& key) = 0;
  // Every blob key that a row refers to (originals, PDFs, page images), for `wenku check`.
  virtual Result<std::vector<std::string>> referenced_blob_keys() = 0;
  // Documents whose `indexed` flag is false (to re-index after a crash).
  virtual Result<std::vector<int64_t>> unindexed_documents() = 0;
  // Sets `indexed` if the document is still at `index_gen`, the generation its re-indexer
  // read with it: true when set. An update asking for re-indexing (indexed = false) in
  // between makes it false, and the flag stays down for that update's own re-index (or the
  // start-up scan after a crash) instead of vouching for text the index never got.
  virtual Result<bool> mark_indexed(int64_t id, int64_t index_gen) = 0;

  // Users. Names are unique without regard to ASCII case. Errors: kAlreadyExists, kIo.
  virtual Result<int64_t> create_user(const std::string& name, const std::string& password_hash, Role role) = 0;
  // Errors: kNotFound.
  virtual Result<User> get_user(int64_t id) = 0;
  virtual Result<std::optional<User>> find_user(const std::string& name) = 0;
  virtual Result<std::vector<User>> list_users(int offset, int limit) = 0;
  virtual Result<int64_t> count_users() = 0;
  // Errors: kNotFound.
  virtual Result<void> update_user(int64_t id, const UserUpdate& update) = 0;

  // Sessions, found by the hash of their token; expired ones are not returned.
  virtual Result<void> create_session(const Session& session) = 0;
  virtual Result<std::optional<Session>> find_session(const std::string& token_hash, int64_t now) = 0;
  virtual Result<void> delete_session(const std::string& token_hash) = 0;
  // Every session of one user (password change, ban); `except` is kept.
  virtual Result<void> delete_user_sessions(int64_t user_id, const std::string& except_hash) = 0;

  // Reports (举报). Errors: kNotFound (no such document), kIo.
  virtual Result<int64_t> create_report(const Report& report) = 0;
  // state "" = all, newest first.
  virtual Result<std::vector<Report>> list_reports(const std::string& state, int offset, int limit) = 0;
  // Resolves one report, or with `all_of_document` every open report of its document.
  // Errors: kNotFound.
  virtual Result<void> resolve_report(int64_t id, const std::string& action, int64_t resolved_by,
                                      bool all_of_document) = 0;

  // Site settings set from the admin pages (they override the configuration's defaults).
  virtual Result<std::vector<std::pair<std::string, std::string>>> site_settings() = 0;
  virtual Result<void> set_site_setting(const std::string& key, const std::string& value) = 0;

  // Query log: searches people made, and which document a search led to.
  virtual Result<void> log_query(const std::string& query, int64_t results, int64_t clicked_document_id) = 0;
  virtual Result<std::vector<QueryCount>> popular_queries(int64_t since, int limit) = 0;
  // Searches that led to this document (相关搜索), most frequent first.
  virtual Result<std::vector<QueryCount>> queries_for_document(int64_t document_id, int limit) = 0;
  // Popular logged queries starting with `prefix` (search suggestions).
  virtual Result<std::vector<QueryCount>> suggest_queries(const std::string& prefix, int limit) = 0;
  // Deletes log rows older than `before`.
  virtual Result<void> prune_query_log(int64_t before) = 0;

  // Daily statistics: counters per (day, kind) such as "view", "download", and a bounded
  // per-day counter per subject (downloads per account or address) that refuses past `limit`.
  virtual Result<void> add_daily(const std::string& kind, int64_t n) = 0;
  // Counts of `kind` for the last `days` days (missing days are absent). Kinds "upload",
  // "search" and "failed" are read from the documents and the query log.
  virtual Result<std::vector<DayCount>> daily_counts(const std::string& kind, int days) = 0;
  // Increments the counter of `subject` today and returns true, unless it already reached
  // `limit` (0 = no limit).
  virtual Result<bool> take_daily_quota(const std::string& subject, int64_t limit) = 0;
  // A sliding-window limit shared by every process on the store (login, registration and
  // report limits, view and download de-duplication): true when `key` had fewer than `max`
  // hits in the last `window_seconds` (at most a day), and then records this hit.
  virtual Result<bool> take_rate(const std::string& key, int64_t max, int64_t window_seconds) = 0;
  // Documents per detected format.
  virtual Result<std::vector<QueryCount>> format_counts() = 0;

  // Review before publishing: documents waiting for a moderator (they stay hidden meanwhile).
  virtual Result<void> add_to_review(int64_t document_id) = 0;
  virtual Result<void> remove_from_review(int64_t document_id) = 0;
  virtual Result<std::vector<int64_t>> review_queue(int limit) = 0;

  // Favourites (收藏): one row per (user, document). Errors: kNotFound (no such document or
  // user).
  virtual Result<void> set_favourite(int64_t user_id, int64_t document_id, bool on) = 0;
  virtual Result<bool> is_favourite(int64_t user_id, int64_t document_id) = 0;
  virtual Result<int64_t> count_favourites(int64_t document_id) = 0;
  // The documents a user starred, most recent first.
  virtual Result<std::vector<int64_t>> favourite_ids(int64_t user_id, int offset, int limit) = 0;

  // Ratings: 1..5 stars, one per (user, document); rating again replaces it. Errors:
  // kNotFound (no such document or user), kInvalidArgument (stars out of 1..5).
  virtual Result<void> set_rating(int64_t user_id, int64_t document_id, int stars) = 0;
  // The user's stars for the document, 0 when none.
  virtual Result<int> rating_of(int64_t user_id, int64_t document_id) = 0;
  virtual Result<RatingSummary> rating_summary(int64_t document_id) = 0;

  // Collections (专辑): named lists of documents owned by one account. Errors: kNotFound
  // (no such owner), kInvalidArgument (an empty name).
  virtual Result<int64_t> create_collection(const Collection& c) = 0;
  // Errors: kNotFound.
  virtual Result<Collection> get_collection(int64_t id) = 0;
  // Collections of `owner_id` (0 = every owner), with `public_only` the public ones; newest
  // first.
  virtual Result<std::vector<Collection>> list_collections(int64_t owner_id, bool public_only, int offset,
                                                           int limit) = 0;
  // Errors: kNotFound.
  virtual Result<void> update_collection(int64_t id, const CollectionUpdate& update) = 0;
  // Removes the collection with its items (not the documents). Errors: kNotFound.
  virtual Result<void> delete_collection(int64_t id) = 0;
  // Adding twice keeps one item. Errors: kNotFound (no such collection or document).
  virtual Result<void> add_to_collection(int64_t collection_id, int64_t document_id) = 0;
  virtual Result<void> remove_from_collection(int64_t collection_id, int64_t document_id) = 0;
  // The documents of a collection, most recently added first.
  virtual Result<std::vector<int64_t>> collection_item_ids(int64_t collection_id, int offset, int limit) = 0;
  // The collections of `owner_id` that hold `document_id`.
  virtual Result<std::vector<int64_t>> collections_holding(int64_t owner_id, int64_t document_id) = 0;

  // Backup: writes a consistent copy of the whole store, as of one moment, into a new store
  // at `url` while others go on reading and writing (`wenku backup`, and a restore from such
  // a copy). Errors: kInvalidArgument (a URL of another kind), kAlreadyExists (a store is
  // there), kIo.
  virtual Result<void> backup_to(const std::string& url) = 0;

  // Comments (评论). create_comment stamps created_at. Errors: kNotFound (no such document
  // or user), kIo.
  virtual Result<int64_t> create_comment(const Comment& comment) = 0;
  virtual Result<std::optional<Comment>> get_comment(int64_t id) = 0;
  // A document's comments, oldest first.
  virtual Result<std::vector<Comment>> list_comments(int64_t document_id, int offset, int limit) = 0;
  virtual Result<int64_t> count_comments(int64_t document_id) = 0;
  // Errors: kNotFound.
  virtual Result<void> delete_comment(int64_t id) = 0;
  // Comments closed on one document (by its owner or an admin). Errors: kNotFound (no such
  // document).
  virtual Result<void> set_comments_closed(int64_t document_id, bool closed) = 0;
  virtual Result<bool> comments_closed(int64_t document_id) = 0;

  // Recycle bin (回收站). bin_document records the document as deleted by `by` at `at`,
  // hides it and marks it not indexed (a new index_gen), in one transaction; the caller
  // re-indexes it. unbin_document takes it out with its hidden flag as before the bin, also
  // marked not indexed. Errors: kNotFound (no such document / not in the bin),
  // kAlreadyExists (already in the bin).
  virtual Result<void> bin_document(int64_t id, int64_t by, int64_t at) = 0;
  virtual Result<void> unbin_document(int64_t id) = 0;
  virtual Result<std::optional<BinnedDocument>> find_binned(int64_t id) = 0;
  // The bin of one uploader (0 = everyone's), most recently deleted first.
  virtual Result<std::vector<BinnedDocument>> list_bin(int64_t uploader_id, int offset, int limit) = 0;
  // Documents binned before `before` (unix s), oldest first: the ones to purge.
  virtual Result<std::vector<int64_t>> bin_expired(int64_t before, int limit) = 0;
  // Moving a library between stores (`wenku migrate`, SQLite <-> PostgreSQL): the rows of
  // one table of migration_tables() in a form both backends read and write (RowBatch).
  // export_rows hands them to `sink` in batches of at most `batch_rows`, in the table's
  // order (parents before children); a sink error stops it and is returned.
  // Errors: kInvalidArgument (not a table of migration_tables()), kIo.
  virtual Result<void> export_rows(const std::string& table, int batch_rows,
                                   const std::function<Result<void>(const RowBatch&)>& sink) = 0;
  // Inserts the rows keeping their keys, in one transaction; a row whose key (or a unique
  // column) is already there is skipped, so importing again adds nothing. Identity
  // counters move past the largest id, so new rows never reuse one. Returns the rows
  // inserted. Errors: kInvalidArgument (unknown table or column), kNotFound (a parent row
  // is missing), kIo.
  virtual Result<int64_t> import_rows(const RowBatch& rows) = 0;
  // Rows in one table of migration_tables(). Errors: kInvalidArgument, kIo.
  virtual Result<int64_t> count_rows(const std::string& table) = 0;
};

// Opens a store by URL: "sqlite:///path/to/wenku.db", or "postgresql://user:pass@host:port/db"
// ("postgres://" too; a libpq URI, its parameters passed through) with a pool of at most
// `connections` connections (the caller sizes it for its threads). Errors:
// kInvalidArgument, kIo, kUnavailable (a database server that does not answer).
Result<std::unique_ptr<MetadataStore>> open_metadata_store(const std::string& url, int connections = 8);

}  // namespace wenku::store
