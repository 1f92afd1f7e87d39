// Result<T>: a value or an Error, shaped like C++23 std::expected (GCC 12 lacks it in C++20).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "core/error.h"

namespace wenku {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error&& take_error() { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Error&& take_error() { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

// An error from a message; a message that is a line of error_line also fills key and params.
inline Error make_error(ErrorCode code, std::string message) {
  if (message.rfind("err:", 0) == 0) {
    if (auto line = parse_error_line(message)) return Error{code, std::move(message), line->key, line->params};
  }
  return Error{code, std::move(message), {}, {}};
}

}  // namespace wenku

// Propagates an error from an expression returning Result<...> to the caller.
#define WENKU_TRY(expr)                                        \
  do {                                                         \
    auto wenku_try_result_ = (expr);                           \
    if (!wenku_try_result_.ok()) return wenku_try_result_.take_error(); \
  } while (0)

#define WENKU_CONCAT_INNER(a, b) a##b
#define WENKU_CONCAT(a, b) WENKU_CONCAT_INNER(a, b)
// Declares `lhs` from the value of a Result, or returns its error.
#define WENKU_ASSIGN_OR_RETURN(lhs, expr)                                     \
  auto WENKU_CONCAT(wenku_r_, __LINE__) = (expr);                             \
  if (!WENKU_CONCAT(wenku_r_, __LINE__).ok())                                 \
    return WENKU_CONCAT(wenku_r_, __LINE__).take_error();                     \
  lhs = std::move(WENKU_CONCAT(wenku_r_, __LINE__)).value()
