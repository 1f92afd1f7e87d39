// Contract of MetadataStore's row export and import (`wenku migrate`), typed over both
// backends: a library's rows copied into a fresh store of the backend, and from it into
// SQLite, keep their numbers, values and links; importing again adds nothing.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "store/metadata_store.h"
#include "store_backends.h"
#include "support/test_support.h"

namespace wenku::store {
namespace {

// Its PostgreSQL databases: rows_N.
struct MetadataStoreRowsContractDatabases {
  static constexpr const char* kDatabasePrefix = "rows_";
};
using contract::SqliteBackend;
using PostgresBackend = contract::PostgresBackendOf<MetadataStoreRowsContractDatabases>;

std::unique_ptr<MetadataStore> open_at(const std::string& url) {
  auto s = open_metadata_store(url);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? std::move(s).value() : nullptr;
}

// A small library: accounts, a category moved under a parent made after it, documents with
// tags, pages, analysis and jobs, a resolved report, settings, the query log, statistics.
struct Library {
  int64_t admin = 0, member = 0, doc_a = 0, doc_b = 0, report = 0;
};

Library fill(MetadataStore& s) {
  Library l;
  l.admin = *s.create_user("管理员", "$argon2id$v=19$hash-a", Role::kAdmin);
  l.member = *s.create_user("Fanfan", "$argon2id$v=19$hash-b", Role::kMember);
  UserUpdate ban;
  ban.banned = true;
  EXPECT_TRUE(s.update_user(l.member, ban).ok());
  EXPECT_TRUE(s.ensure_category("办公文档/事务文书").ok());
  EXPECT_TRUE(s.move_category("办公文档/事务文书", "教育/讲话稿").ok());
  NewDocument d;
  d.title = "在全市教育系统工作总结会上的讲话";
  d.original_name = "讲话.docx";
  d.uploader_id = l.admin;
  d.uploader_name = "管理员";
  d.category_path = "教育/讲话稿";
  d.tags = {"讲话稿", "教育"};
  d.size = 28631;
  d.sha256 = d.blob_key = std::string(64, 'a');
  l.doc_a = *s.create_document(d, JobSpec{"extract", 0, 0, 3});
  d.title = "预算";
  d.tags = {"预算"};
  d.sha256 = d.blob_key = std::string(64, 'b');
  d.visibility = Visibility::kUnlisted;
  l.doc_b = *s.create_document(d, JobSpec{"extract", 0, 0, 3});
  EXPECT_TRUE(s.replace_pages(l.doc_a, {{1, "同志们：今天我们召开", "", "", 0, 0}, {2, "择校热", "", "", 0, 0}}).ok());
  EXPECT_TRUE(s.set_page_image(l.doc_a, 2, std::string(64, 'c'), std::string(64, 'd'), 1240, 1754).ok());
  DocumentUpdate u;
  u.status = DocumentStatus::kReady;
  u.hidden = true;
  u.indexed = true;
  u.pages = 2;
  u.keywords = "择校 大班额";
  u.similarity = 0.8765432109876543;
  EXPECT_TRUE(s.update_document(l.doc_a, u).ok());
  EXPECT_TRUE(s.set_analysis(l.doc_a, {0xF00DFACEDEADBEEFull, "教育/讲话稿"}).ok());
  EXPECT_TRUE(s.add_views(l.doc_a, 7).ok());
  Report r;
  r.document_id = l.doc_b;
  r.reporter_id = l.member;
  r.reason = "copyright";
  r.detail = "转载";
  l.report = *s.create_report(r);
  EXPECT_TRUE(s.resolve_report(l.report, "dismiss", l.admin, false).ok());
  EXPECT_TRUE(s.add_to_review(l.doc_b).ok());
  EXPECT_TRUE(s.set_site_setting("site_name", "某市教育文库").ok());
  EXPECT_TRUE(s.log_query("择校", 3, l.doc_a).ok());
  EXPECT_TRUE(s.add_daily("view", 5).ok());
  EXPECT_TRUE(*s.take_daily_quota("download:1.2.3.4", 10));
  return l;
}

// Every table of `from`, batch by batch, into `to`; returns the rows inserted.
int64_t copy_all(MetadataStore& from, MetadataStore& to) {
  int64_t inserted = 0;
  for (const auto& table : migration_tables()) {
    auto done = from.export_rows(table, 2, [&](const RowBatch& b) -> Result<void> {
      EXPECT_LE(b.rows.size(), 2u);
      auto n = to.import_rows(b);
      if (!n.ok()) return n.take_error();
      inserted += *n;
      return {};
    });
    EXPECT_TRUE(done.ok()) << table << ": " << done.error().message;
  }
  return inserted;
}

void expect_same_library(MetadataStore& from, MetadataStore& to, const Library& l) {
  for (const auto& table : migration_tables()) {
    EXPECT_EQ(*from.count_rows(table), *to.count_rows(table)) << table;
  }
  auto a = to.get_document(l.doc_a);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->title, "在全市教育系统工作总结会上的讲话");
  EXPECT_EQ(a->category_path, "教育/讲话稿");
  EXPECT_EQ(a->tags, (std::vector<std::string>{"讲话稿", "教育"}));
  EXPECT_EQ(a->uploader_id, l.admin);
  EXPECT_EQ(a->status, DocumentStatus::kReady);
  EXPECT_TRUE(a->hidden);
  EXPECT_TRUE(a->indexed);
  EXPECT_EQ(a->views, 7);
  EXPECT_DOUBLE_EQ(a->similarity, 0.8765432109876543);
  EXPECT_EQ(to.get_document(l.doc_b)->visibility, Visibility::kUnlisted);
  auto pages = to.get_pages(l.doc_a);
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_EQ((*pages)[1].text, "择校热");
  EXPECT_EQ((*pages)[1].image_key, std::string(64, 'c'));
  EXPECT_EQ((*pages)[1].width, 1240);
  EXPECT_EQ(to.get_analysis(l.doc_a)->simhash, 0xF00DFACEDEADBEEFull);
  EXPECT_EQ(to.jobs_of(l.doc_b)->size(), 1u);
  auto member = to.get_user(l.member);
  EXPECT_EQ(member->password_hash, "$argon2id$v=19$hash-b");
  EXPECT_TRUE(member->banned);
  EXPECT_EQ(to.get_user(l.admin)->role, Role::kAdmin);
  auto reports = to.list_reports("", 0, 10);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].id, l.report);
  EXPECT_EQ((*reports)[0].state, "resolved");
  EXPECT_EQ((*reports)[0].resolved_by, l.admin);
  EXPECT_EQ(*to.review_queue(10), std::vector<int64_t>{l.doc_b});
  EXPECT_EQ(to.queries_for_document(l.doc_a, 5)->size(), 1u);
  EXPECT_EQ(to.site_settings()->size(), from.site_settings()->size());
  auto cats = to.list_categories(kListed);
  std::set<std::string> paths;
  for (const auto& c : *cats) paths.insert(c.path);
  EXPECT_TRUE(paths.count("教育/讲话稿"));
  auto views = to.daily_counts("view", 2);
  ASSERT_EQ(views->size(), 1u);
  EXPECT_EQ((*views)[0].count, (*from.daily_counts("view", 2))[0].count);
  // The counters moved past the copied numbers: new rows never reuse one.
  EXPECT_GT(*to.create_user("新用户", "h", Role::kMember), l.member);
  NewDocument d;
  d.title = "新";
  d.original_name = "新.txt";
  d.sha256 = d.blob_key = std::string(64, 'e');
  EXPECT_GT(*to.create_document(d, JobSpec{"extract", 0, 0, 3}), l.doc_b);
}

template <typename Backend>
class MetadataStoreRowsContract : public ::testing::Test {
 protected:
  std::string url(const testing::TempDir& dir) {
    std::string why;
    std::string u = Backend::url(dir.path(), &why);
    EXPECT_FALSE(u.empty()) << why;
    return u;
  }
  testing::TempDir source_dir_, target_dir_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(MetadataStoreRowsContract, Backends);

TYPED_TEST(MetadataStoreRowsContract, EmbeddedRowsImportWithTheirNumbersOnce) {
  auto from = open_at(SqliteBackend::url(this->source_dir_.path(), nullptr));
  std::string target = this->url(this->target_dir_);
  ASSERT_FALSE(target.empty());
  auto to = open_at(target);
  ASSERT_TRUE(from && to);
  Library l = fill(*from);
  EXPECT_GT(copy_all(*from, *to), 0);
  EXPECT_EQ(copy_all(*from, *to), 0) << "importing again adds nothing";
  expect_same_library(*from, *to, l);
}

TYPED_TEST(MetadataStoreRowsContract, RowsExportIntoTheEmbeddedStore) {
  std::string source = this->url(this->source_dir_);
  ASSERT_FALSE(source.empty());
  auto from = open_at(source);
  auto to = open_at(SqliteBackend::url(this->target_dir_.path(), nullptr));
  ASSERT_TRUE(from && to);
  Library l = fill(*from);
  copy_all(*from, *to);
  expect_same_library(*from, *to, l);
}

TYPED_TEST(MetadataStoreRowsContract, OnlyMigrationTablesAndPlainColumnsAreAccepted) {
  std::string u = this->url(this->source_dir_);
  ASSERT_FALSE(u.empty());
  auto s = open_at(u);
  ASSERT_TRUE(s);
  auto none = [](const RowBatch&) -> Result<void> { return {}; };
  EXPECT_EQ(s->export_rows("sessions", 10, none).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->count_rows("wenku_schema").error().code, ErrorCode::kInvalidArgument);
  RowBatch bad{"site_settings", {"key", "value; DROP TABLE users"}, {{"a", "b"}}};
  EXPECT_EQ(s->import_rows(bad).error().code, ErrorCode::kInvalidArgument);
  RowBatch unknown{"site_settings", {"key", "no_such_column"}, {{"a", "b"}}};
  EXPECT_FALSE(s->import_rows(unknown).ok());
}

}  // namespace
}  // namespace wenku::store
