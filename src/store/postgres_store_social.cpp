// PostgresStore, social slice: favourites (收藏), ratings and collections (专辑), as the
// SQLite store has them. A row naming a missing document, account or collection fails its
// foreign key, which the connection reports as kNotFound.
#include "core/clock.h"
#include "store/postgres_store_impl.h"

namespace wenku::store {

namespace {

std::vector<int64_t> ids_of(const Rows& r) {
  std::vector<int64_t> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

constexpr const char* kCollectionColumns =
    "SELECT c.id, c.owner_id, COALESCE(u.name, ''), c.name, c.description, c.is_public, "
    "(SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = c.id), c.created_at, c.updated_at "
    "FROM collections c LEFT JOIN users u ON u.id = c.owner_id ";

Collection collection_of(const Rows& r, int i) {
  return Collection{r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.boolean(i, 5),
                    r.int64(i, 6), r.int64(i, 7), r.int64(i, 8)};
}

}  // namespace

Result<void> PostgresStore::set_favourite(int64_t user_id, int64_t document_id, bool on) {
  return write([&](Conn& c) -> Result<void> {
    if (on) {
      WENKU_TRY(c.exec("INSERT INTO favourites (user_id, document_id, created_at) "
                       "VALUES ($1::bigint, $2::bigint, $3::bigint) ON CONFLICT DO NOTHING",
                       Params().add(user_id).add(document_id).add(now_unix())));
    } else {
      WENKU_TRY(c.exec("DELETE FROM favourites WHERE user_id = $1::bigint AND document_id = $2::bigint",
                       Params().add(user_id).add(document_id)));
    }
    return {};
  });
}

Result<bool> PostgresStore::is_favourite(int64_t user_id, int64_t document_id) {
  return read([&](Conn& c) -> Result<bool> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT 1 FROM favourites WHERE user_id = $1::bigint AND document_id = $2::bigint",
                                          Params().add(user_id).add(document_id)));
    return !r.empty();
  });
}

Result<int64_t> PostgresStore::count_favourites(int64_t document_id) {
  return read([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT COUNT(*) FROM favourites WHERE document_id = $1::bigint",
                                          Params().add(document_id)));
    return r.int64(0, 0);
  });
}

Result<std::vector<int64_t>> PostgresStore::favourite_ids(int64_t user_id, int offset, int limit) {
  return read([&](Conn& c) -> Result<std::vector<int64_t>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT document_id FROM favourites WHERE user_id = $1::bigint "
                                          "ORDER BY created_at DESC, document_id DESC LIMIT $2::bigint OFFSET $3::bigint",
                                          Params().add(user_id).add(limit).add(offset)));
    return ids_of(r);
  });
}

Result<void> PostgresStore::set_rating(int64_t user_id, int64_t document_id, int stars) {
  if (stars < 1 || stars > 5) return make_error(ErrorCode::kInvalidArgument, "评分应为 1-5 / stars must be 1 to 5");
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("INSERT INTO ratings (user_id, document_id, stars, created_at) "
                     "VALUES ($1::bigint, $2::bigint, $3::integer, $4::bigint) ON CONFLICT (user_id, document_id) "
                     "DO UPDATE SET stars = excluded.stars, created_at = excluded.created_at",
                     Params().add(user_id).add(document_id).add(stars).add(now_unix())));
    return {};
  });
}

Result<int> PostgresStore::rating_of(int64_t user_id, int64_t document_id) {
  return read([&](Conn& c) -> Result<int> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT stars FROM ratings WHERE user_id = $1::bigint AND document_id = $2::bigint",
                                          Params().add(user_id).add(document_id)));
    return r.empty() ? 0 : r.integer(0, 0);
  });
}

Result<RatingSummary> PostgresStore::rating_summary(int64_t document_id) {
  return read([&](Conn& c) -> Result<RatingSummary> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT COUNT(*), COALESCE(AVG(stars), 0)::float8 FROM ratings "
                                          "WHERE document_id = $1::bigint",
                                          Params().add(document_id)));
    return RatingSummary{r.int64(0, 0), r.real(0, 1)};
  });
}

Result<int64_t> PostgresStore::create_collection(const Collection& col) {
  if (col.name.empty()) return make_error(ErrorCode::kInvalidArgument, "专辑名称不能为空 / a collection needs a name");
  return write([&](Conn& c) -> Result<int64_t> {
    int64_t now = now_unix();
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("INSERT INTO collections (owner_id, name, description, is_public, created_at, "
                                          "updated_at) VALUES ($1::bigint, $2::text, $3::text, $4::boolean, $5::bigint, "
                                          "$5::bigint) RETURNING id",
                                          Params().add(col.owner_id).add(col.name).add(col.description)
                                              .add(col.is_public).add(now)));
    return r.int64(0, 0);
  });
}

Result<Collection> PostgresStore::get_collection(int64_t id) {
  return read([&](Conn& c) -> Result<Collection> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(std::string(kCollectionColumns) + "WHERE c.id = $1::bigint", Params().add(id)));
    if (r.empty()) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
    return collection_of(r, 0);
  });
}

Result<std::vector<Collection>> PostgresStore::list_collections(int64_t owner_id, bool public_only, int offset,
                                                                int limit) {
  return read([&](Conn& c) -> Result<std::vector<Collection>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(std::string(kCollectionColumns) +
                                              "WHERE ($1::bigint = 0 OR c.owner_id = $1::bigint) "
                                              "AND (NOT $2::boolean OR c.is_public) "
                                              "ORDER BY c.created_at DESC, c.id DESC LIMIT $3::bigint OFFSET $4::bigint",
                                          Params().add(owner_id).add(public_only).add(limit).add(offset)));
    std::vector<Collection> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(collection_of(r, i));
    return out;
  });
}

Result<void> PostgresStore::update_collection(int64_t id, const CollectionUpdate& u) {
  if (u.name && u.name->empty()) return make_error(ErrorCode::kInvalidArgument, "专辑名称不能为空 / a collection needs a name");
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("UPDATE collections SET name = COALESCE($2::text, name), "
                                          "description = COALESCE($3::text, description), "
                                          "is_public = COALESCE($4::boolean, is_public), updated_at = $5::bigint "
                                          "WHERE id = $1::bigint",
                                          Params().add(id).add(u.name).add(u.description).add(u.is_public)
                                              .add(now_unix())));
    if (r.affected() == 0) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
    return {};
  });
}

Result<void> PostgresStore::delete_collection(int64_t id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("DELETE FROM collections WHERE id = $1::bigint", Params().add(id)));
    if (r.affected() == 0) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
    return {};
  });
}

Result<void> PostgresStore::add_to_collection(int64_t collection_id, int64_t document_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("INSERT INTO collection_items (collection_id, document_id, added_at) "
                     "VALUES ($1::bigint, $2::bigint, $3::bigint) ON CONFLICT DO NOTHING",
                     Params().add(collection_id).add(document_id).add(now_unix())));
    return {};
  });
}

Result<void> PostgresStore::remove_from_collection(int64_t collection_id, int64_t document_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("DELETE FROM collection_items WHERE collection_id = $1::bigint AND document_id = $2::bigint",
                     Params().add(collection_id).add(document_id)));
    return {};
  });
}

Result<std::vector<int64_t>> PostgresStore::collection_item_ids(int64_t collection_id, int offset, int limit) {
  return read([&](Conn& c) -> Result<std::vector<int64_t>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT document_id FROM collection_items WHERE collection_id = $1::bigint "
                                          "ORDER BY added_at DESC, document_id DESC LIMIT $2::bigint OFFSET $3::bigint",
                                          Params().add(collection_id).add(limit).add(offset)));
    return ids_of(r);
  });
}

Result<std::vector<int64_t>> PostgresStore::collections_holding(int64_t owner_id, int64_t document_id) {
  return read([&](Conn& c) -> Result<std::vector<int64_t>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT c.id FROM collections c JOIN collection_items i ON i.collection_id = c.id "
                                          "WHERE c.owner_id = $1::bigint AND i.document_id = $2::bigint ORDER BY c.id",
                                          Params().add(owner_id).add(document_id)));
    return ids_of(r);
  });
}

}  // namespace wenku::store
