// Logging set-up: stderr sink, level from the settings.
#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <mutex>

namespace wenku::log {

void init() {
  // Once per process, however many threads ask at once (spdlog refuses a second "wenku").
  static std::once_flag once;
  std::call_once(once, [] {
    auto logger = spdlog::stderr_logger_mt("wenku");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
    spdlog::set_default_logger(logger);
    auto bare = spdlog::stderr_logger_mt("wenku-line");
    bare->set_pattern("%v");
    spdlog::set_level(spdlog::level::info);
  });
}

void line(std::string_view text) {
  // Looked up until init() made it, then kept (the registry lookup takes a lock).
  static std::atomic<spdlog::logger*> cached{nullptr};
  spdlog::logger* bare = cached.load(std::memory_order_acquire);
  if (bare == nullptr) {
    auto found = spdlog::get("wenku-line");
    bare = found.get();  // the registry keeps it alive for the process's life
    if (bare) cached.store(bare, std::memory_order_release);
  }
  if (bare) {
    bare->info("{}", text);
  } else {
    spdlog::info("{}", text);
  }
}

void set_level(std::string_view name) {
  auto level = spdlog::level::info;
  if (name == "debug") level = spdlog::level::debug;
  else if (name == "warn") level = spdlog::level::warn;
  else if (name == "error") level = spdlog::level::err;
  else if (name == "off") level = spdlog::level::off;
  spdlog::set_level(level);
}

}  // namespace wenku::log
