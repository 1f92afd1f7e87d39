// The data directory's layout (DESIGN.md §4) and this process's private scratch space.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "core/result.h"

namespace wenku::library {

struct DataDir {
  std::filesystem::path root;
  std::filesystem::path db() const { return root / "wenku.db"; }
  std::filesystem::path blobs() const { return root / "blobs"; }
  std::filesystem::path index() const { return root / "index"; }
  std::filesystem::path tmp() const { return root / "tmp"; }
  std::filesystem::path work() const { return root / "work"; }
  // The metadata store's URL: the `metadata_url` setting when set (PostgreSQL), else the
  // SQLite file here.
  std::string metadata_url(const std::string& configured) const {
    return configured.empty() ? "sqlite://" + db().string() : configured;
  }
  // The blob store's URL: the `blob_url` setting when set (S3-compatible storage), else the
  // blobs/ directory here.
  std::string blob_url(const std::string& configured) const {
    return configured.empty() ? "file://" + blobs().string() : configured;
  }
  // The search index's URL: the `search_url` setting when set (xapian:///path, or shards
  // xapian+tcp://h1:p1,h2:p2), else the embedded FTS5 index in index/ here.
  std::string search_url(const std::string& configured) const {
    return configured.empty() ? "sqlite://" + (index() / "search.db").string() : configured;
  }
};

// Creates the layout. Errors: kIo.
Result<void> prepare_data_dir(const DataDir& dir);

// A scratch directory under tmp/ owned by this process: it holds an flock on its own lock
// file for its whole life, so a later process can tell the leftovers of a dead one (lock
// free: removed at start) from those of a live one (lock held: kept).
class ScratchDir {
 public:
  // Errors: kIo.
  static Result<std::unique_ptr<ScratchDir>> create(const std::filesystem::path& tmp_root);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // A fresh file name inside (not created).
  std::filesystem::path new_file(std::string_view suffix = "");

 private:
  ScratchDir(std::filesystem::path p, int fd) : path_(std::move(p)), lock_fd_(fd) {}
  std::filesystem::path path_;
  int lock_fd_;
  std::atomic<uint64_t> counter_{0};  // upload threads take names at once
};

// Removes scratch directories of processes that are gone. Returns how many.
int clean_dead_scratch(const std::filesystem::path& tmp_root);

// An advisory lock on the whole data directory: serve/import/worker processes hold it
// shared; `check` takes it exclusive (non-blocking) to know nobody else is writing.
class DataLock {
 public:
  enum class Mode { kShared, kExclusive };
  // Returns nullptr (no error) when kExclusive is not available right now.
  static Result<std::unique_ptr<DataLock>> acquire(const DataDir& dir, Mode mode);
  ~DataLock();
  DataLock(const DataLock&) = delete;
  DataLock& operator=(const DataLock&) = delete;

 private:
  explicit DataLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace wenku::library
