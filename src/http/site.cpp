// The visitor, access rules, site settings, language strings, signed links and counters.
#include "http/site.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/strings.h"
#include "http/assets.h"

namespace wenku::http {

namespace {

constexpr const char* kSessionCookie = "wk_session";
constexpr const char* kGuestCsrfCookie = "wk_csrf";

bool is_hex_token(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Constant-time comparison of two tokens.
bool same_token(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string pick_lang(const httplib::Request& req) {
  std::string forced = cookie(req, "wk_lang");
  if (forced == "en" || forced == "zh-CN") return forced;
  // The first language of Accept-Language that we have decides; Chinese by default.
  for (const auto& part : split(req.get_header_value("Accept-Language"), ',')) {
    std::string tag = to_lower_ascii(trim(split(part, ';').front()));
    if (starts_with(tag, "zh")) return "zh-CN";
    if (starts_with(tag, "en")) return "en";
  }
  return "zh-CN";
}

}  // namespace

std::string cookie(const httplib::Request& req, const std::string& name) {
  std::string header = req.get_header_value("Cookie");
  for (const auto& part : split(header, ';')) {
    std::string p = trim(part);
    if (p.size() > name.size() && p.compare(0, name.size(), name) == 0 && p[name.size()] == '=') {
      return p.substr(name.size() + 1);
    }
  }
  return "";
}

const std::vector<std::string>& site_setting_keys() {
  static const std::vector<std::string> keys = {
      "site_name", "footer_text", "copyright", "icp", "preview_pages", "max_preview_pages", "download_who",
      "download_daily_user", "download_daily_ip", "upload_formats", "max_upload_mb", "review_before_publish",
      "allow_guest_upload"};
  return keys;
}

Site::Site(library::Library& lib) : lib_(lib), accounts_(lib.store()), hot_(lib) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  // The signing key of download links lives in the database so that every web process of
  // one site agrees on it.
  if (auto all = lib_.store().site_settings(); all.ok()) {
    for (const auto& [k, v] : *all) {
      if (k == "secret_key") secret_ = v;
    }
  }
  if (secret_.size() != 64) {
    secret_ = library::Accounts::random_token();
    if (auto r = lib_.store().set_site_setting("secret_key", secret_); !r.ok()) {
      log::warn("site_secret_not_saved error={}", r.error().message);
    }
  }
  load_strings();
}

void Site::load_strings() {
  for (const std::string lang : {"zh-CN", "en"}) {
    auto a = asset("templates/i18n/" + lang + ".json");
    if (!a) throw std::logic_error("missing strings for " + lang);
    auto j = nlohmann::json::parse(*a);
    mstch::map m;
    std::map<std::string, std::string> plain;
    for (auto it = j.begin(); it != j.end(); ++it) {
      m[it.key()] = it.value().get<std::string>();
      plain[it.key()] = it.value().get<std::string>();
    }
    strings_[lang] = std::move(m);
    plain_[lang] = std::move(plain);
  }
}

const mstch::map& Site::strings(const std::string& lang) {
  auto it = strings_.find(lang);
  return it == strings_.end() ? strings_.at("zh-CN") : it->second;
}

std::string Site::text(const std::string& lang, const std::string& key) {
  auto l = plain_.find(lang);
  if (l == plain_.end()) l = plain_.find("zh-CN");
  auto it = l->second.find(key);
  return it == l->second.end() ? key : it->second;
}

Visitor Site::visitor(const httplib::Request& req) {
  Visitor v;
  v.ip = req.remote_addr;
  v.agent = sha256_hex(req.get_header_value("User-Agent")).substr(0, 12);
  v.lang = pick_lang(req);
  v.desktop = cookie(req, "wk_layout") == "desktop";
  std::string token = cookie(req, kSessionCookie);
  if (is_hex_token(token)) {
    v.has_cookies = true;
    if (auto s = accounts_.resolve(token)) {
      v.user = s->user;
      v.session_hash = s->session_hash;
      v.csrf = s->csrf_token;
      return v;
    }
  }
  std::string guest = cookie(req, kGuestCsrfCookie);
  if (is_hex_token(guest)) {
    v.has_cookies = true;
    v.csrf = guest;
  } else {
    v.csrf = library::Accounts::random_token();
    v.new_guest_csrf = true;
  }
  return v;
}

void Site::finish(const Visitor& v, httplib::Response& res) {
  if (v.new_guest_csrf && !v.signed_in()) {
    res.set_header("Set-Cookie", std::string(kGuestCsrfCookie) + "=" + v.csrf + "; Path=/; HttpOnly; SameSite=Lax");
  }
}

bool Site::csrf_ok(const Visitor& v, const httplib::Request& req, const std::string& form_token) const {
  if (!v.has_cookies && !v.signed_in()) return true;
  std::string sent = form_token.empty() ? req.get_header_value("X-CSRF-Token") : form_token;
  return same_token(sent, v.csrf);
}

bool Site::can_view(const Visitor& v, const store::Document& d) {
  if (v.is_admin()) return true;
  bool owner = v.signed_in() && d.uploader_id != 0 && d.uploader_id == v.id();
  if (d.duplicate_of != 0) return false;
  if (d.visibility == store::Visibility::kPrivate && !owner) return false;
  if (d.hidden && !owner && !v.is_staff()) return false;
  return true;
}

bool Site::can_manage(const Visitor& v, const store::Document& d) {
  if (v.is_admin()) return true;
  return v.signed_in() && d.uploader_id != 0 && d.uploader_id == v.id();
}

bool Site::is_listed(const store::Document& d) {
  return d.status == store::DocumentStatus::kReady && d.visibility == store::Visibility::kPublic && !d.hidden &&
         d.duplicate_of == 0;
}

bool Site::is_searchable(const store::Document& d) {
  return d.status != store::DocumentStatus::kFailed && d.visibility == store::Visibility::kPublic && !d.hidden &&
         d.duplicate_of == 0;
}

SiteConfig Site::config() {
  std::lock_guard lock(mu_);
  if (config_) return *config_;
  const Settings& s = lib_.settings();
  SiteConfig c;
  c.site_name = s.get("site_name");
  c.preview_pages = static_cast<int>(s.get_int("preview_pages"));
  c.max_preview_pages = static_cast<int>(s.get_int("max_preview_pages"));
  c.max_upload_mb = std::max<int64_t>(1, s.get_int("max_upload_bytes") >> 20);
  auto to_int = [](const std::string& v, int64_t lo, int64_t hi, int64_t fallback) {
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < lo || n > hi) return fallback;
    return static_cast<int64_t>(n);
  };
  if (auto all = lib_.store().site_settings(); all.ok()) {
    for (const auto& [k, v] : *all) {
      if (k == "site_name" && !v.empty()) c.site_name = v;
      if (k == "footer_text") c.footer_text = v;
      if (k == "copyright") c.copyright = v;
      if (k == "icp") c.icp = v;
      if (k == "preview_pages") c.preview_pages = static_cast<int>(to_int(v, 1, 1000, c.preview_pages));
      if (k == "max_preview_pages") c.max_preview_pages = static_cast<int>(to_int(v, 1, 10000, c.max_preview_pages));
      if (k == "download_who" && (v == "guests" || v == "members" || v == "nobody")) c.download_who = v;
      if (k == "download_daily_user") c.download_daily_user = static_cast<int>(to_int(v, 0, 1000000, c.download_daily_user));
      if (k == "download_daily_ip") c.download_daily_ip = static_cast<int>(to_int(v, 0, 1000000, c.download_daily_ip));
      if (k == "upload_formats") c.upload_formats = to_lower_ascii(v);
      if (k == "max_upload_mb") c.max_upload_mb = to_int(v, 1, 1 << 20, c.max_upload_mb);
      if (k == "review_before_publish") c.review_before_publish = v == "true";
      if (k == "allow_guest_upload") c.allow_guest_upload = v != "false";
    }
  }
  c.max_preview_pages = std::max(c.max_preview_pages, c.preview_pages);
  config_ = c;
  return c;
}

Result<void> Site::save_setting(const std::string& key, const std::string& value) {
  bool known = false;
  for (const auto& k : site_setting_keys()) known |= k == key;
  if (!known) return make_error(ErrorCode::kInvalidArgument, "unknown site setting " + key);
  if (value.size() > 4000) return make_error(ErrorCode::kTooLarge, "setting too long: " + key);
  WENKU_TRY(lib_.store().set_site_setting(key, sanitize_utf8(value)));
  std::lock_guard lock(mu_);
  config_.reset();
  return {};
}

std::string Site::sign_download(int64_t id, int64_t expires) const {
  std::string msg = "download:" + std::to_string(id) + ":" + std::to_string(expires);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret_.data()), secret_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, 32);
}

bool Site::verify_download(int64_t id, int64_t expires, const std::string& sig) const {
  if (expires < now_unix()) return false;
  return same_token(sign_download(id, expires), sig);
}

bool Site::first_touch(const std::string& visitor_key, const std::string& what, int64_t window_seconds) {
  int64_t now = now_unix();
  std::string key = visitor_key + "|" + what;
  std::lock_guard lock(mu_);
  if (touches_.size() > 200000) touches_.clear();  // bounded; a flood costs a few extra counts
  auto [it, inserted] = touches_.try_emplace(key, now);
  if (!inserted && it->second > now - window_seconds) return false;
  it->second = now;
  return true;
}

}  // namespace wenku::http
