// Ingest: what enters the library. Streams an upload to scratch (hash on the way, the
// effective upload limit enforced), moves it into the blob store and writes the document
// row, its first job and, when the site reviews before publishing, its review hold, all in
// one transaction. Owns the rule "who is held for review" and the clean-up of uploaded
// file names. May call: store, blob, site settings.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/types.h"

namespace wenku::blob {
class BlobStore;
}

namespace wenku::library {

class ScratchDir;
class SiteSettings;

struct ImportRequest {
  std::string title;          // "" = the file name
  std::string original_name;  // the file name as uploaded
  std::string external_id;
  std::string category;       // "办公文档/事务文书"
  std::string description;
  std::vector<std::string> tags;
  std::string uploader_name;
  int64_t uploader_id = 0;
  Visibility visibility = Visibility::kPublic;
  // An upload through the web site (the admin's upload limit applies, and one by someone
  // who is not staff is held for review when review_before_publish is on). Imports from
  // the command line are never held and have the configuration's limit.
  bool via_site = false;
  bool by_staff = false;
};

struct ImportOutcome {
  int64_t id = 0;             // the new document, or the original of a duplicate
  bool duplicate = false;
  bool held_for_review = false;
};

// Bytes of an upload on their way to the blob store: written to this process's scratch
// directory with the SHA-256 computed on the way and the size limit enforced.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;
  // Errors: kTooLarge, kIo.
  virtual Result<void> write(std::string_view chunk) = 0;
  virtual uint64_t size() const = 0;
};

// One file of a batch (a ZIP of files): its name in the archive and its document, or why
// it was not taken.
struct BatchItem {
  std::string name;
  ImportOutcome outcome;        // when ok
  bool ok = false;
  ErrorCode error_code = ErrorCode::kInternal;
  std::string error;            // English and Chinese, for the status row
};

// Bounds of a batch upload (a ZIP of files), beside the upload limit each file keeps.
inline constexpr uint64_t kMaxBatchFiles = 500;
inline constexpr uint64_t kMaxBatchBytes = 4ull << 30;  // uncompressed, all files together
inline constexpr uint64_t kMaxBatchRatio = 200;         // uncompressed / compressed (zip bombs)

class Ingest {
 public:
  Ingest(const Settings& settings, store::MetadataStore& store, blob::BlobStore& blobs, ScratchDir& scratch,
         SiteSettings& site, std::function<void()> notify)
      : settings_(settings), store_(store), blobs_(blobs), scratch_(scratch), site_(site), notify_(std::move(notify)) {}

  // Upload path: begin, write chunks, commit. The limit is the effective one (the admin's
  // max_upload_mb within the configuration's max_upload_bytes). commit() stores the blob
  // and writes the row, its job and its review hold in one transaction; an exact
  // duplicate (same SHA-256) returns the original. Errors: kInvalidArgument (empty file),
  // kTooLarge, kIo.
  Result<std::unique_ptr<UploadWriter>> begin_upload(bool via_site = false);
  Result<ImportOutcome> commit_upload(std::unique_ptr<UploadWriter> upload, const ImportRequest& request);
  // Convenience over the upload path. Errors as above plus kNotFound for a missing path.
  Result<ImportOutcome> import_file(const std::filesystem::path& path, ImportRequest request);
  Result<ImportOutcome> import_text(std::string_view utf8_text, ImportRequest request);
  // A batch: every file of the uploaded ZIP becomes its own document with `base`'s
  // category, tags and visibility (its title its own name). The archive is refused whole,
  // before any file is taken, when a name climbs out (".." or a NUL), it holds more than
  // kMaxBatchFiles files, a file declares more than the upload limit, or all of them more
  // than kMaxBatchBytes or kMaxBatchRatio times the archive's size; folders are skipped
  // and a ZIP inside is taken as a file, not expanded. A file that fails (empty, a format
  // the site refuses, bigger than it declared) has its own error in its item.
  // Errors: kCorrupt (not a ZIP), kInvalidArgument, kTooLarge, kIo.
  Result<std::vector<BatchItem>> import_archive(std::unique_ptr<UploadWriter> upload, const ImportRequest& base);

  // True when an upload of `request` is held for review now.
  bool holds_for_review(const ImportRequest& request);

 private:
  const Settings& settings_;
  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  ScratchDir& scratch_;
  SiteSettings& site_;
  std::function<void()> notify_;
};

}  // namespace wenku::library
