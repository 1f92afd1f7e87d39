// One thin RAII layer over the SQLite C API for every module that keeps its data in SQLite
// (store, index): connections, prepared statements kept for reuse, transactions and one
// error style. Every value goes through bound parameters; SQL text is never built from input.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::sqlite {

// The error of the last failed call on `db`, as a domain error: a constraint is kConflict,
// a busy or locked database kUnavailable (it may work later), a full disk or anything else
// kIo. The message is `what` and SQLite's own words.
Error error_of(sqlite3* db, std::string_view what);
// The same for a result code without a connection (open failed, out of memory).
Error error_of_code(int code, std::string_view what);

// Prepared statements kept for reuse, by SQL text. Preparing was half of the CPU a
// document's text extraction spent in the store, and costs more than running most of the
// index's statements (SQLite parses and plans each statement anew); a statement goes back
// here, reset, when its Statement ends. A statement in use is not in the cache, so the same
// SQL may be open twice (a second copy is prepared and both are kept).
class StatementCache {
 public:
  struct Entry {
    std::string sql;
    sqlite3_stmt* stmt = nullptr;
  };
  StatementCache() = default;
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  // A ready statement for `sql` (its key moved out with it), or an entry with stmt nullptr.
  Entry take(std::string_view sql);
  // Keeps the statement for the next take(sql), or finalizes it when the cache is full.
  void give_back(Entry entry);

 private:
  static constexpr size_t kMaxStatements = 512;  // SQL built per call must not grow it for ever
  std::mutex mu_;
  std::vector<Entry> free_;  // few kinds: a scan beats a hash
};

class Statement {
 public:
  // Prepares `sql` (or takes it from `cache`). SQL text is ours, never the user's: SQL that
  // does not compile is a bug and throws std::logic_error; any other failure to prepare (a
  // damaged file, out of memory) is returned by step() and run().
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
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // Steps once: true when a row is available, false when done.
  // Errors: kIo (full disk, damaged file), kUnavailable (busy), kConflict (a constraint).
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
  std::string text(int col) const { return std::string(text_view(col)); }
  // Valid until the next step, reset or end of the statement.
  std::string_view text_view(int col) const;
  std::string_view blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  StatementCache* cache_ = nullptr;
  std::string sql_;       // the cache's key, when cached
  int prepare_rc_ = SQLITE_OK;
};

struct OpenOptions {
  bool create = true;          // create the file when missing
  int busy_timeout_ms = 10000;  // how long a statement waits for another connection's lock
};

// One connection, used by one thread at a time, with its statement cache.
class Connection {
 public:
  // Errors: kIo when the file cannot be opened.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, const OpenOptions& options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* raw() { return db_; }
  Result<void> exec(std::string_view sql);
  // A statement from this connection's cache.
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
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Result<void> begin();
  Result<void> commit();

 private:
  Connection& c_;
  bool open_ = false;
};

}  // namespace wenku::sqlite
