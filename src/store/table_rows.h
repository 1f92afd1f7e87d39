// What both stores' row export and import share (table_rows.cpp): the order each table is
// read in, and the check that a name from a RowBatch may go into SQL.
#pragma once

#include <string>
#include <string_view>

namespace wenku::store {

// The ORDER BY of a table of migration_tables() (parents before children), or "" when the
// table is not one of them.
std::string_view migration_order(const std::string& table);

// True for a lower-case SQL identifier ([a-z_][a-z0-9_]*): a column name of ours.
bool is_plain_identifier(std::string_view name);

}  // namespace wenku::store
