// Query evaluation of the SQLite index: fallbacks for words found nowhere, document
// frequency estimates, on small indexes built by the test.
#include <gtest/gtest.h>

#include <algorithm>

#include "index/analyzer.h"
#include "index/sqlite_index.h"
#include "support/test_support.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::index {
namespace {

class SearchQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = text::make_normalizer();
    auto s = text::make_segmenter();
    if (n.ok() && s.ok()) {
      normalizer_ = std::move(*n).release();
      segmenter_ = std::move(*s).release();
    }
  }
  void SetUp() override {
    if (!normalizer_ || !segmenter_) GTEST_SKIP() << "text data (ICU, OpenCC, jieba) not installed";
    auto opened = open_sqlite_index((dir_ / "index.db").string(), *normalizer_, *segmenter_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    index_ = std::move(*opened);
  }
  void add(int64_t id, const std::string& title, const std::string& body) {
    IndexDocument d;
    d.id = id;
    d.title = title;
    d.pages = {body};
    ASSERT_TRUE(index_->upsert(d).ok());
  }
  std::vector<int64_t> ids(const std::string& text) {
    SearchQuery q;
    q.text = text;
    auto r = index_->search(q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<int64_t> out;
    if (r.ok()) {
      for (const SearchHit& h : r->hits) out.push_back(h.id);
    }
    return out;
  }
  static inline text::Normalizer* normalizer_ = nullptr;  // lives for the whole run
  static inline text::Segmenter* segmenter_ = nullptr;
  testing::TempDir dir_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(SearchQueryTest, SubWordsSplitOnlyCompoundsMadeOfDictionaryWords) {
  Analyzer a(*normalizer_, *segmenter_);
  EXPECT_EQ(a.sub_words("桥梁工程"), (std::vector<std::string>{"桥梁", "工程"}));
  EXPECT_TRUE(a.sub_words("桥梁").empty());
  EXPECT_TRUE(a.sub_words("教").empty());
}

// 桥梁工程 names a discipline the text never names as one word: documents holding both
// its parts are found, not every document sharing one of its characters.
TEST_F(SearchQueryTest, CompoundFoundNowhereFindsDocumentsWithAllItsParts) {
  add(1, "斜拉桥的施工控制", "本文讨论桥梁的设计与施工，这是土木工程中的重要内容。");
  add(2, "水浒传", "梁山好汉一百单八将。");
  add(3, "软件开发", "程序员编写程序。");
  add(4, "桥梁", "一座古老的石桥梁横跨河面。");
  EXPECT_EQ(ids("桥梁工程"), (std::vector<int64_t>{1}));
}

// With no document holding all the parts, the parts are relaxed to most, and characters
// come last: the query never comes back empty while a document shares a character.
TEST_F(SearchQueryTest, CompoundWithoutAllPartsStillFindsSomething) {
  add(1, "水浒传", "梁山好汉一百单八将。");
  add(2, "桥", "一座古老的石桥梁横跨河面。");
  for (int64_t i = 3; i < 20; ++i) add(i, "天气", "今天的天气很好，适合出门散步。");  // idf needs a library
  std::vector<int64_t> got = ids("桥梁工程");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front(), 2);
}

// Document frequencies: a word in more documents than the sample (here 1,100 of 2,500)
// is estimated from slices of the id range, a rare one counted; all words still must
// match, and the document with both ranks first.
TEST_F(SearchQueryTest, CommonAndRareWordsTogetherMatchOnlyDocumentsWithBoth) {
  std::vector<IndexDocument> docs;
  int64_t with_common = 0;
  for (int64_t i = 1; i <= 2500; ++i) {
    IndexDocument d;
    d.id = i;
    d.title = "文档" + std::to_string(i);
    bool common = i % 9 < 4;
    d.pages = {i == 700 ? "研究报告：蛋白质结构" : i == 902 ? "蛋白质的提取方法"
               : common ? "研究报告的写作方法与格式" : "会议纪要的写作方法与格式"};
    if (d.pages[0].find("研究") != std::string::npos) ++with_common;
    docs.push_back(std::move(d));
  }
  ASSERT_TRUE(index_->upsert_batch(docs).ok());
  SearchQuery q;
  q.text = "研究 蛋白质";
  auto r = index_->search(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits.front().id, 700);
  EXPECT_EQ(r->total, 1);
  q.text = "研究";
  r = index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, with_common);  // every document holding it, counted
}

// A one-word query asks what a document is about: a short text that names the word ranks
// above a long one that uses it more often among many other things (RankParams::len_prior);
// plain BM25's saturating tf put the long one first, and still does for a question, whose
// answer is often the longer explanation.
TEST_F(SearchQueryTest, OneWordQueryPrefersShortDocumentAboutTheWord) {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  add(1, "城市发展报告", repeat("回归模型估计了交通和能源的参数。", 16) +
                             repeat("人口迁移的历史数据说明政策的长期影响。", 4));
  add(2, "降水预测", "建立了一个月降水量的预测模型。观测资料取自三十个气象站，时间跨度为五十年。");
  for (int64_t i = 3; i < 12; ++i) add(i, "天气", repeat("今天的天气很好，适合出门散步。", 28));  // idf needs a library
  std::vector<int64_t> got = ids("模型");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.front(), 2);
  got = ids("什么是模型？");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.front(), 1);
}

}  // namespace
}  // namespace wenku::index
