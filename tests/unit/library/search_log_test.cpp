// Searches from the query log through the library: popular, related (of a query and of a
// document) and suggestions as the user types, over a real store and index.
#include <gtest/gtest.h>

#include <algorithm>

#include "library/library.h"
#include "blob/blob_store.h"
#include "store/metadata_store.h"
#include "support/test_support.h"

namespace wenku::library {
namespace {

class SearchLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(settings_.set("data", (dir_ / "data").string()).ok());
    auto lib = Library::open(settings_, {.workers = false});
    ASSERT_TRUE(lib.ok()) << lib.error().message;
    lib_ = std::move(lib).value();
  }
  // The test's own connections to the data directory: the library hands out no store.
  store::MetadataStore& store() {
    if (!store_) store_ = std::move(store::open_metadata_store("sqlite://" + (dir_ / "data" / "wenku.db").string())).value();
    return *store_;
  }
  blob::BlobStore& blobs() {
    if (!blobs_) blobs_ = std::move(blob::open_blob_store("file://" + (dir_ / "data" / "blobs").string())).value();
    return *blobs_;
  }
  void log(const std::string& q, int times, int64_t results = 3, int64_t clicked = 0) {
    for (int i = 0; i < times; ++i) ASSERT_TRUE(store().log_query(q, results, clicked).ok());
  }
  int64_t ready_document(const std::string& title, const std::string& text) {
    ImportRequest r;
    r.title = title;
    auto out = lib_->ingest().import_text(text, r);
    EXPECT_TRUE(out.ok()) << out.error().message;
    if (!out.ok()) return 0;
    EXPECT_TRUE(lib_->pipeline().run_extract(out->id).ok());
    return out->id;
  }
  static std::vector<std::string> queries(const std::vector<store::QueryCount>& v) {
    std::vector<std::string> out;
    for (const auto& q : v) out.push_back(q.query);
    return out;
  }

  testing::TempDir dir_;
  Settings settings_;
  std::unique_ptr<Library> lib_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
};

TEST_F(SearchLogTest, PopularSearchesMergeSpellingsAndSkipFruitlessOnes) {
  log("学校", 2);
  log("學校", 1);
  log("教育", 2);
  log("没有结果的查询", 5, 0);
  auto p = lib_->search().popular_searches(10);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].query, "学校");
  EXPECT_EQ((*p)[0].count, 3);  // 學校 counted with 学校
  EXPECT_EQ((*p)[1].query, "教育");
  auto one = lib_->search().popular_searches(1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

TEST_F(SearchLogTest, RelatedSearchesShareWordsLongerFirstNeverTheQuery) {
  log("教育改革", 1);
  log("教育", 4);
  log("天气预报", 9);
  log("改革开放", 1);
  auto r = lib_->search().related_searches(std::string("教育改革方案"), 10);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto q = queries(*r);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0], "教育改革");  // shares 教育 and 改革
  EXPECT_TRUE(std::find(q.begin(), q.end(), "天气预报") == q.end());
  auto self = lib_->search().related_searches(std::string("教育改革"), 10);
  ASSERT_TRUE(self.ok());
  auto s = queries(*self);
  EXPECT_TRUE(std::find(s.begin(), s.end(), "教育改革") == s.end());
  EXPECT_TRUE(std::find(s.begin(), s.end(), "教育") != s.end());
  auto none = lib_->search().related_searches(std::string("，。"), 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SearchLogTest, RelatedSearchesOfADocumentStartWithThoseThatLedThere) {
  int64_t id = ready_document("招生工作通知", "教育局关于规范中小学招生工作的通知，讲到择校问题。\n");
  ASSERT_GT(id, 0);
  log("择校", 1, 1, id);        // a search that led to the document
  log("招生政策", 3);           // shares 招生 with its title
  log("天气预报", 9);
  auto r = lib_->search().related_searches(id, 5);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto q = queries(*r);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0], "择校");
  EXPECT_EQ(q[1], "招生政策");
  EXPECT_EQ(lib_->search().related_searches(int64_t{999999}, 5).error().code, ErrorCode::kNotFound);
}

TEST_F(SearchLogTest, SuggestionsComeFromSearchesThenTitles) {
  log("教育改革", 2);
  log("天气预报", 9);
  ASSERT_GT(ready_document("教育统计学讲义", "第一章 数据的收集与整理。\n"), 0);
  auto s = lib_->search().suggest("教育", 5);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0], "教育改革");
  EXPECT_EQ((*s)[1], "教育统计学讲义");
  auto trad = lib_->search().suggest("教育統計", 5);  // traditional input finds the simplified title
  ASSERT_TRUE(trad.ok());
  ASSERT_EQ(trad->size(), 1u);
  EXPECT_EQ((*trad)[0], "教育统计学讲义");
  auto one = lib_->search().suggest("教", 5);  // one character: searches only, no title scan
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0], "教育改革");
  auto empty = lib_->search().suggest("   ", 5);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace wenku::library
