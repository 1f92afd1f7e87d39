// libpq underneath the PostgreSQL metadata store (see postgres_conn.h).
#include "store/postgres_conn.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>

#include "core/strings.h"

namespace wenku::store::pg {

namespace {

// Text PostgreSQL accepts: valid UTF-8 without NUL bytes.
std::string clean_text(std::string_view v) {
  std::string s = is_valid_utf8(v) ? std::string(v) : sanitize_utf8(v);
  if (s.find('\0') != std::string::npos) std::erase(s, '\0');
  return s;
}

std::string first_line(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Params& Params::add(std::string_view v) {
  values_.emplace_back(clean_text(v));
  return *this;
}

Params& Params::add(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return add_raw(buf);
}

Params& Params::null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::add_raw(std::string v) {
  values_.emplace_back(std::move(v));
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

Rows::~Rows() {
  if (r_) PQclear(r_);
}

Rows& Rows::operator=(Rows&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

int Rows::size() const { return r_ ? PQntuples(r_) : 0; }
bool Rows::is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
int Rows::columns() const { return r_ ? PQnfields(r_) : 0; }
std::string Rows::column_name(int col) const { return PQfname(r_, col); }
// 16: the OID of PostgreSQL's boolean type (pg_type.dat), fixed since its first release.
bool Rows::column_is_boolean(int col) const { return PQftype(r_, col) == 16; }

std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

int64_t Rows::int64(int row, int col) const { return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10); }
double Rows::real(int row, int col) const { return std::strtod(PQgetvalue(r_, row, col), nullptr); }
bool Rows::boolean(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }

int64_t Rows::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<Conn>> Conn::open(const std::string& url) {
  // Defaults first: whatever the URL itself says (its query parameters) overrides them.
  const char* keys[] = {"application_name", "connect_timeout", "client_encoding", "dbname", nullptr};
  const char* values[] = {"wenku", "10", "UTF8", url.c_str(), nullptr};
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (!parsed) {
    std::string why = first_line(parse_error);
    PQfreemem(parse_error);
    return make_error(ErrorCode::kInvalidArgument, "metadata_url: not a PostgreSQL URL (" + why + ")");
  }
  PQconninfoFree(parsed);
  pg_conn* c = PQconnectdbParams(keys, values, 1);
  if (!c) return make_error(ErrorCode::kUnavailable, "metadata_url: out of memory connecting to PostgreSQL");
  std::unique_ptr<Conn> conn(new Conn(c));
  if (PQstatus(c) != CONNECTION_OK) {
    return make_error(ErrorCode::kUnavailable, "metadata_url: cannot connect to PostgreSQL at " + conn->where() +
                                                   " (" + first_line(PQerrorMessage(c)) + ")");
  }
  // Quiet the NOTICEs (IF NOT EXISTS and the like) that libpq would print on stderr.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return conn;
}

Conn::~Conn() { PQfinish(c_); }

bool Conn::broken() const { return lost_ || PQstatus(c_) != CONNECTION_OK; }

bool Conn::last_failure_retryable() const {
  return sqlstate_ == "40001" || sqlstate_ == "40P01" || lost_ || PQstatus(c_) != CONNECTION_OK ||
         starts_with(sqlstate_, "08") || sqlstate_ == "57P01";
}

std::string Conn::where() const {
  const char* host = PQhost(c_);
  const char* port = PQport(c_);
  const char* db = PQdb(c_);
  return std::string(host ? host : "?") + ":" + (port ? port : "?") + "/" + (db ? db : "?");
}

Error Conn::fail(pg_result* r, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state ? state : "";
  std::string msg = first_line(r ? PQresultErrorMessage(r) : nullptr);
  if (msg.empty()) msg = first_line(PQerrorMessage(c_));
  if (r) PQclear(r);
  lost_ = PQstatus(c_) != CONNECTION_OK || starts_with(sqlstate_, "08") || sqlstate_ == "57P01";
  ErrorCode code = ErrorCode::kIo;
  if (lost_) {
    code = ErrorCode::kUnavailable;
    msg = "metadata_url: lost the connection to PostgreSQL at " + where() + " (" + msg + ")";
  } else if (sqlstate_ == "23505") {
    code = ErrorCode::kAlreadyExists;
  } else if (sqlstate_ == "23503") {
    code = ErrorCode::kNotFound;
  } else if (sqlstate_ == "40001" || sqlstate_ == "40P01") {
    code = ErrorCode::kConflict;
  }
  return make_error(code, "PostgreSQL " + std::string(what) + ": " + msg);
}

Result<Rows> Conn::exec(const std::string& sql, const Params& params) {
  auto ptrs = params.pointers();
  pg_result* r = PQexecParams(c_, sql.c_str(), static_cast<int>(ptrs.size()), nullptr, ptrs.data(), nullptr,
                              nullptr, 0);
  auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(r, "statement failed");
  sqlstate_.clear();
  return Rows(r);
}

Result<void> Conn::exec_script(const std::string& sql) {
  pg_result* r = PQexec(c_, sql.c_str());
  auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(r, "script failed");
  PQclear(r);
  sqlstate_.clear();
  return {};
}

Result<void> Conn::copy_out(const std::string& sql, const std::function<Result<void>(std::string_view)>& sink) {
  pg_result* r = PQexec(c_, sql.c_str());
  if (!r || PQresultStatus(r) != PGRES_COPY_OUT) return fail(r, "COPY failed");
  PQclear(r);
  Result<void> sunk;
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(c_, &buf, 0);
    if (n == -1) break;
    if (n == -2) return fail(nullptr, "COPY failed");
    if (sunk.ok()) sunk = sink(std::string_view(buf, static_cast<size_t>(n)));
    PQfreemem(buf);
  }
  r = PQgetResult(c_);
  if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) return fail(r, "COPY failed");
  PQclear(r);
  while ((r = PQgetResult(c_)) != nullptr) PQclear(r);
  return sunk;
}

Result<void> Conn::copy_in_begin(const std::string& sql) {
  pg_result* r = PQexec(c_, sql.c_str());
  if (!r || PQresultStatus(r) != PGRES_COPY_IN) return fail(r, "COPY failed");
  PQclear(r);
  return {};
}

Result<void> Conn::copy_in_put(std::string_view data) {
  if (PQputCopyData(c_, data.data(), static_cast<int>(data.size())) != 1) return fail(nullptr, "COPY failed");
  return {};
}

Result<void> Conn::copy_in_end() {
  if (PQputCopyEnd(c_, nullptr) != 1) return fail(nullptr, "COPY failed");
  pg_result* r = PQgetResult(c_);
  if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) return fail(r, "COPY failed");
  PQclear(r);
  while ((r = PQgetResult(c_)) != nullptr) PQclear(r);
  return {};
}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (p_ && c_) p_->give_back(std::move(c_));
}

Result<Pool::Lease> Pool::acquire() {
  {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    ++open_;
  }
  auto c = Conn::open(url_);
  if (!c.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    freed_.notify_one();
    return c.take_error();
  }
  return Lease(*this, std::move(c).value());
}

void Pool::discard_idle() {
  std::vector<std::unique_ptr<Conn>> gone;
  {
    std::lock_guard lock(mu_);
    open_ -= static_cast<int>(idle_.size());
    gone.swap(idle_);
    freed_.notify_all();
  }
}

void Pool::give_back(std::unique_ptr<Conn> c) {
  std::lock_guard lock(mu_);
  if (c->broken()) {
    --open_;
    c.reset();
  } else {
    idle_.push_back(std::move(c));
  }
  freed_.notify_one();
}

}  // namespace wenku::store::pg
