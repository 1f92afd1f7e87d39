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

TEST(Settings, EachValueRemembersItsSource) {
  testing::TempDir dir;
  testing::write_file(dir / "wenku.conf", "preview_pages = 7\n");
  setenv("WENKU_OCR_DPI", "150", 1);
  auto s = Settings::load({{"data", dir.path().string()}, {"workers", "3"}});
  unsetenv("WENKU_OCR_DPI");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->source("listen"), "default");
  EXPECT_EQ(s->origin("listen"), "default");
  EXPECT_EQ(s->source("ocr_dpi"), "environment");
  EXPECT_EQ(s->origin("ocr_dpi"), "WENKU_OCR_DPI");
  EXPECT_EQ(s->source("preview_pages"), "file");
  EXPECT_EQ(s->origin("preview_pages"), "wenku.conf");
  EXPECT_EQ(s->source("workers"), "command line");
  EXPECT_EQ(s->source("data"), "command line");
  EXPECT_THROW((void)s->origin("no_such_setting"), std::logic_error);
}

TEST(Settings, AStringWithChoicesTakesOnlyThose) {
  Settings s;
  EXPECT_EQ(s.get("access_log_format"), "text");
  EXPECT_TRUE(s.set("access_log_format", "json").ok());
  auto bad = s.set("access_log_format", "xml", "--access_log_format");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("text,json"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("--access_log_format"), std::string::npos);
  EXPECT_EQ(s.get("access_log_format"), "json");
}

}  // namespace wenku
