// BlobStore: content-addressed storage of originals and derived files (PDFs, page images).
// A key is the SHA-256 of the content: the same bytes are stored once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::blob {

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Moves a finished temporary file whose SHA-256 the caller computed while writing it into
  // the store, durably (fsync file, rename, fsync directory). If the key exists already the
  // temporary file is removed. A remote store uploads it (and removes it after success).
  // Errors: kIo; remote stores also kCorrupt (the content does not hash to `sha256`;
  // nothing stored, the file kept), kUnavailable, kPermissionDenied.
  virtual Result<std::string> put_file(const std::filesystem::path& tmp_file, const std::string& sha256) = 0;
  // Stores bytes (small derived files). Errors: kIo, kUnavailable, kPermissionDenied.
  virtual Result<std::string> put_bytes(std::string_view data) = 0;
  // Errors: kNotFound, kIo; remote stores also kUnavailable, kPermissionDenied (so every
  // method below).
  virtual Result<std::string> read_all(const std::string& key) = 0;
  // Streams a blob in chunks. Errors: kNotFound, kIo.
  virtual Result<void> read_range(const std::string& key, uint64_t offset, uint64_t length,
                                  const std::function<bool(std::string_view)>& sink) = 0;
  virtual Result<bool> exists(const std::string& key) = 0;
  virtual Result<uint64_t> size(const std::string& key) = 0;
  // A local file with the blob's content, for tools that need a path (converter, renderer).
  // The file store returns its own file; a remote store downloads a new file into
  // `scratch_dir`, which the caller removes when done (the file store's must not be removed:
  // callers remove it only when it lies under their scratch dir).
  virtual Result<std::filesystem::path> local_path(const std::string& key,
                                                   const std::filesystem::path& scratch_dir) = 0;
  virtual Result<void> remove(const std::string& key) = 0;
  // Calls `fn` with every key and the modification time (unix seconds) of its content.
  virtual Result<void> for_each(const std::function<void(const std::string& key, int64_t mtime)>& fn) = 0;
  // Recomputes the hash of a blob and compares it with its key. Errors: kNotFound, kCorrupt.
  virtual Result<void> verify(const std::string& key) = 0;
};

// "file:///path/to/blobs" (embedded) or "s3://bucket/prefix?endpoint=...&region=..."
// (s3_blob_store.h). Errors: kInvalidArgument, kIo; for s3 also kPermissionDenied and
// kUnavailable.
Result<std::unique_ptr<BlobStore>> open_blob_store(const std::string& url);

bool is_valid_key(std::string_view key);
// Where a blob lies under the store's root, "aa/bb/KEY": the file store's directory and the
// S3 store's prefix alike (what a web server in front serves with X-Accel-Redirect).
// `key` must be valid.
std::string relative_path(std::string_view key);

}  // namespace wenku::blob
