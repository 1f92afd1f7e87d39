// parse_manifest_line: the keys of DESIGN.md §5, the reasons given for broken lines, and
// the inputs the manifest fuzzer found hard.
#include "library/manifest.h"

#include <gtest/gtest.h>

#include <string>

using wenku::ErrorCode;
using wenku::library::parse_manifest_line;

TEST(Manifest, TextLineKeepsEveryKey) {
  auto e = parse_manifest_line(
      R"({"external_id":"p-1","title":"讲话稿","text":"正文","category":"办公文档/事务文书","uploader":"张三",)"
      R"("description":"说明","tags":["会议","讲话"]})");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->external_id, "p-1");
  EXPECT_EQ(e->title, "讲话稿");
  EXPECT_TRUE(e->is_text);
  EXPECT_EQ(e->text, "正文");
  EXPECT_EQ(e->category, "办公文档/事务文书");
  EXPECT_EQ(e->uploader, "张三");
  EXPECT_EQ(e->description, "说明");
  EXPECT_TRUE(e->has_tags);
  EXPECT_EQ(e->tags, (std::vector<std::string>{"会议", "讲话"}));
  EXPECT_TRUE(e->file.empty());
}

TEST(Manifest, FileLineKeepsThePathAsWritten) {
  auto e = parse_manifest_line(R"({"external_id":"f","title":"t","file":"docs/a b.docx"})");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_FALSE(e->is_text);
  EXPECT_EQ(e->file, "docs/a b.docx");
  EXPECT_FALSE(e->has_tags);
}

TEST(Manifest, TextWinsOverFile) {
  auto e = parse_manifest_line(R"({"text":"x","file":"a.pdf"})");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->is_text);
  EXPECT_TRUE(e->file.empty());
}

TEST(Manifest, TagsAsCommaSeparatedStringAreTrimmed) {
  auto e = parse_manifest_line(R"({"text":"x","tags":" a, b ,c"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->tags, (std::vector<std::string>{"a", "b", "c"}));
  auto odd = parse_manifest_line(R"({"text":"x","tags":[1,"k",null]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->tags, (std::vector<std::string>{"k"}));
}

TEST(Manifest, NonStringValuesBecomeTheirJsonAndNullIsEmpty) {
  auto e = parse_manifest_line(R"({"external_id":12,"title":null,"category":{"a":[1]},"text":""})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->external_id, "12");
  EXPECT_EQ(e->title, "");
  EXPECT_EQ(e->category, R"({"a":[1]})");
}

TEST(Manifest, BrokenLinesSayWhy) {
  struct Case {
    const char* line;
    const char* reason;
  };
  for (const Case& c : {Case{"{\"text\":", "not valid JSON ("}, Case{"[1,2]", "not a JSON object"},
                        Case{"\"just a string\"", "not a JSON object"},
                        Case{R"({"text":5})", "\"text\" must be a string"},
                        Case{R"({"title":"t","file":7})", "needs \"text\" or \"file\""},
                        Case{R"({"title":"t"})", "needs \"text\" or \"file\""},
                        Case{"{\"text\":\"\xff\xfe\"}", "not valid JSON ("}}) {
    auto e = parse_manifest_line(c.line);
    ASSERT_FALSE(e.ok()) << c.line;
    EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.error().message.rfind(c.reason, 0), 0u) << c.line << " -> " << e.error().message;
  }
}

TEST(Manifest, DeepNestingIsAnErrorOrAValueNotACrash) {
  std::string deep = R"({"text":"x","tags":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto e = parse_manifest_line(deep);
  ASSERT_TRUE(e.ok());  // nlohmann parses iteratively; the tags are just not strings
  EXPECT_TRUE(e->tags.empty());
  auto cut = parse_manifest_line(std::string(100000, '['));
  EXPECT_FALSE(cut.ok());
}
