// The library's upload path, duplicates, text processing and check, without LibreOffice:
// workers are off and the extract step is run directly.
#include "library/library.h"
#include "blob/blob_store.h"
#include "store/metadata_store.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/strings.h"
#include "library/demo.h"
#include "support/test_support.h"

namespace wenku::library {
namespace {

class LibraryTest : public ::testing::Test {
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

  int64_t import_text(const std::string& text, const std::string& title) {
    ImportRequest r;
    r.title = title;
    r.uploader_name = "Fanfan";
    auto out = lib_->ingest().import_text(text, r);
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->id : 0;
  }

  testing::TempDir dir_;
  Settings settings_;
  std::unique_ptr<Library> lib_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
};

TEST_F(LibraryTest, ImportedTextIsDurableAndProcessing) {
  int64_t id = import_text("学校安全工作管理办法", "办法");
  auto doc = lib_->catalogue().get(id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->status, store::DocumentStatus::kProcessing);
  EXPECT_EQ(doc->sha256, sha256_hex("学校安全工作管理办法"));
  EXPECT_TRUE(*blobs().exists(doc->blob_key));
  EXPECT_EQ(doc->original_name, "办法.txt");
}

TEST_F(LibraryTest, PlainTextIsReadyAndSearchableAfterExtraction) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "第" + std::to_string(i) + "段：教育局关于规范中小学招生工作的通知。\n";
  text += "最后一段讲的是择校问题。\n";
  int64_t id = import_text(text, "招生通知");
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  auto doc = *lib_->catalogue().get(id);
  EXPECT_EQ(doc.status, store::DocumentStatus::kReady);
  EXPECT_EQ(doc.format, "txt");
  EXPECT_GT(doc.pages, 1) << "long text is split into pages";
  auto pages = *store().get_pages(id);
  EXPECT_EQ(static_cast<int>(pages.size()), doc.pages);
  SearchRequest q;
  q.query = "择校";
  auto r = lib_->search().search(q);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].doc.id, id);
  ASSERT_FALSE(r->hits[0].pages.empty());
  EXPECT_EQ(r->hits[0].pages[0], doc.pages) << "the hit names the last page, where 择校 is";
}

// The text lane's batches: every document is extracted, indexed in one commit and ready;
// one that cannot be read fails alone, with its reason.
TEST_F(LibraryTest, ABatchOfExtractionsIndexesEachAndFailsOnlyTheBadOne) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(import_text("批次文档" + std::to_string(i) + "讲的是校车安全管理与第" + std::to_string(i) + "号线路。",
                              "批次" + std::to_string(i)));
  }
  // An encrypted PDF in the middle: detected, refused, and the others go on.
  ImportRequest r;
  r.title = "加密";
  auto enc = lib_->ingest().import_text("%PDF-1.4\n1 0 obj<</Filter/Standard/V 2/R 3/O(x)/U(y)/P -4>>endobj\n"
                               "trailer<</Encrypt 1 0 R/Root 2 0 R>>\n%%EOF\n", r);
  ASSERT_TRUE(enc.ok());
  ids.insert(ids.begin() + 2, enc->id);
  auto results = lib_->pipeline().run_extract_batch(ids);
  ASSERT_EQ(results.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto doc = *lib_->catalogue().get(ids[i]);
    if (ids[i] == enc->id) {
      EXPECT_FALSE(results[i].ok());
      EXPECT_FALSE(doc.indexed);
      continue;
    }
    EXPECT_TRUE(results[i].ok()) << results[i].error().message;
    EXPECT_EQ(doc.status, store::DocumentStatus::kReady);
    EXPECT_TRUE(doc.indexed);
  }
  SearchRequest q;
  q.query = "校车安全";
  auto found = lib_->search().search(q);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->hits.size(), 5u);
  q.query = "3号线路";
  found = lib_->search().search(q);
  ASSERT_TRUE(found.ok());
  ASSERT_FALSE(found->hits.empty());
  EXPECT_EQ(found->hits[0].doc.id, ids[4]);
}

TEST_F(LibraryTest, ExactDuplicateReturnsTheOriginal) {
  int64_t a = import_text("同一份文档的内容", "a");
  ImportRequest r;
  r.title = "b";
  auto b = lib_->ingest().import_text("同一份文档的内容", r);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->duplicate);
  EXPECT_EQ(b->id, a);
  store::DocumentFilter all;
  EXPECT_EQ(*store().count_documents(all), 1);
}

TEST_F(LibraryTest, EmptyAndMissingFilesAreRefusedWithoutATrace) {
  testing::write_file(dir_ / "empty.txt", "");
  auto e = lib_->ingest().import_file(dir_ / "empty.txt", {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  auto m = lib_->ingest().import_file(dir_ / "nope.docx", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kNotFound);
  store::DocumentFilter all;
  EXPECT_EQ(*store().count_documents(all), 0);
  int n_blobs = 0;
  ASSERT_TRUE(blobs().for_each([&](const std::string&, int64_t) { ++n_blobs; }).ok());
  EXPECT_EQ(n_blobs, 0);
}

TEST_F(LibraryTest, UploadOverTheLimitIsTooLarge) {
  ASSERT_TRUE(settings_.set("max_upload_bytes", "10").ok());
  lib_.reset();
  lib_ = std::move(Library::open(settings_, {.workers = false})).value();
  auto r = lib_->ingest().import_text("这段文字超过了十个字节", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
}

TEST_F(LibraryTest, CheckIsCleanAndFindsDamage) {
  int64_t id = import_text("一份用来检查的文档", "check");
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  auto clean = lib_->check();
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->problems.empty()) << clean->problems.front();

  // An orphan blob (an upload interrupted between blob and row) is reported and removed.
  auto orphan = blobs().put_bytes("orphan");
  ASSERT_TRUE(orphan.ok());
  // A damaged original is reported and cannot be repaired.
  auto doc = *lib_->catalogue().get(id);
  auto path = *blobs().local_path(doc.blob_key, dir_.path());
  testing::write_file(path, "damaged");
  lib_.reset();
  lib_ = std::move(Library::open(settings_, {.workers = false, .exclusive = true})).value();
  auto report = lib_->check();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->remaining, 1);
  EXPECT_FALSE(*blobs().exists(*orphan));
}

// A preview replaces a ready document's pages with its PDF's text, then re-indexes; a crash in
// between must not leave search on the old text while `check` and the store call it indexed.
TEST_F(LibraryTest, NewPageTextNotYetIndexedIsFoundStaleByCheckAndIndexed) {
  int64_t id = import_text("原来的页面只讲学校安全工作。", "安全");
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  ASSERT_TRUE(lib_->catalogue().get(id)->indexed);
  ASSERT_TRUE(store().replace_pages(id, {{1, "新的页面讲的是择校问题。", "", "", 0, 0}}).ok());
  EXPECT_FALSE(lib_->catalogue().get(id)->indexed);
  auto report = lib_->check();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->repairs.size(), 1u);
  EXPECT_NE(report->repairs[0].find("indexed with older text"), std::string::npos) << report->repairs[0];
  EXPECT_TRUE(lib_->catalogue().get(id)->indexed);
  SearchRequest q;
  q.query = "择校";
  auto r = lib_->search().search(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].doc.id, id);
  q.query = "安全工作";  // still in the title and the description, no longer on a page
  r = lib_->search().search(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_TRUE(r->hits[0].pages.empty()) << "the index's pages hold the new text";
}

TEST_F(LibraryTest, NearDuplicateTextIsMarkedAndKeywordsAreComputed) {
  std::string base;
  for (int i = 0; i < 30; ++i) {
    base += "为加强学校安全工作，保障师生人身和财产安全，维护正常的教育教学秩序，学校成立安全工作领导小组第" +
            std::to_string(i) + "次会议。\n";
  }
  int64_t a = import_text(base, "原文");
  ASSERT_TRUE(lib_->pipeline().run_extract(a).ok());
  int64_t b = import_text(base + "附：本办法自发布之日起施行。\n", "转载");
  ASSERT_TRUE(lib_->pipeline().run_extract(b).ok());
  int64_t c = import_text(std::string(600, 'x') + " 完全不同的内容：春季运动会的比赛项目和奖励办法。", "无关");
  ASSERT_TRUE(lib_->pipeline().run_extract(c).ok());
  auto db = *lib_->catalogue().get(b);
  EXPECT_EQ(db.similar_to, a);
  EXPECT_GT(db.similarity, 0.9);
  EXPECT_EQ(lib_->catalogue().get(c)->similar_to, 0);
  auto da = *lib_->catalogue().get(a);
  EXPECT_NE(da.keywords.find("安全"), std::string::npos) << da.keywords;
}

TEST_F(LibraryTest, EditsReachSearchAndDeleteRemovesEverything) {
  int64_t id = import_text("关于春季运动会的安排，各班积极报名参加比赛。", "运动会通知");
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  store::DocumentUpdate u;
  u.title = "田径比赛安排";
  ASSERT_TRUE(lib_->catalogue().update_document(id, u).ok());
  SearchRequest q;
  q.query = "田径";
  ASSERT_EQ(lib_->search().search(q)->hits.size(), 1u) << "a new title is searchable at once";
  store::DocumentUpdate hide;
  hide.hidden = true;
  ASSERT_TRUE(lib_->catalogue().update_document(id, hide).ok());
  EXPECT_TRUE(lib_->search().search(q)->hits.empty()) << "a hidden document leaves search";

  auto doc = *lib_->catalogue().get(id);
  ASSERT_TRUE(lib_->catalogue().delete_document(id).ok());
  EXPECT_EQ(lib_->catalogue().get(id).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(*blobs().exists(doc.blob_key)) << "the deleted original is gone from disk";
  auto clean = lib_->check();
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->problems.empty());
}

TEST_F(LibraryTest, DemoDocxIsAValidPackage) {
  auto docx = dir_ / "demo.docx";
  ASSERT_TRUE(write_docx(docx, {"标题", "第一段"}).ok());
  ImportRequest r;
  auto out = lib_->ingest().import_file(docx, r);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(lib_->pipeline().run_extract(out->id).ok());
  auto doc = *lib_->catalogue().get(out->id);
  EXPECT_EQ(doc.format, "docx");
  auto pages = *store().get_pages(out->id);
  ASSERT_FALSE(pages.empty());
  EXPECT_NE(pages[0].text.find("第一段"), std::string::npos);
}

}  // namespace
}  // namespace wenku::library
