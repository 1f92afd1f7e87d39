// Backup and restore of a library: the metadata through the store's online backup, the
// blobs streamed between blob stores and checked against their hashes.
#include "library/backup.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "blob/blob_store.h"
#include "core/clock.h"
#include "core/hash.h"
#include "store/metadata_store.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

// Marks a finished backup; written last, so a directory without it is an interrupted one.
constexpr const char* kManifest = "backup.json";
constexpr int kFormatVersion = 1;

// The stores of a directory with the data directory's layout, by the URLs Library::open uses.
std::string store_url(const DataDir& d) { return "sqlite://" + d.db().string(); }
std::string file_blob_url(const DataDir& d) { return d.blob_url(""); }

Result<void> fsync_path(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return make_error(ErrorCode::kIo, "cannot open " + p.string() + " to sync it");
  int rc = ::fsync(::fileno(f));
  std::fclose(f);
  if (rc != 0) return make_error(ErrorCode::kIo, "cannot sync " + p.string());
  return {};
}

// The blobs the metadata store at `store` refers to, copied from `from` into `to`.
Result<BackupFigures> copy_referenced_blobs(store::MetadataStore& store, blob::BlobStore& from,
                                            blob::BlobStore& to, const fs::path& scratch) {
  BackupFigures f;
  WENKU_ASSIGN_OR_RETURN(f.documents, store.count_documents({}));
  WENKU_ASSIGN_OR_RETURN(auto keys, store.referenced_blob_keys());
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

// Copies one blob between stores, streaming, and refuses it when its bytes do not match
// its key (a damaged source must not become a damaged backup).
Result<uint64_t> copy_blob(blob::BlobStore& from, blob::BlobStore& to, const std::string& key,
                           const fs::path& scratch) {
  WENKU_ASSIGN_OR_RETURN(bool there, to.exists(key));
  if (there) return to.size(key);
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

Result<BackupFigures> backup_library(Library& lib, const fs::path& out) {
  if (!is_empty_dir(out)) {
    return make_error(ErrorCode::kAlreadyExists, out.string() + " exists and is not empty: choose a new directory");
  }
  DataDir copy{out};
  std::error_code ec;
  fs::create_directories(copy.blobs(), ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + out.string() + ": " + ec.message());
  // The metadata first, as of one moment; then the blobs that snapshot refers to.
  WENKU_TRY(lib.store().backup_to(store_url(copy)));
  WENKU_ASSIGN_OR_RETURN(auto snapshot, store::open_metadata_store(store_url(copy)));
  WENKU_ASSIGN_OR_RETURN(auto blobs, blob::open_blob_store(file_blob_url(copy)));
  WENKU_ASSIGN_OR_RETURN(BackupFigures figures,
                         copy_referenced_blobs(*snapshot, lib.blobs(), *blobs, copy.blobs() / "tmp"));
  nlohmann::json manifest = {{"format", kFormatVersion},
                             {"created_at", now_unix()},
                             {"documents", figures.documents},
                             {"blobs", figures.blobs},
                             {"bytes", figures.bytes}};
  fs::path partial = out / (std::string(kManifest) + ".partial");
  {
    std::ofstream m(partial);
    m << manifest.dump(2) << "\n";
    if (!m) return make_error(ErrorCode::kIo, "cannot write the backup manifest");
  }
  WENKU_TRY(fsync_path(partial));
  fs::rename(partial, out / kManifest, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot finish the manifest: " + ec.message());
  return figures;
}

Result<BackupFigures> restore_files(const fs::path& backup, const DataDir& data, const std::string& blob_url) {
  std::error_code ec;
  if (!fs::exists(backup / kManifest, ec)) {
    return make_error(ErrorCode::kNotFound,
                      backup.string() + " is not a finished backup (no " + kManifest + ")");
  }
  if (fs::exists(data.db(), ec)) {
    return make_error(ErrorCode::kAlreadyExists,
                      data.root.string() + " already holds a library: restore into a new directory");
  }
  fs::create_directories(data.blobs(), ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + data.root.string() + ": " + ec.message());
  DataDir from{backup};
  WENKU_ASSIGN_OR_RETURN(auto snapshot, store::open_metadata_store(store_url(from)));
  WENKU_ASSIGN_OR_RETURN(auto src, blob::open_blob_store(file_blob_url(from)));
  WENKU_ASSIGN_OR_RETURN(auto dst, blob::open_blob_store(data.blob_url(blob_url)));
  WENKU_ASSIGN_OR_RETURN(BackupFigures figures,
                         copy_referenced_blobs(*snapshot, *src, *dst, data.blobs() / "tmp" / "restore"));
  WENKU_TRY(snapshot->backup_to(store_url(data)));
  return figures;
}

Result<CheckReport> finish_restore(Library& lib) {
  if (auto running = lib.store().running_jobs(); running.ok()) {
    for (const auto& [job, worker] : *running) (void)lib.store().release_job(job.id);
  }
  return lib.check();
}

}  // namespace wenku::library
