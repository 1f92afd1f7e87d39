// Snippets and page matching over aligned page texts.
#include <gtest/gtest.h>

#include "index/snippet.h"

namespace wenku::index {
namespace {

TEST(MatchPages, MarksTheOriginalTextAndEscapesTheRest) {
  std::vector<PageText> pages = {{1, "學校<b>擇校</b> & more", "学校<b>择校</b> & more"}};
  PageMatch m = match_pages(pages, {"择校"});
  EXPECT_EQ(m.pages, std::vector<int>{1});
  EXPECT_EQ(m.snippet, "學校&lt;b&gt;<em>擇校</em>&lt;/b&gt; &amp; more");
}

TEST(MatchPages, ListsMatchingPagesBestFirst) {
  std::vector<PageText> pages = {{1, "无关", "无关"}, {2, "择校", "择校"}, {3, "择校和大班额", "择校和大班额"}};
  PageMatch m = match_pages(pages, {"择校", "大班额"});
  EXPECT_EQ(m.pages, (std::vector<int>{3, 2}));
  EXPECT_EQ(m.snippet, "<em>择校</em>和<em>大班额</em>");
}

TEST(MatchPages, LatinTermsMatchWholeWordsOnly) {
  std::vector<PageText> pages = {{1, "he said AI", "he said ai"}};
  PageMatch m = match_pages(pages, {"ai"});
  EXPECT_EQ(m.snippet, "he said <em>AI</em>");
}

TEST(MatchPages, WithoutAMatchShowsTheStartOfTheFirstPage) {
  std::string long_text(400, 'x');
  std::vector<PageText> pages = {{1, long_text, long_text}};
  PageMatch m = match_pages(pages, {"不在"}, 100);
  EXPECT_TRUE(m.pages.empty());
  EXPECT_EQ(m.snippet, std::string(100, 'x') + "…");
}

TEST(MatchPages, WindowsAroundTheBestPassageOfALongPage) {
  std::string filler;
  for (int i = 0; i < 500; ++i) filler += "填充";
  std::string text = filler + "。关键词在这里。" + filler;
  std::vector<PageText> pages = {{1, text, text}};
  PageMatch m = match_pages(pages, {"关键词"}, 40);
  EXPECT_EQ(m.snippet.rfind("…<em>关键词</em>在这里。", 0), 0u) << m.snippet;
  EXPECT_LT(m.snippet.size(), 200u);
}

}  // namespace
}  // namespace wenku::index
