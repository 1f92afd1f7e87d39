// Numbered schema migrations, applied in order at start; PRAGMA user_version records the last.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "sqlite/database.h"

namespace wenku::store {

// Migration N is migrations()[N-1]; append new ones, never edit applied ones.
const std::vector<std::string_view>& migrations();

// Applies the migrations the database has not seen yet, each in its own transaction.
Result<void> migrate(sqlite::Connection& c);

}  // namespace wenku::store
