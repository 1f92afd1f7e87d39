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

}  // namespace wenku
