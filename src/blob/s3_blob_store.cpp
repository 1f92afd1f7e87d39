// S3 BlobStore: one signed HTTP request per operation over a small pool of curl handles,
// retried with exponential back-off on 429/5xx and network errors. Uploads are read from
// the file in parts (one PUT below part_size, multipart above it); downloads stream.
#include "blob/s3_blob_store.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/hash.h"
#include "core/log.h"
#include "core/strings.h"

namespace wenku::blob {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The text between <tag> and </tag> from `from`, entities decoded; npos-safe.
std::string xml_text(std::string_view xml, std::string_view tag, size_t* from = nullptr) {
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  size_t start = from ? *from : 0;
  size_t a = xml.find(open, start);
  if (a == std::string_view::npos) {
    if (from) *from = std::string_view::npos;
    return {};
  }
  a += open.size();
  size_t b = xml.find(close, a);
  if (b == std::string_view::npos) {
    if (from) *from = std::string_view::npos;
    return {};
  }
  if (from) *from = b + close.size();
  std::string_view raw = xml.substr(a, b - a);
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [ent, c] : kEntities) {
      if (raw.substr(i, ent.size()) == ent) {
        out += c;
        i += ent.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

// "2026-12-02T16:46:10.000Z" -> unix seconds (0 if malformed).
int64_t parse_iso8601(const std::string& s) {
  std::tm tm{};
  if (s.size() < 19 || !strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Response {
  long status = 0;
  std::string body;                            // error bodies and small answers
  std::map<std::string, std::string> headers;  // lower-case names
  bool stopped_by_sink = false;
};

// What one request sends. The body is in memory (parts are at most part_size).
struct Call {
  std::string method = "GET";
  std::string key;  // object key ("" for the bucket itself)
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  std::string body_sha256;  // computed when empty
  // When set, a 2xx body goes here instead of Response::body; return false to stop.
  const std::function<bool(std::string_view)>* sink = nullptr;
};

struct Transfer {
  Response* resp;
  const Call* call;
  CURL* curl;
  std::string_view upload;
  size_t upload_pos = 0;
  uint64_t delivered = 0;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->call->sink && status >= 200 && status < 300) {
    t->delivered += len;
    if (!(*t->call->sink)(std::string_view(data, len))) {
      t->resp->stopped_by_sink = true;
      return 0;
    }
    return len;
  }
  if (t->resp->body.size() < (1u << 20)) t->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (starts_with(line, "HTTP/")) t->resp->headers.clear();  // a new response (after 100 Continue)
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->resp->headers[to_lower_ascii(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = std::min(size * n, t->upload.size() - t->upload_pos);
  std::copy_n(t->upload.data() + t->upload_pos, len, buf);
  t->upload_pos += len;
  return len;
}

class S3BlobStore final : public BlobStore {
 public:
  S3BlobStore(S3Config c, sigv4::Credentials creds) : cfg_(std::move(c)), creds_(std::move(creds)) {
    size_t scheme = cfg_.endpoint.find("://");
    host_ = cfg_.endpoint.substr(scheme + 3);
    scheme_ = cfg_.endpoint.substr(0, scheme);
    if (!cfg_.path_style) host_ = cfg_.bucket + "." + host_;
  }
  ~S3BlobStore() override {
    for (CURL* h : pool_) curl_easy_cleanup(h);
  }
  S3BlobStore(const S3BlobStore&) = delete;
  S3BlobStore& operator=(const S3BlobStore&) = delete;

  // A one-key listing: the endpoint answers, the credentials are accepted, the bucket exists.
  Result<void> probe() {
    Call c;
    c.query = {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", key_prefix()}};
    WENKU_ASSIGN_OR_RETURN(Response r, send(c));
    if (r.status == 200) return {};
    Error e = status_error(r, "bucket " + cfg_.bucket);
    if (e.code == ErrorCode::kUnavailable && r.status == 404) e.code = ErrorCode::kInvalidArgument;
    return e;
  }

  Result<std::string> put_file(const fs::path& tmp_file, const std::string& sha256) override {
    if (!is_valid_key(sha256)) return make_error(ErrorCode::kInvalidArgument, "bad blob key");
    std::error_code ec;
    uint64_t total = fs::file_size(tmp_file, ec);
    if (ec) return make_error(ErrorCode::kIo, "put " + tmp_file.string() + ": " + ec.message());
    WENKU_ASSIGN_OR_RETURN(bool there, stored_whole(sha256, total));
    if (there) {
      fs::remove(tmp_file, ec);
      return sha256;
    }
    std::ifstream in(tmp_file, std::ios::binary);
    if (!in) return make_error(ErrorCode::kIo, "cannot open " + tmp_file.string());
    if (total <= cfg_.part_size) {
      std::string data(static_cast<size_t>(total), '\0');
      in.read(data.data(), static_cast<std::streamsize>(total));
      if (static_cast<uint64_t>(in.gcount()) != total)
        return make_error(ErrorCode::kIo, "short read of " + tmp_file.string());
      WENKU_TRY(put_object(sha256, data));
    } else {
      WENKU_TRY(put_multipart(sha256, in, total));
    }
    fs::remove(tmp_file, ec);
    return sha256;
  }

  Result<std::string> put_bytes(std::string_view data) override {
    std::string key = sha256_hex(data);
    WENKU_ASSIGN_OR_RETURN(bool there, stored_whole(key, data.size()));
    if (there) return key;
    WENKU_TRY(put_object(key, data));
    return key;
  }

  Result<std::string> read_all(const std::string& key) override {
    std::string out;
    WENKU_TRY(get(key, 0, UINT64_MAX, [&](std::string_view c) {
      out.append(c);
      return true;
    }));
    return out;
  }

  Result<void> read_range(const std::string& key, uint64_t offset, uint64_t length,
                          const std::function<bool(std::string_view)>& sink) override {
    if (length == 0) {
      WENKU_ASSIGN_OR_RETURN(uint64_t n, size(key));
      (void)n;
      return {};
    }
    return get(key, offset, length, sink);
  }

  // The object is there at its full length. A content-addressed key names its bytes, so the
  // length tells a whole object from one an interrupted upload left cut short (a real S3 PUT
  // is atomic; s3rver and some gateways are not): that one is written again.
  Result<bool> stored_whole(const std::string& key, uint64_t length) {
    auto n = size(key);
    if (n.ok()) return *n == length;
    if (n.error().code == ErrorCode::kNotFound) return false;
    return n.take_error();
  }

  Result<bool> exists(const std::string& key) override {
    if (!is_valid_key(key)) return false;
    Call c;
    c.method = "HEAD";
    c.key = object_key(key);
    WENKU_ASSIGN_OR_RETURN(Response r, send(c));
    if (r.status == 200) return true;
    if (r.status == 404) return false;
    return status_error(r, "blob " + key);
  }

  Result<uint64_t> size(const std::string& key) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    Call c;
    c.method = "HEAD";
    c.key = object_key(key);
    WENKU_ASSIGN_OR_RETURN(Response r, send(c));
    if (r.status == 404) return make_error(ErrorCode::kNotFound, "no blob " + key);
    if (r.status != 200) return status_error(r, "blob " + key);
    auto it = r.headers.find("content-length");
    if (it == r.headers.end())
      return make_error(ErrorCode::kUnavailable, "blob_url: HEAD without Content-Length");
    return static_cast<uint64_t>(std::strtoull(it->second.c_str(), nullptr, 10));
  }

  // Downloads into scratch_dir; the caller owns (and removes) the file.
  Result<fs::path> local_path(const std::string& key, const fs::path& scratch_dir) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    fs::path p = scratch_dir / ("s3-" + key.substr(0, 16) + "-" + std::to_string(rng() % 1000000000));
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(ErrorCode::kIo, "cannot create " + p.string());
    auto r = get(key, 0, UINT64_MAX, [&](std::string_view c) {
      out.write(c.data(), static_cast<std::streamsize>(c.size()));
      return static_cast<bool>(out);
    });
    out.close();
    std::error_code ec;
    if (!r.ok()) {
      fs::remove(p, ec);
      return r.take_error();
    }
    if (!out) {
      fs::remove(p, ec);
      return make_error(ErrorCode::kIo, "write " + p.string());
    }
    return p;
  }

  Result<void> remove(const std::string& key) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    Call c;
    c.method = "DELETE";
    c.key = object_key(key);
    WENKU_ASSIGN_OR_RETURN(Response r, send(c));
    if (r.status == 204 || r.status == 200 || r.status == 404) return {};
    return status_error(r, "blob " + key);
  }

  Result<void> for_each(const std::function<void(const std::string&, int64_t)>& fn) override {
    std::string token;
    std::string prefix = key_prefix();
    for (;;) {
      Call c;
      c.query = {{"list-type", "2"}, {"max-keys", std::to_string(cfg_.max_keys)}, {"prefix", prefix}};
      if (!token.empty()) c.query.emplace_back("continuation-token", token);
      WENKU_ASSIGN_OR_RETURN(Response r, send(c));
      if (r.status != 200) return status_error(r, "listing of bucket " + cfg_.bucket);
      size_t pos = 0;
      for (;;) {
        std::string item = xml_text(r.body, "Contents", &pos);
        if (pos == std::string::npos) break;
        std::string name = xml_text(item, "Key");
        size_t slash = name.rfind('/');
        std::string leaf = slash == std::string::npos ? name : name.substr(slash + 1);
        if (!is_valid_key(leaf) || name != object_key(leaf)) continue;
        fn(leaf, parse_iso8601(xml_text(item, "LastModified")));
      }
      if (xml_text(r.body, "IsTruncated") != "true") return {};
      token = xml_text(r.body, "NextContinuationToken");
      if (token.empty())
        return make_error(ErrorCode::kUnavailable,
                          "blob_url: truncated listing without a continuation token");
    }
  }

  Result<void> verify(const std::string& key) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    Sha256 h;
    WENKU_TRY(get(key, 0, UINT64_MAX, [&](std::string_view c) {
      h.update(c);
      return true;
    }));
    if (h.hex() != key) return make_error(ErrorCode::kCorrupt, "blob " + key + " does not match its hash");
    return {};
  }

 private:
  std::string key_prefix() const { return cfg_.prefix.empty() ? std::string() : cfg_.prefix + "/"; }
  std::string object_key(const std::string& key) const {
    return key_prefix() + relative_path(key);
  }

  Result<void> put_object(const std::string& key, std::string_view data) {
    // The payload hash is signed: S3 itself refuses bytes that do not hash to the key.
    std::string actual = sha256_hex(data);
    if (actual != key) return make_error(ErrorCode::kCorrupt, "content does not match blob key " + key);
    Call c;
    c.method = "PUT";
    c.key = object_key(key);
    c.body = data;
    c.body_sha256 = actual;
    c.headers = {{"content-type", "application/octet-stream"}};
    WENKU_ASSIGN_OR_RETURN(Response r, send(c));
    if (r.status != 200) return status_error(r, "upload of blob " + key);
    return {};
  }

  Result<void> put_multipart(const std::string& key, std::ifstream& in, uint64_t total) {
    std::string okey = object_key(key);
    Call init;
    init.method = "POST";
    init.key = okey;
    init.query = {{"uploads", ""}};
    init.headers = {{"content-type", "application/octet-stream"}};
    WENKU_ASSIGN_OR_RETURN(Response ir, send(init));
    if (ir.status != 200) return status_error(ir, "multipart upload of blob " + key);
    std::string upload_id = xml_text(ir.body, "UploadId");
    if (upload_id.empty())
      return make_error(ErrorCode::kUnavailable, "blob_url: multipart upload without UploadId");
    auto result = upload_parts(key, okey, upload_id, in, total);
    if (!result.ok()) {
      Call abort;
      abort.method = "DELETE";
      abort.key = okey;
      abort.query = {{"uploadId", upload_id}};
      auto ar = send(abort);
      // A part left behind costs storage until the bucket's lifecycle rule
      // (AbortIncompleteMultipartUpload) removes it; see README.md.
      if (!ar.ok() || (ar->status != 204 && ar->status != 200)) {
        log::warn("s3_abort_failed bucket={} key={} status={}", cfg_.bucket, key, ar.ok() ? ar->status : 0L);
      }
    }
    return result;
  }

  Result<void> upload_parts(const std::string& key, const std::string& okey, const std::string& upload_id,
                            std::ifstream& in, uint64_t total) {
    Sha256 whole;
    std::string complete = "<CompleteMultipartUpload>";
    std::string buf;
    uint64_t done = 0;
    for (int part = 1; done < total; ++part) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(cfg_.part_size, total - done));
      buf.resize(want);
      in.read(buf.data(), static_cast<std::streamsize>(want));
      if (static_cast<size_t>(in.gcount()) != want) return make_error(ErrorCode::kIo, "short read of upload");
      whole.update(buf);
      Call c;
      c.method = "PUT";
      c.key = okey;
      c.query = {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}};
      c.body = buf;
      WENKU_ASSIGN_OR_RETURN(Response r, send(c));
      if (r.status != 200) return status_error(r, "part " + std::to_string(part) + " of blob " + key);
      auto etag = r.headers.find("etag");
      if (etag == r.headers.end())
        return make_error(ErrorCode::kUnavailable, "blob_url: part upload without ETag");
      complete += "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" + etag->second +
                  "</ETag></Part>";
      done += want;
    }
    complete += "</CompleteMultipartUpload>";
    if (whole.hex() != key) return make_error(ErrorCode::kCorrupt, "content does not match blob key " + key);
    Call c;
    c.method = "POST";
    c.key = okey;
    c.query = {{"uploadId", upload_id}};
    c.body = complete;
    c.headers = {{"content-type", "application/xml"}};
    WENKU_ASSIGN_OR_RETURN(Response r, send(c));
    // CompleteMultipartUpload may answer 200 with an error in the body.
    if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
      return status_error(r, "completing blob " + key);
    }
    return {};
  }

  // GET with a Range, streamed to `sink`; after a transient failure mid-body it resumes
  // from the first byte not yet delivered.
  Result<void> get(const std::string& key, uint64_t offset, uint64_t length,
                   const std::function<bool(std::string_view)>& sink) {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    uint64_t delivered = 0;
    std::function<bool(std::string_view)> counting = [&](std::string_view c) {
      if (length != UINT64_MAX && delivered + c.size() > length)
        c = c.substr(0, static_cast<size_t>(length - delivered));
      delivered += c.size();
      return sink(c);
    };
    for (int attempt = 0;; ++attempt) {
      Call c;
      c.key = object_key(key);
      c.sink = &counting;
      uint64_t from = offset + delivered;
      if (from > 0 || length != UINT64_MAX) {
        std::string range = "bytes=" + std::to_string(from) + "-";
        if (length != UINT64_MAX) range += std::to_string(offset + length - 1);
        c.headers = {{"range", range}};
      }
      uint64_t before = delivered;
      auto r = send_once(c);
      if (r.ok() && r->stopped_by_sink) return {};
      bool transient = !r.ok() ? r.error().code == ErrorCode::kUnavailable : retryable(r->status);
      if (r.ok() && !transient) {
        if (r->status == 200 || r->status == 206) return {};
        if (r->status == 416) return {};  // the range starts past the end: nothing to read
        if (r->status == 404 && r->body.find("NoSuchBucket") == std::string::npos) {
          return make_error(ErrorCode::kNotFound, "no blob " + key);
        }
        return status_error(*r, "blob " + key);
      }
      if (delivered > before) attempt = 0;  // progress: the budget starts again
      if (attempt >= cfg_.retries) {
        return r.ok() ? status_error(*r, "blob " + key) : r.take_error();
      }
      backoff(attempt);
    }
  }

  static bool retryable(long status) {
    return status == 429 || status == 500 || (status >= 502 && status <= 504);
  }

  void backoff(int attempt) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    int base = cfg_.backoff_ms << std::min(attempt, 8);
    int ms = std::min(base, 20000);
    ms = ms / 2 + static_cast<int>(rng() % static_cast<unsigned>(ms / 2 + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // One request with retries on network errors, 429 and 5xx.
  Result<Response> send(const Call& c) {
    for (int attempt = 0;; ++attempt) {
      auto r = send_once(c);
      bool transient = !r.ok() ? r.error().code == ErrorCode::kUnavailable : retryable(r->status);
      if (!transient || attempt >= cfg_.retries) return r;
      log::debug("s3_retry method={} status={} attempt={}", c.method, r.ok() ? r->status : 0L, attempt + 1);
      backoff(attempt);
    }
  }

  Result<Response> send_once(const Call& c) {
    std::string path = "/";
    if (cfg_.path_style) path += cfg_.bucket + (c.key.empty() ? "" : "/");
    path += c.key;
    std::string payload_hash = c.body_sha256;
    if (payload_hash.empty()) payload_hash = c.body.empty() ? std::string(kEmptySha256) : sha256_hex(c.body);
    std::string date = sigv4::amz_date(static_cast<int64_t>(std::time(nullptr)));
    sigv4::Request sr;
    sr.method = c.method;
    sr.path = path;
    sr.query = c.query;
    sr.headers = c.headers;
    sr.headers.emplace_back("host", host_);
    sr.headers.emplace_back("x-amz-date", date);
    sr.headers.emplace_back("x-amz-content-sha256", payload_hash);
    if (!creds_.session_token.empty()) sr.headers.emplace_back("x-amz-security-token", creds_.session_token);
    sr.payload_sha256 = payload_hash;
    std::string auth = sigv4::authorization(creds_, cfg_.region, "s3", date, sr);

    std::string url = scheme_ + "://" + host_ + sigv4::uri_encode(path, true);
    std::string q = sigv4::canonical_query(c.query);
    if (!q.empty()) url += "?" + q;

    CURL* h = acquire();
    curl_easy_reset(h);
    Response resp;
    Transfer t{&resp, &c, h, c.body};
    curl_slist* hdrs = nullptr;
    for (const auto& [k, v] : sr.headers) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
    hdrs = curl_slist_append(hdrs, ("authorization: " + auth).c_str());
    hdrs = curl_slist_append(hdrs, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(cfg_.connect_timeout_s));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(cfg_.idle_timeout_s));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    if (c.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (c.method == "PUT" || c.method == "POST") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(h, CURLOPT_READDATA, &t);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(c.body.size()));
      if (c.method == "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (c.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c.method.c_str());
    }
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_slist_free_all(hdrs);
    release(h);
    if (rc == CURLE_WRITE_ERROR && resp.stopped_by_sink) return resp;
    if (rc != CURLE_OK) {
      std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
      return make_error(ErrorCode::kUnavailable,
                        "blob_url: cannot reach S3 endpoint " + cfg_.endpoint + " (" + why + ")");
    }
    return resp;
  }

  // An error for a non-success answer, naming the setting and S3's own code.
  Error status_error(const Response& r, const std::string& what) const {
    std::string code = xml_text(r.body, "Code");
    std::string detail = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code);
    if (r.status == 403 || r.status == 401) {
      return make_error(ErrorCode::kPermissionDenied,
                        "blob_url: S3 refused the credentials for bucket " + cfg_.bucket + " (" + detail +
                            "): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or credentials_file");
    }
    if (code == "NoSuchBucket" || (r.status == 404 && what.rfind("bucket", 0) == 0)) {
      return make_error(ErrorCode::kUnavailable, "blob_url: bucket " + cfg_.bucket + " does not exist at " +
                                                     cfg_.endpoint + " (" + detail + ")");
    }
    if (r.status == 404) return make_error(ErrorCode::kNotFound, what + " not found (" + detail + ")");
    if (r.status == 400 && code == "XAmzContentSHA256Mismatch") {
      return make_error(ErrorCode::kCorrupt, what + ": content does not match its hash (" + detail + ")");
    }
    return make_error(ErrorCode::kUnavailable,
                      "blob_url: " + what + " failed at " + cfg_.endpoint + " (" + detail + ")");
  }

  CURL* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!pool_.empty()) {
        CURL* h = pool_.back();
        pool_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void release(CURL* h) {
    std::lock_guard lock(mu_);
    if (pool_.size() < 16) {
      pool_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

  S3Config cfg_;
  sigv4::Credentials creds_;
  std::string scheme_;
  std::string host_;
  std::mutex mu_;
  std::vector<CURL*> pool_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> open_s3_blob_store(const std::string& url) {
  WENKU_ASSIGN_OR_RETURN(S3Config cfg, parse_s3_url(url));
  WENKU_ASSIGN_OR_RETURN(sigv4::Credentials creds, load_s3_credentials(cfg));
  curl_init_once();
  auto s = std::make_unique<S3BlobStore>(std::move(cfg), std::move(creds));
  WENKU_TRY(s->probe());
  return std::unique_ptr<BlobStore>(std::move(s));
}

}  // namespace wenku::blob
