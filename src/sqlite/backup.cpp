// Online backup of a SQLite database into a new file.
#include "sqlite/backup.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace wenku::sqlite {

namespace fs = std::filesystem;

namespace {

Result<void> fsync_path(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return make_error(ErrorCode::kIo, "cannot open " + p.string() + " to sync it");
  int rc = ::fsync(::fileno(f));
  std::fclose(f);
  if (rc != 0) return make_error(ErrorCode::kIo, "cannot sync " + p.string());
  return {};
}

}  // namespace

Result<void> backup_to_file(Connection& from, const std::string& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) return make_error(ErrorCode::kAlreadyExists, to + " already exists");
  fs::path partial = to + ".partial";
  fs::remove(partial, ec);
  std::string failed;
  {
    WENKU_ASSIGN_OR_RETURN(std::unique_ptr<Connection> dst, Connection::open(partial.string()));
    sqlite3_backup* b = sqlite3_backup_init(dst->raw(), "main", from.raw(), "main");
    if (b == nullptr) {
      failed = "cannot start the backup into " + to + ": " + sqlite3_errmsg(dst->raw());
    } else {
      int rc = SQLITE_OK;
      for (int attempt = 0; attempt < 200; ++attempt) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      sqlite3_backup_finish(b);
      if (rc != SQLITE_DONE) failed = "backup into " + to + " failed: " + sqlite3_errmsg(dst->raw());
    }
  }  // the copy's connection is closed before its file is removed or renamed
  if (!failed.empty()) {
    fs::remove(partial, ec);
    return make_error(ErrorCode::kIo, failed);
  }
  WENKU_TRY(fsync_path(partial));
  fs::rename(partial, to, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot rename " + partial.string() + ": " + ec.message());
  return {};
}

}  // namespace wenku::sqlite
