// SQLite implementation of MetadataStore. One writer connection behind a mutex, a pool of
// reader connections (WAL lets them read while the writer writes).
#include "store/sqlite_store.h"

#include <mutex>

#include "core/clock.h"
#include "core/strings.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace wenku::store {

std::string_view status_name(DocumentStatus s) {
  switch (s) {
    case DocumentStatus::kProcessing: return "processing";
    case DocumentStatus::kReady: return "ready";
    case DocumentStatus::kFailed: return "failed";
  }
  return "processing";
}

namespace {

DocumentStatus parse_status(std::string_view s) {
  if (s == "ready") return DocumentStatus::kReady;
  if (s == "failed") return DocumentStatus::kFailed;
  return DocumentStatus::kProcessing;
}

std::string_view job_state_name(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kFailed: return "failed";
  }
  return "queued";
}

JobState parse_job_state(std::string_view s) {
  if (s == "running") return JobState::kRunning;
  if (s == "done") return JobState::kDone;
  if (s == "failed") return JobState::kFailed;
  return JobState::kQueued;
}

constexpr char kTagSeparator = '\x1f';

constexpr std::string_view kDocumentColumns = R"sql(
  d.id, d.external_id, d.title, d.original_name, COALESCE(d.uploader_id, 0), d.uploader_name,
  COALESCE(d.category_id, 0), COALESCE(c.path, ''), d.description, d.keywords,
  (SELECT group_concat(t.name, char(31)) FROM document_tags dt JOIN tags t ON t.id = dt.tag_id
     WHERE dt.document_id = d.id),
  d.format, d.size, d.sha256, d.blob_key, d.pdf_key, d.pages, d.preview_pages_done, d.status,
  d.error, d.duplicate_of, d.similar_to, d.similarity, d.visibility, d.hidden, d.indexed,
  d.views, d.downloads, d.created_at, d.updated_at, d.index_gen
  FROM documents d LEFT JOIN categories c ON c.id = d.category_id )sql";

Document read_document(const Statement& s) {
  Document d;
  int i = 0;
  d.id = s.int64(i++);
  d.external_id = s.text(i++);
  d.title = s.text(i++);
  d.original_name = s.text(i++);
  d.uploader_id = s.int64(i++);
  d.uploader_name = s.text(i++);
  d.category_id = s.int64(i++);
  d.category_path = s.text(i++);
  d.description = s.text(i++);
  d.keywords = s.text(i++);
  std::string tags = s.text(i++);
  if (!tags.empty()) d.tags = split(tags, kTagSeparator);
  d.format = s.text(i++);
  d.size = s.int64(i++);
  d.sha256 = s.text(i++);
  d.blob_key = s.text(i++);
  d.pdf_key = s.text(i++);
  d.pages = s.integer(i++);
  d.preview_pages_done = s.integer(i++);
  d.status = parse_status(s.text(i++));
  d.error = s.text(i++);
  d.duplicate_of = s.int64(i++);
  d.similar_to = s.int64(i++);
  d.similarity = s.real(i++);
  d.visibility = parse_visibility(s.text(i++));
  d.hidden = s.integer(i++) != 0;
  d.indexed = s.integer(i++) != 0;
  d.views = s.int64(i++);
  d.downloads = s.int64(i++);
  d.created_at = s.int64(i++);
  d.updated_at = s.int64(i++);
  d.index_gen = s.int64(i++);
  return d;
}

Job read_job(const Statement& s) {
  Job j;
  j.id = s.int64(0);
  j.kind = s.text(1);
  j.document_id = s.int64(2);
  j.priority = s.integer(3);
  j.attempts = s.integer(4);
  j.max_attempts = s.integer(5);
  j.state = parse_job_state(s.text(6));
  j.error = s.text(7);
  j.progress = s.real(8);
  return j;
}

constexpr std::string_view kJobColumns =
    "id, kind, COALESCE(document_id, 0), priority, attempts, max_attempts, state, error, progress";

constexpr std::string_view kUserSelect =
    "SELECT id, name, password_hash, role, banned, created_at FROM users";

User read_user(const Statement& s) {
  User u;
  u.id = s.int64(0);
  u.name = s.text(1);
  u.password_hash = s.text(2);
  u.role = parse_role(s.text(3));
  u.banned = s.integer(4) != 0;
  u.created_at = s.int64(5);
  return u;
}

class SqliteStore final : public MetadataStore {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}

  Result<void> init() {
    WENKU_ASSIGN_OR_RETURN(writer_, Connection::open(path_));
    return migrate(*writer_);
  }

  Result<int64_t> create_document(const NewDocument& doc, const JobSpec& job) override {
    std::lock_guard lock(write_mu_);
    // The commit that acknowledges an upload is synced to disk (and with it every commit
    // before it in the WAL). SQLite ignores or refuses a change of level inside a transaction,
    // so it is raised before BEGIN and lowered again on every way out.
    WENKU_TRY(writer_->exec("PRAGMA synchronous=FULL"));
    struct NormalAgain {
      Connection& c;
      ~NormalAgain() { (void)c.exec("PRAGMA synchronous=NORMAL"); }
    } normal_again{*writer_};
    Transaction tx(*writer_);
    WENKU_TRY(tx.begin());
    int64_t category_id = 0;
    if (!doc.category_path.empty()) {
      WENKU_ASSIGN_OR_RETURN(category_id, ensure_category_locked(doc.category_path));
    }
    int64_t now = now_unix();
    auto st = writer_->prepare(R"sql(
      INSERT INTO documents (external_id, title, original_name, uploader_id, uploader_name,
        category_id, description, format, size, sha256, blob_key, visibility, status,
        created_at, updated_at, hidden)
      VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, NULLIF(?6, 0), ?7, ?8, ?9, ?10, ?11, ?12,
        'processing', ?13, ?13, ?14))sql");
    st.bind(1, doc.external_id).bind(2, doc.title).bind(3, doc.original_name)
        .bind(4, doc.uploader_id).bind(5, doc.uploader_name).bind(6, category_id)
        .bind(7, doc.description).bind(8, doc.format).bind(9, doc.size).bind(10, doc.sha256)
        .bind(11, doc.blob_key).bind(12, visibility_name(doc.visibility)).bind(13, now)
        .bind(14, doc.hold_for_review ? 1 : 0);
    WENKU_TRY(st.run());
    int64_t id = writer_->last_insert_id();
    WENKU_TRY(set_tags_locked(id, doc.tags));
    if (doc.hold_for_review) {
      auto review = writer_->prepare("INSERT OR IGNORE INTO review_queue (document_id, created_at) VALUES (?1, ?2)");
      review.bind(1, id).bind(2, now);
      WENKU_TRY(review.run());
    }
    JobSpec j = job;
    j.document_id = id;
    WENKU_TRY(enqueue_locked(j));
    WENKU_TRY(tx.commit());
    return id;
  }

  Result<Document> get_document(int64_t id) override {
    auto r = reader();
    auto st = r->prepare(std::string("SELECT ") + std::string(kDocumentColumns) + " WHERE d.id = ?1");
    st.bind(1, id);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
    return read_document(st);
  }

  Result<std::optional<Document>> find_by_sha256(const std::string& sha256) override {
    return find_one("d.sha256 = ?1 AND d.duplicate_of = 0", sha256);
  }

  Result<std::optional<Document>> find_by_external_id(const std::string& external_id) override {
    return find_one("d.external_id = ?1", external_id);
  }

  Result<std::vector<Document>> list_documents(const DocumentFilter& f) override {
    auto r = reader();
    std::string sql = std::string("SELECT ") + std::string(kDocumentColumns) + where_clause();
    switch (f.sort) {
      case DocumentSort::kNewest: sql += " ORDER BY d.created_at DESC, d.id DESC"; break;
      case DocumentSort::kOldest: sql += " ORDER BY d.created_at, d.id"; break;
      case DocumentSort::kMostViewed: sql += " ORDER BY d.views DESC, d.id DESC"; break;
    }
    sql += " LIMIT ?5 OFFSET ?6";
    auto st = r->prepare(sql);
    bind_filter(st, f);
    st.bind(5, f.limit).bind(6, f.offset);
    std::vector<Document> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(read_document(st));
    }
    return out;
  }

  Result<int64_t> count_documents(const DocumentFilter& f) override {
    auto r = reader();
    auto st = r->prepare("SELECT count(*) FROM documents d LEFT JOIN categories c ON c.id = d.category_id" +
                         where_clause());
    bind_filter(st, f);
    WENKU_TRY(st.step());
    return st.int64(0);
  }

  Result<void> update_document(int64_t id, const DocumentUpdate& u) override {
    std::lock_guard lock(write_mu_);
    Transaction tx(*writer_);
    WENKU_TRY(tx.begin());
    int64_t category_id = -1;
    if (u.category_path) {
      if (u.category_path->empty()) {
        category_id = 0;
      } else {
        WENKU_ASSIGN_OR_RETURN(category_id, ensure_category_locked(*u.category_path));
      }
    }
    // Each optional field keeps its old value when unset (COALESCE over NULL binds).
    auto st = writer_->prepare(R"sql(
      UPDATE documents SET
        title = COALESCE(?2, title), format = COALESCE(?3, format), pdf_key = COALESCE(?4, pdf_key),
        error = COALESCE(?5, error), keywords = COALESCE(?6, keywords),
        description = COALESCE(?7, description),
        category_id = CASE WHEN ?8 < 0 THEN category_id ELSE NULLIF(?8, 0) END,
        pages = COALESCE(?9, pages), preview_pages_done = COALESCE(?10, preview_pages_done),
        status = COALESCE(?11, status), similar_to = COALESCE(?12, similar_to),
        similarity = COALESCE(?13, similarity), visibility = COALESCE(?14, visibility),
        hidden = COALESCE(?15, hidden), indexed = COALESCE(?16, indexed), updated_at = ?17,
        index_gen = index_gen + (COALESCE(?16, 1) = 0)
      WHERE id = ?1)sql");
    st.bind(1, id);
    auto opt_text = [&](int i, const std::optional<std::string>& v) {
      if (v) st.bind(i, *v); else st.bind_null(i);
    };
    opt_text(2, u.title);
    opt_text(3, u.format);
    opt_text(4, u.pdf_key);
    opt_text(5, u.error);
    opt_text(6, u.keywords);
    opt_text(7, u.description);
    st.bind(8, category_id);
    if (u.pages) st.bind(9, *u.pages); else st.bind_null(9);
    if (u.preview_pages_done) st.bind(10, *u.preview_pages_done); else st.bind_null(10);
    if (u.status) st.bind(11, status_name(*u.status)); else st.bind_null(11);
    if (u.similar_to) st.bind(12, *u.similar_to); else st.bind_null(12);
    if (u.similarity) st.bind(13, *u.similarity); else st.bind_null(13);
    if (u.visibility) st.bind(14, visibility_name(*u.visibility)); else st.bind_null(14);
    if (u.hidden) st.bind(15, int64_t{*u.hidden}); else st.bind_null(15);
    if (u.indexed) st.bind(16, int64_t{*u.indexed}); else st.bind_null(16);
    st.bind(17, now_unix());
    WENKU_TRY(st.run());
    if (writer_->changes() == 0) {
      return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
    }
    if (u.tags) WENKU_TRY(set_tags_locked(id, *u.tags));
    return tx.commit();
  }

  Result<void> delete_document(int64_t id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("DELETE FROM documents WHERE id = ?1");
    st.bind(1, id);
    WENKU_TRY(st.run());
    if (writer_->changes() == 0) {
      return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
    }
    return {};
  }

  Result<void> add_views(int64_t id, int64_t n) override { return add_counter("views", id, n); }
  Result<void> add_downloads(int64_t id, int64_t n) override { return add_counter("downloads", id, n); }

  Result<void> replace_pages(int64_t document_id, const std::vector<Page>& pages) override {
    std::lock_guard lock(write_mu_);
    Transaction tx(*writer_);
    WENKU_TRY(tx.begin());
    auto del = writer_->prepare("DELETE FROM pages WHERE document_id = ?1 AND number > ?2");
    del.bind(1, document_id).bind(2, static_cast<int64_t>(pages.size()));
    WENKU_TRY(del.run());
    auto ins = writer_->prepare(R"sql(
      INSERT INTO pages (document_id, number, text) VALUES (?1, ?2, ?3)
      ON CONFLICT (document_id, number) DO UPDATE SET text = excluded.text)sql");
    for (const auto& p : pages) {
      ins.bind(1, document_id).bind(2, p.number).bind(3, p.text);
      WENKU_TRY(ins.run());
      ins.reset();
    }
    // New text makes the search index stale, in the same transaction: a crash before the
    // re-index that follows leaves the document for the start-up scan (unindexed_documents),
    // never searchable by text the store no longer holds.
    auto stale = writer_->prepare(
        "UPDATE documents SET indexed = 0, index_gen = index_gen + 1 WHERE id = ?1");
    stale.bind(1, document_id);
    WENKU_TRY(stale.run());
    return tx.commit();
  }

  Result<std::vector<Page>> get_pages(int64_t document_id) override {
    auto r = reader();
    auto st = r->prepare(
        "SELECT number, text, image_key, thumb_key, width, height FROM pages WHERE document_id = ?1 "
        "ORDER BY number");
    st.bind(1, document_id);
    std::vector<Page> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      Page p;
      p.number = st.integer(0);
      p.text = st.text(1);
      p.image_key = st.text(2);
      p.thumb_key = st.text(3);
      p.width = st.integer(4);
      p.height = st.integer(5);
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::optional<Page>> get_page_image(int64_t document_id, int number) override {
    auto r = reader();
    auto st = r->prepare(
        "SELECT number, image_key, thumb_key, width, height FROM pages WHERE document_id = ?1 AND number = ?2");
    st.bind(1, document_id).bind(2, number);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return std::optional<Page>{};
    Page p;
    p.number = st.integer(0);
    p.image_key = st.text(1);
    p.thumb_key = st.text(2);
    p.width = st.integer(3);
    p.height = st.integer(4);
    return std::optional<Page>{std::move(p)};
  }

  Result<void> set_page_image(int64_t document_id, int number, const std::string& image_key,
                              const std::string& thumb_key, int width, int height) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(R"sql(
      INSERT INTO pages (document_id, number, image_key, thumb_key, width, height)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6)
      ON CONFLICT (document_id, number) DO UPDATE SET image_key = excluded.image_key,
        thumb_key = excluded.thumb_key, width = excluded.width, height = excluded.height)sql");
    st.bind(1, document_id).bind(2, number).bind(3, image_key).bind(4, thumb_key).bind(5, width)
        .bind(6, height);
    return st.run();
  }

  Result<int64_t> ensure_category(const std::string& path) override {
    std::lock_guard lock(write_mu_);
    Transaction tx(*writer_);
    WENKU_TRY(tx.begin());
    WENKU_ASSIGN_OR_RETURN(int64_t id, ensure_category_locked(path));
    WENKU_TRY(tx.commit());
    return id;
  }

  Result<std::vector<Category>> list_categories() override {
    auto r = reader();
    auto st = r->prepare(R"sql(
      SELECT c.id, COALESCE(c.parent_id, 0), c.name, c.path,
        (SELECT count(*) FROM documents d JOIN categories c2 ON c2.id = d.category_id
          WHERE (c2.path = c.path OR c2.path LIKE c.path || '/%') AND d.status = 'ready'
            AND d.visibility = 'public' AND d.hidden = 0)
      FROM categories c ORDER BY c.sort, c.path)sql");
    std::vector<Category> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.int64(4)});
    }
    return out;
  }

  Result<void> move_category(const std::string& from_path, const std::string& to_raw) override {
    std::string to;
    for (const auto& part : split(to_raw, '/')) {
      std::string t = trim(part);
      if (!t.empty()) to += (to.empty() ? "" : "/") + t;
    }
    if (to.empty()) return make_error(ErrorCode::kInvalidArgument, "empty category path");
    if (to == from_path) return {};
    if (starts_with(to, from_path + "/")) {
      return make_error(ErrorCode::kInvalidArgument, "不能移到自己的下级 / cannot move a category into itself");
    }
    std::lock_guard lock(write_mu_);
    Transaction tx(*writer_);
    WENKU_TRY(tx.begin());
    auto find = writer_->prepare("SELECT id FROM categories WHERE path = ?1");
    find.bind(1, from_path);
    WENKU_ASSIGN_OR_RETURN(bool row, find.step());
    if (!row) return make_error(ErrorCode::kNotFound, "分类不存在 / no category " + from_path);
    int64_t id = find.int64(0);
    auto exists = writer_->prepare("SELECT 1 FROM categories WHERE path = ?1");
    exists.bind(1, to);
    WENKU_ASSIGN_OR_RETURN(bool taken, exists.step());
    if (taken) return make_error(ErrorCode::kAlreadyExists, "分类已存在 / the category exists: " + to);
    int64_t parent = 0;
    size_t slash = to.rfind('/');
    if (slash != std::string::npos) {
      WENKU_ASSIGN_OR_RETURN(parent, ensure_category_locked(to.substr(0, slash)));
    }
    auto sub = writer_->prepare(
        "UPDATE categories SET path = ?2 || substr(path, length(?1) + 1) WHERE substr(path, 1, length(?1) + 1) = ?1 || '/'");
    sub.bind(1, from_path).bind(2, to);
    WENKU_TRY(sub.run());
    auto self = writer_->prepare("UPDATE categories SET path = ?2, name = ?3, parent_id = NULLIF(?4, 0) WHERE id = ?1");
    self.bind(1, id).bind(2, to).bind(3, slash == std::string::npos ? to : to.substr(slash + 1)).bind(4, parent);
    WENKU_TRY(self.run());
    // The index holds each document's category path: those of the subtree are behind now.
    auto behind = writer_->prepare(
        "UPDATE documents SET indexed = 0, index_gen = index_gen + 1 WHERE category_id IN "
        "(SELECT id FROM categories WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/')");
    behind.bind(1, to);
    WENKU_TRY(behind.run());
    return tx.commit();
  }

  Result<int64_t> enqueue_job(const JobSpec& job) override {
    std::lock_guard lock(write_mu_);
    return enqueue_locked(job);
  }

  Result<std::optional<Job>> claim_job(const std::string& worker, const std::vector<std::string>& kinds,
                                       int lease_seconds) override {
    std::lock_guard lock(write_mu_);
    int64_t now = now_unix();
    std::string kinds_csv;
    for (const auto& k : kinds) kinds_csv += "," + k;
    kinds_csv += ",";
    // A job is runnable when queued and due, or running with an expired lease (its worker died).
    // The first of each kind is read in (priority, id) order from the jobs_queue index and the
    // better of the two taken: one query with OR read every queued job and sorted them, so a
    // bulk import of n documents cost n^2 row reads in claims (a quarter of its text CPU).
    auto st = writer_->prepare(std::string(R"sql(
      UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2 + ?3, attempts = attempts + 1,
        updated_at = ?2
      WHERE id = (
        SELECT id FROM (
          SELECT * FROM (
            SELECT id, priority FROM jobs
            WHERE state = 'queued' AND run_after <= ?2 AND (?4 = ',' OR instr(?4, ',' || kind || ',') > 0)
            ORDER BY priority, id LIMIT 1)
          UNION ALL
          SELECT * FROM (
            SELECT id, priority FROM jobs
            WHERE state = 'running' AND lease_until < ?2 AND (?4 = ',' OR instr(?4, ',' || kind || ',') > 0)
            ORDER BY priority, id LIMIT 1))
        ORDER BY priority, id LIMIT 1)
      RETURNING )sql") + std::string(kJobColumns));
    st.bind(1, worker).bind(2, now).bind(3, lease_seconds).bind(4, kinds_csv);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return std::optional<Job>{};
    Job j = read_job(st);
    WENKU_TRY(st.run());
    return std::optional<Job>{j};
  }

  Result<void> renew_job(int64_t job_id, const std::string& worker, int lease_seconds,
                         double progress) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE jobs SET lease_until = ?3, progress = ?4, updated_at = ?5 "
        "WHERE id = ?1 AND worker = ?2 AND state = 'running'");
    int64_t now = now_unix();
    st.bind(1, job_id).bind(2, worker).bind(3, now + lease_seconds).bind(4, progress).bind(5, now);
    WENKU_TRY(st.run());
    if (writer_->changes() == 0) {
      return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " is no longer leased to " + worker);
    }
    return {};
  }

  // Only a running job is completed or failed. Job ids can be reused (a document's delete
  // removes its jobs, and the next job may take the highest id again), so a worker whose
  // document was deleted under it must not mark the newcomer's queued job: that left a new
  // upload `processing` for ever with "no document N" (found by the crash_edit suite).
  Result<void> complete_job(int64_t job_id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE jobs SET state = 'done', progress = 1, error = '', updated_at = ?2 "
        "WHERE id = ?1 AND state = 'running'");
    st.bind(1, job_id).bind(2, now_unix());
    WENKU_TRY(st.run());
    return job_changed(job_id);
  }

  Result<void> fail_job(int64_t job_id, const std::string& error, int64_t retry_at) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE jobs SET state = ?2, error = ?3, run_after = ?4, lease_until = 0, updated_at = ?5 "
        "WHERE id = ?1 AND state = 'running'");
    st.bind(1, job_id).bind(2, retry_at > 0 ? "queued" : "failed").bind(3, error).bind(4, retry_at)
        .bind(5, now_unix());
    WENKU_TRY(st.run());
    return job_changed(job_id);
  }

  Result<void> job_changed(int64_t job_id) {
    if (writer_->changes() == 0) {
      return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " is not running (deleted with its document?)");
    }
    return {};
  }

  Result<std::vector<Job>> jobs_of(int64_t document_id) override {
    auto r = reader();
    auto st = r->prepare("SELECT " + std::string(kJobColumns) + " FROM jobs WHERE document_id = ?1 ORDER BY id");
    st.bind(1, document_id);
    std::vector<Job> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(read_job(st));
    }
    return out;
  }

  Result<std::vector<std::pair<Job, std::string>>> running_jobs() override {
    auto r = reader();
    auto st = r->prepare("SELECT " + std::string(kJobColumns) + ", worker FROM jobs WHERE state = 'running'");
    std::vector<std::pair<Job, std::string>> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.emplace_back(read_job(st), st.text(9));
    }
    return out;
  }

  Result<void> release_job(int64_t job_id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE jobs SET state = 'queued', lease_until = 0, worker = '', run_after = 0 "
        "WHERE id = ?1 AND state = 'running'");
    st.bind(1, job_id);
    return st.run();
  }

  Result<int64_t> count_jobs(JobState state) override {
    auto r = reader();
    auto st = r->prepare("SELECT count(*) FROM jobs WHERE state = ?1");
    st.bind(1, job_state_name(state));
    WENKU_TRY(st.step());
    return st.int64(0);
  }

  Result<void> set_analysis(int64_t document_id, const DocumentAnalysis& a) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(R"sql(
      INSERT INTO document_analysis (document_id, simhash, band0, band1, band2, band3, suggested_category)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
      ON CONFLICT (document_id) DO UPDATE SET simhash = excluded.simhash, band0 = excluded.band0,
        band1 = excluded.band1, band2 = excluded.band2, band3 = excluded.band3,
        suggested_category = excluded.suggested_category)sql");
    st.bind(1, document_id).bind(2, static_cast<int64_t>(a.simhash));
    for (int b = 0; b < 4; ++b) st.bind(3 + b, static_cast<int64_t>((a.simhash >> (16 * b)) & 0xffff));
    st.bind(7, a.suggested_category);
    return st.run();
  }

  Result<DocumentAnalysis> get_analysis(int64_t document_id) override {
    auto r = reader();
    auto st = r->prepare("SELECT simhash, suggested_category FROM document_analysis WHERE document_id = ?1");
    st.bind(1, document_id);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return make_error(ErrorCode::kNotFound, "no analysis of document " + std::to_string(document_id));
    return DocumentAnalysis{static_cast<uint64_t>(st.int64(0)), st.text(1)};
  }

  Result<std::optional<std::pair<int64_t, int>>> find_near_duplicate(int64_t document_id, uint64_t simhash,
                                                                     int max_distance) override {
    auto r = reader();
    auto st = r->prepare(R"sql(
      SELECT a.document_id, a.simhash FROM document_analysis a JOIN documents d ON d.id = a.document_id
      WHERE a.document_id != ?1 AND d.status != 'failed'
        AND (a.band0 = ?2 OR a.band1 = ?3 OR a.band2 = ?4 OR a.band3 = ?5)
      ORDER BY a.document_id LIMIT 1000)sql");
    st.bind(1, document_id);
    for (int b = 0; b < 4; ++b) st.bind(2 + b, static_cast<int64_t>((simhash >> (16 * b)) & 0xffff));
    std::optional<std::pair<int64_t, int>> best;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      int d = __builtin_popcountll(static_cast<uint64_t>(st.int64(1)) ^ simhash);
      if (d <= max_distance && (!best || d < best->second)) best = std::make_pair(st.int64(0), d);
    }
    return best;
  }

  Result<bool> is_blob_referenced(const std::string& key) override {
    auto r = reader();
    auto st = r->prepare(R"sql(
      SELECT EXISTS (SELECT 1 FROM documents WHERE blob_key = ?1) OR
             EXISTS (SELECT 1 FROM documents WHERE pdf_key = ?1) OR
             EXISTS (SELECT 1 FROM pages WHERE image_key = ?1) OR
             EXISTS (SELECT 1 FROM pages WHERE thumb_key = ?1))sql");
    st.bind(1, key);
    WENKU_TRY(st.step());
    return st.integer(0) != 0;
  }

  Result<std::vector<std::string>> referenced_blob_keys() override {
    auto r = reader();
    auto st = r->prepare(R"sql(
      SELECT blob_key FROM documents UNION SELECT pdf_key FROM documents WHERE pdf_key != ''
      UNION SELECT image_key FROM pages WHERE image_key != ''
      UNION SELECT thumb_key FROM pages WHERE thumb_key != '')sql");
    std::vector<std::string> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(st.text(0));
    }
    return out;
  }

  Result<std::vector<int64_t>> unindexed_documents() override {
    auto r = reader();
    auto st = r->prepare("SELECT id FROM documents WHERE indexed = 0 AND duplicate_of = 0 ORDER BY id");
    std::vector<int64_t> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(st.int64(0));
    }
    return out;
  }

  Result<bool> mark_indexed(int64_t id, int64_t index_gen) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("UPDATE documents SET indexed = 1 WHERE id = ?1 AND index_gen = ?2");
    st.bind(1, id).bind(2, index_gen);
    WENKU_TRY(st.run());
    return writer_->changes() > 0;
  }

  // ---- Users, sessions, reports, site settings, query log, statistics (the web site) ----

  Result<int64_t> create_user(const std::string& name, const std::string& password_hash, Role role) override {
    std::lock_guard lock(write_mu_);
    {
      auto find = writer_->prepare("SELECT id FROM users WHERE name = ?1");
      find.bind(1, name);
      WENKU_ASSIGN_OR_RETURN(bool row, find.step());
      if (row) return make_error(ErrorCode::kAlreadyExists, "用户名已被使用 / the name is taken: " + name);
    }
    auto st = writer_->prepare("INSERT INTO users (name, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)");
    st.bind(1, name).bind(2, password_hash).bind(3, role_name(role)).bind(4, now_unix());
    WENKU_TRY(st.run());
    return writer_->last_insert_id();
  }

  Result<User> get_user(int64_t id) override {
    auto r = reader();
    auto st = r->prepare(std::string(kUserSelect) + " WHERE id = ?1");
    st.bind(1, id);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return make_error(ErrorCode::kNotFound, "用户不存在 / no user " + std::to_string(id));
    return read_user(st);
  }

  Result<std::optional<User>> find_user(const std::string& name) override {
    auto r = reader();
    auto st = r->prepare(std::string(kUserSelect) + " WHERE name = ?1");
    st.bind(1, name);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return std::optional<User>{};
    return std::optional<User>{read_user(st)};
  }

  Result<std::vector<User>> list_users(int offset, int limit) override {
    auto r = reader();
    auto st = r->prepare(std::string(kUserSelect) + " ORDER BY id LIMIT ?1 OFFSET ?2");
    st.bind(1, limit).bind(2, offset);
    std::vector<User> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(read_user(st));
    }
    return out;
  }

  Result<int64_t> count_users() override {
    auto r = reader();
    auto st = r->prepare("SELECT count(*) FROM users");
    WENKU_TRY(st.step());
    return st.int64(0);
  }

  Result<void> update_user(int64_t id, const UserUpdate& u) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE users SET password_hash = COALESCE(?2, password_hash), role = COALESCE(?3, role), "
        "banned = COALESCE(?4, banned) WHERE id = ?1");
    st.bind(1, id);
    if (u.password_hash) st.bind(2, *u.password_hash); else st.bind_null(2);
    if (u.role) st.bind(3, role_name(*u.role)); else st.bind_null(3);
    if (u.banned) st.bind(4, int64_t{*u.banned}); else st.bind_null(4);
    WENKU_TRY(st.run());
    if (writer_->changes() == 0) return make_error(ErrorCode::kNotFound, "用户不存在 / no user " + std::to_string(id));
    return {};
  }

  Result<void> create_session(const Session& s) override {
    std::lock_guard lock(write_mu_);
    // Expired sessions go away as new ones come, so the table never grows without bound.
    auto purge = writer_->prepare("DELETE FROM sessions WHERE expires_at < ?1");
    purge.bind(1, now_unix());
    WENKU_TRY(purge.run());
    auto st = writer_->prepare(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    st.bind(1, s.token_hash).bind(2, s.user_id).bind(3, s.csrf_token).bind(4, s.created_at).bind(5, s.expires_at);
    return st.run();
  }

  Result<std::optional<Session>> find_session(const std::string& token_hash, int64_t now) override {
    auto r = reader();
    auto st = r->prepare(
        "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions "
        "WHERE token_hash = ?1 AND expires_at > ?2");
    st.bind(1, token_hash).bind(2, now);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return std::optional<Session>{};
    return std::optional<Session>{Session{st.text(0), st.int64(1), st.text(2), st.int64(3), st.int64(4)}};
  }

  Result<void> delete_session(const std::string& token_hash) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("DELETE FROM sessions WHERE token_hash = ?1");
    st.bind(1, token_hash);
    return st.run();
  }

  Result<void> delete_user_sessions(int64_t user_id, const std::string& except_hash) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2");
    st.bind(1, user_id).bind(2, except_hash);
    return st.run();
  }

  Result<int64_t> create_report(const Report& rep) override {
    std::lock_guard lock(write_mu_);
    auto find = writer_->prepare("SELECT 1 FROM documents WHERE id = ?1");
    find.bind(1, rep.document_id);
    WENKU_ASSIGN_OR_RETURN(bool row, find.step());
    if (!row) return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(rep.document_id));
    auto st = writer_->prepare(
        "INSERT INTO reports (document_id, reporter_id, reason, detail, created_at) "
        "VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5)");
    st.bind(1, rep.document_id).bind(2, rep.reporter_id).bind(3, rep.reason).bind(4, rep.detail).bind(5, now_unix());
    WENKU_TRY(st.run());
    return writer_->last_insert_id();
  }

  Result<std::vector<Report>> list_reports(const std::string& state, int offset, int limit) override {
    auto r = reader();
    auto st = r->prepare(R"sql(
      SELECT r.id, r.document_id, COALESCE(r.reporter_id, 0), r.reason, r.detail, r.state, r.action,
        COALESCE(r.resolved_by, 0), r.created_at, r.resolved_at, COALESCE(d.title, '')
      FROM reports r LEFT JOIN documents d ON d.id = r.document_id
      WHERE (?1 = '' OR r.state = ?1) ORDER BY r.created_at DESC, r.id DESC LIMIT ?2 OFFSET ?3)sql");
    st.bind(1, state).bind(2, limit).bind(3, offset);
    std::vector<Report> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(Report{st.int64(0), st.int64(1), st.int64(2), st.text(3), st.text(4), st.text(5), st.text(6),
                           st.int64(7), st.int64(8), st.int64(9), st.text(10)});
    }
    return out;
  }

  Result<void> resolve_report(int64_t id, const std::string& action, int64_t resolved_by,
                              bool all_of_document) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        all_of_document
            ? "UPDATE reports SET state = 'resolved', action = ?2, resolved_by = NULLIF(?3, 0), resolved_at = ?4 "
              "WHERE state = 'open' AND document_id = (SELECT document_id FROM reports WHERE id = ?1)"
            : "UPDATE reports SET state = 'resolved', action = ?2, resolved_by = NULLIF(?3, 0), resolved_at = ?4 "
              "WHERE id = ?1");
    st.bind(1, id).bind(2, action).bind(3, resolved_by).bind(4, now_unix());
    WENKU_TRY(st.run());
    if (writer_->changes() == 0) return make_error(ErrorCode::kNotFound, "举报不存在 / no open report " + std::to_string(id));
    return {};
  }

  Result<std::vector<std::pair<std::string, std::string>>> site_settings() override {
    auto r = reader();
    auto st = r->prepare("SELECT key, value FROM site_settings ORDER BY key");
    std::vector<std::pair<std::string, std::string>> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.emplace_back(st.text(0), st.text(1));
    }
    return out;
  }

  Result<void> set_site_setting(const std::string& key, const std::string& value) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "INSERT INTO site_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    st.bind(1, key).bind(2, value);
    return st.run();
  }

  Result<void> log_query(const std::string& query, int64_t results, int64_t clicked_document_id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "INSERT INTO query_log (query, results, clicked_document_id, created_at) VALUES (?1, ?2, ?3, ?4)");
    st.bind(1, query).bind(2, results).bind(3, clicked_document_id).bind(4, now_unix());
    return st.run();
  }

  Result<std::vector<QueryCount>> popular_queries(int64_t since, int limit) override {
    return query_counts(
        "SELECT query, count(*) AS n FROM query_log WHERE created_at >= ?1 AND clicked_document_id = 0 "
        "AND results > 0 GROUP BY query ORDER BY n DESC, query LIMIT ?2",
        [&](Statement& st) { st.bind(1, since).bind(2, limit); });
  }

  Result<std::vector<QueryCount>> queries_for_document(int64_t document_id, int limit) override {
    return query_counts(
        "SELECT query, count(*) AS n FROM query_log WHERE clicked_document_id = ?1 "
        "GROUP BY query ORDER BY n DESC, query LIMIT ?2",
        [&](Statement& st) { st.bind(1, document_id).bind(2, limit); });
  }

  Result<std::vector<QueryCount>> suggest_queries(const std::string& prefix, int limit) override {
    // substr() instead of LIKE: the prefix is matched literally, % and _ included.
    return query_counts(
        "SELECT query, count(*) AS n FROM query_log WHERE substr(query, 1, length(?1)) = ?1 "
        "AND results > 0 AND clicked_document_id = 0 GROUP BY query ORDER BY n DESC, query LIMIT ?2",
        [&](Statement& st) { st.bind(1, prefix).bind(2, limit); });
  }

  Result<void> prune_query_log(int64_t before) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("DELETE FROM query_log WHERE created_at < ?1");
    st.bind(1, before);
    return st.run();
  }

  Result<void> add_daily(const std::string& kind, int64_t n) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "INSERT INTO daily_counts (day, kind, count) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count");
    st.bind(1, now_unix() / 86400).bind(2, kind).bind(3, n);
    return st.run();
  }

  Result<std::vector<DayCount>> daily_counts(const std::string& kind, int days) override {
    auto r = reader();
    int64_t from = now_unix() / 86400 - days + 1;
    std::string sql;
    if (kind == "upload") {
      sql = "SELECT created_at / 86400 AS day, count(*) FROM documents WHERE created_at / 86400 >= ?1 "
            "AND duplicate_of = 0 GROUP BY day ORDER BY day";
    } else if (kind == "failed") {
      sql = "SELECT updated_at / 86400 AS day, count(*) FROM documents WHERE status = 'failed' "
            "AND updated_at / 86400 >= ?1 GROUP BY day ORDER BY day";
    } else if (kind == "search") {
      sql = "SELECT created_at / 86400 AS day, count(*) FROM query_log WHERE created_at / 86400 >= ?1 "
            "AND clicked_document_id = 0 GROUP BY day ORDER BY day";
    } else {
      sql = "SELECT day, count FROM daily_counts WHERE day >= ?1 AND kind = ?2 ORDER BY day";
    }
    auto st = r->prepare(sql);
    st.bind(1, from);
    if (sql.find("?2") != std::string::npos) st.bind(2, kind);
    std::vector<DayCount> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back({st.int64(0), st.int64(1)});
    }
    return out;
  }

  Result<bool> take_daily_quota(const std::string& subject, int64_t limit) override {
    std::lock_guard lock(write_mu_);
    int64_t day = now_unix() / 86400;
    auto st = writer_->prepare(
        "INSERT INTO daily_quota (day, subject, count) VALUES (?1, ?2, 1) "
        "ON CONFLICT (day, subject) DO UPDATE SET count = count + 1 WHERE ?3 = 0 OR count < ?3");
    st.bind(1, day).bind(2, subject).bind(3, limit);
    WENKU_TRY(st.run());
    bool taken = writer_->changes() > 0;
    // Yesterday's counters are of no further use.
    auto purge = writer_->prepare("DELETE FROM daily_quota WHERE day < ?1");
    purge.bind(1, day - 1);
    WENKU_TRY(purge.run());
    return taken;
  }

  Result<std::vector<QueryCount>> format_counts() override {
    return query_counts(
        "SELECT CASE format WHEN '' THEN '?' ELSE format END AS f, count(*) AS n FROM documents "
        "WHERE duplicate_of = 0 GROUP BY f ORDER BY n DESC, f LIMIT ?1",
        [&](Statement& st) { st.bind(1, 50); });
  }

  Result<void> add_to_review(int64_t document_id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("INSERT OR IGNORE INTO review_queue (document_id, created_at) VALUES (?1, ?2)");
    st.bind(1, document_id).bind(2, now_unix());
    return st.run();
  }

  Result<void> remove_from_review(int64_t document_id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare("DELETE FROM review_queue WHERE document_id = ?1");
    st.bind(1, document_id);
    return st.run();
  }

  Result<std::vector<int64_t>> review_queue(int limit) override {
    auto r = reader();
    auto st = r->prepare("SELECT document_id FROM review_queue ORDER BY created_at, document_id LIMIT ?1");
    st.bind(1, limit);
    std::vector<int64_t> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(st.int64(0));
    }
    return out;
  }

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

   private:
    SqliteStore& s_;
    std::unique_ptr<Connection> c_;
  };

  ReaderLease reader() {
    {
      std::lock_guard lock(pool_mu_);
      if (!readers_.empty()) {
        auto c = std::move(readers_.back());
        readers_.pop_back();
        return ReaderLease(*this, std::move(c));
      }
    }
    auto c = Connection::open(path_);
    if (!c.ok()) throw std::runtime_error("cannot open a reader connection: " + c.error().message);
    return ReaderLease(*this, std::move(c).value());
  }

  Result<std::optional<Document>> find_one(const char* where, const std::string& value) {
    auto r = reader();
    auto st = r->prepare(std::string("SELECT ") + std::string(kDocumentColumns) + " WHERE " + where +
                         " ORDER BY d.id LIMIT 1");
    st.bind(1, value);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return std::optional<Document>{};
    return std::optional<Document>{read_document(st)};
  }


  template <typename Bind>
  Result<std::vector<QueryCount>> query_counts(const char* sql, Bind bind) {
    auto r = reader();
    auto st = r->prepare(sql);
    bind(st);
    std::vector<QueryCount> out;
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back({st.text(0), st.int64(1)});
    }
    return out;
  }

  static std::string where_clause() {
    // Parameters: ?1 status ('' = any), ?2 category prefix, ?3 uploader (0 = any), ?4 listed only.
    return R"sql( WHERE (?1 = '' OR d.status = ?1)
      AND (?2 = '' OR c.path = ?2 OR c.path LIKE ?2 || '/%')
      AND (?3 = 0 OR d.uploader_id = ?3)
      AND (?4 = 0 OR (d.status = 'ready' AND d.visibility = 'public' AND d.hidden = 0))
      AND d.duplicate_of = 0 )sql";
  }

  static void bind_filter(Statement& st, const DocumentFilter& f) {
    st.bind(1, f.status ? status_name(*f.status) : std::string_view(""));
    st.bind(2, f.category_prefix);
    st.bind(3, f.uploader_id);
    st.bind(4, int64_t{f.listed_only});
  }

  Result<void> add_counter(const char* column, int64_t id, int64_t n) {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(std::string("UPDATE documents SET ") + column + " = " + column +
                               " + ?2 WHERE id = ?1");
    st.bind(1, id).bind(2, n);
    return st.run();
  }

  Result<int64_t> enqueue_locked(const JobSpec& job) {
    int64_t now = now_unix();
    auto st = writer_->prepare(R"sql(
      INSERT INTO jobs (document_id, kind, priority, max_attempts, created_at, updated_at)
      VALUES (NULLIF(?1, 0), ?2, ?3, ?4, ?5, ?5))sql");
    st.bind(1, job.document_id).bind(2, job.kind).bind(3, job.priority).bind(4, job.max_attempts)
        .bind(5, now);
    WENKU_TRY(st.run());
    return writer_->last_insert_id();
  }

  Result<void> set_tags_locked(int64_t id, const std::vector<std::string>& tags) {
    auto del = writer_->prepare("DELETE FROM document_tags WHERE document_id = ?1");
    del.bind(1, id);
    WENKU_TRY(del.run());
    for (const auto& raw : tags) {
      std::string tag = trim(raw);
      if (tag.empty()) continue;
      auto ins = writer_->prepare("INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
      ins.bind(1, tag);
      WENKU_TRY(ins.run());
      auto link = writer_->prepare(
          "INSERT OR IGNORE INTO document_tags (document_id, tag_id) SELECT ?1, id FROM tags WHERE name = ?2");
      link.bind(1, id).bind(2, tag);
      WENKU_TRY(link.run());
    }
    return {};
  }

  // Creates every missing level of "a/b/c"; returns the id of the last. Caller holds the lock
  // and a transaction.
  Result<int64_t> ensure_category_locked(const std::string& raw_path) {
    int64_t parent = 0;
    std::string path;
    for (const auto& part_raw : split(raw_path, '/')) {
      std::string part = trim(part_raw);
      if (part.empty()) continue;
      path += path.empty() ? part : "/" + part;
      auto find = writer_->prepare("SELECT id FROM categories WHERE path = ?1");
      find.bind(1, path);
      WENKU_ASSIGN_OR_RETURN(bool row, find.step());
      if (row) {
        parent = find.int64(0);
        continue;
      }
      auto ins = writer_->prepare("INSERT INTO categories (parent_id, name, path) VALUES (NULLIF(?1, 0), ?2, ?3)");
      ins.bind(1, parent).bind(2, part).bind(3, path);
      WENKU_TRY(ins.run());
      parent = writer_->last_insert_id();
    }
    if (parent == 0) return make_error(ErrorCode::kInvalidArgument, "empty category path");
    return parent;
  }

  std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace

std::string_view visibility_name(Visibility v) {
  switch (v) {
    case Visibility::kPublic: return "public";
    case Visibility::kUnlisted: return "unlisted";
    case Visibility::kPrivate: return "private";
  }
  return "public";
}

Visibility parse_visibility(std::string_view s) {
  if (s == "unlisted") return Visibility::kUnlisted;
  if (s == "private") return Visibility::kPrivate;
  return Visibility::kPublic;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kMember: return "member";
    case Role::kModerator: return "moderator";
    case Role::kAdmin: return "admin";
  }
  return "member";
}

Role parse_role(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "moderator") return Role::kModerator;
  return Role::kMember;
}

Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::string& path) {
  auto s = std::make_unique<SqliteStore>(path);
  WENKU_TRY(s->init());
  return std::unique_ptr<MetadataStore>(std::move(s));
}

Result<std::unique_ptr<MetadataStore>> open_metadata_store(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite://";
  if (starts_with(url, kScheme)) return open_sqlite_store(url.substr(kScheme.size()));
  return make_error(ErrorCode::kInvalidArgument, "unsupported metadata store URL: " + url);
}

}  // namespace wenku::store
