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
  d.views, d.downloads, d.created_at, d.updated_at
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

class SqliteStore final : public MetadataStore {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}

  Result<void> init() {
    WENKU_ASSIGN_OR_RETURN(writer_, Connection::open(path_));
    return migrate(*writer_);
  }

  Result<int64_t> create_document(const NewDocument& doc, const JobSpec& job) override {
    std::lock_guard lock(write_mu_);
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
        created_at, updated_at)
      VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, NULLIF(?6, 0), ?7, ?8, ?9, ?10, ?11, ?12,
        'processing', ?13, ?13))sql");
    st.bind(1, doc.external_id).bind(2, doc.title).bind(3, doc.original_name)
        .bind(4, doc.uploader_id).bind(5, doc.uploader_name).bind(6, category_id)
        .bind(7, doc.description).bind(8, doc.format).bind(9, doc.size).bind(10, doc.sha256)
        .bind(11, doc.blob_key).bind(12, visibility_name(doc.visibility)).bind(13, now);
    WENKU_TRY(st.run());
    int64_t id = writer_->last_insert_id();
    WENKU_TRY(set_tags_locked(id, doc.tags));
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
        hidden = COALESCE(?15, hidden), indexed = COALESCE(?16, indexed), updated_at = ?17
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
    auto st = writer_->prepare(std::string(R"sql(
      UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2 + ?3, attempts = attempts + 1,
        updated_at = ?2
      WHERE id = (
        SELECT id FROM jobs
        WHERE ((state = 'queued' AND run_after <= ?2) OR (state = 'running' AND lease_until < ?2))
          AND (?4 = ',' OR instr(?4, ',' || kind || ',') > 0)
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

  Result<void> complete_job(int64_t job_id) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE jobs SET state = 'done', progress = 1, error = '', updated_at = ?2 WHERE id = ?1");
    st.bind(1, job_id).bind(2, now_unix());
    return st.run();
  }

  Result<void> fail_job(int64_t job_id, const std::string& error, int64_t retry_at) override {
    std::lock_guard lock(write_mu_);
    auto st = writer_->prepare(
        "UPDATE jobs SET state = ?2, error = ?3, run_after = ?4, lease_until = 0, updated_at = ?5 "
        "WHERE id = ?1");
    st.bind(1, job_id).bind(2, retry_at > 0 ? "queued" : "failed").bind(3, error).bind(4, retry_at)
        .bind(5, now_unix());
    return st.run();
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
