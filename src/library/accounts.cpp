// Accounts: password hashing, sessions and rate limits.
#include "library/accounts.h"

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/hash.h"
#include "core/strings.h"

namespace wenku::library {

namespace {

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

Result<void> validate_user_name(std::string_view name) {
  size_t n = utf8_length(name);
  if (n < 2 || n > 32 || !is_valid_utf8(name)) {
    return make_error(ErrorCode::kInvalidArgument, "用户名需要 2 到 32 个字符 / the name needs 2 to 32 characters");
  }
  if (trim(name) != name) {
    return make_error(ErrorCode::kInvalidArgument, "用户名前后不能有空格 / no spaces around the name");
  }
  for (char32_t c : utf8_to_u32(name)) {
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x200b || c == 0xfeff) {
      return make_error(ErrorCode::kInvalidArgument, "用户名含有控制字符 / the name has control characters");
    }
  }
  return {};
}

Result<void> validate_password(std::string_view password) {
  if (password.size() < 8 || password.size() > 256) {
    return make_error(ErrorCode::kInvalidArgument, "密码需要 8 到 256 个字节 / the password needs 8 to 256 bytes");
  }
  return {};
}

Result<std::string> Accounts::hash_password(std::string_view password) {
  if (!sodium_ready()) return make_error(ErrorCode::kInternal, "libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorCode::kInternal, "密码哈希失败(内存不足) / password hashing ran out of memory");
  }
  return std::string(out);
}

bool Accounts::verify_password(const std::string& hash, std::string_view password) {
  if (!sodium_ready() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string Accounts::random_token() {
  if (!sodium_ready()) throw std::runtime_error("libsodium failed to initialise");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex);
}

std::string Accounts::token_hash(std::string_view token) { return sha256_hex(token); }

Result<int64_t> Accounts::create_user(const std::string& name, const std::string& password, store::Role role) {
  WENKU_TRY(validate_user_name(name));
  WENKU_TRY(validate_password(password));
  WENKU_ASSIGN_OR_RETURN(std::string hash, hash_password(password));
  return store_.create_user(name, hash, role);
}

Result<NewSession> Accounts::login(const std::string& name, const std::string& password) {
  auto wrong = [] {
    return make_error(ErrorCode::kUnauthenticated, "用户名或密码错误 / wrong name or password");
  };
  WENKU_ASSIGN_OR_RETURN(auto user, store_.find_user(name));
  if (!user) {
    // Spend the same time as a real check, so response times do not reveal which names exist.
    static const std::string dummy = [] {
      auto h = hash_password("not-a-real-password");
      return h.ok() ? *h : std::string();
    }();
    (void)verify_password(dummy, password);
    return wrong();
  }
  if (!verify_password(user->password_hash, password)) return wrong();
  if (user->banned) return make_error(ErrorCode::kPermissionDenied, "账号已被封禁 / this account is banned");
  NewSession s;
  s.token = random_token();
  s.csrf_token = random_token();
  s.user = *user;
  int64_t now = now_unix();
  s.expires_at = now + kSessionSeconds;
  WENKU_TRY(store_.create_session({token_hash(s.token), user->id, s.csrf_token, now, s.expires_at}));
  return s;
}

std::optional<SignedIn> Accounts::resolve(std::string_view token) {
  if (token.size() != 64) return std::nullopt;
  std::string hash = token_hash(token);
  auto session = store_.find_session(hash, now_unix());
  if (!session.ok() || !session->has_value()) return std::nullopt;
  auto user = store_.get_user((*session)->user_id);
  if (!user.ok() || user->banned) return std::nullopt;
  return SignedIn{std::move(user).value(), hash, (*session)->csrf_token};
}

Result<void> Accounts::logout(const std::string& session_hash) { return store_.delete_session(session_hash); }

Result<void> Accounts::change_password(int64_t user_id, const std::string& old_password,
                                       const std::string& new_password, const std::string& keep_hash) {
  WENKU_ASSIGN_OR_RETURN(auto user, store_.get_user(user_id));
  if (!verify_password(user.password_hash, old_password)) {
    return make_error(ErrorCode::kUnauthenticated, "原密码错误 / the current password is wrong");
  }
  WENKU_TRY(validate_password(new_password));
  WENKU_ASSIGN_OR_RETURN(std::string hash, hash_password(new_password));
  store::UserUpdate u;
  u.password_hash = hash;
  WENKU_TRY(store_.update_user(user_id, u));
  return store_.delete_user_sessions(user_id, keep_hash);
}

bool Accounts::allow(const std::string& key, int max, int64_t window_seconds) {
  auto r = store_.take_rate(key, max, window_seconds);
  if (!r.ok()) {
    log::warn("rate_limit_unavailable key={} error={}", key, r.error().message);
    return true;
  }
  return *r;
}

}  // namespace wenku::library
