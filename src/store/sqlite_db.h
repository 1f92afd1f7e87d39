// A thin RAII layer over the SQLite C API: connections, prepared statements, transactions.
// Every value goes through bound parameters; SQL text is never built from input.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::store {

// Prepared statements kept for reuse, by SQL text. Preparing was half of the CPU a
// document's text extraction spent in the store (SQLite parses and plans each statement
// anew); a statement goes back here, reset, when its Statement ends.
class StatementCache {
 public:
  ~StatementCache();
  // A ready statement for `sql`, or nullptr (prepare one).
  sqlite3_stmt* take(std::string_view sql);
  // Keeps `stmt` for the next take(sql), or finalizes it when the cache is full.
  void give_back(std::string_view sql, sqlite3_stmt* stmt);

 private:
  static constexpr size_t kMaxStatements = 512;  // SQL built per call must not grow it for ever
  std::mutex mu_;
  std::vector<std::pair<std::string, sqlite3_stmt*>> free_;  // few kinds: a scan beats a hash
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql, StatementCache* cache = nullptr);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t v);
  Statement& bind(int index, int v) { return bind(index, static_cast<int64_t>(v)); }
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind_null(int index);

  // Steps once: true when a row is available, false when done. Errors: kIo (busy, full disk).
  Result<bool> step();
  // Runs to completion (for statements without rows).
  Result<void> run();
  // Makes the statement ready to run again with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int integer(int col) const { return sqlite3_column_int(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  StatementCache* cache_ = nullptr;
  std::string sql_;  // the cache's key, when cached
};

class Connection {
 public:
  // Errors: kIo when the file cannot be opened.
  static Result<std::unique_ptr<Connection>> open(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* raw() { return db_; }
  Result<void> exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql, cache_.get()); }
  int64_t last_insert_id() { return sqlite3_last_insert_rowid(db_); }
  int changes() { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db), cache_(std::make_unique<StatementCache>()) {}
  sqlite3* db_;
  std::unique_ptr<StatementCache> cache_;  // finalized before the connection closes
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  Result<void> begin();
  Result<void> commit();

 private:
  Connection& c_;
  bool open_ = false;
};

Error sqlite_error(sqlite3* db, std::string_view what);

}  // namespace wenku::store
