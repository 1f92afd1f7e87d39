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

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
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
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  int64_t last_insert_id() { return sqlite3_last_insert_rowid(db_); }
  int changes() { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
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
