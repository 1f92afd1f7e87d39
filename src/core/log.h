// The one logging facade: structured key=value lines, spdlog underneath.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace wenku::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Sets the level; `name` is one of debug, info, warn, error, off (unknown -> info).
void set_level(std::string_view name);
// Sends log lines to stderr (the default) with a compact pattern.
void init();

// True when info lines are written: for callers whose arguments cost work to compute.
inline bool info_enabled() { return spdlog::should_log(spdlog::level::info); }

// `text` alone as one line at level info, without the time and level prefix (the JSON
// access log: each line one JSON object).
void line(std::string_view text);

// Format strings take {} placeholders; write messages as `event key={} key={}`.
// spdlog checks the level before it formats anything.
template <typename... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}

}  // namespace wenku::log
