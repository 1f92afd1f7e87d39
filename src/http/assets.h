// Files of web/ (templates and static assets) compiled into the binary.
#pragma once

#include <optional>
#include <string_view>

namespace wenku::http {

// `name` is relative to web/, e.g. "templates/document.html" or "static/site.css".
std::optional<std::string_view> asset(std::string_view name);

}  // namespace wenku::http
