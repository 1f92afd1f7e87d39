// Contract of MetadataStore, run against every implementation.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/clock.h"
#include "store/metadata_store.h"
#include "store_backends.h"
#include "support/test_support.h"

namespace wenku::store {
namespace {

// Its PostgreSQL databases: contract_N.
struct MetadataStoreContractDatabases {
  static constexpr const char* kDatabasePrefix = "contract_";
};
using contract::SqliteBackend;
using PostgresBackend = contract::PostgresBackendOf<MetadataStoreContractDatabases>;

template <typename Backend>
class MetadataStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = Backend::url(dir_.path(), &why);
    ASSERT_FALSE(url_.empty()) << why;
    store_ = open();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<MetadataStore> open() {
    auto s = open_metadata_store(url_);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // A store at a fresh URL of the same backend.
  std::string other_url(const testing::TempDir& other) {
    std::string why;
    std::string url = Backend::url(other.path(), &why);
    EXPECT_FALSE(url.empty()) << why;
    return url;
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
  std::string url_;
  std::unique_ptr<MetadataStore> store_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
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
  f.listed = kListed;
  EXPECT_EQ(*this->store_->count_documents(f), 2);
  f.category_prefix = "办公文档";
  auto docs = *this->store_->list_documents(f);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, b) << "newest first";
  f.category_prefix = "办公文档/事务文书";
  EXPECT_EQ(*this->store_->count_documents(f), 1);
  auto cats = *this->store_->list_categories(kListed);
  EXPECT_EQ(cats.size(), 3u);
}

// The listing rule is data the store applies: its query agrees with ListingRule::admits on
// every kind of document, and without a rule the store refuses to guess.
TYPED_TEST(MetadataStoreContract, ListingRuleQueryAgreesWithAdmits) {
  std::vector<int64_t> ids;
  int n = 0;
  for (auto status : {DocumentStatus::kProcessing, DocumentStatus::kReady, DocumentStatus::kFailed}) {
    for (auto vis : {Visibility::kPublic, Visibility::kUnlisted, Visibility::kPrivate}) {
      for (bool hidden : {false, true}) {
        int64_t id = this->add("doc" + std::to_string(n), std::string(64, static_cast<char>('a' + n % 26)) +
                                                             std::to_string(n));
        ++n;
        DocumentUpdate u;
        u.status = status;
        u.visibility = vis;
        u.hidden = hidden;
        ASSERT_TRUE(this->store_->update_document(id, u).ok());
        ids.push_back(id);
      }
    }
  }
  std::vector<ListingRule> rules = {kListed, ListingRule{}, ListingRule{std::nullopt, Visibility::kUnlisted, true},
                                    ListingRule{DocumentStatus::kFailed, std::nullopt, false}};
  for (const auto& rule : rules) {
    DocumentFilter f;
    f.listed = rule;
    f.limit = 100;
    std::set<int64_t> listed;
    auto docs = this->store_->list_documents(f);
    ASSERT_TRUE(docs.ok());
    for (const auto& d : *docs) listed.insert(d.id);
    std::set<int64_t> admitted;
    for (int64_t id : ids) {
      if (rule.admits(*this->store_->get_document(id))) admitted.insert(id);
    }
    EXPECT_EQ(listed, admitted);
    EXPECT_EQ(*this->store_->count_documents(f), static_cast<int64_t>(admitted.size()));
  }
  DocumentFilter unsure;
  unsure.listed_only = true;
  EXPECT_EQ(this->store_->list_documents(unsure).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(this->store_->count_documents(unsure).error().code, ErrorCode::kInvalidArgument);
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
  int64_t gen = this->store_->get_document(id)->index_gen;
  ASSERT_TRUE(*this->store_->mark_indexed(id, gen));
  ASSERT_TRUE(this->store_->replace_pages(id, {{1, "新的第一页", "", "", 0, 0}}).ok());
  EXPECT_FALSE(this->store_->get_document(id)->indexed) << "new text leaves the index stale";
  EXPECT_FALSE(*this->store_->mark_indexed(id, gen)) << "a re-index that read the old text";
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

// /metrics' queue age: the longest wait of a job the workers could take now; a job waiting
// out its retry back-off does not count, a running one neither.
TYPED_TEST(MetadataStoreContract, OldestQueuedJobIsTheLongestRunnableWait) {
  auto none = this->store_->oldest_queued_job_at();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(*none, 0);
  const int64_t before = now_unix();
  this->add("waiting");
  int64_t since = *this->store_->oldest_queued_job_at();
  EXPECT_GE(since, before - 1);
  EXPECT_LE(since, now_unix());
  auto j = **this->store_->claim_job("w", {}, 60);
  EXPECT_EQ(*this->store_->oldest_queued_job_at(), 0);
  ASSERT_TRUE(this->store_->fail_job(j.id, "helper crashed", 4102444800).ok());  // retry in 2100
  EXPECT_EQ(*this->store_->oldest_queued_job_at(), 0);
}

TYPED_TEST(MetadataStoreContract, FailedJobWaitsForItsRetryTimeOrStaysFailed) {
  this->add("j");
  auto j = **this->store_->claim_job("w", {}, 60);
  ASSERT_TRUE(this->store_->fail_job(j.id, "helper crashed", 4102444800).ok());  // year 2100
  EXPECT_FALSE(this->store_->claim_job("w", {}, 60)->has_value());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kQueued), 1);
  this->add("j2", std::string(64, 'b'));
  auto j2 = **this->store_->claim_job("w", {}, 60);
  ASSERT_TRUE(this->store_->fail_job(j2.id, "corrupt", 0).ok());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kFailed), 1);
}

// A job deferred while a backend was down waits for its time and does not use up an attempt.
TYPED_TEST(MetadataStoreContract, DeferredJobWaitsWithoutUsingAnAttempt) {
  this->add("j");
  auto j = **this->store_->claim_job("w", {}, 60);
  EXPECT_EQ(j.attempts, 1);
  ASSERT_TRUE(this->store_->defer_job(j.id, "index: shard down", now_unix() + 1).ok());
  EXPECT_FALSE(this->store_->claim_job("w", {}, 60)->has_value());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kQueued), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto again = this->store_->claim_job("w", {}, 60);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->attempts, 1);
}

// A worker whose document was deleted under it (its jobs with it) must not touch the job
// that now has the same id: it is someone else's, still queued.
TYPED_TEST(MetadataStoreContract, OnlyARunningJobIsCompletedOrFailed) {
  this->add("queued", std::string(64, 'c'));
  auto queued = *this->store_->jobs_of(this->add("queued2", std::string(64, 'd')));
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_FALSE(this->store_->fail_job(queued[0].id, "no document 1", 0).ok());
  EXPECT_FALSE(this->store_->complete_job(queued[0].id).ok());
  EXPECT_EQ(*this->store_->count_jobs(JobState::kQueued), 2);
  EXPECT_EQ(*this->store_->count_jobs(JobState::kFailed), 0);
}

// A reader reached a page not rendered yet: that document's render job goes ahead of the
// other queued work, and a job already running or done is left alone.
TYPED_TEST(MetadataStoreContract, AHurriedJobIsClaimedBeforeOtherQueuedWork) {
  int64_t waiting = this->add("waiting", std::string(64, 'h'));
  int64_t other = this->add("other", std::string(64, 'i'));
  for (auto* c : {"w", "w"}) {  // the two documents' first jobs out of the way
    auto j = this->store_->claim_job(c, {}, 60);
    ASSERT_TRUE(j.ok() && j->has_value());
    ASSERT_TRUE(this->store_->complete_job((*j)->id).ok());
  }
  ASSERT_TRUE(this->store_->enqueue_job({"render_rest", waiting, 20, 3}).ok());
  ASSERT_TRUE(this->store_->enqueue_job({"extract", other, 0, 3}).ok());
  EXPECT_FALSE(*this->store_->hurry_job("render_rest", other, -10)) << "no such job queued";
  EXPECT_TRUE(*this->store_->hurry_job("render_rest", waiting, -10));
  auto first = this->store_->claim_job("w", {}, 60);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->kind, "render_rest");
  EXPECT_EQ((*first)->document_id, waiting);
  EXPECT_FALSE(*this->store_->hurry_job("render_rest", waiting, -10)) << "running: nothing to hurry";
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

Report make_report(int64_t document_id, const std::string& reason, const std::string& detail) {
  Report r;
  r.document_id = document_id;
  r.reason = reason;
  r.detail = detail;
  return r;
}

// ---- Accounts, sessions, reports, site settings, query log, statistics ----

TYPED_TEST(MetadataStoreContract, UserNamesAreUniqueIgnoringCase) {
  auto id = this->store_->create_user("Fanfan", "hash1", Role::kMember);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto again = this->store_->create_user("fanfan", "hash2", Role::kAdmin);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  auto found = this->store_->find_user("FANFAN");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->password_hash, "hash1");
  EXPECT_EQ((*found)->role, Role::kMember);
  auto missing = this->store_->find_user("nobody");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TYPED_TEST(MetadataStoreContract, UserUpdateChangesOnlyWhatIsSet) {
  int64_t id = *this->store_->create_user("张三", "h", Role::kMember);
  UserUpdate u;
  u.role = Role::kModerator;
  ASSERT_TRUE(this->store_->update_user(id, u).ok());
  UserUpdate b;
  b.banned = true;
  ASSERT_TRUE(this->store_->update_user(id, b).ok());
  auto user = this->store_->get_user(id);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->role, Role::kModerator);
  EXPECT_TRUE(user->banned);
  EXPECT_EQ(user->password_hash, "h");
  EXPECT_EQ(this->store_->update_user(id + 100, u).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*this->store_->count_users(), 1);
}

TYPED_TEST(MetadataStoreContract, ExpiredSessionsAreNotFound) {
  int64_t uid = *this->store_->create_user("u", "h", Role::kMember);
  int64_t now = now_unix();
  ASSERT_TRUE(this->store_->create_session({"live", uid, "csrf1", now, now + 1000}).ok());
  ASSERT_TRUE(this->store_->create_session({"old", uid, "csrf2", now - 100, now - 10}).ok());
  auto live = this->store_->find_session("live", now);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->user_id, uid);
  EXPECT_EQ((*live)->csrf_token, "csrf1");
  auto old = this->store_->find_session("old", now);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->has_value());
  // Still there an hour later only if it has not expired by then.
  EXPECT_FALSE(this->store_->find_session("live", now + 2000)->has_value());
  ASSERT_TRUE(this->store_->delete_user_sessions(uid, "").ok());
  EXPECT_FALSE(this->store_->find_session("live", now)->has_value());
}

TYPED_TEST(MetadataStoreContract, ReportsAreListedAndResolvedPerDocument) {
  int64_t doc = this->add("被举报", std::string(64, 'r'));
  int64_t other = this->add("另一篇", std::string(64, 's'));
  int64_t r1 = *this->store_->create_report(make_report(doc, "spam", "<script>x</script>"));
  int64_t r2 = *this->store_->create_report(make_report(doc, "copyright", ""));
  int64_t r3 = *this->store_->create_report(make_report(other, "other", ""));
  (void)r2;
  EXPECT_EQ(this->store_->create_report(make_report(9999, "spam", "")).error().code, ErrorCode::kNotFound);
  auto open = this->store_->list_reports("open", 0, 10);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 3u);
  ASSERT_TRUE(this->store_->resolve_report(r1, "hide", 0, true).ok());
  open = this->store_->list_reports("open", 0, 10);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().id, r3);
  EXPECT_EQ(open->front().document_title, "另一篇");
  auto all = this->store_->list_reports("", 0, 10);
  ASSERT_EQ(all->size(), 3u);
  int resolved = 0;
  for (const auto& r : *all) {
    if (r.state == "resolved") {
      ++resolved;
      EXPECT_EQ(r.action, "hide");
    }
  }
  EXPECT_EQ(resolved, 2);
}

TYPED_TEST(MetadataStoreContract, SiteSettingsOverwrite) {
  ASSERT_TRUE(this->store_->set_site_setting("site_name", "文库一").ok());
  ASSERT_TRUE(this->store_->set_site_setting("site_name", "文库二").ok());
  ASSERT_TRUE(this->store_->set_site_setting("icp", "京ICP备12345号").ok());
  auto all = this->store_->site_settings();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].first, "site_name");
  EXPECT_EQ((*all)[1].second, "文库二");
}

TYPED_TEST(MetadataStoreContract, QueryLogGivesPopularRelatedAndSuggestedQueries) {
  int64_t doc = this->add("择校", std::string(64, 'q'));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(this->store_->log_query("教育", 5, 0).ok());
  ASSERT_TRUE(this->store_->log_query("教育局", 2, 0).ok());
  ASSERT_TRUE(this->store_->log_query("没有结果", 0, 0).ok());
  ASSERT_TRUE(this->store_->log_query("择校", 1, doc).ok());
  ASSERT_TRUE(this->store_->log_query("50%_x", 1, 0).ok());
  auto popular = this->store_->popular_queries(0, 10);
  ASSERT_TRUE(popular.ok());
  ASSERT_GE(popular->size(), 2u);
  EXPECT_EQ(popular->front().query, "教育");
  EXPECT_EQ(popular->front().count, 3);
  for (const auto& q : *popular) EXPECT_NE(q.query, "没有结果");
  auto related = this->store_->queries_for_document(doc, 5);
  ASSERT_TRUE(related.ok());
  ASSERT_EQ(related->size(), 1u);
  EXPECT_EQ(related->front().query, "择校");
  auto suggest = this->store_->suggest_queries("教育", 5);
  ASSERT_TRUE(suggest.ok());
  ASSERT_EQ(suggest->size(), 2u);
  EXPECT_EQ((*suggest)[0].query, "教育");
  EXPECT_EQ((*suggest)[1].query, "教育局");
  // The prefix is literal: % and _ are not wildcards.
  EXPECT_EQ(this->store_->suggest_queries("5%", 5)->size(), 0u);
  EXPECT_EQ(this->store_->suggest_queries("50%_", 5)->size(), 1u);
  auto searches = this->store_->daily_counts("search", 7);
  ASSERT_TRUE(searches.ok());
  ASSERT_EQ(searches->size(), 1u);
  EXPECT_EQ(searches->front().count, 6);  // the click is not a search
  ASSERT_TRUE(this->store_->prune_query_log(INT64_MAX).ok());
  EXPECT_TRUE(this->store_->popular_queries(0, 10)->empty());
}

TYPED_TEST(MetadataStoreContract, DailyQuotaRefusesPastItsLimit) {
  EXPECT_TRUE(*this->store_->take_daily_quota("ip:1.2.3.4", 2));
  EXPECT_TRUE(*this->store_->take_daily_quota("ip:1.2.3.4", 2));
  EXPECT_FALSE(*this->store_->take_daily_quota("ip:1.2.3.4", 2));
  EXPECT_TRUE(*this->store_->take_daily_quota("user:7", 2));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(*this->store_->take_daily_quota("ip:unlimited", 0));
  ASSERT_TRUE(this->store_->add_daily("view", 2).ok());
  ASSERT_TRUE(this->store_->add_daily("view", 3).ok());
  auto views = this->store_->daily_counts("view", 30);
  ASSERT_TRUE(views.ok());
  ASSERT_EQ(views->size(), 1u);
  EXPECT_EQ(views->front().count, 5);
  this->add("a", std::string(64, 'f'));
  auto uploads = this->store_->daily_counts("upload", 30);
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ(uploads->front().count, 1);
}

TYPED_TEST(MetadataStoreContract, RateLimitsSlideAndAreKeptPerKey) {
  auto& s = *this->store_;
  EXPECT_TRUE(*s.take_rate("login-ip:1.2.3.4", 2, 600));
  EXPECT_TRUE(*s.take_rate("login-ip:1.2.3.4", 2, 600));
  EXPECT_FALSE(*s.take_rate("login-ip:1.2.3.4", 2, 600));
  EXPECT_TRUE(*s.take_rate("login-ip:5.6.7.8", 2, 600));
  EXPECT_TRUE(*s.take_rate("touch:v|view:1", 1, 3600));
  EXPECT_FALSE(*s.take_rate("touch:v|view:1", 1, 3600));
  // A one-second window slides: after it the key is free again (whole seconds: wait past
  // the next one). The windows above are long so a slow machine cannot slide them.
  EXPECT_TRUE(*s.take_rate("slide", 1, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_TRUE(*s.take_rate("slide", 1, 1));
  EXPECT_FALSE(*s.take_rate("login-ip:1.2.3.4", 2, 600)) << "still within its ten minutes";
  EXPECT_FALSE(*s.take_rate("touch:v|view:1", 1, 3600));
}

TYPED_TEST(MetadataStoreContract, ReviewQueueKeepsOrderAndForgetsDeletedDocuments) {
  int64_t a = this->add("a", std::string(64, 'x'));
  int64_t b = this->add("b", std::string(64, 'y'));
  ASSERT_TRUE(this->store_->add_to_review(a).ok());
  ASSERT_TRUE(this->store_->add_to_review(b).ok());
  ASSERT_TRUE(this->store_->add_to_review(a).ok());
  EXPECT_EQ(*this->store_->review_queue(10), (std::vector<int64_t>{a, b}));
  ASSERT_TRUE(this->store_->remove_from_review(a).ok());
  ASSERT_TRUE(this->store_->delete_document(b).ok());
  EXPECT_TRUE(this->store_->review_queue(10)->empty());
}

TYPED_TEST(MetadataStoreContract, MovingACategoryMovesItsSubtreeAndDocuments) {
  int64_t doc = this->add("讲话稿", std::string(64, 'm'), "办公文档/事务文书/讲话");
  ASSERT_TRUE(this->store_->move_category("办公文档/事务文书", "公文/文书").ok());
  auto d = this->store_->get_document(doc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->category_path, "公文/文书/讲话");
  auto cats = this->store_->list_categories(kListed);
  ASSERT_TRUE(cats.ok());
  std::map<std::string, Category> by_path;
  for (const auto& c : *cats) by_path[c.path] = c;
  ASSERT_TRUE(by_path.count("公文/文书"));
  EXPECT_EQ(by_path["公文/文书"].name, "文书");
  EXPECT_EQ(by_path["公文/文书"].parent_id, by_path["公文"].id);
  EXPECT_EQ(by_path["公文/文书/讲话"].parent_id, by_path["公文/文书"].id);
  EXPECT_FALSE(by_path.count("办公文档/事务文书"));
  EXPECT_EQ(this->store_->move_category("公文", "公文/文书/x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(this->store_->move_category("公文/文书", "办公文档").error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(this->store_->move_category("没有", "x").error().code, ErrorCode::kNotFound);
}

TYPED_TEST(MetadataStoreContract, GetPageImageReadsOnePageWithoutText) {
  int64_t doc = this->add("页", std::string(64, 'p'));
  ASSERT_TRUE(this->store_->replace_pages(doc, {{1, "第一页", "", "", 0, 0}, {2, "第二页", "", "", 0, 0}}).ok());
  ASSERT_TRUE(this->store_->set_page_image(doc, 2, "img2", "th2", 800, 1131).ok());
  auto p2 = this->store_->get_page_image(doc, 2);
  ASSERT_TRUE(p2.ok() && p2->has_value());
  EXPECT_EQ((*p2)->image_key, "img2");
  EXPECT_EQ((*p2)->thumb_key, "th2");
  EXPECT_EQ((*p2)->width, 800);
  EXPECT_TRUE((*p2)->text.empty());
  auto p1 = this->store_->get_page_image(doc, 1);
  ASSERT_TRUE(p1.ok() && p1->has_value());
  EXPECT_TRUE((*p1)->image_key.empty());
  EXPECT_FALSE(this->store_->get_page_image(doc, 3)->has_value());
}

// A re-indexer marks a document indexed only at the generation it read: an update asking
// for re-indexing in between (an edit) keeps the flag down for that update's own re-index.
TYPED_TEST(MetadataStoreContract, MarkIndexedOnlyAtTheGenerationRead) {
  int64_t doc = this->add("代", std::string(64, 'g'));
  DocumentUpdate down;
  down.indexed = false;
  ASSERT_TRUE(this->store_->update_document(doc, down).ok());
  int64_t gen = this->store_->get_document(doc)->index_gen;
  ASSERT_TRUE(*this->store_->mark_indexed(doc, gen));
  EXPECT_TRUE(this->store_->get_document(doc)->indexed);
  // Updates that do not ask for re-indexing leave the generation alone.
  DocumentUpdate views;
  views.pages = 3;
  ASSERT_TRUE(this->store_->update_document(doc, views).ok());
  EXPECT_EQ(this->store_->get_document(doc)->index_gen, gen);
  // An edit after a re-indexer read the document: its mark no longer takes.
  ASSERT_TRUE(this->store_->update_document(doc, down).ok());
  int64_t read = this->store_->get_document(doc)->index_gen;
  DocumentUpdate edit;
  edit.title = "新标题";
  edit.indexed = false;
  ASSERT_TRUE(this->store_->update_document(doc, edit).ok());
  EXPECT_FALSE(*this->store_->mark_indexed(doc, read));
  EXPECT_FALSE(this->store_->get_document(doc)->indexed);
  EXPECT_TRUE(*this->store_->mark_indexed(doc, this->store_->get_document(doc)->index_gen));
  EXPECT_FALSE(*this->store_->mark_indexed(doc + 1000, 0)) << "no such document";
}

// Backup: a snapshot of the whole store, as of the call, in a new store (never over one);
// the original goes on being written.
TYPED_TEST(MetadataStoreContract, BackupIsASnapshotInANewStoreOnly) {
  int64_t before = this->add("备份前", std::string(64, 'h'), "办公文档");
  testing::TempDir other;
  std::string url = this->other_url(other);
  auto backed_up = this->store_->backup_to(url);
  ASSERT_TRUE(backed_up.ok()) << backed_up.error().message;
  int64_t after = this->add("备份后", std::string(64, 'i'));
  auto copy = open_metadata_store(url);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  auto d = (*copy)->get_document(before);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->title, "备份前");
  EXPECT_EQ(d->category_path, "办公文档");
  EXPECT_EQ((*copy)->jobs_of(before)->size(), 1u);
  EXPECT_EQ((*copy)->get_document(after).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->store_->get_document(after).ok());
  EXPECT_EQ(this->store_->backup_to(url).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(this->store_->backup_to("nosuch://x").error().code, ErrorCode::kInvalidArgument);
}

// Several processes starting at once on a new store: the migrations run once, every opener
// gets a working store.
TYPED_TEST(MetadataStoreContract, StoresOpenedAtOnceAllMigrate) {
  testing::TempDir other;
  std::string url = this->other_url(other);
  std::vector<std::unique_ptr<MetadataStore>> stores(4);
  std::vector<std::string> errors(stores.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] {
      auto s = open_metadata_store(url, 2);
      if (s.ok()) stores[i] = std::move(s).value(); else errors[i] = s.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < stores.size(); ++i) ASSERT_NE(stores[i], nullptr) << errors[i];
  NewDocument d;
  d.title = "并发";
  d.original_name = "a.txt";
  d.sha256 = d.blob_key = std::string(64, 'z');
  auto id = stores[0]->create_document(d, JobSpec{"extract", 0, 0, 3});
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(stores[3]->get_document(*id)->title, "并发");
}

// The database server drops every connection (a restart, a network cut): the next calls
// reconnect and succeed, and a write is neither lost nor made twice.
TYPED_TEST(MetadataStoreContract, DroppedConnectionsAreReopened) {
  int64_t a = this->add("断线前", std::string(64, '1'));
  // Several connections open at once, so the pool holds more than one when they drop.
  std::vector<std::thread> readers;
  for (int t = 0; t < 6; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 5; ++i) (void)this->store_->get_pages(a);
    });
  }
  for (auto& t : readers) t.join();
  std::string why;
  ASSERT_TRUE(TypeParam::drop_connections(this->dir_.path(), &why)) << why;
  auto d = this->store_->get_document(a);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->title, "断线前");
  ASSERT_TRUE(TypeParam::drop_connections(this->dir_.path(), &why)) << why;
  int64_t b = this->add("断线后", std::string(64, '2'));
  EXPECT_GT(b, a);
  DocumentFilter all;
  EXPECT_EQ(*this->store_->count_documents(all), 2);
}

// Concurrent writers of shared rows (the same new category and tags from many uploads at
// once, the same counter) all succeed, with one row each and nothing lost.
TYPED_TEST(MetadataStoreContract, ConcurrentWritersShareCategoriesTagsAndCounters) {
  int64_t doc = this->add("计数", std::string(64, '3'));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        NewDocument d;
        d.title = "t" + std::to_string(t) + "-" + std::to_string(i);
        d.original_name = d.title + ".txt";
        d.sha256 = d.blob_key = std::string(63, 'b') + char('a' + t);
        d.category_path = "共享/分类" + std::to_string(i % 2);
        d.tags = {"共同", "标签" + std::to_string(i % 2)};
        if (!this->store_->create_document(d, JobSpec{"extract", 0, 0, 3}).ok()) ++failures;
        if (!this->store_->add_views(doc, 1).ok()) ++failures;
        if (!this->store_->take_daily_quota("ip:shared", 0).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(this->store_->get_document(doc)->views, 20);
  auto cats = *this->store_->list_categories(kListed);
  EXPECT_EQ(cats.size(), 3u);  // 共享, 共享/分类0, 共享/分类1
  DocumentFilter f;
  f.category_prefix = "共享";
  EXPECT_EQ(*this->store_->count_documents(f), 20);
}

TYPED_TEST(MetadataStoreContract, DerivativeIsStoredReplacedReferencedAndGoesWithItsDocument) {
  int64_t doc = this->add("水印", std::string(64, 'w'));
  auto none = this->store_->get_derivative(doc, "watermark_pdf");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  const std::string k1(64, '1'), k2(64, '2');
  ASSERT_TRUE(this->store_->put_derivative(doc, {"watermark_pdf", "文库 1", k1, 100}).ok());
  EXPECT_TRUE(*this->store_->is_blob_referenced(k1));
  ASSERT_TRUE(this->store_->put_derivative(doc, {"watermark_pdf", "文库 2", k2, 200}).ok());
  auto got = this->store_->get_derivative(doc, "watermark_pdf");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->params, "文库 2");
  EXPECT_EQ((*got)->blob_key, k2);
  EXPECT_EQ((*got)->size, 200);
  EXPECT_FALSE(*this->store_->is_blob_referenced(k1));
  auto keys = this->store_->referenced_blob_keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_NE(std::find(keys->begin(), keys->end(), k2), keys->end());
  EXPECT_EQ(this->store_->put_derivative(doc + 1000, {"watermark_pdf", "", k1, 1}).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(this->store_->delete_document(doc).ok());
  EXPECT_FALSE(*this->store_->is_blob_referenced(k2));
}

}  // namespace
}  // namespace wenku::store
