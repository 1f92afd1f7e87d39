// The s3:// URL and the credentials it points to: parsed and checked once, at open, with
// errors that name the blob_url setting and never show a secret.
#include <cstdlib>
#include <fstream>

#include "blob/s3_blob_store.h"
#include "core/strings.h"

namespace wenku::blob {

namespace {

Error config_error(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "blob_url: " + what);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto h = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int a = h(s[i + 1]);
      int b = h(s[i + 2]);
      if (a >= 0 && b >= 0) {
        out += static_cast<char>(a * 16 + b);
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

Result<int64_t> parse_int(const std::string& name, const std::string& v, int64_t lo, int64_t hi) {
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) {
    return config_error(name + "=" + v + " must be a whole number in " + std::to_string(lo) + ".." +
                        std::to_string(hi));
  }
  return static_cast<int64_t>(n);
}

}  // namespace

Result<S3Config> parse_s3_url(const std::string& url) {
  constexpr std::string_view kScheme = "s3://";
  if (!starts_with(url, kScheme)) return config_error("not an s3:// URL");
  std::string rest = url.substr(kScheme.size());
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  S3Config c;
  size_t slash = rest.find('/');
  c.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) c.prefix = rest.substr(slash + 1);
  while (!c.prefix.empty() && c.prefix.back() == '/') c.prefix.pop_back();
  while (!c.prefix.empty() && c.prefix.front() == '/') c.prefix.erase(0, 1);
  bool bucket_ok = c.bucket.size() >= 3 && c.bucket.size() <= 63;
  for (char ch : c.bucket) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.')) bucket_ok = false;
  }
  if (!bucket_ok)
    return config_error("bucket name \"" + c.bucket +
                        "\" is not a valid S3 bucket name (3-63 of a-z 0-9 . -)");
  std::string style;
  for (const std::string& item : split(query, '&')) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string k = percent_decode(item.substr(0, eq));
    std::string v = eq == std::string::npos ? std::string() : percent_decode(item.substr(eq + 1));
    if (k == "endpoint") {
      c.endpoint = v;
    } else if (k == "region") {
      c.region = v;
    } else if (k == "style") {
      style = v;
    } else if (k == "credentials_file") {
      c.credentials_file = v;
    } else if (k == "profile") {
      c.profile = v;
    } else if (k == "part_size") {
      WENKU_ASSIGN_OR_RETURN(int64_t n, parse_int(k, v, 1024, int64_t{5} << 30));
      c.part_size = static_cast<uint64_t>(n);
    } else if (k == "max_keys") {
      WENKU_ASSIGN_OR_RETURN(int64_t n, parse_int(k, v, 1, 1000));
      c.max_keys = static_cast<int>(n);
    } else if (k == "retries") {
      WENKU_ASSIGN_OR_RETURN(int64_t n, parse_int(k, v, 0, 20));
      c.retries = static_cast<int>(n);
    } else if (k == "backoff_ms") {
      WENKU_ASSIGN_OR_RETURN(int64_t n, parse_int(k, v, 1, 60000));
      c.backoff_ms = static_cast<int>(n);
    } else if (k == "connect_timeout") {
      WENKU_ASSIGN_OR_RETURN(int64_t n, parse_int(k, v, 1, 600));
      c.connect_timeout_s = static_cast<int>(n);
    } else if (k == "timeout") {
      WENKU_ASSIGN_OR_RETURN(int64_t n, parse_int(k, v, 1, 3600));
      c.idle_timeout_s = static_cast<int>(n);
    } else {
      return config_error("unknown parameter \"" + k + "\" in the s3:// URL");
    }
  }
  if (c.region.empty()) return config_error("region= is empty");
  if (c.endpoint.empty()) {
    c.endpoint = "https://s3." + c.region + ".amazonaws.com";
    if (style.empty()) style = "virtual";
  }
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  size_t sep = c.endpoint.find("://");
  std::string scheme = sep == std::string::npos ? "" : c.endpoint.substr(0, sep);
  if ((scheme != "http" && scheme != "https") || sep + 3 >= c.endpoint.size() ||
      c.endpoint.find('/', sep + 3) != std::string::npos) {
    return config_error("endpoint=" + c.endpoint + " must be http://host[:port] or https://host[:port]");
  }
  if (style.empty() || style == "path") {
    c.path_style = true;
  } else if (style == "virtual") {
    c.path_style = false;
    if (c.bucket.find('.') != std::string::npos && scheme == "https") {
      return config_error("style=virtual with a dotted bucket name breaks TLS host names: use style=path");
    }
  } else {
    return config_error("style=" + style + " must be path or virtual");
  }
  return c;
}

Result<sigv4::Credentials> load_s3_credentials(const S3Config& config) {
  sigv4::Credentials cr;
  if (config.credentials_file.empty()) {
    const char* id = std::getenv("AWS_ACCESS_KEY_ID");
    const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
    const char* token = std::getenv("AWS_SESSION_TOKEN");
    if (!id || !*id || !secret || !*secret) {
      return config_error(
          "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
          "credentials_file= in the URL");
    }
    cr.access_key_id = id;
    cr.secret_access_key = secret;
    if (token) cr.session_token = token;
    return cr;
  }
  std::ifstream in(config.credentials_file);
  if (!in) return config_error("credentials_file " + config.credentials_file + " cannot be read");
  std::string line;
  std::string section;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      section = trim(t.substr(1, t.size() - 2));
      continue;
    }
    if (section != config.profile) continue;
    size_t eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string k = to_lower_ascii(trim(t.substr(0, eq)));
    std::string v = trim(t.substr(eq + 1));
    if (k == "aws_access_key_id") cr.access_key_id = v;
    if (k == "aws_secret_access_key") cr.secret_access_key = v;
    if (k == "aws_session_token") cr.session_token = v;
  }
  if (cr.access_key_id.empty() || cr.secret_access_key.empty()) {
    return config_error("credentials_file " + config.credentials_file +
                        " has no aws_access_key_id and "
                        "aws_secret_access_key in [" +
                        config.profile + "]");
  }
  return cr;
}

}  // namespace wenku::blob
