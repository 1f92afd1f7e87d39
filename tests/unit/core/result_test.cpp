#include "core/result.h"

#include <gtest/gtest.h>

namespace wenku {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return make_error(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> quarter(int x) {
  WENKU_ASSIGN_OR_RETURN(int h, half(x));
  return half(h);
}

}  // namespace

TEST(Result, PropagatesTheFirstError) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "odd");
  EXPECT_EQ(error_code_name(r.error().code), "invalid_argument");
}

TEST(ErrorLine, KeyAndParametersSurviveTheLine) {
  Error e = keyed_error(ErrorCode::kTooLarge, "pdf.too_large", {{"bytes", "12"}, {"detail", "a|b=c%\r\n"}});
  EXPECT_EQ(e.message, "err:pdf.too_large|bytes=12|detail=a%7Cb%3Dc%25%0D%0A");
  // A message that is a line (read back from a store or a helper's pipe) is the same error.
  Error back = make_error(ErrorCode::kTooLarge, e.message);
  EXPECT_EQ(back.key, "pdf.too_large");
  ASSERT_EQ(back.params.size(), 2u);
  EXPECT_EQ(back.params[1].name, "detail");
  EXPECT_EQ(back.params[1].value, "a|b=c%\r\n");
  // Plain text is not a line: no key.
  EXPECT_TRUE(make_error(ErrorCode::kIo, "disk full").key.empty());
  EXPECT_FALSE(parse_error_line("err:").has_value());
  EXPECT_FALSE(parse_error_line("err:Bad Key").has_value());
  EXPECT_FALSE(parse_error_line("err:k|novalue").has_value());
  EXPECT_FALSE(parse_error_line("err:k|a=%zz").has_value());
  EXPECT_FALSE(parse_error_line("PDF 已加密 / PDF is encrypted").has_value());
}

}  // namespace wenku
