// SQLite FTS5 implementation of SearchIndex: opening, the schema, reader connections and
// atomic per-document writes with group commit. Queries are in sqlite_index_search.cpp.
#include "index/sqlite_index.h"

#include <cstdio>

#include "core/strings.h"
#include "index/fts_functions.h"
#include "index/source_codec.h"
#include "index/sqlite_index_impl.h"

namespace wenku::index {
namespace {

std::string join_pages_normalized(const std::vector<AlignedText>& pages) {
  std::string out;
  for (const AlignedText& p : pages) {
    if (!out.empty()) out += '\n';
    out += p.normalized;
  }
  return out;
}

}  // namespace

SqliteSearchIndex::SqliteSearchIndex(std::string path, std::unique_ptr<Connection> writer,
                                     const text::Normalizer& n, const text::Segmenter& s,
                                     const RankParams& params)
    : path_(std::move(path)), w_(std::move(writer)), analyzer_(n, s), params_(params) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%g,%g,%g,%g,%g,%g,%g,%g,%g", params.k1, params.b, params.w_title,
                params.w_title_grams, params.w_meta, params.w_meta_grams, params.w_body,
                params.w_body_grams, params.w_chars);
  weights_ = buf;
  std::snprintf(buf, sizeof buf, ",%g", params.len_prior);
  weights_prior_ = weights_ + buf;
}

Result<void> SqliteSearchIndex::init() {
  // The default page cache (2 MB): a larger one made every commit slower (SQLite walks
  // the cache's hash table; 25% of the indexing CPU at 64 MB), and reads go through mmap.
  WENKU_TRY(w_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"));
  WENKU_TRY(setup_connection(*w_));
  WENKU_TRY(w_->exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
      "CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, title TEXT, keywords TEXT,"
      " description TEXT, category TEXT, format TEXT, uploader TEXT, created_at INTEGER,"
      " views INTEGER, listed INTEGER, npages INTEGER);"
      "CREATE INDEX IF NOT EXISTS docs_created ON docs(created_at);"
      "CREATE INDEX IF NOT EXISTS docs_views ON docs(views);"
      "CREATE INDEX IF NOT EXISTS docs_category ON docs(category);"
      "CREATE TABLE IF NOT EXISTS pages(doc_id INTEGER, page INTEGER, text TEXT,"
      " aligned TEXT, PRIMARY KEY(doc_id, page)) WITHOUT ROWID;"
      // Contentless: the analysed text is kept once, compressed, in fts_src
      // (FTS5 needs it back to delete a row), not uncompressed in FTS5.
      "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(t, tg, k, kg, b, bg, u,"
      " tokenize='wenku_ws', content='');"
      "CREATE TABLE IF NOT EXISTS fts_src(id INTEGER PRIMARY KEY, data BLOB);"
      "CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');"));
  recount();
  // Each upsert is its own transaction, so FTS5 writes a small segment per document;
  // merging 16 at a time instead of 4 halves the indexing time (bench/README.md).
  WENKU_TRY(w_->exec("INSERT INTO fts(fts, rank) VALUES('automerge', 16)"));
  auto v = w_->prepare("SELECT value FROM meta WHERE key='schema'");
  WENKU_ASSIGN_OR_RETURN(bool have_schema, v.step());
  if (have_schema) {
    if (std::atoi(v.text(0).c_str()) != kSchemaVersion) {
      return make_error(ErrorCode::kUnavailable,
                        "index: the index was made by another version of wenku; delete it to rebuild");
    }
  } else {
    auto ins = w_->prepare("INSERT OR REPLACE INTO meta VALUES('schema', ?1)");
    ins.bind(1, std::to_string(kSchemaVersion));
    WENKU_TRY(ins.run());
  }
  return {};
}

Result<void> SqliteSearchIndex::upsert_batch(const std::vector<IndexDocument>& docs) {
  std::vector<const IndexDocument*> all;
  all.reserve(docs.size());
  for (const IndexDocument& d : docs) all.push_back(&d);
  return upsert_all(all);
}

Result<void> SqliteSearchIndex::upsert_all(const std::vector<const IndexDocument*>& docs) {
  // Analysis runs outside the lock: it is the slow part and needs no database.
  std::vector<Prepared> prepared;
  prepared.reserve(docs.size());
  for (const IndexDocument* doc : docs) {
    WENKU_ASSIGN_OR_RETURN(Prepared p, prepare(*doc));
    prepared.push_back(std::move(p));
  }
  Pending me;
  me.docs = &prepared;
  std::unique_lock ql(group_mu_);
  group_.push_back(&me);
  while (!me.done) {
    if (group_writing_) {
      group_cv_.wait(ql);
      continue;
    }
    group_writing_ = true;
    std::vector<Pending*> group;
    group.swap(group_);
    ql.unlock();
    write_group(group);
    ql.lock();
    for (Pending* p : group) p->done = true;
    group_writing_ = false;
    group_cv_.notify_all();
  }
  return me.result;
}

void SqliteSearchIndex::write_group(const std::vector<Pending*>& group) {
  std::lock_guard lock(mu_);
  Result<void> r = write_transaction(group);
  if (r.ok() || group.size() == 1) {
    for (Pending* p : group) p->result = r;
    return;
  }
  for (Pending* p : group) p->result = write_transaction({p});
}

Result<void> SqliteSearchIndex::write_transaction(const std::vector<Pending*>& group) {
  WENKU_TRY(w_->exec("BEGIN IMMEDIATE"));
  for (const Pending* p : group) {
    for (const Prepared& d : *p->docs) {
      Result<void> r = write_document(d);
      if (!r.ok()) {
        (void)w_->exec("ROLLBACK");
        recount();
        return r;
      }
    }
  }
  Result<void> c = w_->exec("COMMIT");
  if (!c.ok()) {
    (void)w_->exec("ROLLBACK");
    recount();
  }
  return c;
}

Result<SqliteSearchIndex::Prepared> SqliteSearchIndex::prepare(const IndexDocument& doc) const {
  size_t total = 0;
  for (const std::string& p : doc.pages) total += p.size();
  if (total > kMaxDocumentBytes || doc.pages.size() > kMaxPages) {
    return make_error(ErrorCode::kTooLarge, "index: document " + std::to_string(doc.id) +
                                                " has too much text to index");
  }
  std::string title = utf8_prefix(sanitize_utf8(doc.title), kMaxFieldBytes);
  std::string meta = utf8_prefix(sanitize_utf8(doc.keywords + "\n" + doc.description), kMaxFieldBytes);
  std::vector<std::string> originals;
  std::vector<AlignedText> pages;
  for (const std::string& p : doc.pages) {
    originals.push_back(sanitize_utf8(p));
    pages.push_back(analyzer_.normalize_aligned(originals.back()));
  }
  Prepared out{&doc, std::move(title), {}, {}, {}, {}, {}, {}, std::move(originals), std::move(pages)};
  out.title_norm = analyzer_.normalize(out.title);
  out.meta_norm = analyzer_.normalize(meta);
  out.body_norm = join_pages_normalized(out.pages);
  out.t = analyzer_.analyze_normalized(out.title_norm);
  out.k = analyzer_.analyze_normalized(out.meta_norm);
  out.b = analyzer_.analyze_normalized(out.body_norm);
  return out;
}

Result<void> SqliteSearchIndex::remove(int64_t id) {
  std::lock_guard lock(mu_);
  WENKU_TRY(w_->exec("BEGIN IMMEDIATE"));
  Result<void> r = delete_document(id);
  if (!r.ok()) {
    (void)w_->exec("ROLLBACK");
    recount();
    return r;
  }
  return w_->exec("COMMIT");
}

Result<void> SqliteSearchIndex::set_listed(int64_t id, bool listed) {
  std::lock_guard lock(mu_);
  auto s = w_->prepare("UPDATE docs SET listed=?1 WHERE id=?2");
  s.bind(1, int64_t{listed ? 1 : 0});
  s.bind(2, id);
  WENKU_TRY(s.run());
  if (w_->changes() == 0) {
    return make_error(ErrorCode::kNotFound, "index: no document " + std::to_string(id));
  }
  mark_listed(id, listed);
  return {};
}

Result<std::vector<int64_t>> SqliteSearchIndex::all_ids() const {
  WENKU_ASSIGN_OR_RETURN(Lease c, reader());
  std::vector<int64_t> out;
  auto s = (*c).prepare("SELECT id FROM docs ORDER BY id");
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(s.int64(0));
  }
  return out;
}

Result<void> SqliteSearchIndex::flush() {
  std::lock_guard lock(mu_);
  return w_->exec("PRAGMA wal_checkpoint(FULL)");
}

Result<void> SqliteSearchIndex::optimize() {
  std::lock_guard lock(mu_);
  WENKU_TRY(w_->exec("INSERT INTO fts(fts) VALUES('optimize')"));
  return w_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void SqliteSearchIndex::recount() {
  auto count = w_->prepare("SELECT count(*), max(id) FROM docs");
  if (has_row(count)) {
    n_docs_ = count.int64(0);
    max_id_ = count.int64(1);
  }
  std::unordered_set<int64_t> unlisted;
  auto u = w_->prepare("SELECT id FROM docs WHERE listed = 0");
  while (has_row(u)) unlisted.insert(u.int64(0));
  std::unique_lock lock(unlisted_mu_);
  unlisted_ = std::move(unlisted);
}

void SqliteSearchIndex::mark_listed(int64_t id, bool listed) {
  std::unique_lock lock(unlisted_mu_);
  if (listed) {
    unlisted_.erase(id);
  } else {
    unlisted_.insert(id);
  }
}

Result<void> SqliteSearchIndex::delete_document(int64_t id) {
  auto src = w_->prepare("SELECT data FROM fts_src WHERE id=?1");
  src.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool have_src, src.step());
  if (have_src) {
    std::string_view blob = src.blob(0);
    std::vector<std::string> cols;
    auto pages_body = [&] {
      std::string body;
      auto p = w_->prepare("SELECT aligned FROM pages WHERE doc_id=?1 ORDER BY page");
      p.bind(1, id);
      for (bool first = true; has_row(p); first = false) {
        if (!first) body += '\n';
        body += p.text_view(0);
      }
      return body;  // a read error leaves it short: the checksum then refuses it
    };
    if (!source_columns(blob, cols, pages_body)) {
      return make_error(ErrorCode::kCorrupt, "index: stored text of document " + std::to_string(id) +
                                                 " is damaged or no longer analyses as indexed;"
                                                 " delete the index to rebuild it");
    }
    auto del = w_->prepare("INSERT INTO fts(fts,rowid,t,tg,k,kg,b,bg,u) VALUES('delete',?1,?2,?3,?4,?5,?6,?7,?8)");
    del.bind(1, id);
    for (size_t c = 0; c < cols.size(); ++c) del.bind(static_cast<int>(c + 2), cols[c]);
    WENKU_TRY(del.run());
  }
  for (const char* sql : {"DELETE FROM fts_src WHERE id=?1", "DELETE FROM pages WHERE doc_id=?1",
                          "DELETE FROM docs WHERE id=?1"}) {
    auto s = w_->prepare(sql);
    s.bind(1, id);
    WENKU_TRY(s.run());
  }
  n_docs_ -= w_->changes();  // the last statement deleted the docs row, or nothing
  mark_listed(id, true);
  return {};
}

Result<void> SqliteSearchIndex::write_document(const Prepared& prepared) {
  const IndexDocument& doc = *prepared.doc;
  const std::string& title = prepared.title;
  const std::vector<std::string>& originals = prepared.originals;
  const std::vector<AlignedText>& pages = prepared.pages;
  WENKU_TRY(delete_document(doc.id));
  auto d = w_->prepare(
      "INSERT INTO docs(id,title,keywords,description,category,format,uploader,created_at,views,"
      "listed,npages) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
  d.bind(1, doc.id);
  d.bind(2, title);
  d.bind(3, utf8_prefix(sanitize_utf8(doc.keywords), kMaxFieldBytes));
  d.bind(4, utf8_prefix(sanitize_utf8(doc.description), kMaxFieldBytes));
  d.bind(5, utf8_prefix(sanitize_utf8(doc.category_path), kMaxFieldBytes));
  d.bind(6, to_lower_ascii(utf8_prefix(sanitize_utf8(doc.format), 64)));
  d.bind(7, utf8_prefix(sanitize_utf8(doc.uploader), kMaxFieldBytes));
  d.bind(8, doc.created_at);
  d.bind(9, doc.views);
  d.bind(10, int64_t{doc.listed ? 1 : 0});
  mark_listed(doc.id, doc.listed);  // a rolled-back batch reloads the set (recount)
  d.bind(11, static_cast<int64_t>(doc.pages.size()));
  WENKU_TRY(d.run());
  ++n_docs_;
  if (doc.id > max_id_) max_id_ = doc.id;
  auto p = w_->prepare("INSERT INTO pages(doc_id,page,text,aligned) VALUES(?1,?2,?3,?4)");
  for (size_t i = 0; i < pages.size(); ++i) {
    p.reset();
    p.bind(1, doc.id);
    p.bind(2, static_cast<int64_t>(i + 1));
    p.bind(3, originals[i]);
    p.bind(4, pages[i].aligned);
    WENKU_TRY(p.run());
  }
  std::vector<std::string> cols = fts_columns(prepared.t, prepared.k, prepared.b);
  auto f = w_->prepare("INSERT INTO fts(rowid,t,tg,k,kg,b,bg,u) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  f.bind(1, doc.id);
  for (size_t c = 0; c < cols.size(); ++c) f.bind(static_cast<int>(c + 2), cols[c]);
  WENKU_TRY(f.run());
  // Format 3: normalised texts and word spans; the grams, over half the tokens, are
  // derived again on delete. The body's text is left out when the pages hold it.
  bool from_pages = body_is_aligned_pages(prepared.body_norm, pages);
  std::string packed = pack_source3(prepared.title_norm, prepared.meta_norm, prepared.body_norm, from_pages,
                                    prepared.t, prepared.k, prepared.b, cols);
  auto src = w_->prepare("INSERT INTO fts_src(id,data) VALUES(?1,?2)");
  src.bind(1, doc.id);
  src.bind_blob(2, packed);
  return src.run();
}

Result<void> SqliteSearchIndex::setup_connection(Connection& c) {
  WENKU_TRY(c.exec("PRAGMA mmap_size=4294967296;"));
  return register_fts_functions(c);
}

Result<SqliteSearchIndex::Lease> SqliteSearchIndex::reader() const {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] { return !idle_.empty() || readers_ < kMaxReaders; });
  if (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++readers_;
  lock.unlock();
  auto c = Connection::open(path_, {.create = false, .busy_timeout_ms = 5000});
  Result<void> ok = c.ok() ? setup_connection(**c) : Result<void>(c.error());
  if (ok.ok()) ok = (*c)->exec("PRAGMA query_only=1");
  if (!ok.ok()) {
    lock.lock();
    --readers_;
    pool_cv_.notify_one();
    return ok.error();
  }
  return Lease(this, std::move(c).value());
}

void SqliteSearchIndex::give_back(std::unique_ptr<Connection> c) const {
  std::lock_guard lock(pool_mu_);
  idle_.push_back(std::move(c));
  pool_cv_.notify_one();
}

Result<std::unique_ptr<SearchIndex>> open_sqlite_index(const std::string& path,
                                                       const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter,
                                                       const RankParams& params) {
  WENKU_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer,
                         Connection::open(path, {.create = true, .busy_timeout_ms = 5000}));
  auto index = std::make_unique<SqliteSearchIndex>(path, std::move(writer), normalizer, segmenter, params);
  WENKU_TRY(index->init());
  return std::unique_ptr<SearchIndex>(std::move(index));
}

}  // namespace wenku::index
