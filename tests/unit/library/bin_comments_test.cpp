// Comments and the recycle bin (issue 15) through the library's services over a real data
// directory: binning takes a document out of search and listings and a restore brings it
// back; the periodic purge deletes what stayed past recycle_days with its files, and
// `wenku check` is clean with a document in the bin; comments keep their length limit,
// least interval, the server's captcha (each answer once) and who may delete them.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "library/library.h"
#include "support/test_support.h"

namespace wenku::library {
namespace {

const std::string kText = "回收站测试：学校安全工作管理办法，各中小学应当建立安全责任制度。\n";

class BinCommentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(settings_.set("data", (dir_ / "data").string()).ok());
    auto lib = Library::open(settings_, {.workers = false});
    ASSERT_TRUE(lib.ok()) << lib.error().message;
    lib_ = std::move(lib).value();
  }
  int64_t import(const std::string& text, int64_t uploader) {
    ImportRequest r;
    r.uploader_id = uploader;
    auto out = lib_->ingest().import_text(text, r);
    EXPECT_TRUE(out.ok()) << out.error().message;
    EXPECT_TRUE(lib_->pipeline().run_extract(out->id).ok());
    return out.ok() ? out->id : 0;
  }
  std::vector<int64_t> search_ids(const std::string& q) {
    SearchRequest sr;
    sr.query = q;
    auto r = lib_->search().search(sr);
    EXPECT_TRUE(r.ok());
    std::vector<int64_t> ids;
    if (r.ok()) {
      for (const auto& h : r->hits) ids.push_back(h.doc.id);
    }
    return ids;
  }
  Viewer member(const std::string& name) {
    auto id = lib_->accounts().create_user(name, "correct horse 1", Role::kMember);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return Viewer{id.ok() ? *id : 0, Role::kMember};
  }

  testing::TempDir dir_;
  Settings settings_;
  std::unique_ptr<Library> lib_;
};

TEST_F(BinCommentsTest, BinnedDocumentsLeaveSearchAndComeBackOnRestore) {
  Viewer owner = member("owner");
  Viewer other = member("other");
  int64_t id = import(kText, owner.id);
  ASSERT_EQ(search_ids("安全责任制度"), std::vector<int64_t>{id});
  auto doc = *lib_->catalogue().get(id);
  EXPECT_EQ(lib_->recycle_bin().bin(other, doc).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(lib_->recycle_bin().bin(owner, doc).ok());
  EXPECT_EQ(lib_->recycle_bin().bin(owner, doc).error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(search_ids("安全责任制度").empty());
  DocumentFilter listed;
  listed.listed_only = true;
  EXPECT_TRUE(lib_->catalogue().list(listed)->empty());
  EXPECT_EQ(lib_->catalogue().visible(Viewer{}, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(lib_->recycle_bin().list(owner.id, 0, 10)->size(), 1u);
  EXPECT_TRUE(lib_->recycle_bin().list(other.id, 0, 10)->empty());
  auto report = lib_->check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
  EXPECT_EQ(lib_->recycle_bin().restore(other, id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(lib_->recycle_bin().restore(owner, id).ok());
  EXPECT_EQ(search_ids("安全责任制度"), std::vector<int64_t>{id});
  EXPECT_FALSE(lib_->catalogue().get(id)->hidden);
}

TEST_F(BinCommentsTest, ThePurgeDeletesWhatStayedPastRecycleDaysWithItsFiles) {
  Viewer admin{0, Role::kAdmin};
  admin.id = member("admin").id;
  admin.role = Role::kAdmin;
  int64_t old_doc = import(kText, 0);
  int64_t fresh = import(kText + "另一篇", 0);
  std::string key = lib_->catalogue().get(old_doc)->blob_key;
  ASSERT_TRUE(lib_->recycle_bin().bin(admin, *lib_->catalogue().get(old_doc)).ok());
  ASSERT_TRUE(lib_->recycle_bin().bin(admin, *lib_->catalogue().get(fresh)).ok());
  int64_t now = now_unix();
  // Nothing is due yet.
  EXPECT_EQ(*lib_->recycle_bin().purge_expired(now), 0);
  // 30 days (the default) and a minute later both are; the purge is idempotent.
  EXPECT_EQ(*lib_->recycle_bin().purge_expired(now + 30 * 86400 + 60), 2);
  EXPECT_EQ(*lib_->recycle_bin().purge_expired(now + 30 * 86400 + 60), 0);
  EXPECT_EQ(lib_->catalogue().get(old_doc).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(lib_->catalogue().file_size(key).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(lib_->recycle_bin().list(0, 0, 10)->empty());
  auto report = lib_->check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
}

TEST_F(BinCommentsTest, CommentsKeepTheirLimitsCaptchaAndAuthors) {
  Viewer alice = member("alice");
  Viewer bob = member("bob");
  int64_t id = import(kText, alice.id);
  auto doc = *lib_->catalogue().get(id);
  auto& comments = lib_->comments();
  EXPECT_EQ(comments.post(Viewer{}, doc, "匿名", "", "").error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(comments.post(alice, doc, "   ", "", "").error().message, "comment_empty");
  EXPECT_EQ(comments.post(alice, doc, std::string(501, 'x'), "", "").error().message,
            "comment_too_long");
  auto first = comments.post(alice, doc, "第一条 <b>x</b>", "", "");
  ASSERT_TRUE(first.ok()) << first.error().message;
  // The least interval (comment_interval_seconds, 30 by default).
  auto again = comments.post(alice, doc, "第二条", "", "");
  EXPECT_EQ(again.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(again.error().message, "comment_too_fast");
  // The server's captcha: required when the site asks, each answer once.
  ASSERT_TRUE(lib_->site_settings().save("comment_captcha", "true").ok());
  EXPECT_EQ(comments.post(bob, doc, "没答", "", "").error().message, "captcha_wrong");
  Captcha q = comments.captcha();
  int a = 0, b = 0;
  ASSERT_EQ(std::sscanf(q.question.c_str(), "%d + %d", &a, &b), 2) << q.question;
  EXPECT_EQ(comments.post(bob, doc, "答错", q.token, std::to_string(a + b + 1)).error().message, "captcha_wrong");
  auto second = comments.post(bob, doc, "答对", q.token, std::to_string(a + b));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(comments.check_captcha(q.token, std::to_string(a + b)));
  EXPECT_EQ(*comments.count(id), 2);
  // Closed on the document (by its owner only) and for the site.
  EXPECT_EQ(comments.set_closed(bob, doc, true).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(comments.set_closed(alice, doc, true).ok());
  EXPECT_EQ(comments.post(bob, doc, "关了", "", "").error().message, "comments_closed");
  ASSERT_TRUE(comments.set_closed(alice, doc, false).ok());
  // Deleted by the author or an admin, no one else.
  EXPECT_EQ(comments.remove(bob, *first).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(comments.remove(alice, *first).ok());
  ASSERT_TRUE(comments.remove(Viewer{alice.id + 100, Role::kAdmin}, *second).ok());
  EXPECT_EQ(*comments.count(id), 0);
}

}  // namespace
}  // namespace wenku::library
