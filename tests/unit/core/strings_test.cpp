#include "core/strings.h"

#include <gtest/gtest.h>

namespace wenku {

TEST(MaskName, KeepsFirstAndLastCharacter) {
  EXPECT_EQ(mask_name("Fanfan"), "F****n");
  EXPECT_EQ(mask_name("张小明"), "张*明");
}

TEST(MaskName, ShortNamesStillHideSomething) {
  EXPECT_EQ(mask_name("张三"), "张*");
  EXPECT_EQ(mask_name("A"), "*");
  EXPECT_EQ(mask_name(""), "*");
}

TEST(HumanSize, MatchesTheReferencePage) {
  EXPECT_EQ(human_size(28631), "27.96KB");
  EXPECT_EQ(human_size(512), "512B");
  EXPECT_EQ(human_size(3 * 1024 * 1024), "3.00MB");
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(sanitize_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));  // overlong NUL
  EXPECT_TRUE(is_valid_utf8("文库"));
  EXPECT_EQ(utf8_length("文库ab"), 4u);
  EXPECT_EQ(utf8_prefix("文库ab", 1), "文");
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape("<script>alert('x')&\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;");
}

}  // namespace wenku
