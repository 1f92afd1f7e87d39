// Effective settings: the configuration (core Settings) with the admin's site settings
// (/admin, stored in the metadata store) laid over it. The one source the pipeline
// (preview pages), ingest (upload limit, review before publish) and the web site read.
// An admin's value is checked against the limit the rest of the system can honour and
// refused with that limit named, never silently capped.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/settings.h"

namespace wenku::store {
class MetadataStore;
}

namespace wenku::library {

struct SiteConfig {
  std::string site_name, footer_text, copyright, icp;
  int preview_pages = 5, max_preview_pages = 50;
  std::string download_who = "guests";  // guests, members, nobody
  int download_daily_user = 50, download_daily_ip = 100;  // 0 = no limit
  std::string upload_formats;           // comma-separated extensions, "" = any
  int64_t max_upload_mb = 200;
  bool review_before_publish = false;
  bool allow_guest_upload = true;       // anonymous API uploads (the §5 contract)
  bool allow_copy = true;               // readers may select and copy the text under page images
  bool comments = true;                 // readers may comment (a document may still close its own)
  bool comment_captcha = false;         // a comment needs the answer to the server's question
  bool show_comment_count = true;       // the document page shows its number of comments
  bool show_favourite_count = true;     // the document page shows how many readers starred it
  bool show_rating = true;              // the document page shows the average rating and offers stars
  // Text drawn over preview page images ("" = none); {site} and {id} are replaced by the
  // site's name and the document's number (watermark_for).
  std::string watermark_text;
  bool watermark_pdf_download = false;  // downloads of PDFs carry the watermark (a stored copy)
  // The upload limit in bytes: the configuration's max_upload_bytes, or the admin's
  // max_upload_mb (never above it).
  uint64_t max_upload_bytes() const { return upload_limit_bytes; }
  uint64_t upload_limit_bytes = 200u << 20;
};

// The watermark of one document: the site's watermark_text with {site} and {id} filled in;
// "" when the site has none.
std::string watermark_for(const SiteConfig& config, int64_t document_id);

// One site setting as `wenku config` shows it.
struct SiteSettingInfo {
  std::string key, value, description;
  bool stored = false;  // an admin saved it (else the value comes from the configuration or a default)
};

class SiteSettings {
 public:
  SiteSettings(const Settings& settings, store::MetadataStore& store) : settings_(settings), store_(store) {}

  // The keys an admin may set, in the order /admin shows them.
  static const std::vector<std::string>& keys();

  // What each key means (English, for `wenku config`).
  static std::string_view description(const std::string& key);
  // Every key of keys() with its effective value. Errors: kIo.
  Result<std::vector<SiteSettingInfo>> describe();

  // Cached; a save (in this process) resets it, values saved by other processes show
  // within a few seconds.
  SiteConfig config();
  // Errors: kInvalidArgument (unknown key, a value out of its range: the message names the
  // limit and where it comes from), kTooLarge, kIo.
  Result<void> save(const std::string& key, const std::string& value);
  // Called after a save that changed a key's stored value (the watermark's page images are
  // made again). Set once, before the settings are used.
  void on_changed(std::function<void(const std::string& key)> fn) { on_changed_ = std::move(fn); }
  // Forgets the cached configuration: the next config() reads the store.
  void reload();

  // A value stored for the site itself, not shown on /admin (the signing key of download
  // links). "" when none. Errors: kIo.
  Result<std::string> secret(const std::string& key);
  Result<void> set_secret(const std::string& key, const std::string& value);

  // The limits an admin's value must stay within.
  int64_t max_preview_pages_limit() const;  // the configuration's max_pages
  int64_t max_upload_mb_limit() const;      // the configuration's max_upload_bytes, in MB

 private:
  const Settings& settings_;
  store::MetadataStore& store_;
  std::mutex mu_;
  std::optional<SiteConfig> config_;
  int64_t loaded_at_ = 0;
  std::function<void(const std::string&)> on_changed_;
};

}  // namespace wenku::library
