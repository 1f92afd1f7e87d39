// A thin layer over libpq for the PostgreSQL metadata store: text-format parameters and
// results, errors as Result values that remember their SQLSTATE (so the store can retry
// serialization failures and dropped connections), COPY for backups, and a bounded pool of
// connections. Only the postgres_store*.cpp files include it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct pg_conn;
struct pg_result;

namespace wenku::store::pg {

// Bound values of one statement, $1 first. Text sent to the server is valid UTF-8 without
// NUL bytes (PostgreSQL text can hold neither): other bytes are replaced.
class Params {
 public:
  Params& add(std::string_view v);
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(int64_t v) { return add_raw(std::to_string(v)); }
  Params& add(int v) { return add_raw(std::to_string(v)); }
  Params& add(double v);
  Params& add(bool v) { return add_raw(v ? "t" : "f"); }
  Params& null();
  template <typename T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : null();
  }
  size_t size() const { return values_.size(); }
  std::vector<const char*> pointers() const;

 private:
  Params& add_raw(std::string v);
  std::vector<std::optional<std::string>> values_;
};

// The rows of one statement's result.
class Rows {
 public:
  explicit Rows(pg_result* r) : r_(r) {}
  ~Rows();
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows& operator=(Rows&& o) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  int64_t int64(int row, int col) const;
  int integer(int row, int col) const { return static_cast<int>(int64(row, col)); }
  double real(int row, int col) const;
  bool boolean(int row, int col) const;
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t affected() const;
  // The result's columns: their names, and whether one is boolean (its text is t or f).
  int columns() const;
  std::string column_name(int col) const;
  bool column_is_boolean(int col) const;

 private:
  pg_result* r_;
};

// One connection. Not shared between threads: the pool hands it to one user at a time.
class Conn {
 public:
  // Connects to a libpq URI (postgresql://... or postgres://...). Errors: kUnavailable,
  // kInvalidArgument (a malformed URI), both naming the metadata_url setting.
  static Result<std::unique_ptr<Conn>> open(const std::string& url);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // One statement with parameters. Errors: kAlreadyExists (unique violation), kNotFound
  // (foreign key violation), kUnavailable (connection lost), kIo (anything else).
  Result<Rows> exec(const std::string& sql, const Params& params = {});
  // Several statements without parameters (migrations).
  Result<void> exec_script(const std::string& sql);
  // COPY ... TO STDOUT, each chunk to `sink`; COPY ... FROM STDIN fed by `source` until it
  // returns false.
  Result<void> copy_out(const std::string& sql, const std::function<Result<void>(std::string_view)>& sink);
  Result<void> copy_in_begin(const std::string& sql);
  Result<void> copy_in_put(std::string_view data);
  Result<void> copy_in_end();

  // The SQLSTATE of the last failed statement ("" when none or when the link failed).
  const std::string& sqlstate() const { return sqlstate_; }
  // True when the last failure may pass if the whole transaction runs again: a
  // serialization failure or deadlock (40001, 40P01), or a lost connection.
  bool last_failure_retryable() const;
  bool broken() const;
  // "host:port/db" without user or password, for messages.
  std::string where() const;

 private:
  explicit Conn(pg_conn* c) : c_(c) {}
  Error fail(pg_result* r, std::string_view what);
  pg_conn* c_;
  std::string sqlstate_;
  bool lost_ = false;
};

// A bounded pool: at most `size` connections, opened on demand; a caller waits for a free
// one; a broken connection is closed instead of returned.
class Pool {
 public:
  Pool(std::string url, int size) : url_(std::move(url)), size_(size < 1 ? 1 : size) {}
  ~Pool();

  class Lease {
   public:
    Lease(Pool& p, std::unique_ptr<Conn> c) : p_(&p), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept : p_(o.p_), c_(std::move(o.c_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }

   private:
    Pool* p_;
    std::unique_ptr<Conn> c_;
  };

  // Errors: those of Conn::open.
  Result<Lease> acquire();
  // Closes the idle connections: after one was found lost (the server restarted, the
  // network cut), the others are most likely lost too.
  void discard_idle();
  const std::string& url() const { return url_; }

 private:
  void give_back(std::unique_ptr<Conn> c);
  std::string url_;
  int size_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;
};

}  // namespace wenku::store::pg
