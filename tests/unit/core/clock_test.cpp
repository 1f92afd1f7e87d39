// Dates as the search filter reads them (YYYY-MM-DD, local days) and as pages show them.
#include "core/clock.h"

#include <gtest/gtest.h>

namespace wenku {

TEST(ParseDate, ReadsWhatFormatDateWrites) {
  auto day = parse_date("2024-02-29");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(format_date(*day), "2024-02-29");
  EXPECT_EQ(format_date(*day - 1), "2024-02-28");
}

TEST(ParseDate, EndIsTheLastSecondOfThatDay) {
  auto start = parse_date("2024-03-01");
  auto end = parse_date_end("2024-02-29");
  ASSERT_TRUE(start && end);
  EXPECT_EQ(*end, *start - 1);
  EXPECT_EQ(format_date(*end), "2024-02-29");
}

TEST(ParseDate, RefusesWhatIsNotADate) {
  for (const char* bad : {"", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "24-01-01",
                          "2024/01/01", "2024-01-01x", "yesterday", "1969-12-31", "2024-01-0a"}) {
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
    EXPECT_FALSE(parse_date_end(bad).has_value()) << bad;
  }
}

}  // namespace wenku
