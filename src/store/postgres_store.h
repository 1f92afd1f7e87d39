// The MetadataStore on PostgreSQL 15 (libpq), for sites that run on several machines.
#pragma once

#include <memory>
#include <string>

#include "store/metadata_store.h"

namespace wenku::store {

// Opens (migrating) the database at a libpq URI, "postgresql://user:pass@host:port/db?..."
// or "postgres://...", with a pool of at most `connections` connections. Errors:
// kInvalidArgument (a malformed URL), kUnavailable (unreachable), both naming metadata_url.
Result<std::unique_ptr<MetadataStore>> open_postgres_store(const std::string& url, int connections);

}  // namespace wenku::store
