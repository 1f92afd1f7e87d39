// Accounts: Argon2id password hashes, login sessions as random tokens (only their hashes are
// stored), CSRF tokens, and the rate limits of login, registration and reports (in the store,
// so every web process counts the same hits).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/metadata_store.h"

namespace wenku::library {

// A logged-in visitor: the user, the hash of their session token and its CSRF token.
struct SignedIn {
  store::User user;
  std::string session_hash;
  std::string csrf_token;
};

// A new session: `token` goes into the cookie and is never stored.
struct NewSession {
  std::string token;
  std::string csrf_token;
  store::User user;
  int64_t expires_at = 0;
};

class Accounts {
 public:
  static constexpr int64_t kSessionSeconds = 30 * 86400;

  explicit Accounts(store::MetadataStore& store) : store_(store) {}

  // Argon2id (libsodium crypto_pwhash_str, interactive limits). Errors: kInternal (out of memory).
  static Result<std::string> hash_password(std::string_view password);
  static bool verify_password(const std::string& hash, std::string_view password);
  // 32 random bytes as 64 hex digits.
  static std::string random_token();
  static std::string token_hash(std::string_view token);

  // Name: 2-32 characters, no control characters or surrounding spaces; password 8-256 bytes.
  // Errors: kInvalidArgument, kAlreadyExists.
  Result<int64_t> create_user(const std::string& name, const std::string& password, store::Role role);
  // Errors: kUnauthenticated (wrong name or password), kPermissionDenied (banned).
  Result<NewSession> login(const std::string& name, const std::string& password);
  // The visitor of a session cookie value, if the session is live and the user not banned.
  std::optional<SignedIn> resolve(std::string_view token);
  Result<void> logout(const std::string& session_hash);
  // Errors: kUnauthenticated (old password wrong), kInvalidArgument (new one too short).
  // Other sessions of the user end; `keep_hash` stays.
  Result<void> change_password(int64_t user_id, const std::string& old_password, const std::string& new_password,
                               const std::string& keep_hash);

  // Sliding-window limit: true when `key` has had fewer than `max` hits in the last
  // `window_seconds` (and records this one). Kept in the store, shared by every process;
  // when the store cannot answer the hit is allowed (and logged): a store that is down
  // fails the request itself anyway.
  bool allow(const std::string& key, int max, int64_t window_seconds);

 private:
  store::MetadataStore& store_;
};

// Errors: kInvalidArgument with a message a person can act on.
Result<void> validate_user_name(std::string_view name);
Result<void> validate_password(std::string_view password);

}  // namespace wenku::library
