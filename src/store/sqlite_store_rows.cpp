// SQLite rows for moving a library between stores (`wenku migrate`): each table read in
// its order on a reader connection (one read transaction, so the export is one moment),
// rows inserted on the writer with INSERT OR IGNORE, keys kept.
#include <charconv>

#include "store/sqlite_store_impl.h"
#include "store/table_rows.h"

namespace wenku::store {

namespace {

Result<std::string_view> order_of(const std::string& table) {
  std::string_view order = migration_order(table);
  if (order.empty()) return make_error(ErrorCode::kInvalidArgument, "not a table a migration copies: " + table);
  return order;
}

}  // namespace

Result<void> SqliteStore::export_rows(const std::string& table, int batch_rows,
                                      const std::function<Result<void>(const RowBatch&)>& sink) {
  WENKU_ASSIGN_OR_RETURN(std::string_view order, order_of(table));
  auto r = reader();
  WENKU_TRY(r->exec("BEGIN"));
  auto exported = [&]() -> Result<void> {
    // Prepared directly (not from the cache): the raw handle gives each value's type.
    sqlite3_stmt* raw = nullptr;
    std::string sql = "SELECT * FROM " + table + " ORDER BY " + std::string(order);
    if (sqlite3_prepare_v2(r->raw(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      return make_error(ErrorCode::kIo, "cannot read " + table + ": " + sqlite3_errmsg(r->raw()));
    }
    RowBatch batch;
    batch.table = table;
    int columns = sqlite3_column_count(raw);
    for (int c = 0; c < columns; ++c) batch.columns.emplace_back(sqlite3_column_name(raw, c));
    Result<void> out;
    for (;;) {
      int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        out = make_error(ErrorCode::kIo, "cannot read " + table + ": " + sqlite3_errmsg(r->raw()));
        break;
      }
      std::vector<std::optional<std::string>> row;
      row.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(raw, c)) {
          case SQLITE_NULL: row.emplace_back(std::nullopt); break;
          case SQLITE_FLOAT: {
            char buf[64];
            auto [end, ec] = std::to_chars(buf, buf + sizeof buf, sqlite3_column_double(raw, c));
            row.emplace_back(std::string(buf, ec == std::errc() ? end : buf));
            break;
          }
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
            row.emplace_back(std::string(p == nullptr ? "" : p, static_cast<size_t>(sqlite3_column_bytes(raw, c))));
          }
        }
      }
      batch.rows.push_back(std::move(row));
      if (static_cast<int>(batch.rows.size()) >= batch_rows) {
        out = sink(batch);
        batch.rows.clear();
        if (!out.ok()) break;
      }
    }
    sqlite3_finalize(raw);
    if (out.ok() && !batch.rows.empty()) out = sink(batch);
    return out;
  }();
  (void)r->exec("COMMIT");
  return exported;
}

Result<int64_t> SqliteStore::import_rows(const RowBatch& rows) {
  WENKU_TRY(order_of(rows.table));
  if (rows.columns.empty()) return make_error(ErrorCode::kInvalidArgument, "no columns for " + rows.table);
  std::string sql = "INSERT OR IGNORE INTO " + rows.table + " (";
  for (size_t i = 0; i < rows.columns.size(); ++i) {
    if (!is_plain_identifier(rows.columns[i])) {
      return make_error(ErrorCode::kInvalidArgument, "not a column name: " + rows.columns[i]);
    }
    sql += (i ? ", " : "") + rows.columns[i];
  }
  sql += ") VALUES (";
  for (size_t i = 0; i < rows.columns.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
  sql += ")";
  std::lock_guard lock(write_mu_);
  // Checked before the first row: an unknown column is a schema that does not match.
  sqlite3_stmt* probe = nullptr;
  if (sqlite3_prepare_v2(writer_->raw(), sql.c_str(), -1, &probe, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(writer_->raw());
    sqlite3_finalize(probe);
    return make_error(ErrorCode::kInvalidArgument, "cannot write " + rows.table + ": " + why);
  }
  sqlite3_finalize(probe);
  Transaction tx(*writer_);
  WENKU_TRY(tx.begin());
  int64_t inserted = 0;
  auto st = writer_->prepare(sql);
  for (const auto& row : rows.rows) {
    if (row.size() != rows.columns.size()) {
      return make_error(ErrorCode::kInvalidArgument, "a row of " + rows.table + " has the wrong number of values");
    }
    st.reset();
    // Text into columns of INTEGER or REAL affinity becomes a number again.
    for (size_t i = 0; i < row.size(); ++i) {
      int index = static_cast<int>(i + 1);
      if (row[i]) {
        st.bind(index, *row[i]);
      } else {
        st.bind_null(index);
      }
    }
    auto done = st.run();
    if (!done.ok()) {
      return make_error(done.error().code == ErrorCode::kConflict ? ErrorCode::kNotFound : done.error().code,
                        "cannot write a row of " + rows.table + ": " + done.error().message);
    }
    inserted += writer_->changes();
  }
  WENKU_TRY(tx.commit());
  return inserted;
}

Result<int64_t> SqliteStore::count_rows(const std::string& table) {
  WENKU_TRY(order_of(table));
  auto r = reader();
  auto st = r->prepare("SELECT count(*) FROM " + table);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.int64(0) : 0;
}

}  // namespace wenku::store
