// Contract of MetadataStore's comments and recycle bin, run against every implementation
// (the typed suite of metadata_store_contract_test.cpp, in a file of its own).
#include <gtest/gtest.h>

#include <map>

#include "core/clock.h"
#include "store/metadata_store.h"
#include "store_backends.h"
#include "support/test_support.h"

namespace wenku::store {
namespace {

// Its PostgreSQL databases: comments_N.
struct CommentsContractDatabases {
  static constexpr const char* kDatabasePrefix = "comments_";
};
using contract::SqliteBackend;
using PostgresBackend = contract::PostgresBackendOf<CommentsContractDatabases>;

template <typename Backend>
class CommentsContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = Backend::url(dir_.path(), &why);
    ASSERT_FALSE(url_.empty()) << why;
    auto s = open_metadata_store(url_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  int64_t add(const std::string& title, char sha) {
    NewDocument d;
    d.title = title;
    d.original_name = title + ".docx";
    d.size = 100;
    d.sha256 = std::string(64, sha);
    d.blob_key = d.sha256;
    auto id = store_->create_document(d, JobSpec{"extract", 0, 0, 3});
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }
  int64_t user(const std::string& name) {
    auto id = store_->create_user(name, "h", Role::kMember);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }
  Comment comment(int64_t doc, int64_t uid, const std::string& body) {
    Comment c;
    c.document_id = doc;
    c.user_id = uid;
    c.body = body;
    return c;
  }
  testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<MetadataStore> store_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(CommentsContract, Backends);

TYPED_TEST(CommentsContract, CommentsAreListedOldestFirstWithTheirAuthor) {
  int64_t doc = this->add("讲话稿", 'a');
  int64_t other = this->add("另一篇", 'b');
  int64_t uid = this->user("读者");
  int64_t c1 = *this->store_->create_comment(this->comment(doc, uid, "第一条 <script>x</script>"));
  int64_t c2 = *this->store_->create_comment(this->comment(doc, uid, "第二条"));
  ASSERT_TRUE(this->store_->create_comment(this->comment(other, uid, "别处")).ok());
  EXPECT_EQ(this->store_->create_comment(this->comment(9999, uid, "x")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->create_comment(this->comment(doc, 9999, "x")).error().code, ErrorCode::kNotFound);
  auto list = this->store_->list_comments(doc, 0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, c1);
  EXPECT_EQ((*list)[0].body, "第一条 <script>x</script>");
  EXPECT_EQ((*list)[0].user_name, "读者");
  EXPECT_GT((*list)[0].created_at, 0);
  EXPECT_EQ((*list)[1].id, c2);
  EXPECT_EQ(*this->store_->count_comments(doc), 2);
  EXPECT_EQ(this->store_->list_comments(doc, 1, 10)->size(), 1u);
  auto one = this->store_->get_comment(c2);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->document_id, doc);
  EXPECT_EQ((*one)->user_id, uid);
  ASSERT_TRUE(this->store_->delete_comment(c1).ok());
  EXPECT_EQ(this->store_->delete_comment(c1).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(this->store_->get_comment(c1)->has_value());
  EXPECT_EQ(*this->store_->count_comments(doc), 1);
  // A deleted document takes its comments along.
  ASSERT_TRUE(this->store_->delete_document(doc).ok());
  EXPECT_FALSE(this->store_->get_comment(c2)->has_value());
  EXPECT_EQ(*this->store_->count_comments(other), 1);
}

TYPED_TEST(CommentsContract, CommentsCloseAndReopenPerDocument) {
  int64_t doc = this->add("讲话稿", 'a');
  int64_t other = this->add("另一篇", 'b');
  EXPECT_FALSE(*this->store_->comments_closed(doc));
  ASSERT_TRUE(this->store_->set_comments_closed(doc, true).ok());
  ASSERT_TRUE(this->store_->set_comments_closed(doc, true).ok());
  EXPECT_TRUE(*this->store_->comments_closed(doc));
  EXPECT_FALSE(*this->store_->comments_closed(other));
  ASSERT_TRUE(this->store_->set_comments_closed(doc, false).ok());
  EXPECT_FALSE(*this->store_->comments_closed(doc));
  EXPECT_EQ(this->store_->set_comments_closed(9999, true).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(CommentsContract, ReportsNameTheCommentTheyAreAbout) {
  int64_t doc = this->add("讲话稿", 'a');
  int64_t uid = this->user("读者");
  int64_t cid = *this->store_->create_comment(this->comment(doc, uid, "广告"));
  Report r;
  r.document_id = doc;
  r.comment_id = cid;
  r.reason = "spam";
  ASSERT_TRUE(this->store_->create_report(r).ok());
  auto reports = this->store_->list_reports("open", 0, 10);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ(reports->front().comment_id, cid);
  EXPECT_EQ(reports->front().comment_body, "广告");
  ASSERT_TRUE(this->store_->delete_comment(cid).ok());
  reports = this->store_->list_reports("open", 0, 10);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ(reports->front().comment_body, "");
}

// A moderator who hides or approves a binned document changes what its restore brings back;
// while it is in the bin it stays hidden (never listed by an approve).
TYPED_TEST(CommentsContract, ModerationOfABinnedDocumentTakesEffectOnRestore) {
  int64_t approved = this->add("待审核", 'c');
  int64_t hidden = this->add("待隐藏", 'd');
  DocumentUpdate hide;
  hide.hidden = true;
  ASSERT_TRUE(this->store_->update_document(approved, hide).ok());
  int64_t now = now_unix();
  ASSERT_TRUE(this->store_->bin_document(approved, 7, now).ok());
  ASSERT_TRUE(this->store_->bin_document(hidden, 7, now).ok());
  DocumentUpdate approve;
  approve.hidden = false;
  ASSERT_TRUE(this->store_->update_document(approved, approve).ok());
  ASSERT_TRUE(this->store_->update_document(hidden, hide).ok());
  EXPECT_TRUE(this->store_->get_document(approved)->hidden) << "approved in the bin, still hidden";
  DocumentFilter listed;
  listed.listed = kListed;
  listed.status = std::nullopt;
  auto docs = this->store_->list_documents(listed);
  ASSERT_TRUE(docs.ok());
  for (const auto& d : *docs) EXPECT_NE(d.id, approved);
  ASSERT_TRUE(this->store_->unbin_document(approved).ok());
  ASSERT_TRUE(this->store_->unbin_document(hidden).ok());
  EXPECT_FALSE(this->store_->get_document(approved)->hidden) << "the approve holds after the restore";
  EXPECT_TRUE(this->store_->get_document(hidden)->hidden) << "the hide holds after the restore";
}

TYPED_TEST(CommentsContract, BinHidesAndRestoreBringsBackTheHiddenFlag) {
  int64_t doc = this->add("讲话稿", 'a');
  int64_t hidden = this->add("已隐藏", 'b');
  DocumentUpdate u;
  u.hidden = true;
  u.indexed = true;
  ASSERT_TRUE(this->store_->update_document(hidden, u).ok());
  int64_t gen = this->store_->get_document(doc)->index_gen;
  int64_t now = now_unix();
  ASSERT_TRUE(this->store_->bin_document(doc, 7, now - 100).ok());
  EXPECT_EQ(this->store_->bin_document(doc, 7, now).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(this->store_->bin_document(9999, 7, now).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(this->store_->bin_document(hidden, 0, now).ok());
  auto d = this->store_->get_document(doc);
  EXPECT_TRUE(d->hidden);
  EXPECT_FALSE(d->indexed);
  EXPECT_GT(d->index_gen, gen);
  auto found = this->store_->find_binned(doc);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->deleted_by, 7);
  EXPECT_EQ((*found)->deleted_at, now - 100);
  EXPECT_EQ((*found)->title, "讲话稿");
  auto all = this->store_->list_bin(0, 0, 10);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].document_id, hidden);  // most recently deleted first
  EXPECT_EQ(this->store_->list_bin(12345, 0, 10)->size(), 0u);
  auto expired = this->store_->bin_expired(now - 50, 10);
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ(expired->front(), doc);
  // Listings leave binned documents out (they are hidden).
  DocumentFilter listed;
  listed.listed_only = true;
  listed.listed = kListed;
  EXPECT_EQ(*this->store_->count_documents(listed), 0);

  ASSERT_TRUE(this->store_->unbin_document(doc).ok());
  EXPECT_EQ(this->store_->unbin_document(doc).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(this->store_->get_document(doc)->hidden);
  EXPECT_FALSE(this->store_->find_binned(doc)->has_value());
  ASSERT_TRUE(this->store_->unbin_document(hidden).ok());
  EXPECT_TRUE(this->store_->get_document(hidden)->hidden);
  EXPECT_EQ(this->store_->list_bin(0, 0, 10)->size(), 0u);
  // Deleting a binned document empties its place in the bin.
  ASSERT_TRUE(this->store_->bin_document(doc, 7, now).ok());
  ASSERT_TRUE(this->store_->delete_document(doc).ok());
  EXPECT_EQ(this->store_->list_bin(0, 0, 10)->size(), 0u);
}

}  // namespace
}  // namespace wenku::store
