// Wall-clock time as Unix seconds and its display forms.
#pragma once

#include <cstdint>
#include <string>

namespace wenku {

int64_t now_unix();
int64_t now_unix_ms();
// "2019-07-18" in local time, as the 上传时间 line shows it.
std::string format_date(int64_t unix_seconds);
// "2019-07-18T10:00:00Z" for JSON.
std::string format_iso8601(int64_t unix_seconds);

}  // namespace wenku
