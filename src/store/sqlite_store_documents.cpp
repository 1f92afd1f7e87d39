// SqliteStore, documents slice: documents, pages, categories, tags, analysis and the
// index and blob bookkeeping of documents.
#include "store/sqlite_store_impl.h"

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::store {

namespace {

DocumentStatus parse_status(std::string_view s) {
  if (s == "ready") return DocumentStatus::kReady;
  if (s == "failed") return DocumentStatus::kFailed;
  return DocumentStatus::kProcessing;
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

// The rule of a ListingRule over `d`, its parameters numbered from `first`: status ('' =
// any), visibility ('' = any), hidden included (0/1).
std::string listing_clause(int first) {
  auto n = [&](int k) { return "?" + std::to_string(first + k); };
  return "((" + n(0) + " = '' OR d.status = " + n(0) + ") AND (" + n(1) + " = '' OR d.visibility = " + n(1) +
         ") AND (" + n(2) + " = 1 OR d.hidden = 0))";
}

void bind_listing(Statement& st, int first, const ListingRule& rule) {
  st.bind(first, rule.status ? status_name(*rule.status) : std::string_view(""));
  st.bind(first + 1, rule.visibility ? visibility_name(*rule.visibility) : std::string_view(""));
  st.bind(first + 2, int64_t{rule.include_hidden});
}

std::string where_clause() {
  // Parameters: ?1 status ('' = any), ?2 category prefix, ?3 uploader (0 = any), ?4 a listing
  // rule applies, ?5..?7 the rule (listing_clause). Rows marked as exact duplicates by old
  // versions never show.
  return std::string(R"sql( WHERE (?1 = '' OR d.status = ?1)
    AND (?2 = '' OR c.path = ?2 OR c.path LIKE ?2 || '/%')
    AND (?3 = 0 OR d.uploader_id = ?3)
    AND (?4 = 0 OR )sql") + listing_clause(5) + R"sql()
    AND d.duplicate_of = 0 )sql";
}

void bind_filter(Statement& st, const DocumentFilter& f) {
  st.bind(1, f.status ? status_name(*f.status) : std::string_view(""));
  st.bind(2, f.category_prefix);
  st.bind(3, f.uploader_id);
  st.bind(4, int64_t{f.listed.has_value()});
  bind_listing(st, 5, f.listed.value_or(ListingRule{}));
}

Result<void> check_filter(const DocumentFilter& f) {
  if (f.listed_only && !f.listed) {
    return make_error(ErrorCode::kInvalidArgument, "listed_only without the policy's listing rule");
  }
  return {};
}

}  // namespace

Result<int64_t> SqliteStore::create_document(const NewDocument& doc, const JobSpec& job) {
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

Result<Document> SqliteStore::get_document(int64_t id) {
  auto r = reader();
  auto st = r->prepare(std::string("SELECT ") + std::string(kDocumentColumns) + " WHERE d.id = ?1");
  st.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
  return read_document(st);
}

Result<std::optional<Document>> SqliteStore::find_by_sha256(const std::string& sha256) {
  return find_one("d.sha256 = ?1 AND d.duplicate_of = 0", sha256);
}

Result<std::optional<Document>> SqliteStore::find_by_external_id(const std::string& external_id) {
  return find_one("d.external_id = ?1", external_id);
}

Result<std::vector<Document>> SqliteStore::list_documents(const DocumentFilter& f) {
  WENKU_TRY(check_filter(f));
  auto r = reader();
  std::string sql = std::string("SELECT ") + std::string(kDocumentColumns) + where_clause();
  switch (f.sort) {
    case DocumentSort::kNewest: sql += " ORDER BY d.created_at DESC, d.id DESC"; break;
    case DocumentSort::kOldest: sql += " ORDER BY d.created_at, d.id"; break;
    case DocumentSort::kMostViewed: sql += " ORDER BY d.views DESC, d.id DESC"; break;
  }
  sql += " LIMIT ?8 OFFSET ?9";
  auto st = r->prepare(sql);
  bind_filter(st, f);
  st.bind(8, f.limit).bind(9, f.offset);
  std::vector<Document> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(read_document(st));
  }
  return out;
}

Result<int64_t> SqliteStore::count_documents(const DocumentFilter& f) {
  WENKU_TRY(check_filter(f));
  auto r = reader();
  auto st = r->prepare("SELECT count(*) FROM documents d LEFT JOIN categories c ON c.id = d.category_id" +
                       where_clause());
  bind_filter(st, f);
  WENKU_TRY(st.step());
  return st.int64(0);
}

Result<void> SqliteStore::update_document(int64_t id, const DocumentUpdate& u) {
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
  // Each optional field keeps its old value when unset (COALESCE over NULL binds). A binned
  // document stays hidden: a moderator's hide or approve is kept for its restore instead.
  auto st = writer_->prepare(R"sql(
    UPDATE documents SET
      title = COALESCE(?2, title), format = COALESCE(?3, format), pdf_key = COALESCE(?4, pdf_key),
      error = COALESCE(?5, error), keywords = COALESCE(?6, keywords),
      description = COALESCE(?7, description),
      category_id = CASE WHEN ?8 < 0 THEN category_id ELSE NULLIF(?8, 0) END,
      pages = COALESCE(?9, pages), preview_pages_done = COALESCE(?10, preview_pages_done),
      status = COALESCE(?11, status), similar_to = COALESCE(?12, similar_to),
      similarity = COALESCE(?13, similarity), visibility = COALESCE(?14, visibility),
      hidden = CASE WHEN EXISTS (SELECT 1 FROM recycle_bin WHERE document_id = ?1) THEN hidden
                    ELSE COALESCE(?15, hidden) END,
      indexed = COALESCE(?16, indexed), updated_at = ?17,
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
  if (u.hidden) {
    auto bin = writer_->prepare("UPDATE recycle_bin SET was_hidden = ?2 WHERE document_id = ?1");
    bin.bind(1, id).bind(2, int64_t{*u.hidden});
    WENKU_TRY(bin.run());
  }
  if (u.tags) WENKU_TRY(set_tags_locked(id, *u.tags));
  return tx.commit();
}

Result<void> SqliteStore::delete_document(int64_t id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM documents WHERE id = ?1");
  st.bind(1, id);
  WENKU_TRY(st.run());
  if (writer_->changes() == 0) {
    return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
  }
  return {};
}

Result<void> SqliteStore::add_views(int64_t id, int64_t n) {
  return add_counter("views", id, n);
}

Result<void> SqliteStore::add_downloads(int64_t id, int64_t n) {
  return add_counter("downloads", id, n);
}

Result<void> SqliteStore::replace_pages(int64_t document_id, const std::vector<Page>& pages) {
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

Result<std::vector<Page>> SqliteStore::get_pages(int64_t document_id) {
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

Result<std::optional<Page>> SqliteStore::get_page_image(int64_t document_id, int number) {
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

Result<void> SqliteStore::set_page_image(int64_t document_id, int number, const std::string& image_key,
                                         const std::string& thumb_key, int width, int height) {
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

Result<int64_t> SqliteStore::ensure_category(const std::string& path) {
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  WENKU_TRY(tx.begin());
  WENKU_ASSIGN_OR_RETURN(int64_t id, ensure_category_locked(path));
  WENKU_TRY(tx.commit());
  return id;
}

Result<std::vector<Category>> SqliteStore::list_categories(const ListingRule& counted) {
  auto r = reader();
  auto st = r->prepare(std::string(R"sql(
    SELECT c.id, COALESCE(c.parent_id, 0), c.name, c.path,
      (SELECT count(*) FROM documents d JOIN categories c2 ON c2.id = d.category_id
        WHERE (c2.path = c.path OR c2.path LIKE c.path || '/%') AND d.duplicate_of = 0 AND )sql") +
                       listing_clause(1) + R"sql()
    FROM categories c ORDER BY c.sort, c.path)sql");
  bind_listing(st, 1, counted);
  std::vector<Category> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.int64(4)});
  }
  return out;
}

Result<void> SqliteStore::move_category(const std::string& from_path, const std::string& to_raw) {
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

Result<void> SqliteStore::set_analysis(int64_t document_id, const DocumentAnalysis& a) {
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

Result<DocumentAnalysis> SqliteStore::get_analysis(int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT simhash, suggested_category FROM document_analysis WHERE document_id = ?1");
  st.bind(1, document_id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return make_error(ErrorCode::kNotFound, "no analysis of document " + std::to_string(document_id));
  return DocumentAnalysis{static_cast<uint64_t>(st.int64(0)), st.text(1)};
}

Result<std::optional<std::pair<int64_t, int>>> SqliteStore::find_near_duplicate(int64_t document_id, uint64_t simhash,
                                                                                int max_distance) {
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

Result<bool> SqliteStore::is_blob_referenced(const std::string& key) {
  auto r = reader();
  auto st = r->prepare(R"sql(
    SELECT EXISTS (SELECT 1 FROM documents WHERE blob_key = ?1) OR
           EXISTS (SELECT 1 FROM documents WHERE pdf_key = ?1) OR
           EXISTS (SELECT 1 FROM pages WHERE image_key = ?1) OR
           EXISTS (SELECT 1 FROM pages WHERE thumb_key = ?1) OR
           EXISTS (SELECT 1 FROM derivatives WHERE blob_key = ?1))sql");
  st.bind(1, key);
  WENKU_TRY(st.step());
  return st.integer(0) != 0;
}

Result<std::vector<std::string>> SqliteStore::referenced_blob_keys() {
  auto r = reader();
  auto st = r->prepare(R"sql(
    SELECT blob_key FROM documents UNION SELECT pdf_key FROM documents WHERE pdf_key != ''
    UNION SELECT image_key FROM pages WHERE image_key != ''
    UNION SELECT thumb_key FROM pages WHERE thumb_key != ''
    UNION SELECT blob_key FROM derivatives)sql");
  std::vector<std::string> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(st.text(0));
  }
  return out;
}

Result<std::vector<int64_t>> SqliteStore::unindexed_documents() {
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

Result<bool> SqliteStore::mark_indexed(int64_t id, int64_t index_gen) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("UPDATE documents SET indexed = 1 WHERE id = ?1 AND index_gen = ?2");
  st.bind(1, id).bind(2, index_gen);
  WENKU_TRY(st.run());
  return writer_->changes() > 0;
}

Result<std::optional<Document>> SqliteStore::find_one(const char* where, const std::string& value) {
  auto r = reader();
  auto st = r->prepare(std::string("SELECT ") + std::string(kDocumentColumns) + " WHERE " + where +
                       " ORDER BY d.id LIMIT 1");
  st.bind(1, value);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Document>{};
  return std::optional<Document>{read_document(st)};
}

Result<void> SqliteStore::add_counter(const char* column, int64_t id, int64_t n) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(std::string("UPDATE documents SET ") + column + " = " + column +
                             " + ?2 WHERE id = ?1");
  st.bind(1, id).bind(2, n);
  return st.run();
}

Result<void> SqliteStore::set_tags_locked(int64_t id, const std::vector<std::string>& tags) {
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
Result<int64_t> SqliteStore::ensure_category_locked(const std::string& raw_path) {
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

}  // namespace wenku::store
