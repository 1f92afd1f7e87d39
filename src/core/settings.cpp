// The table of settings and their loading; add a setting here and nowhere else.
#include "core/settings.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/strings.h"

extern char** environ;

namespace wenku {

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = {
      {"data", SettingType::kString, "./wenku-data", "data directory (database, blobs, index)"},
      {"listen", SettingType::kString, "127.0.0.1:8080", "HOST:PORT the web server listens on"},
      {"log_level", SettingType::kString, "info", "debug, info, warn, error or off"},
      {"metadata_url", SettingType::kString, "", "where documents' records, accounts and jobs are kept: "
       "empty = the SQLite file DATA/wenku.db; postgresql://user:pass@host:port/db (or postgres://) for "
       "PostgreSQL 15, shared by every process of a site"},
      {"access_log_format", SettingType::kString, "text", "the access log's lines (one per request, at level "
       "info): text (key=value) or json (one JSON object a line)", 0, INT64_MAX, "text,json"},
      {"blob_url", SettingType::kString, "", "where documents and page images are stored: empty = "
       "file://DATA/blobs; s3://bucket/prefix?endpoint=URL&region=R for S3-compatible storage"},
      {"role", SettingType::kString, "all",
       "what `wenku serve` runs: all = web site and workers; web = the site only; worker = the "
       "processing workers only (any number of each may share one data directory or cluster)", 0, INT64_MAX,
       "all,web,worker"},
      {"search_url", SettingType::kString, "", "where the search index is: empty = the embedded SQLite "
       "FTS5 index in DATA/index; xapian:///path for a local Xapian database; "
       "xapian+tcp://host1:port1,host2:port2 for Xapian shards served by xapian-tcpsrv --writable"},
      {"workers", SettingType::kInt, "0", "processing workers; 0 = number of cores", 0, 256},
      {"text_batch", SettingType::kInt, "32",
       "text extraction jobs taken together when they queue up (one search-index commit for all)", 1, 1024},
      {"http_threads", SettingType::kInt, "0", "HTTP worker threads; 0 = max(128, 16 x cores)", 0, 4096},
      {"site_name", SettingType::kString, "wenku 文库", "name shown in the header and titles"},
      {"preview_pages", SettingType::kInt, "5", "pages free to preview before 点击查看更多", 1, 1000},
      {"max_preview_pages", SettingType::kInt, "50", "most pages ever rendered as previews", 1, 10000},
      {"max_upload_bytes", SettingType::kInt, "209715200", "largest accepted upload (bytes)", 1,
       INT64_MAX},
      {"max_pages", SettingType::kInt, "5000", "documents with more pages fail as too large", 1,
       1000000},
      {"job_max_attempts", SettingType::kInt, "3", "attempts for a job that fails transiently", 1,
       100},
      {"job_lease_seconds", SettingType::kInt, "120", "a running job not renewed for this long is "
       "taken again", 5, 86400},
      {"stop_grace_seconds", SettingType::kInt, "30", "on stop, how long running jobs may finish before "
       "they are handed back to the queue", 0, 3600},
      {"convert_slots", SettingType::kInt, "0", "LibreOffice helper processes; 0 = cores", 0, 64},
      {"convert_timeout_seconds", SettingType::kInt, "120", "time limit of one conversion", 1, 3600},
      {"convert_memory_mb", SettingType::kInt, "2048", "address-space limit of a converter helper",
       256, 65536},
      {"convert_docs_per_helper", SettingType::kInt, "200", "a helper is restarted after this many "
       "documents", 1, 100000},
      {"render_memory_mb", SettingType::kInt, "512", "memory one PDF may use while it is rendered in the "
       "server (a page needing more fails as too large)", 64, 65536},
      {"ocr", SettingType::kBool, "true", "read the text of scanned PDF pages and image documents (Tesseract OCR)"},
      {"ocr_max_pages", SettingType::kInt, "100", "pages of one document read by OCR at most", 0, 100000},
      {"ocr_page_seconds", SettingType::kInt, "60", "time limit of one page's OCR", 1, 3600},
      {"ocr_dpi", SettingType::kInt, "200", "resolution a PDF page is rendered at for OCR when it is not one "
       "scanned image", 72, 600},
      {"query_log_days", SettingType::kInt, "90", "days the search query log is kept", 0, 36500},
      {"demo", SettingType::kBool, "false", "import the demo library into an empty data directory"},
      {"login_attempts_per_10min", SettingType::kInt, "20", "login attempts per address and per name in "
       "10 minutes", 1, 100000},
      {"trusted_proxies", SettingType::kString, "", "reverse proxies whose X-Forwarded-For and "
       "X-Forwarded-Proto are believed: comma-separated IPv4/IPv6 addresses and CIDR blocks (e.g. "
       "127.0.0.1,::1); empty = none, every client is the connection's address"},
      {"public_url", SettingType::kString, "", "the site's address for absolute URLs (sitemap, canonical "
       "links), e.g. https://wenku.example.cn; empty = from the request's Host header"},
      {"accel_redirect", SettingType::kBool, "false", "page images, thumbnails and downloads are sent by "
       "nginx: wenku checks access and quotas, then answers with X-Accel-Redirect"},
      {"accel_redirect_prefix", SettingType::kString, "/_wenku_blobs/", "nginx's internal location that "
       "serves the blob store (X-Accel-Redirect: PREFIX/aa/bb/KEY)"},
      {"registrations_per_hour", SettingType::kInt, "10", "accounts one address may create per hour", 1,
       100000},
      {"recycle_days", SettingType::kInt, "30", "days a deleted document stays in the recycle bin, restorable, "
       "before it is purged with its files (0 = no bin: deleted at once)", 0, 36500},
      // A form body is at most 8 KB (cpp-httplib) and a Chinese character takes 9 bytes in it.
      {"comment_max_chars", SettingType::kInt, "500", "longest comment, in characters", 1, 800},
      {"comment_interval_seconds", SettingType::kInt, "30", "least time between two comments of one account",
       0, 86400},
      {"comments_per_hour", SettingType::kInt, "20", "comments one account may post per hour", 1, 100000},
      {"render_rest", SettingType::kBool, "true", "render the preview pages after the first preview_pages in the "
       "background after an upload (false: only when a reader reaches them)"},
      {"page_requests_per_minute", SettingType::kInt, "60", "pages not rendered yet one visitor may ask to be "
       "rendered per minute (each request renders that page and the two after it)", 1, 100000},
  };
  return specs;
}

namespace {

const SettingSpec* find_spec(std::string_view name) {
  for (const auto& s : setting_specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string env_name(std::string_view name) {
  std::string out = "WENKU_";
  for (char c : name) out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

Result<void> validate(const SettingSpec& spec, std::string_view value, std::string_view source) {
  auto bad = [&](std::string why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "setting " + std::string(spec.name) + " from " + std::string(source) + ": " + why);
  };
  switch (spec.type) {
    case SettingType::kString: {
      if (spec.choices.empty()) return {};
      for (const auto& c : split(spec.choices, ',')) {
        if (c == value) return {};
      }
      return bad("'" + std::string(value) + "' is not one of " + std::string(spec.choices));
    }
    case SettingType::kBool:
      if (value == "true" || value == "false" || value == "1" || value == "0") return {};
      return bad("'" + std::string(value) + "' is not true or false");
    case SettingType::kInt: {
      std::string v(value);
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno == ERANGE) return bad("'" + v + "' is not a whole number");
      if (n < spec.min || n > spec.max) {
        return bad(v + " is outside " + std::to_string(spec.min) + ".." + std::to_string(spec.max));
      }
      return {};
    }
  }
  return {};
}

}  // namespace

Settings::Settings() {
  for (const auto& s : setting_specs()) values_[std::string(s.name)] = std::string(s.default_value);
}

Result<void> Settings::set(std::string_view name, std::string_view value, std::string_view source) {
  const SettingSpec* spec = find_spec(name);
  if (spec == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown setting '" + std::string(name) + "' from " + std::string(source));
  }
  WENKU_TRY(validate(*spec, value, source));
  values_[std::string(name)] = std::string(value);
  origins_[std::string(name)] = std::string(source);
  return {};
}

const std::string& Settings::origin(std::string_view name) const {
  static const std::string kDefault = "default";
  (void)get(name);  // throws for an undeclared name, as get does
  auto it = origins_.find(name);
  return it == origins_.end() ? kDefault : it->second;
}

std::string_view Settings::source(std::string_view name) const {
  const std::string& o = origin(name);
  if (o == "default") return "default";
  if (o == "code") return "code";
  if (o.rfind("WENKU_", 0) == 0) return "environment";
  if (o.rfind("--", 0) == 0) return "command line";
  return "file";
}

Result<std::map<std::string, std::string>> parse_config_text(std::string_view text) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "config line " + std::to_string(line_no) + ": expected key = value");
    }
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

Result<Settings> Settings::load(const std::map<std::string, std::string>& overrides,
                                const std::filesystem::path& config_file) {
  Settings s;
  for (const auto& spec : setting_specs()) {
    std::string env = env_name(spec.name);
    if (const char* v = std::getenv(env.c_str())) WENKU_TRY(s.set(spec.name, v, env));
  }
  // The data directory decides where the default config file is, so apply it early.
  if (auto it = overrides.find("data"); it != overrides.end()) WENKU_TRY(s.set("data", it->second, "--data"));
  std::filesystem::path file = config_file;
  if (file.empty() && std::filesystem::exists(s.data_dir() / "wenku.conf")) file = s.data_dir() / "wenku.conf";
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return make_error(ErrorCode::kInvalidArgument, "cannot read config file " + file.string());
    std::stringstream buf;
    buf << in.rdbuf();
    WENKU_ASSIGN_OR_RETURN(auto entries, parse_config_text(buf.str()));
    for (const auto& [k, v] : entries) WENKU_TRY(s.set(k, v, file.filename().string()));
  }
  for (const auto& [k, v] : overrides) WENKU_TRY(s.set(k, v, "--" + k));
  return s;
}

const std::string& Settings::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("undeclared setting " + std::string(name));
  return it->second;
}

int64_t Settings::get_int(std::string_view name) const { return std::stoll(get(name)); }

bool Settings::get_bool(std::string_view name) const {
  const auto& v = get(name);
  return v == "true" || v == "1";
}

}  // namespace wenku
