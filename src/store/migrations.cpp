// The schema of the embedded metadata store.
#include "store/migrations.h"

#include <string>

namespace wenku::store {

const std::vector<std::string_view>& migrations() {
  static const std::vector<std::string_view> m = {
      // 1: the first schema.
      R"sql(
CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES categories(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  sort INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'member',
  banned INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  external_id TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  original_name TEXT NOT NULL,
  uploader_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  uploader_name TEXT NOT NULL DEFAULT '',
  category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
  description TEXT NOT NULL DEFAULT '',
  keywords TEXT NOT NULL DEFAULT '',
  format TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  pdf_key TEXT NOT NULL DEFAULT '',
  pages INTEGER NOT NULL DEFAULT 0,
  preview_pages_done INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'processing',
  error TEXT NOT NULL DEFAULT '',
  duplicate_of INTEGER NOT NULL DEFAULT 0,
  similar_to INTEGER NOT NULL DEFAULT 0,
  similarity REAL NOT NULL DEFAULT 0,
  visibility TEXT NOT NULL DEFAULT 'public',
  hidden INTEGER NOT NULL DEFAULT 0,
  indexed INTEGER NOT NULL DEFAULT 0,
  views INTEGER NOT NULL DEFAULT 0,
  downloads INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX documents_external_id ON documents(external_id) WHERE external_id != '';
CREATE INDEX documents_listing ON documents(status, created_at);
CREATE INDEX documents_views ON documents(views);
CREATE INDEX documents_category ON documents(category_id);
CREATE INDEX documents_uploader ON documents(uploader_id);
CREATE TABLE pages (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  image_key TEXT NOT NULL DEFAULT '',
  thumb_key TEXT NOT NULL DEFAULT '',
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (document_id, number)
) WITHOUT ROWID;
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE document_tags (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (document_id, tag_id)
) WITHOUT ROWID;
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  run_after INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER NOT NULL DEFAULT 0,
  worker TEXT NOT NULL DEFAULT '',
  progress REAL NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_runnable ON jobs(state, priority, run_after);
CREATE INDEX jobs_document ON jobs(document_id);
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  reporter_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'open',
  action TEXT NOT NULL DEFAULT '',
  resolved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  resolved_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reports_state ON reports(state, created_at);
CREATE TABLE query_log (
  id INTEGER PRIMARY KEY,
  query TEXT NOT NULL,
  results INTEGER NOT NULL,
  clicked_document_id INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX query_log_time ON query_log(created_at);
CREATE TABLE site_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql",
      // 2: the web site's statistics, download quotas and review queue.
      R"sql(
CREATE TABLE daily_counts (
  day INTEGER NOT NULL,
  kind TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, kind)
) WITHOUT ROWID;
CREATE TABLE daily_quota (
  day INTEGER NOT NULL,
  subject TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, subject)
) WITHOUT ROWID;
CREATE TABLE review_queue (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);
CREATE INDEX query_log_click ON query_log(clicked_document_id) WHERE clicked_document_id != 0;
CREATE INDEX reports_document ON reports(document_id);
)sql",
      // 3: what the library computes from a document's text: its SimHash, cut into four
      // 16-bit bands so near-duplicates (at most 3 bits apart share a band) are found by
      // index lookups, and the category suggested from similar documents.
      R"sql(
CREATE TABLE document_analysis (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  simhash INTEGER NOT NULL,
  band0 INTEGER NOT NULL,
  band1 INTEGER NOT NULL,
  band2 INTEGER NOT NULL,
  band3 INTEGER NOT NULL,
  suggested_category TEXT NOT NULL DEFAULT ''
);
CREATE INDEX document_analysis_band0 ON document_analysis(band0);
CREATE INDEX document_analysis_band1 ON document_analysis(band1);
CREATE INDEX document_analysis_band2 ON document_analysis(band2);
CREATE INDEX document_analysis_band3 ON document_analysis(band3);
)sql",
      // 4: deleting a document asks whether each of its files is still used elsewhere.
      R"sql(
CREATE INDEX documents_blob_key ON documents(blob_key);
CREATE INDEX documents_pdf_key ON documents(pdf_key) WHERE pdf_key != '';
CREATE INDEX pages_image_key ON pages(image_key) WHERE image_key != '';
CREATE INDEX pages_thumb_key ON pages(thumb_key) WHERE thumb_key != '';
)sql",
      // 5: claiming a job reads the queue in (priority, id) order instead of sorting it.
      R"sql(
CREATE INDEX jobs_queue ON jobs(state, priority);
)sql",
      // 6: a document's re-indexing generation: a re-index marks it indexed only if nothing
      // asked for another since it read the document (MetadataStore::mark_indexed).
      R"sql(
ALTER TABLE documents ADD COLUMN index_gen INTEGER NOT NULL DEFAULT 0;
)sql",
      // 7: rate limits shared by every process (take_rate): one row per hit, kept a day.
      R"sql(
CREATE TABLE rate_hits (
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX rate_hits_key ON rate_hits(key, at);
CREATE INDEX rate_hits_at ON rate_hits(at);
)sql",
      // 8: comments (评论), comments closed per document, the recycle bin (回收站), and
      // reports of one comment.
      R"sql(
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX comments_document ON comments(document_id, id);
CREATE TABLE comments_closed (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE
);
CREATE TABLE recycle_bin (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  deleted_by INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER NOT NULL,
  was_hidden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recycle_bin_at ON recycle_bin(deleted_at);
ALTER TABLE reports ADD COLUMN comment_id INTEGER NOT NULL DEFAULT 0;
)sql",
      // 9: favourites (收藏), ratings and collections (专辑) of signed-in readers; their rows
      // go with the document or the account.
      R"sql(
CREATE TABLE favourites (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, document_id)
);
CREATE INDEX favourites_document ON favourites(document_id);
CREATE TABLE ratings (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, document_id)
);
CREATE INDEX ratings_document ON ratings(document_id);
CREATE TABLE collections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  is_public INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX collections_owner ON collections(owner_id);
CREATE TABLE collection_items (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (collection_id, document_id)
);
CREATE INDEX collection_items_document ON collection_items(document_id);
)sql",
      // 10: files derived from a document (the watermarked PDF a download serves), by kind.
      R"sql(
CREATE TABLE derivatives (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  params TEXT NOT NULL DEFAULT '',
  blob_key TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (document_id, kind)
);
CREATE INDEX derivatives_blob ON derivatives(blob_key);
)sql",
      // 11: a job about one page (render_page: a page a reader asked for), 0 for the rest.
      R"sql(
ALTER TABLE jobs ADD COLUMN page INTEGER NOT NULL DEFAULT 0;
)sql",
  };
  return m;
}

Result<void> migrate(sqlite::Connection& c) {
  const auto& all = migrations();
  // Each step re-reads the version inside its write transaction, so two processes starting
  // at once never apply a migration twice.
  for (;;) {
    sqlite::Transaction tx(c);
    WENKU_TRY(tx.begin());
    int version = 0;
    {
      auto st = c.prepare("PRAGMA user_version");
      WENKU_ASSIGN_OR_RETURN(bool row, st.step());
      if (row) version = st.integer(0);
    }
    if (version > static_cast<int>(all.size())) {
      return make_error(ErrorCode::kInvalidArgument,
                        "数据库版本比程序新 / the database (schema " + std::to_string(version) +
                            ") was written by a newer wenku");
    }
    if (version == static_cast<int>(all.size())) return tx.commit();
    WENKU_TRY(c.exec(all[static_cast<size_t>(version)]));
    WENKU_TRY(c.exec("PRAGMA user_version = " + std::to_string(version + 1)));
    WENKU_TRY(tx.commit());
  }
}

}  // namespace wenku::store
