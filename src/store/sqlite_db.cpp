// SQLite wrapper implementation.
#include "store/sqlite_db.h"

#include <stdexcept>

namespace wenku::store {

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "sqlite error");
  if ((code & 0xff) == SQLITE_CONSTRAINT) return make_error(ErrorCode::kConflict, msg);
  if ((code & 0xff) == SQLITE_FULL) return make_error(ErrorCode::kIo, "磁盘已满 / disk full: " + msg);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    return make_error(ErrorCode::kUnavailable, msg);
  }
  return make_error(ErrorCode::kIo, msg);
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : free_) sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::take(std::string_view sql) {
  std::lock_guard lock(mu_);
  for (size_t i = free_.size(); i-- > 0;) {
    if (free_[i].first == sql) {
      sqlite3_stmt* s = free_[i].second;
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return s;
    }
  }
  return nullptr;
}

void StatementCache::give_back(std::string_view sql, sqlite3_stmt* stmt) {
  // Reset now: a statement left mid-read would hold the connection's read transaction open.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  std::lock_guard lock(mu_);
  if (free_.size() >= kMaxStatements) {
    sqlite3_finalize(stmt);
    return;
  }
  free_.emplace_back(std::string(sql), stmt);
}

Statement::Statement(sqlite3* db, std::string_view sql, StatementCache* cache) : db_(db), cache_(cache) {
  if (cache_) {
    sql_ = std::string(sql);
    stmt_ = cache_->take(sql);
    if (stmt_) return;
  }
  unsigned flags = cache_ ? SQLITE_PREPARE_PERSISTENT : 0;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &stmt_, nullptr) != SQLITE_OK) {
    // SQL text is ours, never the user's: a bad statement is a bug.
    throw std::logic_error("bad SQL: " + std::string(sqlite3_errmsg(db)) + " in " + std::string(sql));
  }
}

Statement::~Statement() {
  if (cache_ && stmt_) {
    cache_->give_back(sql_, stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement& Statement::bind(int index, int64_t v) {
  sqlite3_bind_int64(stmt_, index, v);
  return *this;
}
Statement& Statement::bind(int index, double v) {
  sqlite3_bind_double(stmt_, index, v);
  return *this;
}
Statement& Statement::bind(int index, std::string_view v) {
  sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, "step");
}

Result<void> Statement::run() {
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return {};
  }
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, "open " + path);
    sqlite3_close(db);
    return e;
  }
  auto c = std::unique_ptr<Connection>(new Connection(db));
  sqlite3_busy_timeout(db, 10000);
  // WAL for concurrent readers; synchronous=NORMAL: every commit survives the process being
  // killed, and the writes that acknowledge an upload switch to FULL so they also survive a
  // power loss (see SqliteStore::create_document); foreign keys so no page, job or tag
  // outlives its document.
  WENKU_TRY(c->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return c;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

Result<void> Connection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "exec failed";
    sqlite3_free(err);
    Error e = sqlite_error(db_, "exec");
    e.message = msg;
    return e;
  }
  return {};
}

Transaction::Transaction(Connection& c) : c_(c) {}

Transaction::~Transaction() {
  if (open_) (void)c_.exec("ROLLBACK");
}

Result<void> Transaction::begin() {
  WENKU_TRY(c_.exec("BEGIN IMMEDIATE"));
  open_ = true;
  return {};
}

Result<void> Transaction::commit() {
  WENKU_TRY(c_.exec("COMMIT"));
  open_ = false;
  return {};
}

}  // namespace wenku::store
