// Contract of MetadataStore's favourites, ratings and collections, run against every
// implementation (the backends as in metadata_store_contract_test.cpp, with databases of
// their own).
#include <gtest/gtest.h>

#include <map>

#include "store/metadata_store.h"
#include "store_backends.h"
#include "support/test_support.h"

namespace wenku::store {
namespace {

// Its PostgreSQL databases: social_N.
struct MetadataStoreSocialContractDatabases {
  static constexpr const char* kDatabasePrefix = "social_";
};
using contract::SqliteBackend;
using PostgresBackend = contract::PostgresBackendOf<MetadataStoreSocialContractDatabases>;

template <typename Backend>
class MetadataStoreSocialContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = Backend::url(dir_.path(), &why);
    ASSERT_FALSE(url_.empty()) << why;
    auto s = open_metadata_store(url_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    alice_ = *store_->create_user("alice", "x", Role::kMember);
    bob_ = *store_->create_user("bob", "x", Role::kMember);
  }
  int64_t add(const std::string& title) {
    NewDocument d;
    d.title = title;
    d.original_name = title + ".pdf";
    d.size = 10;
    d.sha256 = std::string(64, static_cast<char>('a' + (counter_++ % 6)));
    d.blob_key = d.sha256;
    auto id = store_->create_document(d, JobSpec{"extract", 0, 0, 3});
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }
  testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<MetadataStore> store_;
  int64_t alice_ = 0, bob_ = 0;
  int counter_ = 0;
};

using SocialBackends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(MetadataStoreSocialContract, SocialBackends);

TYPED_TEST(MetadataStoreSocialContract, FavouritesAreOnePerUserAndDocument) {
  auto& s = *this->store_;
  int64_t a = this->add("a"), b = this->add("b");
  ASSERT_TRUE(s.set_favourite(this->alice_, a, true).ok());
  ASSERT_TRUE(s.set_favourite(this->alice_, a, true).ok()) << "starring twice keeps one row";
  ASSERT_TRUE(s.set_favourite(this->bob_, a, true).ok());
  ASSERT_TRUE(s.set_favourite(this->alice_, b, true).ok());
  EXPECT_EQ(*s.count_favourites(a), 2);
  EXPECT_TRUE(*s.is_favourite(this->alice_, a));
  EXPECT_FALSE(*s.is_favourite(this->bob_, b));
  auto mine = s.favourite_ids(this->alice_, 0, 10);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->size(), 2u);
  EXPECT_EQ(*s.favourite_ids(this->alice_, 1, 10), std::vector<int64_t>{(*mine)[1]});
  ASSERT_TRUE(s.set_favourite(this->alice_, a, false).ok());
  ASSERT_TRUE(s.set_favourite(this->alice_, a, false).ok()) << "unstarring twice is no error";
  EXPECT_EQ(*s.count_favourites(a), 1);
  EXPECT_FALSE(*s.is_favourite(this->alice_, a));
  EXPECT_EQ(s.set_favourite(this->alice_, 999999, true).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(MetadataStoreSocialContract, ARatingAgainReplacesTheFirst) {
  auto& s = *this->store_;
  int64_t a = this->add("a");
  EXPECT_EQ(s.rating_summary(a)->count, 0);
  EXPECT_EQ(s.rating_summary(a)->average, 0);
  ASSERT_TRUE(s.set_rating(this->alice_, a, 5).ok());
  ASSERT_TRUE(s.set_rating(this->bob_, a, 2).ok());
  ASSERT_TRUE(s.set_rating(this->alice_, a, 4).ok());
  auto sum = s.rating_summary(a);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->count, 2);
  EXPECT_DOUBLE_EQ(sum->average, 3.0);
  EXPECT_EQ(*s.rating_of(this->alice_, a), 4);
  EXPECT_EQ(*s.rating_of(this->alice_, 999999), 0);
  EXPECT_EQ(s.set_rating(this->alice_, a, 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.set_rating(this->alice_, a, 6).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.set_rating(this->alice_, 999999, 3).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(MetadataStoreSocialContract, CollectionsHoldDocumentsInTheOrderAdded) {
  auto& s = *this->store_;
  int64_t a = this->add("a"), b = this->add("b");
  Collection c;
  c.owner_id = this->alice_;
  c.name = "考研资料";
  c.description = "<b>真题</b>";
  c.is_public = true;
  auto id = s.create_collection(c);
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_TRUE(s.add_to_collection(*id, a).ok());
  ASSERT_TRUE(s.add_to_collection(*id, b).ok());
  ASSERT_TRUE(s.add_to_collection(*id, a).ok()) << "adding twice keeps one item";
  auto got = s.get_collection(*id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "考研资料");
  EXPECT_EQ(got->description, "<b>真题</b>");
  EXPECT_EQ(got->owner_id, this->alice_);
  EXPECT_EQ(got->owner_name, "alice");
  EXPECT_TRUE(got->is_public);
  EXPECT_EQ(got->documents, 2);
  auto items = s.collection_item_ids(*id, 0, 10);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 2u);
  EXPECT_EQ(*s.collections_holding(this->alice_, a), std::vector<int64_t>{*id});
  EXPECT_TRUE(s.collections_holding(this->bob_, a)->empty());
  ASSERT_TRUE(s.remove_from_collection(*id, a).ok());
  EXPECT_EQ(*s.collection_item_ids(*id, 0, 10), std::vector<int64_t>{b});
  EXPECT_EQ(s.add_to_collection(*id, 999999).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.add_to_collection(999999, a).error().code, ErrorCode::kNotFound);
  c.name = "";
  EXPECT_EQ(s.create_collection(c).error().code, ErrorCode::kInvalidArgument);
}

TYPED_TEST(MetadataStoreSocialContract, CollectionsAreRenamedListedAndDeleted) {
  auto& s = *this->store_;
  int64_t a = this->add("a");
  Collection c;
  c.owner_id = this->alice_;
  c.name = "私人";
  int64_t priv = *s.create_collection(c);
  c.name = "公开";
  c.is_public = true;
  int64_t pub = *s.create_collection(c);
  c.owner_id = this->bob_;
  c.name = "bob 的";
  int64_t bobs = *s.create_collection(c);
  EXPECT_EQ(s.list_collections(this->alice_, false, 0, 10)->size(), 2u);
  auto open = s.list_collections(0, true, 0, 10);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  for (const auto& x : *open) EXPECT_NE(x.id, priv);
  CollectionUpdate u;
  u.name = "改名";
  u.is_public = true;
  ASSERT_TRUE(s.update_collection(priv, u).ok());
  auto renamed = s.get_collection(priv);
  EXPECT_EQ(renamed->name, "改名");
  EXPECT_TRUE(renamed->is_public);
  EXPECT_EQ(renamed->description, "") << "fields not given stay as they were";
  EXPECT_EQ(s.update_collection(999999, u).error().code, ErrorCode::kNotFound);
  u.name = "";
  EXPECT_EQ(s.update_collection(priv, u).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(s.add_to_collection(pub, a).ok());
  ASSERT_TRUE(s.delete_collection(pub).ok());
  EXPECT_EQ(s.get_collection(pub).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(s.collection_item_ids(pub, 0, 10)->empty());
  EXPECT_TRUE(s.get_document(a).ok()) << "deleting a collection keeps its documents";
  EXPECT_EQ(s.delete_collection(pub).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.list_collections(this->bob_, false, 0, 10)->front().id, bobs);
}

TYPED_TEST(MetadataStoreSocialContract, DeletingADocumentTakesItsFavouritesRatingsAndItems) {
  auto& s = *this->store_;
  int64_t a = this->add("a"), b = this->add("b");
  Collection c;
  c.owner_id = this->alice_;
  c.name = "专辑";
  int64_t col = *s.create_collection(c);
  ASSERT_TRUE(s.set_favourite(this->alice_, a, true).ok());
  ASSERT_TRUE(s.set_rating(this->alice_, a, 5).ok());
  ASSERT_TRUE(s.add_to_collection(col, a).ok());
  ASSERT_TRUE(s.add_to_collection(col, b).ok());
  ASSERT_TRUE(s.delete_document(a).ok());
  EXPECT_TRUE(s.favourite_ids(this->alice_, 0, 10)->empty());
  EXPECT_EQ(*s.count_favourites(a), 0);
  EXPECT_EQ(s.rating_summary(a)->count, 0);
  EXPECT_EQ(*s.collection_item_ids(col, 0, 10), std::vector<int64_t>{b});
  EXPECT_EQ(s.get_collection(col)->documents, 1);
}

TYPED_TEST(MetadataStoreSocialContract, BackupCarriesTheSocialRows) {
  auto& s = *this->store_;
  int64_t a = this->add("a");
  Collection c;
  c.owner_id = this->alice_;
  c.name = "备份";
  c.is_public = true;
  int64_t col = *s.create_collection(c);
  ASSERT_TRUE(s.add_to_collection(col, a).ok());
  ASSERT_TRUE(s.set_favourite(this->bob_, a, true).ok());
  ASSERT_TRUE(s.set_rating(this->bob_, a, 3).ok());
  testing::TempDir other;
  std::string why;
  std::string url = TypeParam::url(other.path(), &why);
  ASSERT_FALSE(url.empty()) << why;
  ASSERT_TRUE(s.backup_to(url).ok());
  auto copy = open_metadata_store(url);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  auto& t = **copy;
  EXPECT_EQ(t.get_collection(col)->name, "备份");
  EXPECT_EQ(*t.collection_item_ids(col, 0, 10), std::vector<int64_t>{a});
  EXPECT_EQ(*t.count_favourites(a), 1);
  EXPECT_EQ(t.rating_summary(a)->count, 1);
  c.name = "之后";
  EXPECT_GT(*t.create_collection(c), col) << "the copy goes on numbering after the original";
}

// A page a reader asked for (the render_page job, a reader's request): one job pending per
// page, queued again once that one is done; the page survives a claim.
TYPED_TEST(MetadataStoreSocialContract, RenderPageJobsArePendingOncePerPage) {
  auto& s = *this->store_;
  int64_t a = this->add("pages"), b = this->add("other");
  for (int i = 0; i < 2; ++i) {  // the extract jobs out of the way
    auto j = s.claim_job("w", {}, 60);
    ASSERT_TRUE(j.ok() && j->has_value());
    ASSERT_TRUE(s.complete_job((*j)->id).ok());
  }
  EXPECT_TRUE(*s.enqueue_job_once({"render_page", a, 5, 2, 50}));
  EXPECT_FALSE(*s.enqueue_job_once({"render_page", a, 5, 2, 50})) << "already queued";
  EXPECT_TRUE(*s.enqueue_job_once({"render_page", a, 5, 2, 51})) << "another page";
  EXPECT_TRUE(*s.enqueue_job_once({"render_page", b, 5, 2, 50})) << "another document";
  auto j = s.claim_job("w", {"render_page"}, 60);
  ASSERT_TRUE(j.ok() && j->has_value());
  EXPECT_EQ((*j)->document_id, a);
  EXPECT_EQ((*j)->page, 50);
  EXPECT_FALSE(*s.enqueue_job_once({"render_page", a, 5, 2, 50})) << "running";
  ASSERT_TRUE(s.complete_job((*j)->id).ok());
  EXPECT_TRUE(*s.enqueue_job_once({"render_page", a, 5, 2, 50})) << "done: may be asked again";
  auto jobs = *s.jobs_of(a);
  int pages = 0;
  for (const auto& x : jobs) pages += x.page;
  EXPECT_EQ(pages, 50 + 51 + 50);
}

}  // namespace
}  // namespace wenku::store
