// SVG bar charts; every label is escaped.
#include "http/charts.h"

#include <algorithm>
#include <map>

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::http {

std::string daily_bar_chart(const std::vector<store::DayCount>& counts, int days, int64_t today) {
  std::map<int64_t, int64_t> by_day;
  for (const auto& c : counts) by_day[c.day] = c.count;
  int64_t max = 1;
  for (const auto& [d, n] : by_day) max = std::max(max, n);
  const int width = 600, height = 160, left = 36, bottom = 20;
  double bar = static_cast<double>(width - left) / days;
  std::string svg = "<svg class=\"chart-svg\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">";
  svg += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(height - bottom) + "\" x2=\"" +
         std::to_string(width) + "\" y2=\"" + std::to_string(height - bottom) + "\" stroke=\"#999\"/>";
  svg += "<text x=\"0\" y=\"12\" font-size=\"11\" fill=\"#666\">" + std::to_string(max) + "</text>";
  for (int i = 0; i < days; ++i) {
    int64_t day = today - days + 1 + i;
    int64_t n = by_day.count(day) ? by_day[day] : 0;
    double h = static_cast<double>(height - bottom - 16) * static_cast<double>(n) / static_cast<double>(max);
    char rect[256];
    std::snprintf(rect, sizeof rect,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1a73e8\"><title>%s: %lld</title></rect>",
                  left + i * bar + 1, height - bottom - h, std::max(1.0, bar - 2), h,
                  format_date(day * 86400 + 43200).c_str(), static_cast<long long>(n));
    svg += rect;
    if ((days - 1 - i) % 7 == 0) {  // weekly labels ending today
      char label[160];
      std::snprintf(label, sizeof label, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#666\">%s</text>",
                    left + i * bar, height - 5, format_date(day * 86400 + 43200).substr(5).c_str());
      svg += label;
    }
  }
  return svg + "</svg>";
}

std::string label_bar_chart(const std::vector<store::QueryCount>& counts) {
  int64_t max = 1;
  for (const auto& c : counts) max = std::max(max, c.count);
  const int width = 600, row = 22, left = 90;
  int n = static_cast<int>(std::min<size_t>(counts.size(), 12));
  int height = std::max(row, n * row);
  std::string svg = "<svg class=\"chart-svg\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">";
  for (int i = 0; i < n; ++i) {
    const auto& c = counts[static_cast<size_t>(i)];
    double w = static_cast<double>(width - left - 50) * static_cast<double>(c.count) / static_cast<double>(max);
    char rect[200];
    std::snprintf(rect, sizeof rect, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#34a853\"/>", left,
                  i * row + 3, std::max(1.0, w), row - 6);
    svg += "<text x=\"0\" y=\"" + std::to_string(i * row + 16) + "\" font-size=\"12\" fill=\"#333\">" +
           html_escape(utf8_prefix(c.query, 12)) + "</text>" + rect;
    char num[120];
    std::snprintf(num, sizeof num, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#333\">%lld</text>", left + w + 4,
                  i * row + 16, static_cast<long long>(c.count));
    svg += num;
  }
  return svg + "</svg>";
}

}  // namespace wenku::http
