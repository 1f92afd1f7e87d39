// The visitor, access rules, site settings, language strings, signed links and counters.
#include "http/site.h"

#include <sodium.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

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

const std::vector<std::string>& site_setting_keys() { return library::SiteSettings::keys(); }

Result<FrontSettings> FrontSettings::from(const Settings& settings) {
  FrontSettings f;
  WENKU_ASSIGN_OR_RETURN(f.trusted_proxies, TrustedProxies::parse(settings.get("trusted_proxies")));
  std::string url = trim(settings.get("public_url"));
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.empty()) {
    size_t scheme = starts_with(url, "https://") ? 8 : starts_with(url, "http://") ? 7 : 0;
    bool ok = scheme != 0 && url.size() > scheme;
    for (char c : url) {
      // Only what a plain URL needs: it is written into pages and the sitemap.
      if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view(".-_~:/[]%").find(c) != std::string_view::npos)) ok = false;
    }
    if (!ok) {
      return make_error(ErrorCode::kInvalidArgument,
                        "public_url: '" + url + "' is not http(s)://host[:port][/path] (no query, no fragment)");
    }
  }
  f.public_url = url;
  f.accel_redirect = settings.get_bool("accel_redirect");
  f.accel_prefix = trim(settings.get("accel_redirect_prefix"));
  bool prefix_ok = f.accel_prefix.size() >= 3 && f.accel_prefix.front() == '/' && f.accel_prefix.back() == '/' &&
                   f.accel_prefix.find("..") == std::string::npos;
  for (char c : f.accel_prefix) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '.')) prefix_ok = false;
  }
  if (!prefix_ok) {
    return make_error(ErrorCode::kInvalidArgument, "accel_redirect_prefix: '" + f.accel_prefix +
                                                       "' must be a path like /_wenku_blobs/ (begins and ends with /)");
  }
  return f;
}

Site::Site(library::Library& lib) : lib_(lib), hot_(lib) {
  auto front = FrontSettings::from(lib_.settings());
  if (!front.ok()) throw std::invalid_argument(front.error().message);
  front_ = std::move(front).value();
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  // The signing key of download links lives in the database so that every web process of
  // one site agrees on it.
  if (auto stored = lib_.site_settings().secret("secret_key"); stored.ok()) secret_ = *stored;
  if (secret_.size() != 64) {
    secret_ = library::Accounts::random_token();
    if (auto r = lib_.site_settings().set_secret("secret_key", secret_); !r.ok()) {
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

std::string Site::count(const std::string& lang, const std::string& key, int64_t n) {
  auto l = plain_.find(lang);
  if (l == plain_.end()) l = plain_.find("zh-CN");
  auto it = n == 1 ? l->second.find(key + "_one") : l->second.end();
  if (it == l->second.end()) it = l->second.find(key + "_other");
  if (it == l->second.end()) return std::to_string(n);
  std::string out = it->second;
  if (size_t at = out.find("{n}"); at != std::string::npos) out.replace(at, 3, std::to_string(n));
  return out;
}

std::string Site::client_address(const httplib::Request& req) const {
  if (front_.trusted_proxies.empty()) return req.remote_addr;
  std::vector<std::string> forwarded;
  size_t n = req.get_header_value_count("X-Forwarded-For");
  for (size_t i = 0; i < n; ++i) forwarded.push_back(req.get_header_value("X-Forwarded-For", i));
  return front_.trusted_proxies.client_address(req.remote_addr, forwarded);
}

bool Site::client_https(const httplib::Request& req) const {
  return !front_.trusted_proxies.empty() && front_.trusted_proxies.trusts(req.remote_addr) &&
         to_lower_ascii(trim(req.get_header_value("X-Forwarded-Proto"))) == "https";
}

std::string Site::origin(const httplib::Request& req) const {
  if (!front_.public_url.empty()) return front_.public_url;
  std::string host = req.get_header_value("Host");
  // Only host[:port] characters: a forged Host header cannot inject markup or a path.
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      host.clear();
      break;
    }
  }
  if (host.empty()) host = "localhost";
  return (client_https(req) ? "https://" : "http://") + host;
}

Visitor Site::visitor(const httplib::Request& req) {
  Visitor v;
  v.ip = client_address(req);
  v.https = client_https(req);
  v.agent = sha256_hex(req.get_header_value("User-Agent")).substr(0, 12);
  v.lang = pick_lang(req);
  v.desktop = cookie(req, "wk_layout") == "desktop";
  std::string token = cookie(req, kSessionCookie);
  if (is_hex_token(token)) {
    v.has_cookies = true;
    if (auto s = lib_.accounts().resolve(token)) {
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

library::Viewer Site::viewer(const httplib::Request& req) {
  std::string token = cookie(req, kSessionCookie);
  if (!is_hex_token(token)) return library::Viewer{};
  auto s = lib_.accounts().resolve(token);
  return s ? library::Viewer{s->user.id, s->user.role} : library::Viewer{};
}

void Site::finish(const Visitor& v, httplib::Response& res) {
  if (v.new_guest_csrf && !v.signed_in()) {
    res.set_header("Set-Cookie", std::string(kGuestCsrfCookie) + "=" + v.csrf + "; Path=/; HttpOnly; SameSite=Lax" +
                                     (behind_https(v) ? "; Secure" : ""));
  }
}

bool Site::behind_https(const Visitor& v) const {
  return v.https || starts_with(front().public_url, "https://");
}

bool Site::csrf_ok(const Visitor& v, const httplib::Request& req, const std::string& form_token) const {
  if (!v.has_cookies && !v.signed_in()) return true;
  std::string sent = form_token.empty() ? req.get_header_value("X-CSRF-Token") : form_token;
  return same_token(sent, v.csrf);
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
  return accounts().allow("touch:" + visitor_key + "|" + what, 1, window_seconds);
}

}  // namespace wenku::http
