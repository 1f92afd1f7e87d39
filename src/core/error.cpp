// Names of error codes as they appear in JSON and logs, and the lines of worded errors.
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

namespace {

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '%': out += "%25"; break;
      case '|': out += "%7C"; break;
      case '=': out += "%3D"; break;
      case '\n': out += "%0A"; break;
      case '\r': out += "%0D"; break;
      default: out += c;
    }
  }
}

std::optional<std::string> unescape(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 2 >= value.size()) return std::nullopt;
    std::string_view code = value.substr(i + 1, 2);
    if (code == "25") out += '%';
    else if (code == "7C") out += '|';
    else if (code == "3D") out += '=';
    else if (code == "0A") out += '\n';
    else if (code == "0D") out += '\r';
    else return std::nullopt;
    i += 2;
  }
  return out;
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

}  // namespace

std::string error_line(std::string_view key, const ErrorParams& params) {
  std::string out = "err:";
  out += key;
  for (const auto& p : params) {
    out += '|';
    out += p.name;
    out += '=';
    append_escaped(out, p.value);
  }
  return out;
}

std::optional<ErrorLine> parse_error_line(std::string_view text) {
  if (text.substr(0, 4) != "err:") return std::nullopt;
  text.remove_prefix(4);
  size_t bar = text.find('|');
  ErrorLine line;
  line.key = std::string(text.substr(0, bar));
  if (line.key.empty()) return std::nullopt;
  for (char c : line.key) {
    if (!is_key_char(c)) return std::nullopt;
  }
  while (bar != std::string_view::npos) {
    text.remove_prefix(bar + 1);
    bar = text.find('|');
    std::string_view part = text.substr(0, bar);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    auto value = unescape(part.substr(eq + 1));
    if (!value) return std::nullopt;
    line.params.push_back({std::string(part.substr(0, eq)), std::move(*value)});
  }
  return line;
}

Error keyed_error(ErrorCode code, std::string_view key, const ErrorParams& params) {
  return Error{code, error_line(key, params), std::string(key), params};
}

}  // namespace wenku
