// Statistics charts drawn on the server as SVG (no JavaScript, no chart library).
#pragma once

#include <string>
#include <vector>

#include "library/types.h"

namespace wenku::http {

// Bars for the last `days` days ending today; missing days are zero.
std::string daily_bar_chart(const std::vector<store::DayCount>& counts, int days, int64_t today);
// Horizontal bars, one per label.
std::string label_bar_chart(const std::vector<store::QueryCount>& counts);

}  // namespace wenku::http
