// HotCache on a real library: rows are re-read after their time or after forget_all, image
// bytes come back identical from memory, and a page re-rendered under a new key is noticed.
#include "http/hot_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "blob/blob_store.h"
#include "store/metadata_store.h"
#include "support/test_support.h"

namespace wenku::http {
namespace {

class HotCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(settings_.set("data", (dir_ / "data").string()).ok());
    auto lib = library::Library::open(settings_, {.workers = false});
    ASSERT_TRUE(lib.ok()) << lib.error().message;
    lib_ = std::move(lib).value();
    library::ImportRequest r;
    r.title = "热门文档";
    auto out = lib_->ingest().import_text("第一页的文字。\n", r);
    ASSERT_TRUE(out.ok()) << out.error().message;
    id_ = out->id;
    ASSERT_TRUE(store().replace_pages(id_, {{1, "第一页", "", "", 0, 0}}).ok());
  }
  // The test's own connections to the data directory (the library hands out services only).
  store::MetadataStore& store() {
    if (!store_) store_ = std::move(store::open_metadata_store("sqlite://" + (dir_ / "data" / "wenku.db").string())).value();
    return *store_;
  }
  blob::BlobStore& blobs() {
    if (!blobs_) blobs_ = std::move(blob::open_blob_store("file://" + (dir_ / "data" / "blobs").string())).value();
    return *blobs_;
  }
  // Stores `bytes` as page 1's preview and a small thumbnail.
  std::string set_image(const std::string& bytes) {
    auto key = blobs().put_bytes(bytes);
    auto thumb = blobs().put_bytes("thumb:" + bytes.substr(0, 10));
    EXPECT_TRUE(key.ok() && thumb.ok());
    EXPECT_TRUE(store().set_page_image(id_, 1, *key, *thumb, 800, 1131).ok());
    return *key;
  }
  store::Document row() { return std::move(store().get_document(id_)).value(); }

  testing::TempDir dir_;
  Settings settings_;
  std::unique_ptr<library::Library> lib_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
  int64_t id_ = 0;
};

TEST_F(HotCacheTest, RowIsReadAgainAfterForgetAllAndAfterItsTime) {
  HotCache cache(*lib_, HotCacheLimits{.row_ttl = std::chrono::milliseconds(300)});
  auto first = cache.document(id_);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->hidden);
  store::DocumentUpdate u;
  u.hidden = true;
  ASSERT_TRUE(store().update_document(id_, u).ok());
  // Within its time the cached row is what the cache answers...
  EXPECT_FALSE(cache.document(id_)->hidden);
  // ...until a web route that changed something says so,
  cache.forget_all();
  EXPECT_TRUE(cache.document(id_)->hidden);
  // or its time runs out.
  u.hidden = false;
  ASSERT_TRUE(store().update_document(id_, u).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_FALSE(cache.document(id_)->hidden);
  EXPECT_EQ(cache.document(id_ + 1000).error().code, ErrorCode::kNotFound);
}

TEST_F(HotCacheTest, ImageBytesAreTheBlobAndFollowARerender) {
  HotCache cache(*lib_);
  auto none = cache.page_image(row(), 1, false);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());  // not rendered yet
  std::string one(300'000, 'a');
  std::string key = set_image(one);
  auto img = cache.page_image(row(), 1, false);
  ASSERT_TRUE(img.ok() && img->has_value());
  EXPECT_EQ((*img)->key, key);
  ASSERT_NE((*img)->bytes, nullptr);
  EXPECT_EQ(*(*img)->bytes, one);
  auto thumb = cache.page_image(row(), 1, true);
  ASSERT_TRUE(thumb.ok() && thumb->has_value());
  EXPECT_EQ(*(*thumb)->bytes, "thumb:aaaaaaaaaa");
  // The second answer is the same buffer, not a new read.
  EXPECT_EQ(cache.page_image(row(), 1, false)->value().bytes.get(), (*img)->bytes.get());
  // Rendered again: new bytes under a new key, noticed once the routes forget the mapping.
  std::string two(1000, 'b');
  std::string key2 = set_image(two);
  cache.forget_all();
  auto again = cache.page_image(row(), 1, false);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->key, key2);
  EXPECT_EQ(*(*again)->bytes, two);
  EXPECT_FALSE(cache.page_image(row(), 2, false)->has_value());
}

TEST_F(HotCacheTest, LargeImagesAreStreamedAndTheByteBudgetHolds) {
  HotCache cache(*lib_, HotCacheLimits{.max_bytes = 250'000, .max_image_bytes = 200'000});
  std::string big(200'001, 'c');
  std::string key = set_image(big);
  auto img = cache.page_image(row(), 1, false);
  ASSERT_TRUE(img.ok() && img->has_value());
  EXPECT_EQ((*img)->key, key);
  EXPECT_EQ((*img)->bytes, nullptr);  // the route streams it from the blob store
  // Two images of 150 KB do not both fit in 250 KB: the older leaves, both still answer.
  std::string a(150'000, 'd');
  set_image(a);
  cache.forget_all();
  auto first = cache.page_image(row(), 1, false);
  std::string b(150'000, 'e');
  set_image(b);
  cache.forget_all();
  auto second = cache.page_image(row(), 1, false);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*(*first)->bytes, a);  // held by the caller even after eviction
  EXPECT_EQ(*(*second)->bytes, b);
  cache.forget_all();
  EXPECT_EQ(*cache.page_image(row(), 1, false)->value().bytes, b);
}

}  // namespace
}  // namespace wenku::http
