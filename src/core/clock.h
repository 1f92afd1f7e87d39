// Wall-clock time as Unix seconds and its display forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wenku {

int64_t now_unix();
int64_t now_unix_ms();
// "2019-07-18" in local time, as the 上传时间 line shows it.
std::string format_date(int64_t unix_seconds);
// The Unix seconds of local midnight starting "2019-07-18" (the form format_date writes and
// an <input type="date"> sends); nullopt for anything else, 2019-02-30 included.
std::optional<int64_t> parse_date(std::string_view date);
// The last second of that local day.
std::optional<int64_t> parse_date_end(std::string_view date);
// "2019-07-18T10:00:00Z" for JSON.
std::string format_iso8601(int64_t unix_seconds);

}  // namespace wenku
