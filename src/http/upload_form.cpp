// The multipart upload form: field routing, limits and sanitising of what the browser sent.
#include "http/upload_form.h"

#include <cstdlib>
#include <map>
#include <optional>

#include "core/strings.h"

namespace wenku::http {

Result<UploadForm> read_upload_form(const httplib::Request& req, const httplib::ContentReader& reader,
                                    const UploadPolicy& policy, UploadSink& sink) {
  if (!req.is_multipart_form_data()) {
    return make_error(ErrorCode::kInvalidArgument, "需要 multipart/form-data / expected multipart/form-data");
  }
  if (policy.max_bytes > 0 && req.has_header("Content-Length") &&
      std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > policy.max_bytes + (1 << 20)) {
    return make_error(ErrorCode::kTooLarge, "文件太大 / the file is too large");
  }
  UploadForm form;
  std::map<std::string, std::string> fields;
  std::optional<Error> failure;
  std::string current;
  bool saw_file = false;
  bool sink_open = false;
  bool ok = reader(
      [&](const httplib::MultipartFormData& part) {
        current = part.name;
        if (part.name == "file" && !saw_file) {
          saw_file = true;
          form.original_name = utf8_prefix(sanitize_utf8(part.filename), 255);
          if (!policy.formats.empty()) {
            std::string name = to_lower_ascii(form.original_name);
            size_t dot = name.rfind('.');
            std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
            bool allowed = false;
            for (const auto& f : split(policy.formats, ',')) allowed |= !ext.empty() && trim(f) == ext;
            if (!allowed) {
              failure = make_error(ErrorCode::kUnsupportedFormat, "不支持此格式 / format not accepted: ." + ext);
              return false;
            }
          }
          auto b = sink.begin(form.original_name);
          if (!b.ok()) {
            failure = b.error();
            return false;
          }
          sink_open = true;
        }
        return true;
      },
      [&](const char* data, size_t len) {
        if (current == "file") {
          if (!sink_open) return true;  // a second file field is ignored
          form.file_bytes += len;
          if (policy.max_bytes > 0 && form.file_bytes > policy.max_bytes) {
            failure = make_error(ErrorCode::kTooLarge, "文件太大 / the file is too large");
            return false;
          }
          auto w = sink.write(std::string_view(data, len));
          if (!w.ok()) {
            failure = w.error();
            return false;
          }
        } else {
          if (fields.size() > 32) return true;
          std::string& val = fields[current];
          if (val.size() + len > 64 * 1024) {
            failure = make_error(ErrorCode::kTooLarge, "表单字段太长 / form field too long: " + current);
            return false;
          }
          val.append(data, len);
        }
        return true;
      });
  if (failure) return *failure;
  if (!ok) return make_error(ErrorCode::kInvalidArgument, "上传中断 / the upload was interrupted");
  if (!sink_open) return make_error(ErrorCode::kInvalidArgument, "没有文件 / no file field in the upload");
  form.title = utf8_prefix(trim(sanitize_utf8(fields["title"])), 200);
  form.category = utf8_prefix(trim(sanitize_utf8(fields["category"])), 200);
  form.description = utf8_prefix(trim(sanitize_utf8(fields["description"])), 5000);
  for (auto& t : split(sanitize_utf8(fields["tags"]), ',')) {
    std::string tag = utf8_prefix(trim(t), 40);
    if (!tag.empty() && form.tags.size() < 20) form.tags.push_back(tag);
  }
  form.visibility = fields["visibility"];
  return form;
}

}  // namespace wenku::http
