#include "library/site_settings.h"

#include <algorithm>

#include "core/clock.h"
#include "core/strings.h"
#include "store/metadata_store.h"

namespace wenku::library {

namespace {

// Seconds a cached configuration is trusted (another process may have saved a value).
constexpr int64_t kCacheSeconds = 5;

std::optional<int64_t> parse_int(const std::string& v) {
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(n);
}

// A watermark is one line across a page: longer text would only shrink into noise.
constexpr size_t kMaxWatermarkChars = 60;

struct Range {
  int64_t lo, hi;
};

}  // namespace

const std::vector<std::string>& SiteSettings::keys() {
  static const std::vector<std::string> k = {
      "site_name", "footer_text", "copyright", "icp", "preview_pages", "max_preview_pages", "download_who",
      "download_daily_user", "download_daily_ip", "upload_formats", "max_upload_mb", "review_before_publish",
      "allow_guest_upload", "allow_copy", "comments", "comment_captcha", "show_comment_count",
      "show_favourite_count", "show_rating", "watermark_text", "watermark_pdf_download"};
  return k;
}

std::string_view SiteSettings::description(const std::string& key) {
  static const std::vector<std::pair<std::string_view, std::string_view>> d = {
      {"site_name", "name shown in the header and titles (over the site_name setting)"},
      {"footer_text", "text of the footer"},
      {"copyright", "copyright line of the footer"},
      {"icp", "ICP licence number (备案号) shown in the footer"},
      {"preview_pages", "pages free to preview before 点击查看更多 (over preview_pages)"},
      {"max_preview_pages", "most pages rendered as previews, within max_pages (over max_preview_pages)"},
      {"download_who", "who may download originals: guests, members or nobody"},
      {"download_daily_user", "downloads per account per day (0 = no limit)"},
      {"download_daily_ip", "downloads per address per day (0 = no limit)"},
      {"upload_formats", "comma-separated extensions accepted for upload (empty = any)"},
      {"max_upload_mb", "largest upload in MB, within max_upload_bytes"},
      {"review_before_publish", "uploads wait for a moderator before they are listed"},
      {"allow_guest_upload", "visitors without an account may upload through the API"},
      {"comments", "signed-in readers may comment on documents"},
      {"comment_captcha", "a comment needs the answer to a question the server makes"},
      {"show_comment_count", "the document page shows its number of comments"},
      {"show_favourite_count", "the document page shows how many readers starred it (收藏数)"},
      {"show_rating", "the document page shows the average rating and lets members rate (评分)"},
      {"watermark_text", "text drawn over preview page images ({site} = site name, {id} = document number; empty = none)"},
      {"watermark_pdf_download", "PDF downloads carry the watermark (a stored watermarked copy; else the original)"},
  };
  for (const auto& [k, v] : d) {
    if (k == key) return v;
  }
  return "";
}

Result<std::vector<SiteSettingInfo>> SiteSettings::describe() {
  WENKU_ASSIGN_OR_RETURN(auto stored, store_.site_settings());
  SiteConfig c = config();
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  std::vector<SiteSettingInfo> out;
  for (const std::string& k : keys()) {
    SiteSettingInfo info;
    info.key = k;
    info.description = std::string(description(k));
    for (const auto& [sk, sv] : stored) {
      if (sk == k) info.stored = true;
    }
    if (k == "site_name") info.value = c.site_name;
    if (k == "footer_text") info.value = c.footer_text;
    if (k == "copyright") info.value = c.copyright;
    if (k == "icp") info.value = c.icp;
    if (k == "preview_pages") info.value = std::to_string(c.preview_pages);
    if (k == "max_preview_pages") info.value = std::to_string(c.max_preview_pages);
    if (k == "download_who") info.value = c.download_who;
    if (k == "download_daily_user") info.value = std::to_string(c.download_daily_user);
    if (k == "download_daily_ip") info.value = std::to_string(c.download_daily_ip);
    if (k == "upload_formats") info.value = c.upload_formats;
    if (k == "max_upload_mb") info.value = std::to_string(c.max_upload_mb);
    if (k == "review_before_publish") info.value = b(c.review_before_publish);
    if (k == "allow_guest_upload") info.value = b(c.allow_guest_upload);
    if (k == "comments") info.value = b(c.comments);
    if (k == "comment_captcha") info.value = b(c.comment_captcha);
    if (k == "show_comment_count") info.value = b(c.show_comment_count);
    if (k == "allow_copy") info.value = b(c.allow_copy);
    if (k == "show_favourite_count") info.value = b(c.show_favourite_count);
    if (k == "show_rating") info.value = b(c.show_rating);
    if (k == "watermark_text") info.value = c.watermark_text;
    if (k == "watermark_pdf_download") info.value = b(c.watermark_pdf_download);
    out.push_back(std::move(info));
  }
  return out;
}

int64_t SiteSettings::max_preview_pages_limit() const { return settings_.get_int("max_pages"); }

int64_t SiteSettings::max_upload_mb_limit() const {
  return std::max<int64_t>(1, settings_.get_int("max_upload_bytes") >> 20);
}

SiteConfig SiteSettings::config() {
  std::lock_guard lock(mu_);
  int64_t now = now_unix();
  if (config_ && now - loaded_at_ < kCacheSeconds) return *config_;
  SiteConfig c;
  c.site_name = settings_.get("site_name");
  c.preview_pages = static_cast<int>(settings_.get_int("preview_pages"));
  c.max_preview_pages = static_cast<int>(settings_.get_int("max_preview_pages"));
  c.max_upload_mb = max_upload_mb_limit();
  c.upload_limit_bytes = static_cast<uint64_t>(settings_.get_int("max_upload_bytes"));
  // A stored value outside its range (saved before the range was checked) is brought within.
  auto to_int = [](const std::string& v, int64_t lo, int64_t hi, int64_t fallback) {
    auto n = parse_int(v);
    return n ? std::clamp(*n, lo, hi) : fallback;
  };
  if (auto all = store_.site_settings(); all.ok()) {
    for (const auto& [k, v] : *all) {
      if (k == "site_name" && !v.empty()) c.site_name = v;
      if (k == "footer_text") c.footer_text = v;
      if (k == "copyright") c.copyright = v;
      if (k == "icp") c.icp = v;
      if (k == "preview_pages") c.preview_pages = static_cast<int>(to_int(v, 1, 1000, c.preview_pages));
      if (k == "max_preview_pages") {
        c.max_preview_pages = static_cast<int>(to_int(v, 1, max_preview_pages_limit(), c.max_preview_pages));
      }
      if (k == "download_who" && (v == "guests" || v == "members" || v == "nobody")) c.download_who = v;
      if (k == "download_daily_user") c.download_daily_user = static_cast<int>(to_int(v, 0, 1000000, c.download_daily_user));
      if (k == "download_daily_ip") c.download_daily_ip = static_cast<int>(to_int(v, 0, 1000000, c.download_daily_ip));
      if (k == "upload_formats") c.upload_formats = to_lower_ascii(v);
      if (k == "max_upload_mb") {
        c.max_upload_mb = to_int(v, 1, max_upload_mb_limit(), c.max_upload_mb);
        c.upload_limit_bytes = std::min(c.upload_limit_bytes, static_cast<uint64_t>(c.max_upload_mb) << 20);
      }
      if (k == "review_before_publish") c.review_before_publish = v == "true";
      if (k == "allow_guest_upload") c.allow_guest_upload = v != "false";
      if (k == "allow_copy") c.allow_copy = v != "false";
      if (k == "comments") c.comments = v != "false";
      if (k == "comment_captcha") c.comment_captcha = v == "true";
      if (k == "show_comment_count") c.show_comment_count = v != "false";
      if (k == "show_favourite_count") c.show_favourite_count = v != "false";
      if (k == "show_rating") c.show_rating = v != "false";
      if (k == "watermark_text") c.watermark_text = v;
      if (k == "watermark_pdf_download") c.watermark_pdf_download = v == "true";
    }
  }
  c.max_preview_pages = std::max(c.max_preview_pages, c.preview_pages);
  config_ = c;
  loaded_at_ = now;
  return c;
}

Result<void> SiteSettings::save(const std::string& key, const std::string& value) {
  const auto& k = keys();
  if (std::find(k.begin(), k.end(), key) == k.end()) {
    return make_error(ErrorCode::kInvalidArgument, "unknown site setting " + key);
  }
  if (value.size() > 4000) return make_error(ErrorCode::kTooLarge, "setting too long: " + key);
  // Numbers the rest of the system acts on: refused past what it can honour, naming the limit.
  std::optional<Range> range;
  std::string limit_source;
  if (key == "preview_pages") range = Range{1, 1000};
  if (key == "max_preview_pages") {
    range = Range{1, max_preview_pages_limit()};
    limit_source = " (max_pages)";
  }
  if (key == "max_upload_mb") {
    range = Range{1, max_upload_mb_limit()};
    limit_source = " (max_upload_bytes)";
  }
  if (key == "download_daily_user" || key == "download_daily_ip") range = Range{0, 1000000};
  if (range && !value.empty()) {
    auto n = parse_int(value);
    if (!n || *n < range->lo || *n > range->hi) {
      return make_error(ErrorCode::kInvalidArgument, key + ": " + std::to_string(range->lo) + ".." +
                                                         std::to_string(range->hi) + limit_source);
    }
  }
  if (key == "watermark_text" && utf8_length(value) > kMaxWatermarkChars) {
    return make_error(ErrorCode::kInvalidArgument, key + ": at most " + std::to_string(kMaxWatermarkChars) + " characters");
  }
  std::optional<std::string> before;
  if (on_changed_) {
    WENKU_ASSIGN_OR_RETURN(auto stored, store_.site_settings());
    before = "";
    for (const auto& [sk, sv] : stored) {
      if (sk == key) before = sv;
    }
  }
  const std::string clean = sanitize_utf8(value);
  WENKU_TRY(store_.set_site_setting(key, clean));
  {
    std::lock_guard lock(mu_);
    config_.reset();
  }
  if (on_changed_ && before != clean) on_changed_(key);
  return {};
}

void SiteSettings::reload() {
  std::lock_guard lock(mu_);
  config_.reset();
}

std::string watermark_for(const SiteConfig& config, int64_t document_id) {
  std::string out;
  const std::string& t = config.watermark_text;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 6, "{site}") == 0) {
      out += config.site_name;
      i += 6;
    } else if (t.compare(i, 4, "{id}") == 0) {
      out += std::to_string(document_id);
      i += 4;
    } else {
      out += t[i++];
    }
  }
  return trim(out);
}

Result<std::string> SiteSettings::secret(const std::string& key) {
  WENKU_ASSIGN_OR_RETURN(auto all, store_.site_settings());
  for (const auto& [k, v] : all) {
    if (k == key) return v;
  }
  return std::string();
}

Result<void> SiteSettings::set_secret(const std::string& key, const std::string& value) {
  return store_.set_site_setting(key, value);
}

}  // namespace wenku::library
