// Moving a library to other backends (`wenku migrate`): from the embedded default into
// PostgreSQL, an S3-compatible bucket and Xapian shards, or between any two configurations.
// Every row (but sessions and the day's rate-limit hits) keeps its number; every blob the
// rows refer to is copied and checked against its hash on both sides; the target's index
// is rebuilt from the stored text and the whole target verified as `wenku check` does.
// Resumable: the target remembers an unfinished migration (the site setting
// `migration_state`), and running it again finishes the job without duplicating anything.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "core/settings.h"
#include "library/library.h"

namespace wenku::library {

struct MigrateOptions {
  // Copy into a target that already holds another library (or a finished migration).
  bool force = false;
  // Called as the work advances: stage ("blobs", "rows", "index", "check"), done, total.
  std::function<void(const std::string& stage, int64_t done, int64_t total)> progress;
};

struct MigrateFigures {
  int64_t documents = 0;       // documents in the source
  int64_t rows = 0;            // rows read from the source
  int64_t rows_inserted = 0;   // rows the target did not hold yet
  int64_t blobs = 0;           // blobs copied or found there, each verified in the target
  uint64_t bytes = 0;
  bool resumed = false;        // the target held an unfinished migration
  CheckReport check;           // the target checked after the copy (index rebuilt there)
};

// Copies `from` (opened alone: no server may write to it meanwhile) into the backends of
// `to` (its metadata_url, blob_url and search_url; its `data` directory for what stays
// local). Errors: kInvalidArgument (the target is the source; a setting names a bad URL),
// kAlreadyExists (the target holds another library, without `force`), kUnavailable (a
// target backend does not answer: the message names its setting), kCorrupt (a source blob
// does not match its hash), kIo.
Result<MigrateFigures> migrate_library(Library& from, const Settings& to, const MigrateOptions& options);

}  // namespace wenku::library
