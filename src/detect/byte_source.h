// Random-access byte sources (a file or a memory buffer) so parsers read only what they need.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace wenku::detect {

// Reads byte ranges; a short read at the end of the data is not an error.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies up to `n` bytes at `offset` into `out`; returns how many were copied.
  virtual size_t read_at(uint64_t offset, void* out, size_t n) const = 0;
  // At most `n` bytes from `offset` as a string.
  std::string read_string(uint64_t offset, size_t n) const;
};

// A view of bytes owned by someone else.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  size_t read_at(uint64_t offset, void* out, size_t n) const override;

 private:
  std::string_view data_;
};

// A file read with pread(2); `ok()` is false when it could not be opened.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  bool ok() const { return fd_ >= 0; }
  uint64_t size() const override { return size_; }
  size_t read_at(uint64_t offset, void* out, size_t n) const override;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace wenku::detect
