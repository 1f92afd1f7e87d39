// Shared request handling.
#include "http/request_helpers.h"

#include <map>

#include "core/strings.h"

namespace wenku::http {

Result<store::Document> visible_document(library::Library& lib, const httplib::Request& req) {
  int64_t id = std::atoll(req.matches[1].str().c_str());
  auto doc = lib.store().get_document(id);
  if (!doc.ok()) return doc;
  if (doc->hidden || doc->visibility == store::Visibility::kPrivate || doc->duplicate_of != 0) {
    return make_error(ErrorCode::kNotFound, "文档不存在 / no document " + std::to_string(id));
  }
  return doc;
}

bool is_listed(const store::Document& d) {
  return d.status == store::DocumentStatus::kReady && d.visibility == store::Visibility::kPublic && !d.hidden &&
         d.duplicate_of == 0;
}

library::SearchRequest search_request_from(const httplib::Request& req) {
  library::SearchRequest sr;
  sr.query = trim(req.get_param_value("q"));
  sr.category = req.get_param_value("category");
  sr.format = req.get_param_value("format");
  sr.sort = req.get_param_value("sort");
  if (req.has_param("page")) sr.page = std::max(1, std::atoi(req.get_param_value("page").c_str()));
  if (req.has_param("per_page")) sr.per_page = std::clamp(std::atoi(req.get_param_value("per_page").c_str()), 1, 100);
  return sr;
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

Result<library::ImportOutcome> receive_upload(library::Library& lib, const httplib::Request& req,
                                              const httplib::ContentReader& reader,
                                              const std::string& uploader_name, int64_t uploader_id) {
  if (!req.is_multipart_form_data()) {
    return make_error(ErrorCode::kInvalidArgument, "需要 multipart/form-data / expected multipart/form-data");
  }
  library::ImportRequest request;
  request.uploader_name = uploader_name;
  request.uploader_id = uploader_id;
  std::map<std::string, std::string> fields;
  std::unique_ptr<library::UploadWriter> upload;
  std::optional<Error> failure;
  std::string current;
  bool saw_file = false;
  bool ok = reader(
      [&](const httplib::MultipartFormData& part) {
        current = part.name;
        if (part.name == "file" && !saw_file) {
          saw_file = true;
          request.original_name = part.filename;
          auto u = lib.begin_upload();
          if (!u.ok()) {
            failure = u.error();
            return false;
          }
          upload = std::move(u).value();
        }
        return true;
      },
      [&](const char* data, size_t len) {
        if (current == "file") {
          if (!upload) return true;  // a second file field is ignored
          auto w = upload->write(std::string_view(data, len));
          if (!w.ok()) {
            failure = w.error();
            return false;
          }
        } else {
          std::string& v = fields[current];
          if (v.size() + len > 64 * 1024) {
            failure = make_error(ErrorCode::kTooLarge, "表单字段太长 / form field too long: " + current);
            return false;
          }
          v.append(data, len);
        }
        return true;
      });
  if (failure) return *failure;
  if (!ok) return make_error(ErrorCode::kInvalidArgument, "上传中断 / the upload was interrupted");
  if (!upload) return make_error(ErrorCode::kInvalidArgument, "没有文件 / no file field in the upload");
  request.title = trim(sanitize_utf8(fields["title"]));
  request.category = trim(sanitize_utf8(fields["category"]));
  request.description = trim(sanitize_utf8(fields["description"]));
  for (auto& t : split(sanitize_utf8(fields["tags"]), ',')) {
    std::string tag = trim(t);
    if (!tag.empty()) request.tags.push_back(tag);
  }
  return lib.commit_upload(std::move(upload), request);
}

void send_original(library::Library& lib, const store::Document& doc, const httplib::Request& req,
                   httplib::Response& res) {
  auto size = lib.blobs().size(doc.blob_key);
  if (!size.ok()) {
    res.status = 404;
    return;
  }
  std::string name = doc.original_name.empty() ? "document" : doc.original_name;
  std::string ascii;
  for (char c : name) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\' && c >= 0x20) ? c : '_';
  res.set_header("Content-Disposition",
                 "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + url_encode(name));
  res.set_header("Cache-Control", "private, max-age=0");
  // Served as opaque bytes: never rendered by the browser in the site's origin.
  std::string key = doc.blob_key;
  uint64_t total = *size;
  auto* blobs = &lib.blobs();
  res.set_content_provider(static_cast<size_t>(total), "application/octet-stream",
                           [blobs, key](size_t offset, size_t length, httplib::DataSink& sink) {
                             auto r = blobs->read_range(key, offset, length, [&](std::string_view chunk) {
                               return sink.write(chunk.data(), chunk.size());
                             });
                             return r.ok();
                           });
  (void)req;
}

}  // namespace wenku::http
