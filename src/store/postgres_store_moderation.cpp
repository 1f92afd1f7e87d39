// PostgresStore, moderation slice: reports, the review queue and the site settings an admin sets.
#include "core/clock.h"
#include "core/strings.h"
#include "store/postgres_store_impl.h"

namespace wenku::store {

Result<int64_t> PostgresStore::create_report(const Report& rep) {
  auto id = write([&](Conn& c) -> Result<int64_t> {
    // A document deleted meanwhile fails the foreign key (kNotFound), as a missing one does.
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("INSERT INTO reports (document_id, reporter_id, reason, detail, created_at, comment_id) "
                                          "VALUES ($1::bigint, NULLIF($2::bigint, 0), $3::text, $4::text, $5::bigint, "
                                          "$6::bigint) RETURNING id",
                                          Params().add(rep.document_id).add(rep.reporter_id).add(rep.reason)
                                              .add(rep.detail).add(now_unix()).add(rep.comment_id)));
    return r.int64(0, 0);
  });
  if (!id.ok() && id.error().code == ErrorCode::kNotFound) {
    return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(rep.document_id));
  }
  return id;
}

Result<std::vector<Report>> PostgresStore::list_reports(const std::string& state, int offset, int limit) {
  return read([&](Conn& c) -> Result<std::vector<Report>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
      SELECT r.id, r.document_id, COALESCE(r.reporter_id, 0), r.reason, r.detail, r.state, r.action,
        COALESCE(r.resolved_by, 0), r.created_at, r.resolved_at, COALESCE(d.title, ''), r.comment_id,
        COALESCE(cm.body, '')
      FROM reports r LEFT JOIN documents d ON d.id = r.document_id LEFT JOIN comments cm ON cm.id = r.comment_id
      WHERE ($1::text = '' OR r.state = $1::text) ORDER BY r.created_at DESC, r.id DESC
      LIMIT $2::bigint OFFSET $3::bigint)sql",
                                          Params().add(state).add(limit).add(offset)));
    std::vector<Report> out;
    for (int i = 0; i < r.size(); ++i) {
      out.push_back(Report{r.int64(i, 0), r.int64(i, 1), r.int64(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5),
                           r.text(i, 6), r.int64(i, 7), r.int64(i, 8), r.int64(i, 9), r.text(i, 10),
                           r.int64(i, 11), r.text(i, 12)});
    }
    return out;
  });
}

Result<void> PostgresStore::resolve_report(int64_t id, const std::string& action, int64_t resolved_by,
                                           bool all_of_document) {
  std::string sql =
      "UPDATE reports SET state = 'resolved', action = $2::text, resolved_by = NULLIF($3::bigint, 0), "
      "resolved_at = $4::bigint WHERE ";
  sql += all_of_document ? "state = 'open' AND document_id = (SELECT document_id FROM reports WHERE id = $1::bigint)"
                         : "id = $1::bigint";
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(sql, Params().add(id).add(action).add(resolved_by).add(now_unix())));
    if (r.affected() == 0) return make_error(ErrorCode::kNotFound, "举报不存在 / no open report " + std::to_string(id));
    return {};
  });
}

Result<void> PostgresStore::add_to_review(int64_t document_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("INSERT INTO review_queue (document_id, created_at) VALUES ($1::bigint, $2::bigint) "
                     "ON CONFLICT DO NOTHING",
                     Params().add(document_id).add(now_unix())));
    return {};
  });
}

Result<void> PostgresStore::remove_from_review(int64_t document_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("DELETE FROM review_queue WHERE document_id = $1::bigint", Params().add(document_id)));
    return {};
  });
}

Result<std::vector<int64_t>> PostgresStore::review_queue(int limit) {
  return read([&](Conn& c) -> Result<std::vector<int64_t>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT document_id FROM review_queue ORDER BY created_at, document_id "
                                          "LIMIT $1::bigint",
                                          Params().add(limit)));
    std::vector<int64_t> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(r.int64(i, 0));
    return out;
  });
}

Result<std::vector<std::pair<std::string, std::string>>> PostgresStore::site_settings() {
  return read([&](Conn& c) -> Result<std::vector<std::pair<std::string, std::string>>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT key, value FROM site_settings ORDER BY key COLLATE \"C\""));
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = 0; i < r.size(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
    return out;
  });
}

Result<void> PostgresStore::set_site_setting(const std::string& key, const std::string& value) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("INSERT INTO site_settings (key, value) VALUES ($1::text, $2::text) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     Params().add(key).add(value)));
    return {};
  });
}

Result<std::optional<Derivative>> PostgresStore::get_derivative(int64_t document_id, const std::string& kind) {
  return read([&](Conn& c) -> Result<std::optional<Derivative>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT params, blob_key, size FROM derivatives "
                                          "WHERE document_id = $1::bigint AND kind = $2::text",
                                          Params().add(document_id).add(kind)));
    if (r.empty()) return std::optional<Derivative>();
    return std::optional<Derivative>(Derivative{kind, r.text(0, 0), r.text(0, 1), r.int64(0, 2)});
  });
}

Result<void> PostgresStore::put_derivative(int64_t document_id, const Derivative& d) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows doc, c.exec("SELECT 1 FROM documents WHERE id = $1::bigint", Params().add(document_id)));
    if (doc.empty()) return make_error(ErrorCode::kNotFound, "no document " + std::to_string(document_id));
    WENKU_TRY(c.exec("INSERT INTO derivatives (document_id, kind, params, blob_key, size) "
                     "VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::bigint) "
                     "ON CONFLICT (document_id, kind) DO UPDATE SET params = excluded.params, "
                     "blob_key = excluded.blob_key, size = excluded.size",
                     Params().add(document_id).add(d.kind).add(d.params).add(d.blob_key).add(d.size)));
    return {};
  });
}

}  // namespace wenku::store
