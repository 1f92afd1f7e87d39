// `wenku backup` and `wenku restore`: a consistent copy of a data directory made while the
// server runs (SQLite online backup of the metadata, then every blob that copy refers to,
// each verified against its hash), and bringing such a copy back into an empty directory.
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "blob/blob_store.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/clock.h"
#include "core/hash.h"
#include "store/metadata_store.h"

namespace wenku::cli {

namespace fs = std::filesystem;

namespace {

// Marks a finished backup; written last, so a directory without it is an interrupted one.
constexpr const char* kManifest = "backup.json";
constexpr int kFormatVersion = 1;

Result<void> fsync_path(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return make_error(ErrorCode::kIo, "cannot open " + p.string() + " to sync it");
  int rc = ::fsync(::fileno(f));
  std::fclose(f);
  if (rc != 0) return make_error(ErrorCode::kIo, "cannot sync " + p.string());
  return {};
}

// Copies one SQLite database into a new file with the online backup API, in one step: one
// read transaction on the source, so the copy is a snapshot even while a server writes (in
// WAL mode writers go on meanwhile). The copy appears under its name only when complete.
Result<void> sqlite_copy(const fs::path& from, const fs::path& to) {
  fs::path partial = to.string() + ".partial";
  std::error_code ec;
  fs::remove(partial, ec);
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close_both = [&] {
    sqlite3_close(src);
    sqlite3_close(dst);
  };
  if (sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(partial.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(src ? src : dst);
    close_both();
    return make_error(ErrorCode::kIo, "cannot open " + from.string() + " or " + partial.string() + ": " + why);
  }
  sqlite3_busy_timeout(src, 10000);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (b == nullptr) {
    std::string why = sqlite3_errmsg(dst);
    close_both();
    return make_error(ErrorCode::kIo, "cannot start the backup of " + from.string() + ": " + why);
  }
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 200; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(b);
  std::string why = sqlite3_errmsg(dst);
  close_both();
  if (rc != SQLITE_DONE) {
    fs::remove(partial, ec);
    return make_error(ErrorCode::kIo, "backup of " + from.string() + " failed: " + why);
  }
  WENKU_TRY(fsync_path(partial));
  fs::rename(partial, to, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot rename " + partial.string() + ": " + ec.message());
  return {};
}

// Copies one blob between stores, streaming, and refuses it when its bytes do not match
// its key (a damaged source must not become a damaged backup).
Result<uint64_t> copy_blob(blob::BlobStore& from, blob::BlobStore& to, const std::string& key,
                           const fs::path& scratch) {
  if (*to.exists(key)) return to.size(key);
  fs::path tmp = scratch / ("copy-" + key);
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return make_error(ErrorCode::kIo, "cannot write " + tmp.string());
  Sha256 hash;
  uint64_t bytes = 0;
  WENKU_TRY(from.read_range(key, 0, UINT64_MAX, [&](std::string_view chunk) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    hash.update(chunk);
    bytes += chunk.size();
    return static_cast<bool>(out);
  }));
  out.close();
  std::error_code ec;
  if (!out) {
    fs::remove(tmp, ec);
    return make_error(ErrorCode::kIo, "cannot write " + tmp.string() + " (disk full?)");
  }
  if (hash.hex() != key) {
    fs::remove(tmp, ec);
    return make_error(ErrorCode::kCorrupt, "blob " + key + " does not match its hash");
  }
  auto put = to.put_file(tmp, key);
  if (!put.ok()) {
    fs::remove(tmp, ec);
    return put.take_error();
  }
  return bytes;
}

struct CopyFigures {
  int64_t documents = 0;
  int64_t blobs = 0;
  uint64_t bytes = 0;
};

// The blobs the metadata at `db` refers to, copied from `from` into `to`.
Result<CopyFigures> copy_referenced_blobs(const fs::path& db, blob::BlobStore& from, blob::BlobStore& to,
                                          const fs::path& scratch) {
  CopyFigures f;
  WENKU_ASSIGN_OR_RETURN(auto meta, store::open_metadata_store("sqlite://" + db.string()));
  WENKU_ASSIGN_OR_RETURN(f.documents, meta->count_documents({}));
  WENKU_ASSIGN_OR_RETURN(auto keys, meta->referenced_blob_keys());
  std::error_code ec;
  fs::create_directories(scratch, ec);
  for (const auto& key : keys) {
    auto n = copy_blob(from, to, key, scratch);
    if (!n.ok()) return make_error(n.error().code, "blob " + key + ": " + n.error().message);
    ++f.blobs;
    f.bytes += *n;
  }
  fs::remove_all(scratch, ec);
  return f;
}

bool is_empty_dir(const fs::path& p) {
  std::error_code ec;
  return !fs::exists(p, ec) || (fs::is_directory(p, ec) && fs::is_empty(p, ec));
}

}  // namespace

int backup_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku backup [--data DIR] OUT\n\n"
      "Copies the data directory into the new directory OUT while the server may run: a snapshot\n"
      "of the metadata (SQLite online backup) and every stored file it refers to, each checked\n"
      "against its hash. The search index is rebuilt by `wenku restore`. OUT/backup.json is\n"
      "written last: a directory without it is an unfinished backup.\n";
  auto args = parse_args(argv, with_common({{}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 1) return usage_error("backup needs one output directory", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  fs::path out = args->positionals[0];
  if (!is_empty_dir(out)) {
    std::cerr << "wenku: " << out.string() << " exists and is not empty: choose a new directory\n";
    return kExitFailure;
  }
  auto lib = open_library(*settings, {.workers = false});
  if (!lib) return kExitFailure;
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(out / "blobs", ec);
  if (ec) {
    std::cerr << "wenku: cannot create " << out.string() << ": " << ec.message() << "\n";
    return kExitFailure;
  }
  auto fail = [&](const Error& e) {
    std::cerr << "wenku: backup failed: " << e.message << "\n";
    return kExitFailure;
  };
  if (auto r = sqlite_copy(lib->data_dir().db(), out / "wenku.db"); !r.ok()) return fail(r.error());
  auto dst = blob::open_blob_store("file://" + (out / "blobs").string());
  if (!dst.ok()) return fail(dst.error());
  auto figures = copy_referenced_blobs(out / "wenku.db", lib->blobs(), **dst, out / "blobs" / "tmp");
  if (!figures.ok()) return fail(figures.error());
  nlohmann::json manifest = {{"format", kFormatVersion},
                             {"created_at", now_unix()},
                             {"documents", figures->documents},
                             {"blobs", figures->blobs},
                             {"bytes", figures->bytes}};
  {
    std::ofstream m(out / (std::string(kManifest) + ".partial"));
    m << manifest.dump(2) << "\n";
    if (!m) return fail(make_error(ErrorCode::kIo, "cannot write the backup manifest"));
  }
  if (auto r = fsync_path(out / (std::string(kManifest) + ".partial")); !r.ok()) return fail(r.error());
  fs::rename(out / (std::string(kManifest) + ".partial"), out / kManifest, ec);
  if (ec) return fail(make_error(ErrorCode::kIo, "cannot finish the manifest: " + ec.message()));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "backup: documents=" << figures->documents << " blobs=" << figures->blobs
            << " bytes=" << figures->bytes << " seconds=" << secs << " out=" << out.string() << "\n";
  return kExitOk;
}

int restore_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku restore [--data DIR] BACKUP\n\n"
      "Brings a backup made by `wenku backup` into DIR, which must not hold a library yet:\n"
      "copies the metadata and every stored file (checked against its hash), then rebuilds the\n"
      "search index and verifies the result as `wenku check` does.\n";
  auto args = parse_args(argv, with_common({{}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 1) return usage_error("restore needs one backup directory", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  fs::path backup = args->positionals[0];
  std::error_code ec;
  if (!fs::exists(backup / kManifest, ec)) {
    std::cerr << "wenku: " << backup.string() << " is not a finished backup (no " << kManifest << ")\n";
    return kExitFailure;
  }
  fs::path data = settings->data_dir();
  if (fs::exists(data / "wenku.db", ec)) {
    std::cerr << "wenku: " << data.string() << " already holds a library: restore into a new directory\n";
    return kExitFailure;
  }
  auto fail = [&](const Error& e) {
    std::cerr << "wenku: restore failed: " << e.message << "\n";
    return kExitFailure;
  };
  auto started = std::chrono::steady_clock::now();
  fs::create_directories(data / "blobs", ec);
  if (ec) return fail(make_error(ErrorCode::kIo, "cannot create " + data.string() + ": " + ec.message()));
  {
    // Blobs first, the metadata last: an interrupted restore leaves no wenku.db, so it can
    // simply be run again.
    auto src = blob::open_blob_store("file://" + (backup / "blobs").string());
    auto dst = blob::open_blob_store("file://" + (data / "blobs").string());
    if (!src.ok()) return fail(src.error());
    if (!dst.ok()) return fail(dst.error());
    auto figures = copy_referenced_blobs(backup / "wenku.db", **src, **dst, data / "blobs" / "tmp" / "restore");
    if (!figures.ok()) return fail(figures.error());
    if (auto r = sqlite_copy(backup / "wenku.db", data / "wenku.db"); !r.ok()) return fail(r.error());
  }
  auto lib = open_library(*settings, {.workers = false, .exclusive = true});
  if (!lib) return kExitFailure;
  // Jobs that were running when the backup was taken belong to workers of another time (and
  // maybe machine): they run again here.
  if (auto running = lib->store().running_jobs(); running.ok()) {
    for (const auto& [job, worker] : *running) (void)lib->store().release_job(job.id);
  }
  auto report = lib->check();
  if (!report.ok()) return fail(report.error());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "restore: documents=" << report->documents << " blobs=" << report->blobs
            << " indexed=" << report->indexed << " remaining=" << report->remaining << " seconds=" << secs
            << "\n";
  return report->remaining == 0 ? kExitOk : kExitFailure;
}

}  // namespace wenku::cli
