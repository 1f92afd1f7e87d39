// Shared request handling.
#include "http/request_helpers.h"

#include <cstdint>
#include <map>

#include "core/clock.h"
#include "core/strings.h"
#include "http/responses.h"

namespace wenku::http {

Result<store::Document> visible_document(Site& site, const Visitor& v, const httplib::Request& req) {
  std::string digits = req.matches[1].str();
  if (digits.empty() || digits.size() > 18) return make_error(ErrorCode::kNotFound, "文档不存在 / no such document");
  int64_t id = std::atoll(digits.c_str());
  return site.lib().catalogue().visible(v.viewer(), id);
}

bool answer_if_unavailable(const Error& error, httplib::Response& res) {
  if (error.code != ErrorCode::kUnavailable) return false;
  res.status = 503;
  res.body.clear();
  return true;
}

library::SearchRequest search_request_from(const httplib::Request& req, const Visitor& v, std::string* invalid) {
  library::SearchRequest sr;
  sr.viewer = v.viewer();
  for (const char* name : {"from", "to"}) {
    std::string text = req.get_param_value(name);
    if (text.empty()) continue;
    auto t = std::string_view(name) == "from" ? parse_date(text) : parse_date_end(text);
    if (!t && invalid != nullptr) *invalid = name;
    if (t) (std::string_view(name) == "from" ? sr.from : sr.to) = *t;
  }
  sr.like = int_param(req, "like", 0, 0, INT64_MAX);
  sr.query = utf8_prefix(trim(sanitize_utf8(req.get_param_value("q"))), 200);
  sr.category = sanitize_utf8(req.get_param_value("category"));
  sr.format = to_lower_ascii(req.get_param_value("format"));
  sr.sort = req.get_param_value("sort");
  if (sr.sort != "newest" && sr.sort != "views") sr.sort.clear();
  sr.page = static_cast<int>(int_param(req, "page", 1, 1, 1000));
  sr.per_page = static_cast<int>(int_param(req, "per_page", 10, 1, 100));
  return sr;
}

int64_t int_param(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return fallback;
  std::string v = req.get_param_value(name);
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') return fallback;
  return std::clamp<int64_t>(n, lo, hi);
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string safe_next(const std::string& next) {
  if (next.size() < 1 || next.size() > 500 || next[0] != '/' || (next.size() > 1 && (next[1] == '/' || next[1] == '\\'))) {
    return "/";
  }
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20) return "/";
  }
  return next;
}

void send_html(httplib::Response& res, const std::string& html, int status) {
  res.status = status;
  // Pages differ by account and language: never shared by caches, always revalidated.
  res.set_header("Cache-Control", "private, no-cache");
  res.set_header("Vary", "Cookie, Accept-Language");
  res.set_content(html, "text/html; charset=utf-8");
}

void redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
  res.set_header("Cache-Control", "no-store");
}

namespace {

// The file part of an upload goes straight into the library's temporary upload.
class LibraryUploadSink final : public UploadSink {
 public:
  explicit LibraryUploadSink(library::Library& lib) : lib_(lib) {}
  Result<void> begin(const std::string& /*original_name*/) override {
    WENKU_ASSIGN_OR_RETURN(upload_, lib_.ingest().begin_upload(true));
    return {};
  }
  Result<void> write(std::string_view chunk) override { return upload_->write(chunk); }
  std::unique_ptr<library::UploadWriter> take() { return std::move(upload_); }
  uint64_t size() const { return upload_ ? upload_->size() : 0; }

 private:
  library::Library& lib_;
  std::unique_ptr<library::UploadWriter> upload_;
};

}  // namespace

Result<library::ImportOutcome> receive_upload(library::Library& lib, const httplib::Request& req,
                                              const httplib::ContentReader& reader, const Visitor& v,
                                              const UploadPolicy& policy) {
  LibraryUploadSink sink(lib);
  auto count = [&lib](const char* outcome) {
    lib.metrics().counter("wenku_uploads_total", "Uploads through the site and the API, by outcome (accepted, "
                          "duplicate, refused).", {{"outcome", outcome}}).add();
  };
  auto read = read_upload_form(req, reader, policy, sink);
  if (!read.ok()) {
    count("refused");
    return read.error();
  }
  UploadForm form = std::move(read).value();
  library::ImportRequest request;
  if (v.user) {
    request.uploader_name = v.user->name;
    request.uploader_id = v.user->id;
  }
  request.original_name = std::move(form.original_name);
  request.title = std::move(form.title);
  request.category = std::move(form.category);
  request.description = std::move(form.description);
  request.tags = std::move(form.tags);
  // Without an account nobody could ever see a private upload again: guests publish.
  if (v.signed_in() && (form.visibility == "unlisted" || form.visibility == "private")) {
    request.visibility = library::parse_visibility(form.visibility);
  }
  // Held for review or not is decided by ingest, in the transaction of the document's row.
  request.via_site = true;
  request.by_staff = v.is_staff();
  const uint64_t bytes = sink.size();
  auto outcome = lib.ingest().commit_upload(sink.take(), request);
  count(!outcome.ok() ? "refused" : outcome->duplicate ? "duplicate" : "accepted");
  if (outcome.ok()) {
    lib.metrics().counter("wenku_upload_bytes_total", "Bytes of the files of uploads accepted (duplicates included).")
        .add(bytes);
  }
  return outcome;
}

Result<std::vector<library::BatchItem>> receive_batch(library::Library& lib, const httplib::Request& req,
                                                      const httplib::ContentReader& reader, const Visitor& v,
                                                      const UploadPolicy& policy) {
  LibraryUploadSink sink(lib);
  WENKU_ASSIGN_OR_RETURN(UploadForm form, read_upload_form(req, reader, policy, sink));
  if (to_lower_ascii(form.original_name).size() < 4 ||
      to_lower_ascii(form.original_name).compare(form.original_name.size() - 4, 4, ".zip") != 0) {
    return make_error(ErrorCode::kInvalidArgument, "批量上传需要 ZIP 文件 / a batch upload takes a .zip file");
  }
  library::ImportRequest request;
  if (v.user) {
    request.uploader_name = v.user->name;
    request.uploader_id = v.user->id;
  }
  request.category = std::move(form.category);
  request.description = std::move(form.description);
  request.tags = std::move(form.tags);
  if (form.visibility == "unlisted" || form.visibility == "private") request.visibility = library::parse_visibility(form.visibility);
  request.via_site = true;
  request.by_staff = v.is_staff();
  auto items = lib.ingest().import_archive(sink.take(), request);
  if (items.ok()) {
    for (const auto& item : *items) {
      lib.metrics().counter("wenku_uploads_total", "Uploads through the site and the API, by outcome (accepted, "
                            "duplicate, refused).", {{"outcome", !item.ok ? "refused" : item.outcome.duplicate ? "duplicate" : "accepted"}}).add();
    }
  }
  return items;
}

void send_accel_redirect(Site& site, const std::string& key, const std::string& content_type,
                         httplib::Response& res) {
  auto path = site.lib().catalogue().file_path(key);
  if (!path.ok()) {
    res.status = 404;
    return;
  }
  res.status = 200;
  res.set_header("X-Accel-Redirect", site.front().accel_prefix + *path);
  res.set_content("", content_type);
}

namespace {

// The watermarked PDF copy (library::Watermarks), served like an original: attachment,
// ranges, its own ETag.
void send_watermarked(Site& site, const store::Document& doc, const library::DownloadCopy& copy,
                      httplib::Response& res) {
  std::string name = doc.original_name.empty() ? "document" : doc.original_name;
  if (size_t dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
  name += ".pdf";
  std::string ascii;
  for (char c : name) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\' && c >= 0x20) ? c : '_';
  res.set_header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + url_encode(name));
  res.set_header("Cache-Control", "private, max-age=0");
  if (site.front().accel_redirect) return send_accel_redirect(site, copy.blob_key, "application/pdf", res);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("ETag", copy.etag);
  std::string key = copy.blob_key;
  auto* files = &site.lib().catalogue();
  res.set_content_provider(static_cast<size_t>(copy.size), "application/pdf",
                           [files, key](size_t offset, size_t length, httplib::DataSink& sink) {
                             auto r = files->read_file_range(key, offset, length, [&](std::string_view chunk) {
                               return sink.write(chunk.data(), chunk.size());
                             });
                             return r.ok();
                           });
}

}  // namespace

void send_original(Site& site, const store::Document& doc, const httplib::Request& req, httplib::Response& res) {
  library::Library& lib = site.lib();
  const bool accel = site.front().accel_redirect;
  // A site that watermarks its downloads serves the stored watermarked PDF instead.
  if (auto copy = lib.watermarks().download_copy(doc); !copy.ok() || *copy) {
    if (!copy.ok()) return send_error(res, copy.error());
    return send_watermarked(site, doc, **copy, res);
  }
  // Behind nginx the file is not even looked at here: nginx answers 404 if it is missing.
  auto size = accel ? Result<uint64_t>(uint64_t{0}) : lib.catalogue().file_size(doc.blob_key);
  if (!size.ok()) {
    if (answer_if_unavailable(size.error(), res)) return;
    res.status = 404;
    return;
  }
  std::string name = doc.original_name.empty() ? "document" : doc.original_name;
  std::string ascii;
  for (char c : name) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\' && c >= 0x20) ? c : '_';
  res.set_header("Content-Disposition",
                 "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + url_encode(name));
  res.set_header("Cache-Control", "private, max-age=0");
  // Served as opaque bytes: never rendered by the browser in the site's origin. Behind nginx,
  // nginx adds its own Accept-Ranges and validators for the file it sends.
  if (accel) return send_accel_redirect(site, doc.blob_key, "application/octet-stream", res);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("ETag", "\"" + doc.sha256.substr(0, 32) + "\"");
  std::string key = doc.blob_key;
  uint64_t total = *size;
  auto* files = &lib.catalogue();
  res.set_content_provider(static_cast<size_t>(total), "application/octet-stream",
                           [files, key](size_t offset, size_t length, httplib::DataSink& sink) {
                             auto r = files->read_file_range(key, offset, length, [&](std::string_view chunk) {
                               return sink.write(chunk.data(), chunk.size());
                             });
                             return r.ok();
                           });
  (void)req;
}

}  // namespace wenku::http
