// A small, bounded reader of OLE2 Compound File directories and streams (doc, xls, ppt, ...).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/byte_source.h"

namespace wenku::detect {

struct Ole2Entry {
  std::string name;      // UTF-8
  int type = 0;          // 1 storage, 2 stream, 5 root
  uint32_t start = 0;    // first sector
  uint64_t size = 0;     // stream size in bytes
  uint32_t left = 0xFFFFFFFF, right = 0xFFFFFFFF, child = 0xFFFFFFFF;  // directory tree links
  bool top_level = false;  // a direct child of the root storage
};

// Reads the directory of a compound file. Every chain walk is bounded by the number of
// sectors in the file, so loops and bogus sizes in hostile files end in kCorrupt.
class Ole2Reader {
 public:
  static constexpr uint32_t kMaxEntries = 65536;

  // Errors: kCorrupt (not a compound file, or its header/FAT/directory is damaged).
  static Result<Ole2Reader> open(const ByteSource& src);

  const std::vector<Ole2Entry>& entries() const { return entries_; }
  // A stream or storage with this name directly under the root (case-insensitive, as OLE2
  // compares); embedded objects in sub-storages do not count.
  const Ole2Entry* find(std::string_view name) const;
  // Up to `max_bytes` of a stream's content. Errors: kCorrupt (broken sector chain).
  Result<std::string> read_stream(const Ole2Entry& e, size_t max_bytes) const;

 private:
  explicit Ole2Reader(const ByteSource& src) : src_(&src) {}
  Result<std::vector<uint32_t>> chain(uint32_t start, const std::vector<uint32_t>& fat,
                                      size_t max_len) const;
  Result<std::string> read_chain(uint32_t start, uint64_t size, size_t max_bytes) const;

  const ByteSource* src_;
  uint32_t sector_shift_ = 9;
  uint32_t mini_shift_ = 6;
  uint32_t mini_cutoff_ = 4096;
  uint64_t sector_count_ = 0;
  std::vector<uint32_t> fat_;
  std::vector<uint32_t> mini_fat_;
  uint32_t mini_stream_start_ = 0;
  uint64_t mini_stream_size_ = 0;
  std::vector<Ole2Entry> entries_;
};

}  // namespace wenku::detect
