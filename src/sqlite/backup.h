// Online backup of a SQLite database into a new file (store snapshots, `wenku backup`).
#pragma once

#include <string>

#include "core/result.h"
#include "sqlite/database.h"

namespace wenku::sqlite {

// Copies the database `from` is connected to into a new file `to` with the online backup
// API, in one step: one read transaction on the source, so the copy is a snapshot even while
// other connections write (in WAL mode they go on meanwhile). The copy is synced and appears
// under its name only when complete. `from` must not be used by another thread meanwhile.
// Errors: kAlreadyExists (`to` exists), kIo.
Result<void> backup_to_file(Connection& from, const std::string& to);

}  // namespace wenku::sqlite
