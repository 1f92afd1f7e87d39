// Ingest: uploads and imports into the blob store and the metadata store.
#include "library/ingest.h"

#include <cstdio>

#include "blob/blob_store.h"
#include "core/formats.h"
#include "detect/byte_source.h"
#include "detect/zip_archive.h"
#include "core/strings.h"
#include "library/data_dir.h"
#include "library/job_kinds.h"
#include "library/site_settings.h"
#include "library/upload.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

// An uploaded file's name as a title: what follows the last path separator, without control
// characters (NUL, newlines), at most 255 characters. Names are data from strangers.
std::string clean_file_name(std::string_view raw) {
  std::string s = sanitize_utf8(raw);
  size_t cut = s.find_last_of("/\\");
  if (cut != std::string::npos) s = s.substr(cut + 1);
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
  }
  out = utf8_prefix(trim(out), 255);
  return out.empty() || out == "." || out == ".." ? std::string("document") : out;
}

}  // namespace

bool Ingest::holds_for_review(const ImportRequest& request) {
  return request.via_site && !request.by_staff && site_.config().review_before_publish;
}

Result<std::unique_ptr<UploadWriter>> Ingest::begin_upload(bool via_site) {
  uint64_t limit = via_site ? site_.config().max_upload_bytes() : static_cast<uint64_t>(settings_.get_int("max_upload_bytes"));
  WENKU_ASSIGN_OR_RETURN(auto w, FileUploadWriter::create(scratch_.new_file(".upload"), limit));
  return std::unique_ptr<UploadWriter>(std::move(w));
}

Result<ImportOutcome> Ingest::commit_upload(std::unique_ptr<UploadWriter> upload, const ImportRequest& request) {
  auto* file = dynamic_cast<FileUploadWriter*>(upload.get());
  if (file == nullptr) return make_error(ErrorCode::kInternal, "foreign upload writer");
  if (file->size() == 0) {
    return make_error(ErrorCode::kInvalidArgument, "文件是空的 / the file is empty");
  }
  WENKU_ASSIGN_OR_RETURN(std::string sha, file->finish());
  WENKU_ASSIGN_OR_RETURN(auto existing, store_.find_by_sha256(sha));
  if (existing) return ImportOutcome{existing->id, true, false};

  WENKU_ASSIGN_OR_RETURN(std::string key, blobs_.put_file(file->path(), sha));
  store::NewDocument doc;
  doc.original_name = clean_file_name(request.original_name);
  doc.title = sanitize_utf8(request.title.empty() ? doc.original_name : request.title);
  doc.external_id = request.external_id;
  doc.category_path = request.category;
  doc.description = request.description;
  doc.tags = request.tags;
  doc.uploader_name = request.uploader_name;
  doc.uploader_id = request.uploader_id;
  doc.size = static_cast<int64_t>(file->size());
  doc.sha256 = sha;
  doc.blob_key = key;
  doc.visibility = request.visibility;
  doc.hold_for_review = holds_for_review(request);
  // The row, its first job and its review hold are one transaction: once this returns the
  // upload is durable, and no crash can leave it published before review.
  WENKU_ASSIGN_OR_RETURN(int64_t id, store_.create_document(doc, {kJobExtract, 0, 0,
                                                                   static_cast<int>(settings_.get_int("job_max_attempts"))}));
  if (notify_) notify_();
  return ImportOutcome{id, false, doc.hold_for_review};
}

Result<ImportOutcome> Ingest::import_file(const fs::path& path, ImportRequest request) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return make_error(ErrorCode::kNotFound, "不是可读的文件 / not a readable file: " + path.string());
  }
  FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) {
    return make_error(ErrorCode::kNotFound, "无法读取 / cannot read: " + path.string());
  }
  WENKU_ASSIGN_OR_RETURN(auto upload, begin_upload());
  std::string buf(256 * 1024, '\0');
  for (;;) {
    size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n > 0) {
      auto w = upload->write(std::string_view(buf.data(), n));
      if (!w.ok()) {
        std::fclose(in);
        return w.take_error();
      }
    }
    if (n < buf.size()) break;
  }
  bool read_error = std::ferror(in) != 0;
  std::fclose(in);
  if (read_error) return make_error(ErrorCode::kIo, "读取失败 / read error: " + path.string());
  if (request.original_name.empty()) request.original_name = path.filename().string();
  return commit_upload(std::move(upload), request);
}

Result<ImportOutcome> Ingest::import_text(std::string_view utf8_text, ImportRequest request) {
  WENKU_ASSIGN_OR_RETURN(auto upload, begin_upload());
  WENKU_TRY(upload->write(utf8_text));
  if (request.original_name.empty()) {
    request.original_name = (request.title.empty() ? std::string("text") : request.title) + ".txt";
  }
  return commit_upload(std::move(upload), request);
}

Result<std::vector<BatchItem>> Ingest::import_archive(std::unique_ptr<UploadWriter> upload, const ImportRequest& base) {
  auto* file = dynamic_cast<FileUploadWriter*>(upload.get());
  if (file == nullptr) return make_error(ErrorCode::kInternal, "foreign upload writer");
  if (file->size() == 0) return make_error(ErrorCode::kInvalidArgument, "文件是空的 / the file is empty");
  WENKU_TRY(file->finish());
  const fs::path path = file->path();
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(p, ec);
    }
  } cleanup{path};
  detect::FileSource src(path);
  if (!src.ok()) return make_error(ErrorCode::kIo, "cannot read the upload");
  WENKU_ASSIGN_OR_RETURN(auto zip, detect::ZipArchive::open(src, kMaxBatchFiles * 4));
  const SiteConfig site = site_.config();
  const uint64_t per_file = base.via_site ? site.max_upload_bytes() : static_cast<uint64_t>(settings_.get_int("max_upload_bytes"));
  // 1. The whole archive is checked before any file is taken.
  std::vector<uint64_t> files;
  uint64_t total = 0;
  for (uint64_t i = 0; i < zip.names().size(); ++i) {
    const std::string& name = zip.names()[i];
    if (name.find('\0') != std::string::npos || name == ".." || name.rfind("../", 0) == 0 ||
        name.find("/../") != std::string::npos || (name.size() >= 3 && name.compare(name.size() - 3, 3, "/..") == 0)) {
      return make_error(ErrorCode::kInvalidArgument, "压缩包中有越出目录的文件名（" + sanitize_utf8(name) +
                                                         "） / the ZIP has a name that climbs out of it: " + sanitize_utf8(name));
    }
    if (name.empty() || name.back() == '/') continue;  // a folder
    WENKU_ASSIGN_OR_RETURN(uint64_t size, zip.declared_size(i));
    if (size > per_file) {
      return make_error(ErrorCode::kTooLarge, "压缩包中的文件 " + sanitize_utf8(name) + " 超过上传大小限制 / " +
                                                  sanitize_utf8(name) + " in the ZIP is over the upload limit");
    }
    total += size;
    files.push_back(i);
  }
  if (files.size() > kMaxBatchFiles) {
    return make_error(ErrorCode::kTooLarge, "压缩包中的文件太多（" + std::to_string(files.size()) + "，最多 " +
                                                std::to_string(kMaxBatchFiles) + "） / too many files in the ZIP: " +
                                                std::to_string(files.size()) + " (at most " + std::to_string(kMaxBatchFiles) + ")");
  }
  if (total > kMaxBatchBytes || total > kMaxBatchRatio * std::max<uint64_t>(src.size(), 1) + (1u << 20)) {
    return make_error(ErrorCode::kTooLarge, "压缩包解压后过大（疑似压缩炸弹） / the ZIP unpacks to too much (" +
                                                std::to_string(total) + " bytes from " + std::to_string(src.size()) +
                                                "): refused as a zip bomb");
  }
  if (files.empty()) return make_error(ErrorCode::kInvalidArgument, "压缩包里没有文件 / the ZIP holds no files");
  // 2. Each file as its own upload.
  std::vector<BatchItem> out;
  const std::string allowed = "," + site.upload_formats + ",";
  for (uint64_t i : files) {
    BatchItem item;
    item.name = clean_file_name(zip.names()[i]);
    auto fail = [&](const Error& e) {
      item.error_code = e.code;
      item.error = e.message;
      out.push_back(item);
    };
    const std::string ext = to_lower_ascii(fs::path(item.name).extension().string());
    if (base.via_site && !site.upload_formats.empty() &&
        (ext.size() < 2 || allowed.find("," + ext.substr(1) + ",") == std::string::npos)) {
      fail(make_error(ErrorCode::kUnsupportedFormat, "不接受此格式 / this format is not accepted here"));
      continue;
    }
    WENKU_ASSIGN_OR_RETURN(uint64_t declared, zip.declared_size(i));
    auto bytes = zip.read_index(i, declared);
    if (!bytes.ok()) {
      fail(bytes.error());
      continue;
    }
    auto writer = begin_upload(base.via_site);
    if (!writer.ok()) return writer.error();
    if (auto w = (*writer)->write(*bytes); !w.ok()) {
      fail(w.error());
      continue;
    }
    ImportRequest r = base;
    r.title.clear();
    r.original_name = item.name;
    auto done = commit_upload(std::move(writer).value(), r);
    if (!done.ok()) {
      fail(done.error());
      continue;
    }
    item.ok = true;
    item.outcome = *done;
    out.push_back(item);
  }
  return out;
}

}  // namespace wenku::library
