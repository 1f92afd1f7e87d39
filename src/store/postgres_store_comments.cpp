// PostgresStore, comments and recycle-bin slice: readers' comments, comments closed per
// document, and the recycle bin of deleted documents.
#include "core/clock.h"
#include "store/postgres_store_impl.h"

namespace wenku::store {

namespace {

Error no_such_document(int64_t id) {
  return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
}

Comment comment_at(const Rows& r, int i) {
  return Comment{r.int64(i, 0), r.int64(i, 1), r.int64(i, 2), r.text(i, 3), r.int64(i, 4), r.text(i, 5)};
}

BinnedDocument binned_at(const Rows& r, int i) {
  return BinnedDocument{r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.int64(i, 3), r.int64(i, 4)};
}

}  // namespace

Result<int64_t> PostgresStore::create_comment(const Comment& comment) {
  // A missing document or user fails a foreign key: kNotFound.
  return write([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("INSERT INTO comments (document_id, user_id, body, created_at) "
                                          "VALUES ($1::bigint, $2::bigint, $3::text, $4::bigint) RETURNING id",
                                          Params().add(comment.document_id).add(comment.user_id).add(comment.body)
                                              .add(now_unix())));
    return r.int64(0, 0);
  });
}

Result<std::optional<Comment>> PostgresStore::get_comment(int64_t id) {
  return read([&](Conn& c) -> Result<std::optional<Comment>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT c.id, c.document_id, c.user_id, c.body, c.created_at, "
                                          "COALESCE(u.name, '') FROM comments c LEFT JOIN users u ON u.id = c.user_id "
                                          "WHERE c.id = $1::bigint",
                                          Params().add(id)));
    if (r.empty()) return std::optional<Comment>{};
    return std::optional<Comment>{comment_at(r, 0)};
  });
}

Result<std::vector<Comment>> PostgresStore::list_comments(int64_t document_id, int offset, int limit) {
  return read([&](Conn& c) -> Result<std::vector<Comment>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT c.id, c.document_id, c.user_id, c.body, c.created_at, "
                                          "COALESCE(u.name, '') FROM comments c LEFT JOIN users u ON u.id = c.user_id "
                                          "WHERE c.document_id = $1::bigint ORDER BY c.id "
                                          "LIMIT $2::bigint OFFSET $3::bigint",
                                          Params().add(document_id).add(limit).add(offset)));
    std::vector<Comment> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(comment_at(r, i));
    return out;
  });
}

Result<int64_t> PostgresStore::count_comments(int64_t document_id) {
  return read([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT count(*) FROM comments WHERE document_id = $1::bigint",
                                          Params().add(document_id)));
    return r.int64(0, 0);
  });
}

Result<void> PostgresStore::delete_comment(int64_t id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("DELETE FROM comments WHERE id = $1::bigint", Params().add(id)));
    if (r.affected() == 0) return make_error(ErrorCode::kNotFound, "评论不存在 / no comment " + std::to_string(id));
    return {};
  });
}

Result<void> PostgresStore::set_comments_closed(int64_t document_id, bool closed) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows d, c.exec("SELECT 1 FROM documents WHERE id = $1::bigint", Params().add(document_id)));
    if (d.empty()) return no_such_document(document_id);
    if (closed) {
      WENKU_TRY(c.exec("INSERT INTO comments_closed (document_id) VALUES ($1::bigint) ON CONFLICT DO NOTHING",
                       Params().add(document_id)));
    } else {
      WENKU_TRY(c.exec("DELETE FROM comments_closed WHERE document_id = $1::bigint", Params().add(document_id)));
    }
    return {};
  });
}

Result<bool> PostgresStore::comments_closed(int64_t document_id) {
  return read([&](Conn& c) -> Result<bool> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT 1 FROM comments_closed WHERE document_id = $1::bigint",
                                          Params().add(document_id)));
    return !r.empty();
  });
}

Result<void> PostgresStore::bin_document(int64_t id, int64_t by, int64_t at) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows b, c.exec("SELECT 1 FROM recycle_bin WHERE document_id = $1::bigint", Params().add(id)));
    if (!b.empty()) {
      return make_error(ErrorCode::kAlreadyExists, "已在回收站 / document " + std::to_string(id) + " is in the bin");
    }
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("INSERT INTO recycle_bin (document_id, deleted_by, deleted_at, was_hidden) "
                                          "SELECT id, $2::bigint, $3::bigint, hidden FROM documents "
                                          "WHERE id = $1::bigint",
                                          Params().add(id).add(by).add(at)));
    if (r.affected() == 0) return no_such_document(id);
    WENKU_TRY(c.exec("UPDATE documents SET hidden = true, indexed = false, index_gen = index_gen + 1, "
                     "updated_at = $2::bigint WHERE id = $1::bigint",
                     Params().add(id).add(now_unix())));
    return {};
  });
}

Result<void> PostgresStore::unbin_document(int64_t id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("DELETE FROM recycle_bin WHERE document_id = $1::bigint RETURNING was_hidden",
                                          Params().add(id)));
    if (r.empty()) {
      return make_error(ErrorCode::kNotFound, "不在回收站 / document " + std::to_string(id) + " is not in the bin");
    }
    WENKU_TRY(c.exec("UPDATE documents SET hidden = $2::boolean, indexed = false, index_gen = index_gen + 1, "
                     "updated_at = $3::bigint WHERE id = $1::bigint",
                     Params().add(id).add(r.boolean(0, 0)).add(now_unix())));
    return {};
  });
}

Result<std::optional<BinnedDocument>> PostgresStore::find_binned(int64_t id) {
  return read([&](Conn& c) -> Result<std::optional<BinnedDocument>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT b.document_id, COALESCE(d.uploader_id, 0), d.title, b.deleted_by, "
                                          "b.deleted_at FROM recycle_bin b JOIN documents d ON d.id = b.document_id "
                                          "WHERE b.document_id = $1::bigint",
                                          Params().add(id)));
    if (r.empty()) return std::optional<BinnedDocument>{};
    return std::optional<BinnedDocument>{binned_at(r, 0)};
  });
}

Result<std::vector<BinnedDocument>> PostgresStore::list_bin(int64_t uploader_id, int offset, int limit) {
  return read([&](Conn& c) -> Result<std::vector<BinnedDocument>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT b.document_id, COALESCE(d.uploader_id, 0), d.title, b.deleted_by, "
                                          "b.deleted_at FROM recycle_bin b JOIN documents d ON d.id = b.document_id "
                                          "WHERE ($1::bigint = 0 OR d.uploader_id = $1::bigint) "
                                          "ORDER BY b.deleted_at DESC, b.document_id DESC "
                                          "LIMIT $2::bigint OFFSET $3::bigint",
                                          Params().add(uploader_id).add(limit).add(offset)));
    std::vector<BinnedDocument> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(binned_at(r, i));
    return out;
  });
}

Result<std::vector<int64_t>> PostgresStore::bin_expired(int64_t before, int limit) {
  return read([&](Conn& c) -> Result<std::vector<int64_t>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT document_id FROM recycle_bin WHERE deleted_at < $1::bigint "
                                          "ORDER BY deleted_at, document_id LIMIT $2::bigint",
                                          Params().add(before).add(limit)));
    std::vector<int64_t> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(r.int64(i, 0));
    return out;
  });
}

}  // namespace wenku::store
