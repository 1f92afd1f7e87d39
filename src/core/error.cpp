// Names of error codes as they appear in JSON and logs.
#include "core/error.h"

namespace wenku {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupportedFormat: return "unsupported_format";
    case ErrorCode::kEncrypted: return "encrypted";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kIo: return "io_error";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

bool is_transient(ErrorCode code) {
  return code == ErrorCode::kTimeout || code == ErrorCode::kUnavailable || code == ErrorCode::kIo;
}

}  // namespace wenku
