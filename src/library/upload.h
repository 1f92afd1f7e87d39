// The file-backed UploadWriter: streams bytes to scratch with the hash computed on the way.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/hash.h"
#include "library/ingest.h"

namespace wenku::library {

class FileUploadWriter final : public UploadWriter {
 public:
  // Errors: kIo.
  static Result<std::unique_ptr<FileUploadWriter>> create(std::filesystem::path path, uint64_t max_bytes);
  ~FileUploadWriter() override;

  Result<void> write(std::string_view chunk) override;
  uint64_t size() const override { return size_; }

  // Flushes and closes the file; returns its SHA-256. Errors: kIo.
  Result<std::string> finish();
  const std::filesystem::path& path() const { return path_; }

 private:
  FileUploadWriter(std::filesystem::path p, int fd, uint64_t max) : path_(std::move(p)), fd_(fd), max_(max) {}
  std::filesystem::path path_;
  int fd_;
  uint64_t max_;
  uint64_t size_ = 0;
  Sha256 hash_;
};

}  // namespace wenku::library
