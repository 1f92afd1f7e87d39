// HTTP responses shared by the routes: JSON bodies, errors with the right status.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace wenku::http {

// The one place an ErrorCode becomes an HTTP status.
int http_status(ErrorCode code);

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);
// {"error":{"code":"...","message":"..."}} with the status of the code.
void send_error(httplib::Response& res, const Error& error);
void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message);

}  // namespace wenku::http
