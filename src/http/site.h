// What every route of the web site shares: the visitor (session, language, CSRF token), the
// access rules for documents, the site settings editable by admins, the strings of each
// language, signed download links and the counters that ignore reloads.
#pragma once

#include <httplib.h>

#include <map>
#include <mstch/mstch.hpp>
#include <mutex>
#include <optional>
#include <string>

#include "http/client_address.h"
#include "http/hot_cache.h"
#include "library/accounts.h"
#include "library/library.h"

namespace wenku::http {

// One request's visitor.
struct Visitor {
  std::optional<store::User> user;
  std::string session_hash;
  std::string csrf;          // the token forms and API calls must send back
  bool new_guest_csrf = false;  // the guest CSRF cookie must be set on this response
  bool has_cookies = false;  // a browser with ambient credentials (a session or a CSRF cookie)
  std::string lang;          // "zh-CN" or "en"
  std::string ip;             // the client's address (Site::client_address)
  bool https = false;        // the client used HTTPS (X-Forwarded-Proto from a trusted proxy)
  std::string agent;         // a short hash of the User-Agent
  bool desktop = false;      // 电脑版 forced on a phone

  bool signed_in() const { return user.has_value(); }
  int64_t id() const { return user ? user->id : 0; }
  bool is_admin() const { return user && user->role == store::Role::kAdmin; }
  bool is_staff() const { return user && user->role != store::Role::kMember; }
  // Who is asking, as the library's policy sees it.
  library::Viewer viewer() const { return user ? library::Viewer{user->id, user->role} : library::Viewer{}; }
  // Identifies the visitor for counters and quotas: the account, else the address.
  // A guest is the address and the browser's User-Agent: stable whether or not it keeps
  // cookies, so neither reloads nor cookie-less bots inflate the counters.
  std::string key() const {
    if (user) return "user:" + std::to_string(user->id);
    return "ip:" + ip + "|" + agent;
  }
};

// Settings an admin changes on /admin, over the configuration's defaults: the library's
// effective settings (library/site_settings.h), the same the pipeline and ingest read.
using SiteConfig = library::SiteConfig;

// The keys of SiteConfig as stored in site_settings, in the order /admin shows them.
const std::vector<std::string>& site_setting_keys();

// The front of the site as the settings describe it (checked at start by check()).
struct FrontSettings {
  TrustedProxies trusted_proxies;
  std::string public_url;     // "https://host[:port][/path]" without a trailing slash; "" = from Host
  bool accel_redirect = false;
  std::string accel_prefix;   // "/_wenku_blobs/": begins and ends with '/'

  // Errors: kInvalidArgument naming the setting.
  static Result<FrontSettings> from(const Settings& settings);
};

class Site {
 public:
  // Throws std::invalid_argument when the front settings are invalid (FrontSettings::from;
  // `wenku serve` checks them first and reports the error).
  Site(library::Library& lib);

  library::Library& lib() { return lib_; }
  // Short-lived document rows and hot page images (hot_cache.h); routes that change a
  // document call hot().forget_all().
  HotCache& hot() { return hot_; }
  library::Accounts& accounts() { return lib_.accounts(); }

  const FrontSettings& front() const { return front_; }
  // The client's address: the peer, or from X-Forwarded-For when the peer is a trusted proxy.
  std::string client_address(const httplib::Request& req) const;
  // True when the client spoke HTTPS to us or to a trusted proxy (X-Forwarded-Proto).
  bool client_https(const httplib::Request& req) const;
  // Cookies get Secure when the client came over HTTPS: X-Forwarded-Proto from a trusted
  // proxy (never from anyone else), or a public_url that is https.
  bool behind_https(const Visitor& v) const;
  // "https://host" for absolute URLs (sitemap, canonical links): public_url when set, else
  // the request's Host header (sanitised) with the scheme the client used.
  std::string origin(const httplib::Request& req) const;

  // Reads the session and CSRF cookies and the language of `req`.
  Visitor visitor(const httplib::Request& req);
  // Who is asking, for the policy alone (the session cookie): what the page-image route,
  // the busiest, needs; no CSRF token, language or address is worked out.
  library::Viewer viewer(const httplib::Request& req);
  // Sets the cookies a response must carry for this visitor (the guest CSRF token).
  void finish(const Visitor& v, httplib::Response& res);
  // True when a state-changing request carries the visitor's CSRF token (form field `csrf`
  // or header X-CSRF-Token). Requests without any cookie carry no ambient authority and pass.
  bool csrf_ok(const Visitor& v, const httplib::Request& req, const std::string& form_token) const;

  // Access rules are the library's (library/policy.h: can_view, can_manage, is_listed,
  // is_searchable), given visitor.viewer().

  SiteConfig config() { return lib_.site_settings().config(); }
  // Errors: kInvalidArgument (unknown key, out of range: the limit is named), kTooLarge.
  Result<void> save_setting(const std::string& key, const std::string& value) {
    return lib_.site_settings().save(key, value);
  }

  // The strings of one language as a mustache map, and one string by key.
  const mstch::map& strings(const std::string& lang);
  std::string text(const std::string& lang, const std::string& key);
  // A count in words, singular or plural as the language needs: `key`_one when n is 1 and
  // the language has that key (English), else `key`_other, with {n} replaced by n.
  std::string count(const std::string& lang, const std::string& key, int64_t n);

  // Short-lived signed download links.
  std::string sign_download(int64_t id, int64_t expires) const;
  bool verify_download(int64_t id, int64_t expires, const std::string& sig) const;

  // True the first time `visitor_key` touches `what` within `window_seconds` (views and
  // downloads are not inflated by reloads). Counted in the store: shared by web processes.
  bool first_touch(const std::string& visitor_key, const std::string& what, int64_t window_seconds);

 private:
  void load_strings();

  library::Library& lib_;
  FrontSettings front_;
  HotCache hot_;
  std::string secret_;
  std::map<std::string, mstch::map> strings_;
  std::map<std::string, std::map<std::string, std::string>> plain_;
};

// Cookie value by name from the Cookie header.
std::string cookie(const httplib::Request& req, const std::string& name);

}  // namespace wenku::http
