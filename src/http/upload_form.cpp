// The multipart upload form: field routing, limits and sanitising of what the browser sent.
#include "http/upload_form.h"

#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "http/multipart.h"

namespace wenku::http {
namespace {

constexpr size_t kMaxFieldBytes = 64 * 1024;
constexpr size_t kMaxFields = 32;

// cpp-httplib 0.11.4 runs its own multipart parser whenever the request's Content-Type says
// multipart/form-data, whichever ContentReader form the handler calls: the single-receiver
// form then rejects a body whose first read splits the first delimiter (upstream #2159) or
// throws std::bad_function_call on a valid one. While our parser reads the raw body the
// header is masked. The Request is the server's own non-const object (it hands handlers a
// const reference), so writing through const_cast is defined; the value is put back.
class ContentTypeMask {
 public:
  explicit ContentTypeMask(const httplib::Request& req) : headers_(const_cast<httplib::Headers&>(req.headers)) {
    auto [lo, hi] = headers_.equal_range("Content-Type");
    for (auto it = lo; it != hi; ++it) {
      saved_.push_back(std::move(it->second));
      it->second = "application/octet-stream";
    }
  }
  ~ContentTypeMask() {
    auto [lo, hi] = headers_.equal_range("Content-Type");
    size_t i = 0;
    for (auto it = lo; it != hi && i < saved_.size(); ++it) it->second = std::move(saved_[i++]);
  }
  ContentTypeMask(const ContentTypeMask&) = delete;
  ContentTypeMask& operator=(const ContentTypeMask&) = delete;

 private:
  httplib::Headers& headers_;
  std::vector<std::string> saved_;
};

// Routes the parts: the first `file` part to the sink, other fields into `fields`.
class FormHandler final : public MultipartHandler {
 public:
  FormHandler(const UploadPolicy& policy, UploadSink& sink, UploadForm& form)
      : policy_(policy), sink_(sink), form_(form) {}

  Result<PartMode> on_part(const MultipartPart& part) override {
    current_ = part.name;
    to_sink_ = false;
    if (part.name == "file") {
      if (saw_file_) return PartMode::kSkip;  // a second file field is ignored
      saw_file_ = true;
      form_.original_name = utf8_prefix(sanitize_utf8(part.filename), 255);
      if (!policy_.formats.empty()) {
        std::string name = to_lower_ascii(form_.original_name);
        size_t dot = name.rfind('.');
        std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
        bool allowed = false;
        for (const auto& f : split(policy_.formats, ',')) allowed |= !ext.empty() && trim(f) == ext;
        if (!allowed) return make_error(ErrorCode::kUnsupportedFormat, "不支持此格式 / format not accepted: ." + ext);
      }
      WENKU_TRY(sink_.begin(form_.original_name));
      sink_open_ = true;
      to_sink_ = true;
      return PartMode::kStream;
    }
    return PartMode::kField;
  }

  Result<void> on_data(std::string_view bytes) override {
    if (to_sink_) {
      form_.file_bytes += bytes.size();
      if (policy_.max_bytes > 0 && form_.file_bytes > policy_.max_bytes) {
        return make_error(ErrorCode::kTooLarge, "文件太大 / the file is too large");
      }
      return sink_.write(bytes);
    }
    if (fields_.size() > kMaxFields) return {};
    std::string& val = fields_[current_];
    // Repeated names append to one value, which keeps the 64 KB limit as a whole.
    if (val.size() + bytes.size() > kMaxFieldBytes) {
      return make_error(ErrorCode::kTooLarge, "表单字段太长 / form field too long: " + current_);
    }
    val.append(bytes);
    return {};
  }

  Result<void> on_part_end() override {
    to_sink_ = false;
    return {};
  }

  bool sink_open() const { return sink_open_; }
  std::map<std::string, std::string>& fields() { return fields_; }

 private:
  const UploadPolicy& policy_;
  UploadSink& sink_;
  UploadForm& form_;
  std::map<std::string, std::string> fields_;
  std::string current_;
  bool saw_file_ = false;
  bool sink_open_ = false;
  bool to_sink_ = false;
};

}  // namespace

Result<UploadForm> read_upload_form(const httplib::Request& req, const httplib::ContentReader& reader,
                                    const UploadPolicy& policy, UploadSink& sink) {
  if (!req.is_multipart_form_data()) {
    return make_error(ErrorCode::kInvalidArgument, "需要 multipart/form-data / expected multipart/form-data");
  }
  if (policy.max_bytes > 0 && req.has_header("Content-Length") &&
      std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > policy.max_bytes + (1 << 20)) {
    return make_error(ErrorCode::kTooLarge, "文件太大 / the file is too large");
  }
  WENKU_ASSIGN_OR_RETURN(std::string boundary, parse_multipart_boundary(req.get_header_value("Content-Type")));
  UploadForm form;
  FormHandler handler(policy, sink, form);
  MultipartLimits limits;
  limits.max_field_bytes = kMaxFieldBytes;
  MultipartParser parser(boundary, handler, limits);
  Result<void> parsed;
  bool ok;
  {
    ContentTypeMask mask(req);
    ok = reader([&](const char* data, size_t len) {
      parsed = parser.feed(std::string_view(data, len));
      return parsed.ok();
    });
  }
  if (!parsed.ok()) return parsed.take_error();
  if (!ok) return make_error(ErrorCode::kInvalidArgument, "上传中断 / the upload was interrupted");
  WENKU_TRY(parser.finish());
  if (!handler.sink_open()) return make_error(ErrorCode::kInvalidArgument, "没有文件 / no file field in the upload");
  auto& fields = handler.fields();
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
