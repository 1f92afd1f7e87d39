// Contract of MetadataStore, run against every implementation.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "store/metadata_store.h"
#include "support/test_support.h"

namespace wenku::store {
namespace {

struct SqliteBackend {
  static std::string url(const std::filesystem::path& dir) { return "sqlite://" + (dir / "wenku.db").string(); }
};

template <typename Backend>
class MetadataStoreContract : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open(); }
  std::unique_ptr<MetadataStore> open() {
    auto s = open_metadata_store(Backend::url(dir_.path()));
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }
  int64_t add(const std::string& title, const std::string& sha = std::string(64, 'a'),
              const std::string& category = "") {
    NewDocument d;
    d.title = title;
    d.original_name = title + ".docx";
    d.uploader_name = "Fanfan";
    d.size = 28631;
    d.sha256 = sha;
    d.blob_key = sha;
    d.category_path = category;
    d.tags = {"讲话稿", "教育"};
    auto id = store_->create_document(d, JobSpec{"extract", 0, 0, 3});
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }
  testing::TempDir dir_;
  std::unique_ptr<MetadataStore> store_;
};

using Backends = ::testing::Types<SqliteBackend>;
TYPED_TEST_SUITE(MetadataStoreContract, Backends);

TYPED_TEST(MetadataStoreContract, CreatedDocumentIsProcessingWithItsJob) {
  int64_t id = this->add("讲话稿", std::string(64, 'b'), "办公文档/事务文书");
  auto d = this->store_->get_document(id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->title, "讲话稿");
  EXPECT_EQ(d->status, DocumentStatus::kProcessing);
  EXPECT_EQ(d->category_path, "办公文档/事务文书");
  EXPECT_EQ(d->tags, (std::vector<std::string>{"讲话稿", "教育"}));
  auto jobs = this->store_->jobs_of(id);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].kind, "extract");
}

TYPED_TEST(MetadataStoreContract, DocumentNumbersAreStableAcrossReopen) {
  int64_t a = this->add("a");
  int64_t b = this->add("b");
  EXPECT_LT(a, b);
  this->store_.reset();
  this->store_ = this->open();
  EXPECT_EQ(this->store_->get_document(b)->title, "b");
  ASSERT_TRUE(this->store_->delete_document(b).ok());
  int64_t c = this->add("c");
  EXPECT_GT(c, b) << "a deleted document's number is never reused";
}

TYPED_TEST(MetadataStoreContract, MissingDocumentIsNotFound) {
  EXPECT_EQ(this->store_->get_document(12345).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->update_document(12345, {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->delete_document(12345).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(MetadataStoreContract, UpdateChangesOnlyGivenFields) {
  int64_t id = this->add("t");
  DocumentUpdate u;
  u.status = DocumentStatus::kReady;
  u.pages = 12;
  u.format = "docx";
  ASSERT_TRUE(this->store_->update_document(id, u).ok());
  auto d = *this->store_->get_document(id);
  EXPECT_EQ(d.status, DocumentStatus::kReady);
  EXPECT_EQ(d.pages, 12);
  EXPECT_EQ(d.format, "docx");
  EXPECT_EQ(d.title, "t");
  EXPECT_EQ(d.uploader_name, "Fanfan");
}

TYPED_TEST(MetadataStoreContract, ListingsShowOnlyListedDocumentsInTheirCategorySubtree) {
  int64_t a = this->add("a", std::string(64, '1'), "办公文档/事务文书");
  int64_t b = this->add("b", std::string(64, '2'), "办公文档");
  int64_t c = this->add("c", std::string(64, '3'), "教育");
  for (int64_t id : {a, b, c}) {
    DocumentUpdate u;
    u.status = DocumentStatus::kReady;
    ASSERT_TRUE(this->store_->update_document(id, u).ok());
  }
  DocumentUpdate hide;
  hide.hidden = true;
  ASSERT_TRUE(this->store_->update_document(c, hide).ok());
  DocumentFilter f;
  f.listed_only = true;
  EXPECT_EQ(*this->store_->count_documents(f), 2);
  f.category_prefix = "办公文档";
  auto docs = *this->store_->list_documents(f);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, b) << "newest first";
  f.category_prefix = "办公文档/事务文书";
  EXPECT_EQ(*this->store_->count_documents(f), 1);
  auto cats = *this->store_->list_categories();
  EXPECT_EQ(cats.size(), 3u);
}

TYPED_TEST(MetadataStoreContract, PagesKeepTextAndImages) {
  int64_t id = this->add("p");
  ASSERT_TRUE(this->store_->replace_pages(id, {{1, "第一页", "", "", 0, 0}, {2, "第二页", "", "", 0, 0}}).ok());
  ASSERT_TRUE(this->store_->set_page_image(id, 1, std::string(64, 'c'), std::string(64, 'd'), 800, 1131).ok());
  auto pages = *this->store_->get_pages(id);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].text, "第一页");
  EXPECT_EQ(pages[0].image_key, std::string(64, 'c'));
  EXPECT_EQ(pages[1].text, "第二页");
  ASSERT_TRUE(this->store_->replace_pages(id, {{1, "新的第一页", "", "", 0, 0}}).ok());
  pages = *this->store_->get_pages(id);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].image_key, std::string(64, 'c')) << "image survives a text update";
  auto keys = *this->store_->referenced_blob_keys();
  EXPECT_NE(std::find(keys.begin(), keys.end(), std::string(64, 'c')), keys.end());
}

TYPED_TEST(MetadataStoreContract, DuplicateShaFindsTheOriginal) {
  int64_t id = this->add("orig", std::string(64, 'e'));
  auto found = this->store_->find_by_sha256(std::string(64, 'e'));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, id);
  EXPECT_FALSE(this->store_->find_by_sha256(std::string(64, 'f'))->has_value());
}

TYPED_TEST(MetadataStoreContract, ClaimedJobIsLeasedAndNotTakenTwice) {
  int64_t id = this->add("j");
  auto j1 = this->store_->claim_job("w1", {}, 60);
  ASSERT_TRUE(j1.ok() && j1->has_value());
  EXPECT_EQ((*j1)->document_id, id);
  EXPECT_EQ((*j1)->attempts, 1);
  auto j2 = this->store_->claim_job("w2", {}, 60);
  ASSERT_TRUE(j2.ok());
  EXPECT_FALSE(j2->has_value());
  EXPECT_TRUE(this->store_->renew_job((*j1)->id, "w1", 60, 0.5).ok());
  EXPECT_FALSE(this->store_->renew_job((*j1)->id, "w2", 60, 0.5).ok());
  ASSERT_TRUE(this->store_->complete_job((*j1)->id).ok());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kDone), 1);
}

TYPED_TEST(MetadataStoreContract, ExpiredLeaseMakesTheJobClaimableAgain) {
  this->add("j");
  auto j1 = this->store_->claim_job("dead-worker", {}, -1);  // already expired
  ASSERT_TRUE(j1.ok() && j1->has_value());
  auto j2 = this->store_->claim_job("w2", {}, 60);
  ASSERT_TRUE(j2.ok() && j2->has_value());
  EXPECT_EQ((*j2)->id, (*j1)->id);
  EXPECT_EQ((*j2)->attempts, 2);
}

TYPED_TEST(MetadataStoreContract, FailedJobWaitsForItsRetryTimeOrStaysFailed) {
  this->add("j");
  auto j = **this->store_->claim_job("w", {}, 60);
  ASSERT_TRUE(this->store_->fail_job(j.id, "helper crashed", 4102444800).ok());  // year 2100
  EXPECT_FALSE(this->store_->claim_job("w", {}, 60)->has_value());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kQueued), 1);
  ASSERT_TRUE(this->store_->fail_job(j.id, "corrupt", 0).ok());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kFailed), 1);
}

TYPED_TEST(MetadataStoreContract, ClaimRespectsKindsAndPriority) {
  int64_t id = this->add("k");
  ASSERT_TRUE(this->store_->enqueue_job({"preview", id, 10, 3}).ok());
  ASSERT_TRUE(this->store_->enqueue_job({"urgent", id, -5, 3}).ok());
  auto only_preview = this->store_->claim_job("w", {"preview"}, 60);
  ASSERT_TRUE(only_preview.ok() && only_preview->has_value());
  EXPECT_EQ((*only_preview)->kind, "preview");
  auto next = this->store_->claim_job("w", {}, 60);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->kind, "urgent");
}

TYPED_TEST(MetadataStoreContract, ConcurrentClaimsNeverShareAJob) {
  for (int i = 0; i < 40; ++i) this->add("c" + std::to_string(i), std::string(63, 'a') + char('a' + i % 6));
  std::atomic<int> claimed{0};
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> seen;
  bool shared = false;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        auto j = this->store_->claim_job("w" + std::to_string(t), {}, 60);
        if (!j.ok() || !j->has_value()) return;
        std::lock_guard lock(mu);
        shared |= !seen.insert((*j)->id).second;
        ++claimed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(claimed.load(), 40);
  EXPECT_FALSE(shared);
}

}  // namespace
}  // namespace wenku::store
