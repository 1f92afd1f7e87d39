// The library's services (issue 11) over a real data directory, without LibreOffice:
// review before publishing written with the row, the admin's settings honoured by the
// pipeline and ingest (or refused with the limit named), a category move reaching search at
// once, and a preview job that reads its pages once and analyses its text once.
#include <gtest/gtest.h>

#include <fstream>

#include "library/library.h"
#include "store/metadata_store.h"
#include "support/test_support.h"

namespace wenku::library {
namespace {

// A small valid PDF of `pages` pages, each with one line of text (Helvetica).
std::string make_pdf(int pages) {
  std::vector<std::string> objects;
  std::string kids;
  for (int i = 0; i < pages; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (int i = 0; i < pages; ++i) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Resources << /Font << /F1 3 0 R >> >> "
                      "/Contents " + std::to_string(5 + 2 * i) + " 0 R >>");
    std::string stream = "BT /F1 12 Tf 20 300 Td (Page " + std::to_string(i + 1) +
                         " school safety rules for teachers and students) Tj ET";
    objects.push_back("<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "\nendstream");
  }
  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return out;
}

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(settings_.set("data", (dir_ / "data").string()).ok());
    open();
  }
  void open() {
    lib_.reset();
    auto lib = Library::open(settings_, {.workers = false});
    ASSERT_TRUE(lib.ok()) << lib.error().message;
    lib_ = std::move(lib).value();
  }
  // The test's own connection to the data directory: the library hands out no store.
  store::MetadataStore& store() {
    if (!store_) store_ = std::move(store::open_metadata_store("sqlite://" + (dir_ / "data" / "wenku.db").string())).value();
    return *store_;
  }
  int64_t import_text(const std::string& text, ImportRequest r) {
    auto out = lib_->ingest().import_text(text, r);
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->id : 0;
  }
  int64_t import_pdf(int pages) {
    auto path = dir_ / ("doc" + std::to_string(pages) + ".pdf");
    std::ofstream(path, std::ios::binary) << make_pdf(pages);
    ImportRequest r;
    auto out = lib_->ingest().import_file(path, r);
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->id : 0;
  }
  std::vector<int64_t> search_ids(const std::string& q, const std::string& category = "") {
    SearchRequest sr;
    sr.query = q;
    sr.category = category;
    auto r = lib_->search().search(sr);
    EXPECT_TRUE(r.ok());
    std::vector<int64_t> ids;
    if (r.ok()) {
      for (const auto& h : r->hits) ids.push_back(h.doc.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  Settings settings_;
  std::unique_ptr<Library> lib_;
  std::unique_ptr<store::MetadataStore> store_;
};

const std::string kText = "学校安全工作管理办法：各中小学应当建立安全责任制度，定期开展安全教育和应急演练。\n";

TEST_F(ServicesTest, AnUploadHeldForReviewIsHiddenAndQueuedWithItsRow) {
  ASSERT_TRUE(lib_->site_settings().save("review_before_publish", "true").ok());
  ImportRequest member;
  member.title = "待审核的办法";
  member.via_site = true;
  auto out = lib_->ingest().import_text(kText, member);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(out->held_for_review);
  // Hidden and queued from the first moment the row exists (one transaction).
  auto doc = *lib_->catalogue().get(out->id);
  EXPECT_TRUE(doc.hidden);
  auto queue = *lib_->moderation().review_queue(10);
  EXPECT_EQ(queue, std::vector<int64_t>{out->id});
  // Processed and indexed, it is still neither searchable nor listed.
  ASSERT_TRUE(lib_->pipeline().run_extract(out->id).ok());
  EXPECT_TRUE(search_ids("安全责任制度").empty());
  DocumentFilter listed;
  listed.listed_only = true;
  EXPECT_TRUE(lib_->catalogue().list(listed)->empty());
  // Approved, it is published.
  ASSERT_TRUE(lib_->moderation().review(out->id, true).ok());
  EXPECT_EQ(search_ids("安全责任制度"), std::vector<int64_t>{out->id});
  EXPECT_TRUE(lib_->moderation().review_queue(10)->empty());

  // Staff and the command line are not held.
  ImportRequest staff;
  staff.via_site = true;
  staff.by_staff = true;
  auto s = lib_->ingest().import_text(kText + "职员", staff);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->held_for_review);
  EXPECT_FALSE(lib_->catalogue().get(s->id)->hidden);
  auto cli = lib_->ingest().import_text(kText + "命令行", ImportRequest{});
  ASSERT_TRUE(cli.ok());
  EXPECT_FALSE(cli->held_for_review);
}

TEST_F(ServicesTest, AdminLimitsBeyondWhatThePipelineHonoursAreRefusedWithTheLimitNamed) {
  ASSERT_TRUE(settings_.set("max_pages", "20").ok());
  open();
  auto r = lib_->site_settings().save("max_preview_pages", "10000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("20"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("max_pages"), std::string::npos) << r.error().message;
  auto up = lib_->site_settings().save("max_upload_mb", "500");
  ASSERT_FALSE(up.ok());
  EXPECT_NE(up.error().message.find("200"), std::string::npos) << up.error().message;
  EXPECT_NE(up.error().message.find("max_upload_bytes"), std::string::npos) << up.error().message;
  EXPECT_FALSE(lib_->site_settings().save("preview_pages", "many").ok());
  EXPECT_TRUE(lib_->site_settings().save("max_preview_pages", "20").ok());
  EXPECT_EQ(lib_->site_settings().config().max_preview_pages, 20);
}

TEST_F(ServicesTest, AdminUploadLimitTakesEffectOnSiteUploads) {
  ASSERT_TRUE(lib_->site_settings().save("max_upload_mb", "1").ok());
  std::string big((1 << 20) + 100, 'a');
  auto site = lib_->ingest().begin_upload(true);
  ASSERT_TRUE(site.ok());
  auto w = (*site)->write(big);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kTooLarge);
  // Imports from the command line keep the configuration's limit.
  auto cli = lib_->ingest().begin_upload(false);
  ASSERT_TRUE(cli.ok());
  EXPECT_TRUE((*cli)->write(big).ok());
}

TEST_F(ServicesTest, AdminPreviewPagesTakeEffectInRendering) {
  ASSERT_TRUE(lib_->site_settings().save("preview_pages", "2").ok());
  ASSERT_TRUE(lib_->site_settings().save("max_preview_pages", "3").ok());
  int64_t id = import_pdf(6);
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  ASSERT_TRUE(lib_->pipeline().run_preview(id).ok());
  auto doc = *lib_->catalogue().get(id);
  EXPECT_EQ(doc.status, DocumentStatus::kReady);
  EXPECT_EQ(doc.pages, 6);
  EXPECT_EQ(doc.preview_pages_done, 2) << "the admin's preview_pages, not the configuration's 5";
  ASSERT_TRUE(lib_->pipeline().run_render_rest(id).ok());
  EXPECT_EQ(lib_->catalogue().get(id)->preview_pages_done, 3) << "the admin's max_preview_pages";
}

// A reader jumps to page 8 of 10 with only pages 1-2 rendered: a render_page job renders
// 8, 9 and 10 first; render_rest then skips them; the watermark remakes every page.
TEST_F(ServicesTest, AReaderReachingAnUnrenderedPageHasItRenderedFirst) {
  ASSERT_TRUE(settings_.set("page_requests_per_minute", "1").ok());
  open();
  ASSERT_TRUE(lib_->site_settings().save("preview_pages", "2").ok());
  ASSERT_TRUE(lib_->site_settings().save("max_preview_pages", "10").ok());
  int64_t id = import_pdf(12);
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  ASSERT_TRUE(lib_->pipeline().run_preview(id).ok());
  auto doc = *lib_->catalogue().get(id);
  ASSERT_EQ(doc.preview_pages_done, 2);
  auto& p = lib_->pipeline();
  EXPECT_FALSE(*p.request_page(doc, 11, "ip:1")) << "beyond max_preview_pages: never rendered";
  EXPECT_FALSE(*p.request_page(doc, 0, "ip:1"));
  EXPECT_TRUE(*p.request_page(doc, 8, "ip:1")) << "a render_page job for page 8";
  EXPECT_FALSE(*p.request_page(doc, 8, "ip:2")) << "once per page every few seconds";
  int render_page_jobs = 0;
  const auto jobs = *store().jobs_of(id);
  for (const auto& j : jobs) {
    if (j.kind == "render_page") {
      ++render_page_jobs;
      EXPECT_EQ(j.page, 8);
      EXPECT_EQ(j.priority, 5);
    }
  }
  EXPECT_EQ(render_page_jobs, 1);
  ASSERT_TRUE(p.run_render_page(id, 8).ok());
  auto pages = *lib_->catalogue().pages(id);
  std::string rendered;
  for (const auto& pg : pages) rendered += pg.image_key.empty() ? '.' : '#';
  EXPECT_EQ(rendered, "##.....###..") << "pages 8-10 (within max_preview_pages) before 3-7";
  EXPECT_EQ(lib_->catalogue().get(id)->preview_pages_done, 2) << "the rendered prefix";
  // A new watermark: one fan-out job queued (not a job per document in the admin's request);
  // the document's job remakes every page with an image, also those past the prefix.
  const int64_t queued = *store().count_jobs(store::JobState::kQueued);
  ASSERT_TRUE(lib_->site_settings().save("watermark_text", "水印").ok());
  EXPECT_EQ(*store().count_jobs(store::JobState::kQueued), queued + 1) << "one watermark_all job";
  const std::string page9 = pages[8].image_key;
  ASSERT_TRUE(p.run_watermark(id).ok());
  pages = *lib_->catalogue().pages(id);
  EXPECT_NE(pages[8].image_key, page9) << "page 9 made again with the watermark";
  EXPECT_TRUE(pages[3].image_key.empty()) << "page 4 still waits";
  ASSERT_TRUE(p.run_render_rest(id).ok());
  EXPECT_EQ(lib_->catalogue().get(id)->preview_pages_done, 10);
  pages = *lib_->catalogue().pages(id);
  EXPECT_FALSE(pages[9].image_key.empty());
  EXPECT_TRUE(pages[10].image_key.empty());
  // The rate limit per visitor: a visitor asking for every page of many documents stops.
  ASSERT_TRUE(lib_->site_settings().save("max_preview_pages", "12").ok());
  doc = *lib_->catalogue().get(id);
  EXPECT_TRUE(*p.request_page(doc, 11, "ip:9"));
  EXPECT_FALSE(*p.request_page(doc, 12, "ip:9")) << "over the limit";
}

TEST_F(ServicesTest, ACategoryMoveReachesSearchAtOnce) {
  ImportRequest r;
  r.title = "安全办法";
  r.category = "旧分类/子类";
  int64_t id = import_text(kText, r);
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  EXPECT_EQ(search_ids("安全责任制度", "旧分类"), std::vector<int64_t>{id});
  ASSERT_TRUE(lib_->catalogue().move_category("旧分类", "新分类").ok());
  EXPECT_EQ(search_ids("安全责任制度", "新分类"), std::vector<int64_t>{id});
  EXPECT_EQ(search_ids("安全责任制度", "新分类/子类"), std::vector<int64_t>{id});
  EXPECT_TRUE(search_ids("安全责任制度", "旧分类").empty());
  EXPECT_EQ(lib_->catalogue().get(id)->category_path, "新分类/子类");
  EXPECT_TRUE(lib_->catalogue().get(id)->indexed);
}

TEST_F(ServicesTest, APreviewJobReadsItsPagesOnceAndAnalysesItsTextOnce) {
  int64_t id = import_pdf(4);
  ASSERT_TRUE(lib_->pipeline().run_extract(id).ok());
  uint64_t reads = lib_->pipeline().page_reads();
  uint64_t analyses = lib_->pipeline().analyses();
  EXPECT_EQ(analyses, 0u) << "a PDF's text is final only once its preview job has it";
  ASSERT_TRUE(lib_->pipeline().run_preview(id).ok());
  EXPECT_EQ(lib_->pipeline().page_reads() - reads, 1u);
  EXPECT_EQ(lib_->pipeline().analyses() - analyses, 1u);
  auto doc = *lib_->catalogue().get(id);
  EXPECT_EQ(doc.status, DocumentStatus::kReady);
  EXPECT_FALSE(doc.keywords.empty()) << "analysed on the final text";
  EXPECT_TRUE(doc.indexed);
  EXPECT_EQ(search_ids("teachers"), std::vector<int64_t>{id});

  // Plain text is analysed once, by its extract job.
  uint64_t before = lib_->pipeline().analyses();
  int64_t txt = import_text(kText, ImportRequest{});
  ASSERT_TRUE(lib_->pipeline().run_extract(txt).ok());
  EXPECT_EQ(lib_->pipeline().analyses() - before, 1u);
}

}  // namespace
}  // namespace wenku::library
