// PostgresStore, accounts slice: users and sessions. A name is unique without regard to
// ASCII case through the users_name index, so two processes registering the same name at
// once get one account and one kAlreadyExists.
#include "core/clock.h"
#include "core/strings.h"
#include "store/postgres_store_impl.h"

namespace wenku::store {

namespace {

constexpr std::string_view kUserSelect = "SELECT id, name, password_hash, role, banned, created_at FROM users";
constexpr std::string_view kFoldedName = "translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";
constexpr std::string_view kFoldedParam =
    "translate($1::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

User read_user(const Rows& s, int row) {
  User u;
  u.id = s.int64(row, 0);
  u.name = s.text(row, 1);
  u.password_hash = s.text(row, 2);
  u.role = parse_role(s.text(row, 3));
  u.banned = s.boolean(row, 4);
  u.created_at = s.int64(row, 5);
  return u;
}

Error no_user(int64_t id) { return make_error(ErrorCode::kNotFound, "用户不存在 / no user " + std::to_string(id)); }

}  // namespace

Result<int64_t> PostgresStore::create_user(const std::string& name, const std::string& password_hash, Role role) {
  auto id = write([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("INSERT INTO users (name, password_hash, role, created_at) "
                                          "VALUES ($1::text, $2::text, $3::text, $4::bigint) RETURNING id",
                                          Params().add(name).add(password_hash).add(role_name(role)).add(now_unix())));
    return r.int64(0, 0);
  });
  if (!id.ok() && id.error().code == ErrorCode::kAlreadyExists) {
    return make_error(ErrorCode::kAlreadyExists, "用户名已被使用 / the name is taken: " + name);
  }
  return id;
}

Result<User> PostgresStore::get_user(int64_t id) {
  return read([&](Conn& c) -> Result<User> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(std::string(kUserSelect) + " WHERE id = $1::bigint", Params().add(id)));
    if (r.empty()) return no_user(id);
    return read_user(r, 0);
  });
}

Result<std::optional<User>> PostgresStore::find_user(const std::string& name) {
  return read([&](Conn& c) -> Result<std::optional<User>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(std::string(kUserSelect) + " WHERE " + std::string(kFoldedName) + " = " +
                                              std::string(kFoldedParam),
                                          Params().add(name)));
    if (r.empty()) return std::optional<User>{};
    return std::optional<User>{read_user(r, 0)};
  });
}

Result<std::vector<User>> PostgresStore::list_users(int offset, int limit) {
  return read([&](Conn& c) -> Result<std::vector<User>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(std::string(kUserSelect) + " ORDER BY id LIMIT $1::bigint OFFSET $2::bigint",
                                          Params().add(limit).add(offset)));
    std::vector<User> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(read_user(r, i));
    return out;
  });
}

Result<int64_t> PostgresStore::count_users() {
  return read([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT count(*) FROM users"));
    return r.int64(0, 0);
  });
}

Result<void> PostgresStore::update_user(int64_t id, const UserUpdate& u) {
  Params p;
  p.add(id).add(u.password_hash);
  if (u.role) p.add(role_name(*u.role)); else p.null();
  p.add(u.banned);
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("UPDATE users SET password_hash = COALESCE($2::text, password_hash), "
                                          "role = COALESCE($3::text, role), banned = COALESCE($4::boolean, banned) "
                                          "WHERE id = $1::bigint",
                                          p));
    if (r.affected() == 0) return no_user(id);
    return {};
  });
}

Result<void> PostgresStore::create_session(const Session& s) {
  return write([&](Conn& c) -> Result<void> {
    // Expired sessions go away as new ones come, so the table never grows without bound.
    WENKU_TRY(c.exec("DELETE FROM sessions WHERE expires_at < $1::bigint", Params().add(now_unix())));
    WENKU_TRY(c.exec("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                     "VALUES ($1::text, $2::bigint, $3::text, $4::bigint, $5::bigint)",
                     Params().add(s.token_hash).add(s.user_id).add(s.csrf_token).add(s.created_at).add(s.expires_at)));
    return {};
  });
}

Result<std::optional<Session>> PostgresStore::find_session(const std::string& token_hash, int64_t now) {
  return read([&](Conn& c) -> Result<std::optional<Session>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT token_hash, user_id, csrf_token, created_at, expires_at "
                                          "FROM sessions WHERE token_hash = $1::text AND expires_at > $2::bigint",
                                          Params().add(token_hash).add(now)));
    if (r.empty()) return std::optional<Session>{};
    return std::optional<Session>{Session{r.text(0, 0), r.int64(0, 1), r.text(0, 2), r.int64(0, 3), r.int64(0, 4)}};
  });
}

Result<void> PostgresStore::delete_session(const std::string& token_hash) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("DELETE FROM sessions WHERE token_hash = $1::text", Params().add(token_hash)));
    return {};
  });
}

Result<void> PostgresStore::delete_user_sessions(int64_t user_id, const std::string& except_hash) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("DELETE FROM sessions WHERE user_id = $1::bigint AND token_hash != $2::text",
                     Params().add(user_id).add(except_hash)));
    return {};
  });
}

}  // namespace wenku::store
