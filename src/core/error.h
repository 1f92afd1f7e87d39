// Error taxonomy shared by every module: expected failures travel as values, not exceptions.
#pragma once

#include <string>
#include <string_view>

namespace wenku {

// What went wrong, in domain terms. Only http/ maps these to HTTP statuses and only cli/
// to exit codes.
enum class ErrorCode {
  kInvalidArgument,   // the caller's input is wrong (bad option, bad manifest line)
  kNotFound,          // no such document, page, blob, user
  kAlreadyExists,     // unique name taken
  kConflict,          // state does not allow it (e.g. retry of a ready document)
  kPermissionDenied,  // authenticated but not allowed
  kUnauthenticated,   // needs a login
  kRateLimited,       // too many attempts
  kTooLarge,          // over a configured size, page, entry or pixel limit
  kUnsupportedFormat, // a format wenku does not read
  kEncrypted,         // needs a password
  kCorrupt,           // the file is damaged
  kTimeout,           // a stage ran past its time limit
  kUnavailable,       // a backend or helper is down; may work later
  kIo,                // disk or file system error
  kInternal,          // a bug
};

std::string_view error_code_name(ErrorCode code);

// True for failures that may go away when retried (helper crashed, backend down, timeout).
bool is_transient(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

}  // namespace wenku
