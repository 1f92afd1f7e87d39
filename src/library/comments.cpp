#include "library/comments.h"

#include <sodium.h>

#include <cstdlib>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "library/site_settings.h"

namespace wenku::library {

namespace {

constexpr int64_t kCaptchaSeconds = 3600;

Error refused(ErrorCode code, const char* key) { return make_error(code, key); }

}  // namespace

Result<std::vector<Comment>> Comments::list(int64_t document_id, int offset, int limit) {
  return store_.list_comments(document_id, offset, limit);
}

Result<int64_t> Comments::count(int64_t document_id) { return store_.count_comments(document_id); }

Result<std::optional<Comment>> Comments::get(int64_t id) { return store_.get_comment(id); }

Result<bool> Comments::closed(int64_t document_id) { return store_.comments_closed(document_id); }

int Comments::max_chars() const { return static_cast<int>(settings_.get_int("comment_max_chars")); }

Result<int64_t> Comments::post(const Viewer& viewer, const Document& doc, const std::string& body,
                               const std::string& captcha_token, const std::string& captcha_answer) {
  if (!viewer.signed_in()) return refused(ErrorCode::kUnauthenticated, "login_required");
  SiteConfig cfg = site_.config();
  if (!cfg.comments) return refused(ErrorCode::kPermissionDenied, "comments_closed");
  WENKU_ASSIGN_OR_RETURN(bool is_closed, store_.comments_closed(doc.id));
  if (is_closed) return refused(ErrorCode::kPermissionDenied, "comments_closed");
  std::string text = trim(sanitize_utf8(body));
  if (text.empty()) return refused(ErrorCode::kInvalidArgument, "comment_empty");
  if (utf8_length(text) > static_cast<size_t>(max_chars())) return refused(ErrorCode::kInvalidArgument, "comment_too_long");
  if (cfg.comment_captcha && !check_captcha(captcha_token, captcha_answer)) {
    return refused(ErrorCode::kInvalidArgument, "captcha_wrong");
  }
  // The interval and the hourly limit are the store's rate limits: every process sees them.
  std::string who = std::to_string(viewer.id);
  int64_t interval = settings_.get_int("comment_interval_seconds");
  if (interval > 0) {
    WENKU_ASSIGN_OR_RETURN(bool ok, store_.take_rate("comment-gap:" + who, 1, interval));
    if (!ok) return refused(ErrorCode::kRateLimited, "comment_too_fast");
  }
  WENKU_ASSIGN_OR_RETURN(bool hourly, store_.take_rate("comment-hour:" + who, settings_.get_int("comments_per_hour"), 3600));
  if (!hourly) return refused(ErrorCode::kRateLimited, "comment_hourly_limit");
  Comment c;
  c.document_id = doc.id;
  c.user_id = viewer.id;
  c.body = text;
  return store_.create_comment(c);
}

Result<Comment> Comments::remove(const Viewer& viewer, int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto c, store_.get_comment(id));
  if (!c) return refused(ErrorCode::kNotFound, "comment_not_found");
  if (!viewer.is_admin() && !(viewer.signed_in() && viewer.id == c->user_id)) {
    return refused(ErrorCode::kPermissionDenied, "forbidden");
  }
  WENKU_TRY(store_.delete_comment(id));
  return *c;
}

Result<void> Comments::set_closed(const Viewer& viewer, const Document& doc, bool is_closed) {
  if (!policy::can_manage(viewer, doc)) return refused(ErrorCode::kPermissionDenied, "forbidden");
  return store_.set_comments_closed(doc.id, is_closed);
}

std::string Comments::key() {
  std::lock_guard lock(key_mu_);
  if (key_.size() == 64) return key_;
  if (auto stored = site_.secret("captcha_key"); stored.ok() && stored->size() == 64) {
    key_ = *stored;
    return key_;
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  key_ = hex;
  if (auto r = site_.set_secret("captcha_key", key_); !r.ok()) log::warn("captcha_key_not_saved error={}", r.error().message);
  return key_;
}

std::string Comments::mac(const std::string& message) {
  std::string k = key();
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(k.data()), k.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, out);
  char hex[2 * sizeof out + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

Captcha Comments::captcha() {
  int a = static_cast<int>(randombytes_uniform(20)) + 1;
  int b = static_cast<int>(randombytes_uniform(20)) + 1;
  unsigned char raw[12];
  randombytes_buf(raw, sizeof raw);
  char nonce[25];
  sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
  std::string head = std::to_string(now_unix() + kCaptchaSeconds) + ":" + nonce;
  return Captcha{std::to_string(a) + " + " + std::to_string(b) + " = ?",
                 head + ":" + mac("captcha:" + head + ":" + std::to_string(a + b))};
}

bool Comments::check_captcha(const std::string& token, const std::string& answer) {
  auto parts = split(token, ':');
  if (parts.size() != 3 || parts[1].size() != 24 || parts[2].size() != 64) return false;
  char* end = nullptr;
  long long expires = std::strtoll(parts[0].c_str(), &end, 10);
  if (parts[0].empty() || *end != '\0' || expires < now_unix()) return false;
  std::string given = trim(answer);
  if (given.empty() || given.size() > 4 || given.find_first_not_of("0123456789") != std::string::npos) return false;
  std::string expect = mac("captcha:" + parts[0] + ":" + parts[1] + ":" + std::to_string(std::stoi(given)));
  if (sodium_memcmp(expect.data(), parts[2].data(), expect.size()) != 0) return false;
  // Each question is answered once, whichever process sees the answer.
  auto once = store_.take_rate("captcha:" + parts[1], 1, kCaptchaSeconds + 60);
  return once.ok() && *once;
}

}  // namespace wenku::library
