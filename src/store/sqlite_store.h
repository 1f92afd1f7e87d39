// The embedded MetadataStore: one SQLite file in WAL mode.
#pragma once

#include <memory>
#include <string>

#include "store/metadata_store.h"

namespace wenku::store {

// Opens (creating and migrating) the database at `path`. Errors: kIo, kInvalidArgument.
Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::string& path);

}  // namespace wenku::store
