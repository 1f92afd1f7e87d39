// SqliteStore, comments and recycle-bin slice: readers' comments, comments closed per
// document, and the recycle bin of deleted documents.
#include "core/clock.h"
#include "store/sqlite_store_impl.h"

namespace wenku::store {

namespace {

Error no_document(int64_t id) {
  return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
}

}  // namespace

Result<int64_t> SqliteStore::create_comment(const Comment& comment) {
  std::lock_guard lock(write_mu_);
  auto doc = writer_->prepare("SELECT 1 FROM documents WHERE id = ?1");
  doc.bind(1, comment.document_id);
  WENKU_ASSIGN_OR_RETURN(bool has_doc, doc.step());
  if (!has_doc) return no_document(comment.document_id);
  auto user = writer_->prepare("SELECT 1 FROM users WHERE id = ?1");
  user.bind(1, comment.user_id);
  WENKU_ASSIGN_OR_RETURN(bool has_user, user.step());
  if (!has_user) return make_error(ErrorCode::kNotFound, "用户不存在 / no user " + std::to_string(comment.user_id));
  auto st = writer_->prepare("INSERT INTO comments (document_id, user_id, body, created_at) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, comment.document_id).bind(2, comment.user_id).bind(3, comment.body).bind(4, now_unix());
  WENKU_TRY(st.run());
  return writer_->last_insert_id();
}

Result<std::optional<Comment>> SqliteStore::get_comment(int64_t id) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT c.id, c.document_id, c.user_id, c.body, c.created_at, COALESCE(u.name, '') "
      "FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.id = ?1");
  st.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Comment>{};
  return std::optional<Comment>{Comment{st.int64(0), st.int64(1), st.int64(2), st.text(3), st.int64(4), st.text(5)}};
}

Result<std::vector<Comment>> SqliteStore::list_comments(int64_t document_id, int offset, int limit) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT c.id, c.document_id, c.user_id, c.body, c.created_at, COALESCE(u.name, '') "
      "FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.document_id = ?1 "
      "ORDER BY c.id LIMIT ?2 OFFSET ?3");
  st.bind(1, document_id).bind(2, limit).bind(3, offset);
  std::vector<Comment> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(Comment{st.int64(0), st.int64(1), st.int64(2), st.text(3), st.int64(4), st.text(5)});
  }
  return out;
}

Result<int64_t> SqliteStore::count_comments(int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT count(*) FROM comments WHERE document_id = ?1");
  st.bind(1, document_id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.int64(0) : int64_t{0};
}

Result<void> SqliteStore::delete_comment(int64_t id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM comments WHERE id = ?1");
  st.bind(1, id);
  WENKU_TRY(st.run());
  if (writer_->changes() == 0) return make_error(ErrorCode::kNotFound, "评论不存在 / no comment " + std::to_string(id));
  return {};
}

Result<void> SqliteStore::set_comments_closed(int64_t document_id, bool closed) {
  std::lock_guard lock(write_mu_);
  auto doc = writer_->prepare("SELECT 1 FROM documents WHERE id = ?1");
  doc.bind(1, document_id);
  WENKU_ASSIGN_OR_RETURN(bool has_doc, doc.step());
  if (!has_doc) return no_document(document_id);
  auto st = writer_->prepare(closed ? "INSERT OR IGNORE INTO comments_closed (document_id) VALUES (?1)"
                                    : "DELETE FROM comments_closed WHERE document_id = ?1");
  st.bind(1, document_id);
  return st.run();
}

Result<bool> SqliteStore::comments_closed(int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT 1 FROM comments_closed WHERE document_id = ?1");
  st.bind(1, document_id);
  return st.step();
}

Result<void> SqliteStore::bin_document(int64_t id, int64_t by, int64_t at) {
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  WENKU_TRY(tx.begin());
  auto binned = writer_->prepare("SELECT 1 FROM recycle_bin WHERE document_id = ?1");
  binned.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool already, binned.step());
  if (already) return make_error(ErrorCode::kAlreadyExists, "已在回收站 / document " + std::to_string(id) + " is in the bin");
  auto ins = writer_->prepare(
      "INSERT INTO recycle_bin (document_id, deleted_by, deleted_at, was_hidden) "
      "SELECT id, ?2, ?3, hidden FROM documents WHERE id = ?1");
  ins.bind(1, id).bind(2, by).bind(3, at);
  WENKU_TRY(ins.run());
  if (writer_->changes() == 0) return no_document(id);
  auto up = writer_->prepare(
      "UPDATE documents SET hidden = 1, indexed = 0, index_gen = index_gen + 1, updated_at = ?2 WHERE id = ?1");
  up.bind(1, id).bind(2, now_unix());
  WENKU_TRY(up.run());
  return tx.commit();
}

Result<void> SqliteStore::unbin_document(int64_t id) {
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  WENKU_TRY(tx.begin());
  auto up = writer_->prepare(
      "UPDATE documents SET hidden = (SELECT was_hidden FROM recycle_bin WHERE document_id = ?1), indexed = 0, "
      "index_gen = index_gen + 1, updated_at = ?2 "
      "WHERE id = ?1 AND EXISTS (SELECT 1 FROM recycle_bin WHERE document_id = ?1)");
  up.bind(1, id).bind(2, now_unix());
  WENKU_TRY(up.run());
  if (writer_->changes() == 0) {
    return make_error(ErrorCode::kNotFound, "不在回收站 / document " + std::to_string(id) + " is not in the bin");
  }
  auto del = writer_->prepare("DELETE FROM recycle_bin WHERE document_id = ?1");
  del.bind(1, id);
  WENKU_TRY(del.run());
  return tx.commit();
}

Result<std::optional<BinnedDocument>> SqliteStore::find_binned(int64_t id) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT b.document_id, COALESCE(d.uploader_id, 0), d.title, b.deleted_by, b.deleted_at "
      "FROM recycle_bin b JOIN documents d ON d.id = b.document_id WHERE b.document_id = ?1");
  st.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<BinnedDocument>{};
  return std::optional<BinnedDocument>{BinnedDocument{st.int64(0), st.int64(1), st.text(2), st.int64(3), st.int64(4)}};
}

Result<std::vector<BinnedDocument>> SqliteStore::list_bin(int64_t uploader_id, int offset, int limit) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT b.document_id, COALESCE(d.uploader_id, 0), d.title, b.deleted_by, b.deleted_at "
      "FROM recycle_bin b JOIN documents d ON d.id = b.document_id "
      "WHERE (?1 = 0 OR d.uploader_id = ?1) ORDER BY b.deleted_at DESC, b.document_id DESC LIMIT ?2 OFFSET ?3");
  st.bind(1, uploader_id).bind(2, limit).bind(3, offset);
  std::vector<BinnedDocument> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(BinnedDocument{st.int64(0), st.int64(1), st.text(2), st.int64(3), st.int64(4)});
  }
  return out;
}

Result<std::vector<int64_t>> SqliteStore::bin_expired(int64_t before, int limit) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT document_id FROM recycle_bin WHERE deleted_at < ?1 ORDER BY deleted_at, document_id LIMIT ?2");
  st.bind(1, before).bind(2, limit);
  std::vector<int64_t> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(st.int64(0));
  }
  return out;
}

}  // namespace wenku::store
