// PostgresStore, documents slice: documents, pages, categories, tags, analysis and the
// index and blob bookkeeping of documents. The same statements as the SQLite store's, in
// PostgreSQL's dialect; where two processes may now write at once, inserts of shared rows
// (categories, tags) are ON CONFLICT DO NOTHING followed by a read.
#include "core/clock.h"
#include "core/strings.h"
#include "store/postgres_store_impl.h"

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
  COALESCE((SELECT string_agg(t.name, chr(31) ORDER BY t.id) FROM document_tags dt
     JOIN tags t ON t.id = dt.tag_id WHERE dt.document_id = d.id), ''),
  d.format, d.size, d.sha256, d.blob_key, d.pdf_key, d.pages, d.preview_pages_done, d.status,
  d.error, d.duplicate_of, d.similar_to, d.similarity, d.visibility, d.hidden, d.indexed,
  d.views, d.downloads, d.created_at, d.updated_at, d.index_gen
  FROM documents d LEFT JOIN categories c ON c.id = d.category_id )sql";

Document read_document(const Rows& s, int row) {
  Document d;
  int i = 0;
  d.id = s.int64(row, i++);
  d.external_id = s.text(row, i++);
  d.title = s.text(row, i++);
  d.original_name = s.text(row, i++);
  d.uploader_id = s.int64(row, i++);
  d.uploader_name = s.text(row, i++);
  d.category_id = s.int64(row, i++);
  d.category_path = s.text(row, i++);
  d.description = s.text(row, i++);
  d.keywords = s.text(row, i++);
  std::string tags = s.text(row, i++);
  if (!tags.empty()) d.tags = split(tags, kTagSeparator);
  d.format = s.text(row, i++);
  d.size = s.int64(row, i++);
  d.sha256 = s.text(row, i++);
  d.blob_key = s.text(row, i++);
  d.pdf_key = s.text(row, i++);
  d.pages = s.integer(row, i++);
  d.preview_pages_done = s.integer(row, i++);
  d.status = parse_status(s.text(row, i++));
  d.error = s.text(row, i++);
  d.duplicate_of = s.int64(row, i++);
  d.similar_to = s.int64(row, i++);
  d.similarity = s.real(row, i++);
  d.visibility = parse_visibility(s.text(row, i++));
  d.hidden = s.boolean(row, i++);
  d.indexed = s.boolean(row, i++);
  d.views = s.int64(row, i++);
  d.downloads = s.int64(row, i++);
  d.created_at = s.int64(row, i++);
  d.updated_at = s.int64(row, i++);
  d.index_gen = s.int64(row, i++);
  return d;
}

// The rule of a ListingRule over `d`, its parameters numbered from `first`: status ('' =
// any), visibility ('' = any), hidden included.
std::string listing_clause(int first) {
  auto n = [&](int k) { return "$" + std::to_string(first + k); };
  return "((" + n(0) + "::text = '' OR d.status = " + n(0) + "::text) AND (" + n(1) +
         "::text = '' OR d.visibility = " + n(1) + "::text) AND (" + n(2) + "::boolean OR NOT d.hidden))";
}

Params& add_listing(Params& p, const ListingRule& rule) {
  return p.add(rule.status ? status_name(*rule.status) : std::string_view(""))
      .add(rule.visibility ? visibility_name(*rule.visibility) : std::string_view(""))
      .add(rule.include_hidden);
}

// Parameters: $1 status ('' = any), $2 category prefix, $3 uploader (0 = any), $4 a listing
// rule applies, $5..$7 the rule. The prefix is compared literally (a category named "50%"
// is no pattern). Rows marked as exact duplicates by old versions never show.
const std::string kWhere = R"sql( WHERE ($1::text = '' OR d.status = $1::text)
    AND ($2::text = '' OR c.path = $2::text OR left(c.path, length($2::text) + 1) = $2::text || '/')
    AND ($3::bigint = 0 OR d.uploader_id = $3::bigint)
    AND (NOT $4::boolean OR )sql" + listing_clause(5) + R"sql()
    AND d.duplicate_of = 0 )sql";

Params listing_params(const ListingRule& rule) {
  Params p;
  add_listing(p, rule);
  return p;
}

Params filter_params(const DocumentFilter& f) {
  Params p;
  p.add(f.status ? status_name(*f.status) : std::string_view("")).add(f.category_prefix).add(f.uploader_id)
      .add(f.listed.has_value());
  add_listing(p, f.listed.value_or(ListingRule{}));
  return p;
}

Result<void> check_filter(const DocumentFilter& f) {
  if (f.listed_only && !f.listed) {
    return make_error(ErrorCode::kInvalidArgument, "listed_only without the policy's listing rule");
  }
  return {};
}

Error no_document(int64_t id) {
  return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
}

}  // namespace

Result<int64_t> PostgresStore::create_document(const NewDocument& doc, const JobSpec& job) {
  return write([&](Conn& c) -> Result<int64_t> {
    int64_t category_id = 0;
    if (!doc.category_path.empty()) {
      WENKU_ASSIGN_OR_RETURN(category_id, ensure_category_in(c, doc.category_path));
    }
    int64_t now = now_unix();
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
      INSERT INTO documents (external_id, title, original_name, uploader_id, uploader_name,
        category_id, description, format, size, sha256, blob_key, visibility, status,
        created_at, updated_at, hidden)
      VALUES ($1::text, $2::text, $3::text, NULLIF($4::bigint, 0), $5::text, NULLIF($6::bigint, 0),
        $7::text, $8::text, $9::bigint, $10::text, $11::text, $12::text, 'processing', $13::bigint,
        $13::bigint, $14::boolean)
      RETURNING id)sql",
        Params().add(doc.external_id).add(doc.title).add(doc.original_name).add(doc.uploader_id)
            .add(doc.uploader_name).add(category_id).add(doc.description).add(doc.format).add(doc.size)
            .add(doc.sha256).add(doc.blob_key).add(visibility_name(doc.visibility)).add(now)
            .add(doc.hold_for_review)));
    int64_t id = r.int64(0, 0);
    WENKU_TRY(set_tags_in(c, id, doc.tags));
    if (doc.hold_for_review) {
      WENKU_TRY(c.exec("INSERT INTO review_queue (document_id, created_at) VALUES ($1::bigint, $2::bigint) "
                       "ON CONFLICT DO NOTHING",
                       Params().add(id).add(now)));
    }
    JobSpec j = job;
    j.document_id = id;
    WENKU_TRY(enqueue_in(c, j));
    return id;
  });
}

Result<Document> PostgresStore::get_document(int64_t id) {
  return read([&](Conn& c) -> Result<Document> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT " + std::string(kDocumentColumns) + " WHERE d.id = $1::bigint",
                                          Params().add(id)));
    if (r.empty()) return no_document(id);
    return read_document(r, 0);
  });
}

Result<std::optional<Document>> PostgresStore::find_by_sha256(const std::string& sha256) {
  return find_one("d.sha256 = $1::text AND d.duplicate_of = 0", sha256);
}

Result<std::optional<Document>> PostgresStore::find_by_external_id(const std::string& external_id) {
  return find_one("d.external_id = $1::text", external_id);
}

Result<std::vector<Document>> PostgresStore::list_documents(const DocumentFilter& f) {
  WENKU_TRY(check_filter(f));
  std::string sql = "SELECT " + std::string(kDocumentColumns) + std::string(kWhere);
  switch (f.sort) {
    case DocumentSort::kNewest: sql += " ORDER BY d.created_at DESC, d.id DESC"; break;
    case DocumentSort::kOldest: sql += " ORDER BY d.created_at, d.id"; break;
    case DocumentSort::kMostViewed: sql += " ORDER BY d.views DESC, d.id DESC"; break;
  }
  sql += " LIMIT $8::bigint OFFSET $9::bigint";
  return read([&](Conn& c) -> Result<std::vector<Document>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(sql, filter_params(f).add(f.limit).add(f.offset)));
    std::vector<Document> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(read_document(r, i));
    return out;
  });
}

Result<int64_t> PostgresStore::count_documents(const DocumentFilter& f) {
  WENKU_TRY(check_filter(f));
  return read([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(
        Rows r, c.exec("SELECT count(*) FROM documents d LEFT JOIN categories c ON c.id = d.category_id" +
                           std::string(kWhere),
                       filter_params(f)));
    return r.int64(0, 0);
  });
}

Result<void> PostgresStore::update_document(int64_t id, const DocumentUpdate& u) {
  return write([&](Conn& c) -> Result<void> {
    int64_t category_id = -1;
    if (u.category_path) {
      if (u.category_path->empty()) {
        category_id = 0;
      } else {
        WENKU_ASSIGN_OR_RETURN(category_id, ensure_category_in(c, *u.category_path));
      }
    }
    // Each optional field keeps its old value when unset (COALESCE over NULL binds). A binned
    // document stays hidden: a moderator's hide or approve is kept for its restore instead.
    Params p;
    p.add(id).add(u.title).add(u.format).add(u.pdf_key).add(u.error).add(u.keywords).add(u.description)
        .add(category_id).add(u.pages).add(u.preview_pages_done);
    if (u.status) p.add(status_name(*u.status)); else p.null();
    p.add(u.similar_to).add(u.similarity);
    if (u.visibility) p.add(visibility_name(*u.visibility)); else p.null();
    p.add(u.hidden).add(u.indexed).add(now_unix());
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
      UPDATE documents SET
        title = COALESCE($2::text, title), format = COALESCE($3::text, format),
        pdf_key = COALESCE($4::text, pdf_key), error = COALESCE($5::text, error),
        keywords = COALESCE($6::text, keywords), description = COALESCE($7::text, description),
        category_id = CASE WHEN $8::bigint < 0 THEN category_id ELSE NULLIF($8::bigint, 0) END,
        pages = COALESCE($9::integer, pages), preview_pages_done = COALESCE($10::integer, preview_pages_done),
        status = COALESCE($11::text, status), similar_to = COALESCE($12::bigint, similar_to),
        similarity = COALESCE($13::double precision, similarity), visibility = COALESCE($14::text, visibility),
        hidden = CASE WHEN EXISTS (SELECT 1 FROM recycle_bin WHERE document_id = $1::bigint) THEN hidden
                      ELSE COALESCE($15::boolean, hidden) END,
        indexed = COALESCE($16::boolean, indexed),
        updated_at = $17::bigint,
        index_gen = index_gen + CASE WHEN $16::boolean = false THEN 1 ELSE 0 END
      WHERE id = $1::bigint)sql",
                                          p));
    if (r.affected() == 0) return no_document(id);
    if (u.hidden) {
      WENKU_TRY(c.exec("UPDATE recycle_bin SET was_hidden = $2::boolean WHERE document_id = $1::bigint",
                       Params().add(id).add(*u.hidden)));
    }
    if (u.tags) WENKU_TRY(set_tags_in(c, id, *u.tags));
    return {};
  });
}

Result<void> PostgresStore::delete_document(int64_t id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("DELETE FROM documents WHERE id = $1::bigint", Params().add(id)));
    if (r.affected() == 0) return no_document(id);
    return {};
  });
}

Result<void> PostgresStore::add_views(int64_t id, int64_t n) { return add_counter("views", id, n); }

Result<void> PostgresStore::add_downloads(int64_t id, int64_t n) { return add_counter("downloads", id, n); }

Result<void> PostgresStore::replace_pages(int64_t document_id, const std::vector<Page>& pages) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("DELETE FROM pages WHERE document_id = $1::bigint AND number > $2::integer",
                     Params().add(document_id).add(static_cast<int64_t>(pages.size()))));
    for (const auto& p : pages) {
      WENKU_TRY(c.exec(R"sql(
        INSERT INTO pages (document_id, number, text) VALUES ($1::bigint, $2::integer, $3::text)
        ON CONFLICT (document_id, number) DO UPDATE SET text = excluded.text)sql",
                       Params().add(document_id).add(p.number).add(p.text)));
    }
    // New text makes the search index stale, in the same transaction (see the SQLite store).
    WENKU_TRY(c.exec("UPDATE documents SET indexed = false, index_gen = index_gen + 1 WHERE id = $1::bigint",
                     Params().add(document_id)));
    return {};
  });
}

Result<std::vector<Page>> PostgresStore::get_pages(int64_t document_id) {
  return read([&](Conn& c) -> Result<std::vector<Page>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT number, text, image_key, thumb_key, width, height FROM pages "
                                          "WHERE document_id = $1::bigint ORDER BY number",
                                          Params().add(document_id)));
    std::vector<Page> out;
    for (int i = 0; i < r.size(); ++i) {
      out.push_back(Page{r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4), r.integer(i, 5)});
    }
    return out;
  });
}

Result<std::optional<Page>> PostgresStore::get_page_image(int64_t document_id, int number) {
  return read([&](Conn& c) -> Result<std::optional<Page>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT number, image_key, thumb_key, width, height FROM pages "
                                          "WHERE document_id = $1::bigint AND number = $2::integer",
                                          Params().add(document_id).add(number)));
    if (r.empty()) return std::optional<Page>{};
    return std::optional<Page>{Page{r.integer(0, 0), "", r.text(0, 1), r.text(0, 2), r.integer(0, 3), r.integer(0, 4)}};
  });
}

Result<void> PostgresStore::set_page_image(int64_t document_id, int number, const std::string& image_key,
                                           const std::string& thumb_key, int width, int height) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec(R"sql(
      INSERT INTO pages (document_id, number, image_key, thumb_key, width, height)
      VALUES ($1::bigint, $2::integer, $3::text, $4::text, $5::integer, $6::integer)
      ON CONFLICT (document_id, number) DO UPDATE SET image_key = excluded.image_key,
        thumb_key = excluded.thumb_key, width = excluded.width, height = excluded.height)sql",
                     Params().add(document_id).add(number).add(image_key).add(thumb_key).add(width).add(height)));
    return {};
  });
}

Result<int64_t> PostgresStore::ensure_category(const std::string& path) {
  return write([&](Conn& c) { return ensure_category_in(c, path); });
}

Result<std::vector<Category>> PostgresStore::list_categories(const ListingRule& counted) {
  return read([&](Conn& c) -> Result<std::vector<Category>> {
    const Params listing = listing_params(counted);
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(std::string(R"sql(
      SELECT c.id, COALESCE(c.parent_id, 0), c.name, c.path,
        (SELECT count(*) FROM documents d JOIN categories c2 ON c2.id = d.category_id
          WHERE (c2.path = c.path OR left(c2.path, length(c.path) + 1) = c.path || '/')
            AND d.duplicate_of = 0 AND )sql") + listing_clause(1) + R"sql()
      FROM categories c ORDER BY c.sort, c.path COLLATE "C")sql", listing));
    std::vector<Category> out;
    for (int i = 0; i < r.size(); ++i) {
      out.push_back({r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.text(i, 3), r.int64(i, 4)});
    }
    return out;
  });
}

Result<void> PostgresStore::move_category(const std::string& from_path, const std::string& to_raw) {
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
  // Serializable: a subtree moved while another process adds to it is run again.
  return write(
      [&](Conn& c) -> Result<void> {
        WENKU_ASSIGN_OR_RETURN(Rows found,
                               c.exec("SELECT id FROM categories WHERE path = $1::text", Params().add(from_path)));
        if (found.empty()) return make_error(ErrorCode::kNotFound, "分类不存在 / no category " + from_path);
        int64_t id = found.int64(0, 0);
        WENKU_ASSIGN_OR_RETURN(Rows taken, c.exec("SELECT 1 FROM categories WHERE path = $1::text", Params().add(to)));
        if (!taken.empty()) return make_error(ErrorCode::kAlreadyExists, "分类已存在 / the category exists: " + to);
        int64_t parent = 0;
        size_t slash = to.rfind('/');
        if (slash != std::string::npos) {
          WENKU_ASSIGN_OR_RETURN(parent, ensure_category_in(c, to.substr(0, slash)));
        }
        WENKU_TRY(c.exec("UPDATE categories SET path = $2::text || substr(path, length($1::text) + 1) "
                         "WHERE left(path, length($1::text) + 1) = $1::text || '/'",
                         Params().add(from_path).add(to)));
        WENKU_TRY(c.exec("UPDATE categories SET path = $2::text, name = $3::text, parent_id = NULLIF($4::bigint, 0) "
                         "WHERE id = $1::bigint",
                         Params().add(id).add(to).add(slash == std::string::npos ? to : to.substr(slash + 1)).add(parent)));
        // The index holds each document's category path: those of the subtree are behind now.
        WENKU_TRY(c.exec("UPDATE documents SET indexed = false, index_gen = index_gen + 1 WHERE category_id IN "
                         "(SELECT id FROM categories WHERE path = $1::text OR left(path, length($1::text) + 1) = $1::text || '/')",
                         Params().add(to)));
        return {};
      },
      Isolation::kSerializable);
}

Result<void> PostgresStore::set_analysis(int64_t document_id, const DocumentAnalysis& a) {
  Params p;
  p.add(document_id).add(static_cast<int64_t>(a.simhash));
  for (int b = 0; b < 4; ++b) p.add(static_cast<int64_t>((a.simhash >> (16 * b)) & 0xffff));
  p.add(a.suggested_category);
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec(R"sql(
      INSERT INTO document_analysis (document_id, simhash, band0, band1, band2, band3, suggested_category)
      VALUES ($1::bigint, $2::bigint, $3::integer, $4::integer, $5::integer, $6::integer, $7::text)
      ON CONFLICT (document_id) DO UPDATE SET simhash = excluded.simhash, band0 = excluded.band0,
        band1 = excluded.band1, band2 = excluded.band2, band3 = excluded.band3,
        suggested_category = excluded.suggested_category)sql",
                     p));
    return {};
  });
}

Result<DocumentAnalysis> PostgresStore::get_analysis(int64_t document_id) {
  return read([&](Conn& c) -> Result<DocumentAnalysis> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT simhash, suggested_category FROM document_analysis "
                                          "WHERE document_id = $1::bigint",
                                          Params().add(document_id)));
    if (r.empty()) return make_error(ErrorCode::kNotFound, "no analysis of document " + std::to_string(document_id));
    return DocumentAnalysis{static_cast<uint64_t>(r.int64(0, 0)), r.text(0, 1)};
  });
}

Result<std::optional<std::pair<int64_t, int>>> PostgresStore::find_near_duplicate(int64_t document_id,
                                                                                  uint64_t simhash,
                                                                                  int max_distance) {
  Params p;
  p.add(document_id);
  for (int b = 0; b < 4; ++b) p.add(static_cast<int64_t>((simhash >> (16 * b)) & 0xffff));
  return read([&](Conn& c) -> Result<std::optional<std::pair<int64_t, int>>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
      SELECT a.document_id, a.simhash FROM document_analysis a JOIN documents d ON d.id = a.document_id
      WHERE a.document_id != $1::bigint AND d.status != 'failed'
        AND (a.band0 = $2::integer OR a.band1 = $3::integer OR a.band2 = $4::integer OR a.band3 = $5::integer)
      ORDER BY a.document_id LIMIT 1000)sql",
                                          p));
    std::optional<std::pair<int64_t, int>> best;
    for (int i = 0; i < r.size(); ++i) {
      int d = __builtin_popcountll(static_cast<uint64_t>(r.int64(i, 1)) ^ simhash);
      if (d <= max_distance && (!best || d < best->second)) best = std::make_pair(r.int64(i, 0), d);
    }
    return best;
  });
}

Result<bool> PostgresStore::is_blob_referenced(const std::string& key) {
  return read([&](Conn& c) -> Result<bool> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
      SELECT EXISTS (SELECT 1 FROM documents WHERE blob_key = $1::text) OR
             EXISTS (SELECT 1 FROM documents WHERE pdf_key = $1::text) OR
             EXISTS (SELECT 1 FROM pages WHERE image_key = $1::text) OR
             EXISTS (SELECT 1 FROM pages WHERE thumb_key = $1::text) OR
             EXISTS (SELECT 1 FROM derivatives WHERE blob_key = $1::text))sql",
                                          Params().add(key)));
    return r.boolean(0, 0);
  });
}

Result<std::vector<std::string>> PostgresStore::referenced_blob_keys() {
  return read([&](Conn& c) -> Result<std::vector<std::string>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
      SELECT blob_key FROM documents UNION SELECT pdf_key FROM documents WHERE pdf_key != ''
      UNION SELECT image_key FROM pages WHERE image_key != ''
      UNION SELECT thumb_key FROM pages WHERE thumb_key != ''
      UNION SELECT blob_key FROM derivatives)sql"));
    std::vector<std::string> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(r.text(i, 0));
    return out;
  });
}

Result<std::vector<int64_t>> PostgresStore::unindexed_documents() {
  return read([&](Conn& c) -> Result<std::vector<int64_t>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT id FROM documents WHERE NOT indexed AND duplicate_of = 0 ORDER BY id"));
    std::vector<int64_t> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(r.int64(i, 0));
    return out;
  });
}

Result<bool> PostgresStore::mark_indexed(int64_t id, int64_t index_gen) {
  return write([&](Conn& c) -> Result<bool> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("UPDATE documents SET indexed = true WHERE id = $1::bigint "
                                          "AND index_gen = $2::bigint",
                                          Params().add(id).add(index_gen)));
    return r.affected() > 0;
  });
}

Result<std::optional<Document>> PostgresStore::find_one(const char* where, const std::string& value) {
  return read([&](Conn& c) -> Result<std::optional<Document>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT " + std::string(kDocumentColumns) + " WHERE " + where +
                                              " ORDER BY d.id LIMIT 1",
                                          Params().add(value)));
    if (r.empty()) return std::optional<Document>{};
    return std::optional<Document>{read_document(r, 0)};
  });
}

Result<void> PostgresStore::add_counter(const char* column, int64_t id, int64_t n) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec(std::string("UPDATE documents SET ") + column + " = " + column +
                         " + $2::bigint WHERE id = $1::bigint",
                     Params().add(id).add(n)));
    return {};
  });
}

Result<void> PostgresStore::set_tags_in(Conn& c, int64_t id, const std::vector<std::string>& tags) {
  WENKU_TRY(c.exec("DELETE FROM document_tags WHERE document_id = $1::bigint", Params().add(id)));
  for (const auto& raw : tags) {
    std::string tag = trim(raw);
    if (tag.empty()) continue;
    WENKU_TRY(c.exec("INSERT INTO tags (name) VALUES ($1::text) ON CONFLICT (name) DO NOTHING", Params().add(tag)));
    WENKU_TRY(c.exec("INSERT INTO document_tags (document_id, tag_id) SELECT $1::bigint, id FROM tags "
                     "WHERE name = $2::text ON CONFLICT DO NOTHING",
                     Params().add(id).add(tag)));
  }
  return {};
}

// Creates every missing level of "a/b/c"; returns the id of the last.
Result<int64_t> PostgresStore::ensure_category_in(Conn& c, const std::string& raw_path) {
  int64_t parent = 0;
  std::string path;
  for (const auto& part_raw : split(raw_path, '/')) {
    std::string part = trim(part_raw);
    if (part.empty()) continue;
    path += path.empty() ? part : "/" + part;
    WENKU_TRY(c.exec("INSERT INTO categories (parent_id, name, path) VALUES (NULLIF($1::bigint, 0), $2::text, "
                     "$3::text) ON CONFLICT (path) DO NOTHING",
                     Params().add(parent).add(part).add(path)));
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT id FROM categories WHERE path = $1::text", Params().add(path)));
    if (r.empty()) return make_error(ErrorCode::kIo, "category " + path + " vanished while being created");
    parent = r.int64(0, 0);
  }
  if (parent == 0) return make_error(ErrorCode::kInvalidArgument, "empty category path");
  return parent;
}

}  // namespace wenku::store
