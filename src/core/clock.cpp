// Time helpers.
#include "core/clock.h"

#include <chrono>
#include <ctime>

namespace wenku {

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

namespace {

// Local midnight of y-m-d plus `days_after` days; nullopt unless y-m-d is a real date.
std::optional<int64_t> local_midnight(std::string_view s, int days_after) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    size_t len = i == 0 ? 4 : 2;
    for (size_t k = 0; k < len; ++k, ++at) {
      char c = s[at];
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
    ++at;  // the '-'
  }
  if (parts[0] < 1970 || parts[0] > 9999 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1) return std::nullopt;
  std::tm tm{};
  tm.tm_year = parts[0] - 1900;
  tm.tm_mon = parts[1] - 1;
  tm.tm_mday = parts[2];
  tm.tm_isdst = -1;
  std::tm check = tm;
  if (std::mktime(&check) == -1 || check.tm_mday != parts[2] || check.tm_mon != parts[1] - 1) return std::nullopt;
  tm.tm_mday += days_after;
  std::time_t t = std::mktime(&tm);
  if (t == -1) return std::nullopt;
  return static_cast<int64_t>(t);
}

}  // namespace

std::optional<int64_t> parse_date(std::string_view date) { return local_midnight(date, 0); }

std::optional<int64_t> parse_date_end(std::string_view date) {
  auto next = local_midnight(date, 1);
  if (!next) return std::nullopt;
  return *next - 1;
}

std::string format_iso8601(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace wenku
