// SqliteStore, social slice: favourites (收藏), ratings and collections (专辑). Their rows
// name a document and an account with ON DELETE CASCADE, so deleting either takes them along.
#include "core/clock.h"
#include "store/sqlite_store_impl.h"

namespace wenku::store {

namespace {

// The caller holds the write lock. Errors: kNotFound naming what is missing.
// `sql` selects the row of id ?1; `what` names it in the error.
Result<void> require_row(Connection& c, const char* sql, const char* what, int64_t id) {
  auto st = c.prepare(sql);
  st.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return make_error(ErrorCode::kNotFound, std::string("不存在 / no such ") + what + " " + std::to_string(id));
  return {};
}

constexpr const char* kDocumentRow = "SELECT 1 FROM documents WHERE id = ?1";
constexpr const char* kUserRow = "SELECT 1 FROM users WHERE id = ?1";
constexpr const char* kCollectionRow = "SELECT 1 FROM collections WHERE id = ?1";

Result<std::vector<int64_t>> ids_of(Statement& st) {
  std::vector<int64_t> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(st.int64(0));
  }
  return out;
}

constexpr const char* kCollectionColumns =
    "SELECT c.id, c.owner_id, COALESCE(u.name, ''), c.name, c.description, c.is_public, "
    "(SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = c.id), c.created_at, c.updated_at "
    "FROM collections c LEFT JOIN users u ON u.id = c.owner_id ";

Collection collection_of(const Statement& st) {
  return Collection{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.integer(5) != 0,
                    st.int64(6),  st.int64(7), st.int64(8)};
}

}  // namespace

Result<void> SqliteStore::set_favourite(int64_t user_id, int64_t document_id, bool on) {
  std::lock_guard lock(write_mu_);
  if (on) {
    WENKU_TRY(require_row(*writer_, kDocumentRow, "document", document_id));
    WENKU_TRY(require_row(*writer_, kUserRow, "user", user_id));
  }
  auto st = writer_->prepare(on ? "INSERT OR IGNORE INTO favourites (user_id, document_id, created_at) VALUES (?1, ?2, ?3)"
                                : "DELETE FROM favourites WHERE user_id = ?1 AND document_id = ?2");
  st.bind(1, user_id).bind(2, document_id);
  if (on) st.bind(3, now_unix());
  return st.run();
}

Result<bool> SqliteStore::is_favourite(int64_t user_id, int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT 1 FROM favourites WHERE user_id = ?1 AND document_id = ?2");
  st.bind(1, user_id).bind(2, document_id);
  return st.step();
}

Result<int64_t> SqliteStore::count_favourites(int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT COUNT(*) FROM favourites WHERE document_id = ?1");
  st.bind(1, document_id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.int64(0) : 0;
}

Result<std::vector<int64_t>> SqliteStore::favourite_ids(int64_t user_id, int offset, int limit) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT document_id FROM favourites WHERE user_id = ?1 ORDER BY created_at DESC, document_id DESC "
      "LIMIT ?2 OFFSET ?3");
  st.bind(1, user_id).bind(2, limit).bind(3, offset);
  return ids_of(st);
}

Result<void> SqliteStore::set_rating(int64_t user_id, int64_t document_id, int stars) {
  if (stars < 1 || stars > 5) return make_error(ErrorCode::kInvalidArgument, "评分应为 1-5 / stars must be 1 to 5");
  std::lock_guard lock(write_mu_);
  WENKU_TRY(require_row(*writer_, kDocumentRow, "document", document_id));
  WENKU_TRY(require_row(*writer_, kUserRow, "user", user_id));
  auto st = writer_->prepare(
      "INSERT INTO ratings (user_id, document_id, stars, created_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (user_id, document_id) DO UPDATE SET stars = excluded.stars, created_at = excluded.created_at");
  st.bind(1, user_id).bind(2, document_id).bind(3, stars).bind(4, now_unix());
  return st.run();
}

Result<int> SqliteStore::rating_of(int64_t user_id, int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT stars FROM ratings WHERE user_id = ?1 AND document_id = ?2");
  st.bind(1, user_id).bind(2, document_id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.integer(0) : 0;
}

Result<RatingSummary> SqliteStore::rating_summary(int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT COUNT(*), COALESCE(AVG(stars), 0) FROM ratings WHERE document_id = ?1");
  st.bind(1, document_id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return RatingSummary{};
  return RatingSummary{st.int64(0), st.real(1)};
}

Result<int64_t> SqliteStore::create_collection(const Collection& c) {
  if (c.name.empty()) return make_error(ErrorCode::kInvalidArgument, "专辑名称不能为空 / a collection needs a name");
  std::lock_guard lock(write_mu_);
  WENKU_TRY(require_row(*writer_, kUserRow, "user", c.owner_id));
  auto st = writer_->prepare(
      "INSERT INTO collections (owner_id, name, description, is_public, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
  st.bind(1, c.owner_id).bind(2, c.name).bind(3, c.description).bind(4, c.is_public ? 1 : 0).bind(5, now_unix());
  WENKU_TRY(st.run());
  return writer_->last_insert_id();
}

Result<Collection> SqliteStore::get_collection(int64_t id) {
  auto r = reader();
  auto st = r->prepare(std::string(kCollectionColumns) + "WHERE c.id = ?1");
  st.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
  return collection_of(st);
}

Result<std::vector<Collection>> SqliteStore::list_collections(int64_t owner_id, bool public_only, int offset,
                                                              int limit) {
  auto r = reader();
  auto st = r->prepare(std::string(kCollectionColumns) +
                       "WHERE (?1 = 0 OR c.owner_id = ?1) AND (?2 = 0 OR c.is_public = 1) "
                       "ORDER BY c.created_at DESC, c.id DESC LIMIT ?3 OFFSET ?4");
  st.bind(1, owner_id).bind(2, public_only ? 1 : 0).bind(3, limit).bind(4, offset);
  std::vector<Collection> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(collection_of(st));
  }
  return out;
}

Result<void> SqliteStore::update_collection(int64_t id, const CollectionUpdate& u) {
  if (u.name && u.name->empty()) return make_error(ErrorCode::kInvalidArgument, "专辑名称不能为空 / a collection needs a name");
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE collections SET name = COALESCE(?2, name), description = COALESCE(?3, description), "
      "is_public = COALESCE(?4, is_public), updated_at = ?5 WHERE id = ?1");
  st.bind(1, id).bind(5, now_unix());
  if (u.name) st.bind(2, *u.name); else st.bind_null(2);
  if (u.description) st.bind(3, *u.description); else st.bind_null(3);
  if (u.is_public) st.bind(4, *u.is_public ? 1 : 0); else st.bind_null(4);
  WENKU_TRY(st.run());
  if (writer_->changes() == 0) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
  return {};
}

Result<void> SqliteStore::delete_collection(int64_t id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM collections WHERE id = ?1");
  st.bind(1, id);
  WENKU_TRY(st.run());
  if (writer_->changes() == 0) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
  return {};
}

Result<void> SqliteStore::add_to_collection(int64_t collection_id, int64_t document_id) {
  std::lock_guard lock(write_mu_);
  WENKU_TRY(require_row(*writer_, kCollectionRow, "collection", collection_id));
  WENKU_TRY(require_row(*writer_, kDocumentRow, "document", document_id));
  auto st = writer_->prepare(
      "INSERT OR IGNORE INTO collection_items (collection_id, document_id, added_at) VALUES (?1, ?2, ?3)");
  st.bind(1, collection_id).bind(2, document_id).bind(3, now_unix());
  return st.run();
}

Result<void> SqliteStore::remove_from_collection(int64_t collection_id, int64_t document_id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM collection_items WHERE collection_id = ?1 AND document_id = ?2");
  st.bind(1, collection_id).bind(2, document_id);
  return st.run();
}

Result<std::vector<int64_t>> SqliteStore::collection_item_ids(int64_t collection_id, int offset, int limit) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT document_id FROM collection_items WHERE collection_id = ?1 ORDER BY added_at DESC, document_id DESC "
      "LIMIT ?2 OFFSET ?3");
  st.bind(1, collection_id).bind(2, limit).bind(3, offset);
  return ids_of(st);
}

Result<std::vector<int64_t>> SqliteStore::collections_holding(int64_t owner_id, int64_t document_id) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT c.id FROM collections c JOIN collection_items i ON i.collection_id = c.id "
      "WHERE c.owner_id = ?1 AND i.document_id = ?2 ORDER BY c.id");
  st.bind(1, owner_id).bind(2, document_id);
  return ids_of(st);
}

}  // namespace wenku::store
