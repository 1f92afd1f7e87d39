// JSON and error responses.
#include "http/responses.h"

#include "http/error_words.h"

namespace wenku::http {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnsupportedFormat: return 415;
    case ErrorCode::kEncrypted:
    case ErrorCode::kCorrupt: return 422;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kTimeout: return 504;
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

void send_json(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  send_json(res, {{"error", {{"code", code}, {"message", message}}}}, status);
}

void send_error(httplib::Response& res, const Error& error) {
  send_error(res, http_status(error.code), error_code_name(error.code), error_words_both(error));
}

}  // namespace wenku::http
