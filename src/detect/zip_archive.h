// A read-only ZIP archive over a ByteSource (libzip), with entry-count and byte budgets.
#pragma once

#include <zip.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detect/byte_source.h"

namespace wenku::detect {

class ZipArchive {
 public:
  // Opens the archive. `max_entries` bounds the central directory (zip bombs of names).
  // Errors: kCorrupt (no readable central directory), kTooLarge (too many entries).
  static Result<ZipArchive> open(const ByteSource& src, uint64_t max_entries);

  // Member names as stored, with '\' turned into '/' and a leading '/' dropped.
  const std::vector<std::string>& names() const { return names_; }
  // Index of a member: exact name first, then a case-insensitive match.
  std::optional<uint64_t> find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name).has_value(); }

  // The whole content of a member, at most `max_bytes`; every read also draws on the
  // archive's total budget (set_budget), the defence against zip bombs.
  // Errors: kNotFound, kTooLarge (member or budget), kEncrypted, kCorrupt (CRC, inflate).
  Result<std::string> read(std::string_view name, uint64_t max_bytes) const;
  Result<std::string> read_index(uint64_t index, uint64_t max_bytes) const;

  // The uncompressed size the central directory declares for a member (reads never go past
  // it: read_index with this as max_bytes). Errors: kCorrupt.
  Result<uint64_t> declared_size(uint64_t index) const;

  void set_budget(uint64_t bytes) { budget_ = bytes; }
  uint64_t budget_left() const { return budget_; }

 private:
  struct Closer {
    void operator()(zip_t* z) const { zip_discard(z); }
  };
  std::unique_ptr<zip_t, Closer> zip_;
  std::vector<std::string> names_;
  mutable uint64_t budget_ = UINT64_MAX;
};

}  // namespace wenku::detect
