// Error taxonomy shared by every module: expected failures travel as values, not exceptions.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A named value of a worded error: {"size", "30.1MB"} fills "{size}" in the words.
struct ErrorParam {
  std::string name;
  std::string value;
};
using ErrorParams = std::vector<ErrorParam>;

// An error a person may read carries a message key ("pdf.encrypted") and named parameters;
// the words for it, in Chinese and English, live in web/templates/i18n/errors.*.json and are
// chosen by the outer layer (http by the visitor's language, the CLI both). Such an error's
// `message` is its line, `err:KEY|name=value|...` (see error_line), so logs, documents.error
// and job errors keep it as one string the outer layer words again. Errors no person reads
// (a bug, a backend's own text) have no key and a plain message.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string key;        // empty for plain-text errors
  ErrorParams params;
};

// The line of a worded error: "err:" KEY, then "|name=value" per parameter; '%', '|', '='
// and line breaks in values are written %25, %7C, %3D, %0A, %0D.
std::string error_line(std::string_view key, const ErrorParams& params = {});

// The key and parameters of a line written by error_line; nullopt for any other text (an
// old stored reason in plain words, a backend's message).
struct ErrorLine {
  std::string key;
  ErrorParams params;
};
std::optional<ErrorLine> parse_error_line(std::string_view text);

// A worded error: message is its line.
Error keyed_error(ErrorCode code, std::string_view key, const ErrorParams& params = {});

}  // namespace wenku
