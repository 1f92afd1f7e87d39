#include "core/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/test_support.h"

namespace wenku {

TEST(Settings, DefaultsComeFromTheTable) {
  Settings s;
  EXPECT_EQ(s.get_int("preview_pages"), 5);
  EXPECT_EQ(s.get("listen"), "127.0.0.1:8080");
}

TEST(Settings, CommandLineBeatsFileBeatsEnvironment) {
  testing::TempDir dir;
  testing::write_file(dir / "wenku.conf", "# comment\npreview_pages = 7\nmax_preview_pages=40\n");
  setenv("WENKU_PREVIEW_PAGES", "3", 1);
  setenv("WENKU_SITE_NAME", "from env", 1);
  auto s = Settings::load({{"data", dir.path().string()}, {"max_preview_pages", "30"}});
  unsetenv("WENKU_PREVIEW_PAGES");
  unsetenv("WENKU_SITE_NAME");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->get_int("preview_pages"), 7);
  EXPECT_EQ(s->get_int("max_preview_pages"), 30);
  EXPECT_EQ(s->get("site_name"), "from env");
}

TEST(Settings, BadValuesAreRejectedWithTheirSource) {
  auto s = Settings::load({{"preview_pages", "many"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("preview_pages"), std::string::npos);
  EXPECT_FALSE(Settings::load({{"no_such_setting", "1"}}).ok());
  EXPECT_FALSE(Settings::load({{"preview_pages", "0"}}).ok());
}

TEST(Settings, ConfigLineWithoutEqualsNamesTheLine) {
  auto r = parse_config_text("a = 1\nbroken\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos);
}

}  // namespace wenku
