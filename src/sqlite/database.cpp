// SQLite wrapper: errors, the statement cache, statements, connections, transactions.
#include "sqlite/database.h"

#include <stdexcept>

namespace wenku::sqlite {

namespace {

Error error_with(int code, std::string msg) {
  if ((code & 0xff) == SQLITE_CONSTRAINT) return make_error(ErrorCode::kConflict, std::move(msg));
  if ((code & 0xff) == SQLITE_FULL) return make_error(ErrorCode::kIo, "磁盘已满 / disk full: " + msg);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    return make_error(ErrorCode::kUnavailable, std::move(msg));
  }
  return make_error(ErrorCode::kIo, std::move(msg));
}

}  // namespace

Error error_of(sqlite3* db, std::string_view what) {
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  return error_with(code, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "sqlite error"));
}

Error error_of_code(int code, std::string_view what) {
  return error_with(code, std::string(what) + ": " + sqlite3_errstr(code));
}

StatementCache::~StatementCache() {
  for (Entry& e : free_) sqlite3_finalize(e.stmt);
}

StatementCache::Entry StatementCache::take(std::string_view sql) {
  std::lock_guard lock(mu_);
  for (size_t i = free_.size(); i-- > 0;) {
    if (free_[i].sql == sql) {
      Entry e = std::move(free_[i]);
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return e;
    }
  }
  return {};
}

void StatementCache::give_back(Entry entry) {
  // Reset now: a statement left mid-read would hold the connection's read transaction open.
  sqlite3_reset(entry.stmt);
  sqlite3_clear_bindings(entry.stmt);
  std::lock_guard lock(mu_);
  if (free_.size() >= kMaxStatements) {
    sqlite3_finalize(entry.stmt);
    return;
  }
  free_.push_back(std::move(entry));
}

Statement::Statement(sqlite3* db, std::string_view sql, StatementCache* cache) : db_(db), cache_(cache) {
  if (cache_) {
    StatementCache::Entry e = cache_->take(sql);
    if (e.stmt) {
      sql_ = std::move(e.sql);  // the key travels with its statement: no copy of the text
      stmt_ = e.stmt;
      return;
    }
    sql_ = std::string(sql);
  }
  unsigned flags = cache_ ? SQLITE_PREPARE_PERSISTENT : 0;
  prepare_rc_ = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &stmt_, nullptr);
  if (prepare_rc_ == SQLITE_OK) return;
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  if ((prepare_rc_ & 0xff) == SQLITE_ERROR) {
    // Syntax, or a table or column that does not exist: our SQL is wrong, a bug.
    throw std::logic_error("bad SQL: " + std::string(sqlite3_errmsg(db)) + " in " + std::string(sql));
  }
}

Statement::~Statement() {
  if (cache_ && stmt_) {
    cache_->give_back({std::move(sql_), stmt_});
  } else {
    sqlite3_finalize(stmt_);
  }
}

// With no statement (prepare failed) the binds are no-ops: SQLite returns SQLITE_MISUSE for
// a null statement, and step() reports the failure to prepare.
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
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  if (stmt_ == nullptr) return error_with(prepare_rc_, std::string("prepare: ") + sqlite3_errstr(prepare_rc_));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error_of(db_, "step");
}

Result<void> Statement::run() {
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return {};
  }
}

std::string_view Statement::text_view(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string_view Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, const OpenOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = db ? error_of(db, "open " + path) : error_of_code(rc, "open " + path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.reset();
  sqlite3_close_v2(db_);
}

Result<void> Connection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "exec failed";
    sqlite3_free(err);
    Error e = error_of(db_, "exec");
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

}  // namespace wenku::sqlite
