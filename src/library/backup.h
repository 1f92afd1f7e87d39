// Backup and restore of a whole library (`wenku backup`, `wenku restore`): a consistent copy
// made while the server runs (a snapshot of the metadata by the store's own online backup,
// then every blob that snapshot refers to, each checked against its hash), and bringing such
// a copy back into a new data directory. A backup directory has the data directory's layout
// (the metadata store and blobs/) plus backup.json, written last: a directory without it is
// an unfinished backup. The search index is not copied: a restore rebuilds it.
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/result.h"
#include "library/data_dir.h"
#include "library/library.h"

namespace wenku::blob {
class BlobStore;
}

namespace wenku::library {

struct BackupFigures {
  int64_t documents = 0;
  int64_t blobs = 0;
  uint64_t bytes = 0;
};

// Copies `lib` into `out`, a new or empty directory, while others may go on writing.
// Errors: kAlreadyExists (`out` is not empty), kCorrupt (a blob does not match its hash), kIo.
Result<BackupFigures> backup_library(Library& lib, const std::filesystem::path& out);

// Restore, first half: copies the backup at `backup` into the data directory `data`, which
// must not hold a library yet; its blobs go to the store at `blob_url` (the setting: empty
// is the data directory's own blobs/, an s3:// URL a bucket). Blobs first, the metadata last: an interrupted restore leaves
// no library behind, so it can simply be run again.
// Errors: kNotFound (not a finished backup), kAlreadyExists (`data` holds a library),
// kCorrupt, kIo.
Result<BackupFigures> restore_files(const std::filesystem::path& backup, const DataDir& data,
                                    const std::string& blob_url = "");

// Restore, second half, on the library opened over the restored directory: jobs that were
// running when the backup was taken belong to workers of another time (and maybe machine),
// so they run again; the search index is rebuilt and everything verified as `wenku check`
// does (CheckReport::remaining is what could not be repaired).
Result<CheckReport> finish_restore(Library& lib);

// Copies one blob between stores through a file in `scratch` (a directory), refusing
// bytes that do not match the key (a damaged source must not become a damaged copy); a
// blob the target already holds is left as it is. Returns its size. Used by backup,
// restore and migrate. Errors: kCorrupt, kNotFound, kIo.
Result<uint64_t> copy_blob(blob::BlobStore& from, blob::BlobStore& to, const std::string& key,
                           const std::filesystem::path& scratch);

}  // namespace wenku::library
