// SqliteStore, accounts slice: users and sessions.
#include "store/sqlite_store_impl.h"

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::store {

namespace {

constexpr std::string_view kUserSelect =
    "SELECT id, name, password_hash, role, banned, created_at FROM users";

User read_user(const Statement& s) {
  User u;
  u.id = s.int64(0);
  u.name = s.text(1);
  u.password_hash = s.text(2);
  u.role = parse_role(s.text(3));
  u.banned = s.integer(4) != 0;
  u.created_at = s.int64(5);
  return u;
}

}  // namespace

Result<int64_t> SqliteStore::create_user(const std::string& name, const std::string& password_hash, Role role) {
  std::lock_guard lock(write_mu_);
  {
    auto find = writer_->prepare("SELECT id FROM users WHERE name = ?1");
    find.bind(1, name);
    WENKU_ASSIGN_OR_RETURN(bool row, find.step());
    if (row) return make_error(ErrorCode::kAlreadyExists, "用户名已被使用 / the name is taken: " + name);
  }
  auto st = writer_->prepare("INSERT INTO users (name, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, name).bind(2, password_hash).bind(3, role_name(role)).bind(4, now_unix());
  WENKU_TRY(st.run());
  return writer_->last_insert_id();
}

Result<User> SqliteStore::get_user(int64_t id) {
  auto r = reader();
  auto st = r->prepare(std::string(kUserSelect) + " WHERE id = ?1");
  st.bind(1, id);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return make_error(ErrorCode::kNotFound, "用户不存在 / no user " + std::to_string(id));
  return read_user(st);
}

Result<std::optional<User>> SqliteStore::find_user(const std::string& name) {
  auto r = reader();
  auto st = r->prepare(std::string(kUserSelect) + " WHERE name = ?1");
  st.bind(1, name);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<User>{};
  return std::optional<User>{read_user(st)};
}

Result<std::vector<User>> SqliteStore::list_users(int offset, int limit) {
  auto r = reader();
  auto st = r->prepare(std::string(kUserSelect) + " ORDER BY id LIMIT ?1 OFFSET ?2");
  st.bind(1, limit).bind(2, offset);
  std::vector<User> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(read_user(st));
  }
  return out;
}

Result<int64_t> SqliteStore::count_users() {
  auto r = reader();
  auto st = r->prepare("SELECT count(*) FROM users");
  WENKU_TRY(st.step());
  return st.int64(0);
}

Result<void> SqliteStore::update_user(int64_t id, const UserUpdate& u) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE users SET password_hash = COALESCE(?2, password_hash), role = COALESCE(?3, role), "
      "banned = COALESCE(?4, banned) WHERE id = ?1");
  st.bind(1, id);
  if (u.password_hash) st.bind(2, *u.password_hash); else st.bind_null(2);
  if (u.role) st.bind(3, role_name(*u.role)); else st.bind_null(3);
  if (u.banned) st.bind(4, int64_t{*u.banned}); else st.bind_null(4);
  WENKU_TRY(st.run());
  if (writer_->changes() == 0) return make_error(ErrorCode::kNotFound, "用户不存在 / no user " + std::to_string(id));
  return {};
}

Result<void> SqliteStore::create_session(const Session& s) {
  std::lock_guard lock(write_mu_);
  // Expired sessions go away as new ones come, so the table never grows without bound.
  auto purge = writer_->prepare("DELETE FROM sessions WHERE expires_at < ?1");
  purge.bind(1, now_unix());
  WENKU_TRY(purge.run());
  auto st = writer_->prepare(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  st.bind(1, s.token_hash).bind(2, s.user_id).bind(3, s.csrf_token).bind(4, s.created_at).bind(5, s.expires_at);
  return st.run();
}

Result<std::optional<Session>> SqliteStore::find_session(const std::string& token_hash, int64_t now) {
  auto r = reader();
  auto st = r->prepare(
      "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions "
      "WHERE token_hash = ?1 AND expires_at > ?2");
  st.bind(1, token_hash).bind(2, now);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Session>{};
  return std::optional<Session>{Session{st.text(0), st.int64(1), st.text(2), st.int64(3), st.int64(4)}};
}

Result<void> SqliteStore::delete_session(const std::string& token_hash) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM sessions WHERE token_hash = ?1");
  st.bind(1, token_hash);
  return st.run();
}

Result<void> SqliteStore::delete_user_sessions(int64_t user_id, const std::string& except_hash) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2");
  st.bind(1, user_id).bind(2, except_hash);
  return st.run();
}

}  // namespace wenku::store
