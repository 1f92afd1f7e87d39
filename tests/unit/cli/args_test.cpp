// The command-line parser: options with values, flags, repeated options, unknown names.
#include "cli/args.h"

#include <gtest/gtest.h>

namespace wenku::cli {
namespace {

const ArgSpec kSpec{{"json", "help"}, {"data", "set"}};

TEST(ParseArgs, RepeatedSetKeepsEveryValueInOrder) {
  auto a = parse_args({"--set", "preview_pages=3", "--set=site_name=文库", "doc.pdf"}, kSpec);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->all.at("set").size(), 2u);
  EXPECT_EQ(a->all.at("set")[0], "preview_pages=3");
  EXPECT_EQ(a->all.at("set")[1], "site_name=文库");
  EXPECT_EQ(a->get("set"), "site_name=文库");  // get() is the last one
  EXPECT_EQ(a->positionals, std::vector<std::string>{"doc.pdf"});
}

TEST(ParseArgs, FlagsValuesAndDoubleDash) {
  auto a = parse_args({"--json", "--data", "d", "--", "--not-an-option"}, kSpec);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->has("json"));
  EXPECT_EQ(a->get("data"), "d");
  EXPECT_EQ(a->positionals, std::vector<std::string>{"--not-an-option"});
}

TEST(ParseArgs, UnknownAndMissingAreErrorsNamingTheOption) {
  auto unknown = parse_args({"--colour", "red"}, kSpec);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("--colour"), std::string::npos);
  auto missing = parse_args({"--data"}, kSpec);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("--data"), std::string::npos);
  auto valued_flag = parse_args({"--json=1"}, kSpec);
  EXPECT_FALSE(valued_flag.ok());
  auto short_opt = parse_args({"-x"}, kSpec);
  EXPECT_FALSE(short_opt.ok());
}

}  // namespace
}  // namespace wenku::cli
