// PostgreSQL rows for moving a library between stores (`wenku migrate`): each table read
// through a cursor in one REPEATABLE READ transaction, rows inserted with ON CONFLICT DO
// NOTHING, keys kept and the identity sequences moved past them.
#include <algorithm>

#include "store/postgres_store_impl.h"
#include "store/table_rows.h"

namespace wenku::store {

namespace {

Result<std::string_view> order_of(const std::string& table) {
  std::string_view order = migration_order(table);
  if (order.empty()) return make_error(ErrorCode::kInvalidArgument, "not a table a migration copies: " + table);
  return order;
}

// PostgreSQL binds at most 65535 parameters per statement; a few thousand keep each
// statement small.
constexpr size_t kMaxParams = 4000;

}  // namespace

Result<void> PostgresStore::export_rows(const std::string& table, int batch_rows,
                                        const std::function<Result<void>(const RowBatch&)>& sink) {
  WENKU_ASSIGN_OR_RETURN(std::string_view order, order_of(table));
  WENKU_ASSIGN_OR_RETURN(auto lease, pool_.acquire());
  Conn& c = *lease;
  WENKU_TRY(c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  auto exported = [&]() -> Result<void> {
    WENKU_TRY(c.exec("DECLARE wenku_export NO SCROLL CURSOR FOR SELECT * FROM " + table + " ORDER BY " +
                     std::string(order)));
    std::string fetch = "FETCH " + std::to_string(batch_rows < 1 ? 1 : batch_rows) + " FROM wenku_export";
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(Rows rows, c.exec(fetch));
      if (rows.empty()) return {};
      RowBatch batch;
      batch.table = table;
      std::vector<bool> boolean;
      for (int col = 0; col < rows.columns(); ++col) {
        batch.columns.push_back(rows.column_name(col));
        boolean.push_back(rows.column_is_boolean(col));
      }
      for (int r = 0; r < rows.size(); ++r) {
        std::vector<std::optional<std::string>> row;
        for (int col = 0; col < rows.columns(); ++col) {
          if (rows.is_null(r, col)) {
            row.emplace_back(std::nullopt);
          } else if (boolean[static_cast<size_t>(col)]) {
            row.emplace_back(rows.boolean(r, col) ? "1" : "0");
          } else {
            row.emplace_back(rows.text(r, col));
          }
        }
        batch.rows.push_back(std::move(row));
      }
      WENKU_TRY(sink(batch));
    }
  }();
  (void)c.exec(exported.ok() ? "COMMIT" : "ROLLBACK");
  return exported;
}

Result<int64_t> PostgresStore::import_rows(const RowBatch& rows) {
  WENKU_TRY(order_of(rows.table));
  if (rows.columns.empty()) return make_error(ErrorCode::kInvalidArgument, "no columns for " + rows.table);
  std::string head = "INSERT INTO " + rows.table + " (";
  bool has_id = false;
  for (size_t i = 0; i < rows.columns.size(); ++i) {
    if (!is_plain_identifier(rows.columns[i])) {
      return make_error(ErrorCode::kInvalidArgument, "not a column name: " + rows.columns[i]);
    }
    has_id |= rows.columns[i] == "id";
    head += (i ? ", " : "") + rows.columns[i];
  }
  head += ") VALUES ";
  for (const auto& row : rows.rows) {
    if (row.size() != rows.columns.size()) {
      return make_error(ErrorCode::kInvalidArgument, "a row of " + rows.table + " has the wrong number of values");
    }
  }
  size_t per_statement = std::max<size_t>(1, kMaxParams / rows.columns.size());
  return write([&](Conn& c) -> Result<int64_t> {
    int64_t inserted = 0;
    for (size_t start = 0; start < rows.rows.size(); start += per_statement) {
      size_t end = std::min(rows.rows.size(), start + per_statement);
      std::string sql = head;
      Params params;
      // Untyped parameters take the types of the columns they go into (text "1" into a
      // boolean is true).
      for (size_t r = start; r < end; ++r) {
        sql += r == start ? "(" : ", (";
        for (size_t i = 0; i < rows.columns.size(); ++i) {
          sql += (i ? ", $" : "$") + std::to_string(params.size() + 1);
          params.add(rows.rows[r][i]);
        }
        sql += ")";
      }
      sql += " ON CONFLICT DO NOTHING";
      WENKU_ASSIGN_OR_RETURN(Rows done, c.exec(sql, params));
      inserted += done.affected();
    }
    if (has_id) {
      WENKU_TRY(c.exec("SELECT setval(pg_get_serial_sequence($1::text, 'id'), m) FROM (SELECT max(id) AS m FROM " +
                           rows.table + ") s WHERE m IS NOT NULL",
                       Params().add(rows.table)));
    }
    return inserted;
  });
}

Result<int64_t> PostgresStore::count_rows(const std::string& table) {
  WENKU_TRY(order_of(table));
  return read([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows rows, c.exec("SELECT count(*) FROM " + table));
    return rows.int64(0, 0);
  });
}

}  // namespace wenku::store
