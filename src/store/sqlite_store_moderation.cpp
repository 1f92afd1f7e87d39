// SqliteStore, moderation slice: reports, the review queue and the site settings an admin sets.
#include "store/sqlite_store_impl.h"

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::store {

Result<int64_t> SqliteStore::create_report(const Report& rep) {
  std::lock_guard lock(write_mu_);
  auto find = writer_->prepare("SELECT 1 FROM documents WHERE id = ?1");
  find.bind(1, rep.document_id);
  WENKU_ASSIGN_OR_RETURN(bool row, find.step());
  if (!row) return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(rep.document_id));
  auto st = writer_->prepare(
      "INSERT INTO reports (document_id, reporter_id, reason, detail, created_at, comment_id) "
      "VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5, ?6)");
  st.bind(1, rep.document_id).bind(2, rep.reporter_id).bind(3, rep.reason).bind(4, rep.detail).bind(5, now_unix());
  st.bind(6, rep.comment_id);
  WENKU_TRY(st.run());
  return writer_->last_insert_id();
}

Result<std::vector<Report>> SqliteStore::list_reports(const std::string& state, int offset, int limit) {
  auto r = reader();
  auto st = r->prepare(R"sql(
    SELECT r.id, r.document_id, COALESCE(r.reporter_id, 0), r.reason, r.detail, r.state, r.action,
      COALESCE(r.resolved_by, 0), r.created_at, r.resolved_at, COALESCE(d.title, ''), r.comment_id,
      COALESCE(cm.body, '')
    FROM reports r LEFT JOIN documents d ON d.id = r.document_id LEFT JOIN comments cm ON cm.id = r.comment_id
    WHERE (?1 = '' OR r.state = ?1) ORDER BY r.created_at DESC, r.id DESC LIMIT ?2 OFFSET ?3)sql");
  st.bind(1, state).bind(2, limit).bind(3, offset);
  std::vector<Report> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(Report{st.int64(0), st.int64(1), st.int64(2), st.text(3), st.text(4), st.text(5), st.text(6),
                         st.int64(7), st.int64(8), st.int64(9), st.text(10), st.int64(11), st.text(12)});
  }
  return out;
}

Result<void> SqliteStore::resolve_report(int64_t id, const std::string& action, int64_t resolved_by,
                                         bool all_of_document) {
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

Result<void> SqliteStore::add_to_review(int64_t document_id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("INSERT OR IGNORE INTO review_queue (document_id, created_at) VALUES (?1, ?2)");
  st.bind(1, document_id).bind(2, now_unix());
  return st.run();
}

Result<void> SqliteStore::remove_from_review(int64_t document_id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM review_queue WHERE document_id = ?1");
  st.bind(1, document_id);
  return st.run();
}

Result<std::vector<int64_t>> SqliteStore::review_queue(int limit) {
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

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::site_settings() {
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

Result<void> SqliteStore::set_site_setting(const std::string& key, const std::string& value) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "INSERT INTO site_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  st.bind(1, key).bind(2, value);
  return st.run();
}

Result<std::optional<Derivative>> SqliteStore::get_derivative(int64_t document_id, const std::string& kind) {
  auto r = reader();
  auto st = r->prepare("SELECT params, blob_key, size FROM derivatives WHERE document_id = ?1 AND kind = ?2");
  st.bind(1, document_id).bind(2, kind);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Derivative>();
  return std::optional<Derivative>(Derivative{kind, st.text(0), st.text(1), st.int64(2)});
}

Result<void> SqliteStore::put_derivative(int64_t document_id, const Derivative& d) {
  std::lock_guard lock(write_mu_);
  {
    auto st = writer_->prepare("SELECT 1 FROM documents WHERE id = ?1");
    st.bind(1, document_id);
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return make_error(ErrorCode::kNotFound, "no document " + std::to_string(document_id));
  }
  auto st = writer_->prepare(
      "INSERT INTO derivatives (document_id, kind, params, blob_key, size) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (document_id, kind) DO UPDATE SET params = excluded.params, blob_key = excluded.blob_key, "
      "size = excluded.size");
  st.bind(1, document_id).bind(2, d.kind).bind(3, d.params).bind(4, d.blob_key).bind(5, d.size);
  return st.run();
}

}  // namespace wenku::store
