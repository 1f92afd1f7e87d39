// Real LibreOffice conversions through the helper pool (slow): documents the tests make
// (tests/support/fixtures.py, docx_fixture.h) and, when the shared corpus is there, corpus
// documents too; Simplified Chinese fonts, macros, remote links, a killed helper.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "convert/converter.h"
#include "docx_fixture.h"
#include "glyph_forms.h"
#include "render/pdf_document.h"
#include "support/test_support.h"

namespace wenku::convert {
namespace {

using wenku::testing::TempDir;
namespace fs = std::filesystem;

ConverterOptions real_options(const TempDir& dir, int slots = 1) {
  ConverterOptions options;
  options.slots = slots;
  options.timeout_seconds = 60;
  options.work_dir = dir / "work";
  // helper_path stays empty: the pool finds wenku-convert-helper next to this test executable
  // (both land in the build directory's root), as it finds it next to `wenku`.
  return options;
}

std::string all_text(const fs::path& pdf, int* pages = nullptr) {
  auto doc = render::PdfDocument::open(pdf);
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  if (!doc.ok()) return "";
  if (pages != nullptr) *pages = (*doc)->page_count();
  std::string text;
  for (int i = 0; i < (*doc)->page_count(); ++i) {
    auto t = (*doc)->page_text(i);
    if (t.ok()) text += *t;
  }
  return text;
}

// Runs tests/support/fixtures.py (`reference OUT.doc` or `office OUT_DIR`): the documents the
// tests make for themselves, so these tests need no corpus.
void make_fixtures(const std::string& what, const fs::path& out) {
  const fs::path script = wenku::testing::source_dir() / "tests" / "support" / "fixtures.py";
  const std::string cmd = "/usr/bin/python3 '" + script.string() + "' " + what + " '" + out.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// One pool shared by the tests that do not break it: LibreOffice loads once.
class LibreOffice : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto made = make_converter(real_options(*dir_));
    ASSERT_TRUE(made.ok()) << made.error().message;
    converter_ = std::move(made).value().release();
  }
  static void TearDownTestSuite() {
    delete converter_;
    delete dir_;
    converter_ = nullptr;
  }
  static TempDir* dir_;
  static Converter* converter_;
  TempDir tmp_;
};
TempDir* LibreOffice::dir_ = nullptr;
Converter* LibreOffice::converter_ = nullptr;

TEST_F(LibreOffice, ConvertsADocxTheTestWrote) {
  ASSERT_NE(converter_, nullptr);
  std::vector<std::string> paragraphs;
  for (int i = 0; i < 120; ++i) {
    paragraphs.push_back("第" + std::to_string(i) + "段：全面贯彻落实教育工作会议精神。 paragraph " +
                         std::to_string(i));
  }
  wenku::testing::write_docx(tmp_ / "gen.docx", paragraphs);
  auto r = converter_->to_pdf(tmp_ / "gen.docx", "docx", tmp_ / "gen.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  int pages = 0;
  std::string text = all_text(tmp_ / "gen.pdf", &pages);
  EXPECT_GE(pages, 2);  // 120 paragraphs do not fit one A4 page
  EXPECT_NE(text.find("全面贯彻落实教育工作会议精神"), std::string::npos);
  EXPECT_NE(text.find("paragraph 119"), std::string::npos);
}

TEST_F(LibreOffice, ReferenceDocumentRendersWithSimplifiedChineseFonts) {
  ASSERT_NE(converter_, nullptr);
  // Named .doc but really DOCX (the detector says so; the converter is told the real format):
  // the corpus's seed document, or without the corpus the 4-page speech fixtures.py makes.
  fs::path ref;
  if (auto corpus = wenku::testing::corpus_dir()) {
    ref = *corpus / "seed" / "市教育局机关汇报总结会讲话稿.doc";
    ASSERT_TRUE(fs::exists(ref));
  } else {
    ref = tmp_ / "讲话稿.doc";
    make_fixtures("reference", ref);
  }
  auto r = converter_->to_pdf(ref, "docx", tmp_ / "ref.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto doc = render::PdfDocument::open(tmp_ / "ref.pdf");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_GE((*doc)->page_count(), 3);
  auto text = (*doc)->page_text(0);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("教育"), std::string::npos);
  auto fonts = (*doc)->page_fonts(0);
  ASSERT_TRUE(fonts.ok());
  EXPECT_FALSE(fonts->empty());
  // Font names cannot tell SC from JP (one CFF table, named "...CJKjp...", serves every face
  // of a Noto CJK collection), so compare the embedded glyph outlines with both faces.
  auto forms = wenku::testing::count_glyph_forms(tmp_ / "ref.pdf", 0);
  ASSERT_TRUE(forms.error.empty()) << forms.error;
  EXPECT_GE(forms.compared, 3) << "too few characters whose SC and JP forms differ";
  EXPECT_EQ(forms.match_jp, 0) << "Japanese glyph forms on page 1";
  EXPECT_EQ(forms.match_sc, forms.compared);
}

TEST_F(LibreOffice, UntaggedChineseTextTakesSimplifiedForms) {
  ASSERT_NE(converter_, nullptr);
  // No language tag and no font named: the helper's zh-CN default and fontconfig decide.
  std::string body =
      "<w:p><w:r><w:t>直骨写角化次海边令今</w:t></w:r></w:p>";
  wenku::testing::write_docx(tmp_ / "untagged.docx", {}, body);
  auto r = converter_->to_pdf(tmp_ / "untagged.docx", "docx", tmp_ / "untagged.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto forms = wenku::testing::count_glyph_forms(tmp_ / "untagged.pdf", 0);
  ASSERT_TRUE(forms.error.empty()) << forms.error;
  EXPECT_GE(forms.compared, 3);
  EXPECT_EQ(forms.match_jp, 0);
}

TEST_F(LibreOffice, GlyphFormCheckSeesJapaneseFormsWhenAskedFor) {
  ASSERT_NE(converter_, nullptr);
  // The control for the two tests above: a run that names the JP face must be caught.
  std::string body =
      "<w:p><w:r><w:rPr><w:rFonts w:eastAsia=\"Noto Serif CJK JP\"/><w:lang w:eastAsia=\"ja-JP\"/>"
      "</w:rPr><w:t>直骨写角化次海边令今</w:t></w:r></w:p>";
  wenku::testing::write_docx(tmp_ / "jp.docx", {}, body);
  auto r = converter_->to_pdf(tmp_ / "jp.docx", "docx", tmp_ / "jp.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto forms = wenku::testing::count_glyph_forms(tmp_ / "jp.pdf", 0);
  ASSERT_TRUE(forms.error.empty()) << forms.error;
  EXPECT_GE(forms.match_jp, 3);
}

// One file of each office format, made by the test: each converts, with its text.
TEST_F(LibreOffice, GeneratedOfficeFilesConvert) {
  ASSERT_NE(converter_, nullptr);
  const fs::path dir = tmp_ / "office";
  make_fixtures("office", dir);
  struct Case {
    const char* name;
    const char* format;
    const char* text;
  };
  const Case cases[] = {
      {"讲话稿.docx", "docx", "择校"},
      {"讲话稿.odt", "odt", "择校"},
      {"招生.rtf", "rtf", "择校"},
      {"班额统计.xlsx", "xlsx", "第一中学"},
      {"班额统计.ods", "ods", "第一中学"},
      {"汇报.pptx", "pptx", "规范招生入学秩序"},
      {"汇报.odp", "odp", "规范招生入学秩序"},
  };
  for (const auto& c : cases) {
    auto out = tmp_ / "generated.pdf";
    fs::remove(out);
    auto r = converter_->to_pdf(dir / c.name, c.format, out);
    EXPECT_TRUE(r.ok()) << c.name << ": " << r.error().message;
    if (!r.ok()) continue;
    int pages = 0;
    std::string text = all_text(out, &pages);
    EXPECT_GE(pages, 1) << c.name;
    EXPECT_NE(text.find(c.text), std::string::npos) << c.name << " lacks " << c.text;
  }
}

TEST_F(LibreOffice, CorpusOfficeFilesConvert) {
  ASSERT_NE(converter_, nullptr);
  WENKU_REQUIRE_CORPUS(corpus);
  struct Case {
    const char* path;
    const char* format;
  };
  const Case cases[] = {
      {"docs/zh/docx/easypoi__纳税信息.docx", "docx"},
      {"docs/zh/docx/poitl__template.docx", "docx"},
      {"docs/zh/doc/wordextractor__test11.doc", "doc"},
  };
  for (const auto& c : cases) {
    auto out = tmp_ / "corpus.pdf";
    auto r = converter_->to_pdf(corpus / c.path, c.format, out);
    ASSERT_TRUE(r.ok()) << c.path << ": " << r.error().message;
    int pages = 0;
    all_text(out, &pages);
    EXPECT_GE(pages, 1) << c.path;
  }
  for (const char* dir : {"docs/pptx", "docs/rtf", "docs/docx"}) {
    int tried = 0;
    for (const auto& entry : fs::directory_iterator(corpus / dir)) {
      if (tried == 2) break;
      std::string ext = entry.path().extension().string().substr(1);
      ++tried;
      auto r = converter_->to_pdf(entry.path(), ext, tmp_ / "c.pdf");
      EXPECT_TRUE(r.ok()) << entry.path().filename() << ": " << r.error().message;
    }
  }
}

// Spreadsheets load through the pool although Debian's libreoffice-calc-nogui ships no Calc
// .ui files: the helper's profile hides Calc's input line (see converter.cpp), the one part
// of a LibreOfficeKit view that needed them. Before that every xls/xlsx/ods failed with
// "loadComponentFromURL returned an empty reference".
TEST_F(LibreOffice, CorpusSpreadsheetsConvert) {
  ASSERT_NE(converter_, nullptr);
  WENKU_REQUIRE_CORPUS(corpus);
  for (const char* dir : {"docs/zh/xlsx", "docs/zh/xls", "docs/xls", "docs/odf"}) {
    // The first two by name (issue.4528.ods, later in the list, takes minutes in soffice too).
    std::vector<fs::path> sheets;
    for (const auto& entry : fs::directory_iterator(corpus / dir)) {
      std::string ext = entry.path().extension().string();
      if (ext == ".xlsx" || ext == ".xls" || ext == ".ods") sheets.push_back(entry.path());
    }
    std::sort(sheets.begin(), sheets.end());
    int tried = 0;
    for (const auto& path : sheets) {
      if (tried++ == 2) break;
      auto r = converter_->to_pdf(path, path.extension().string().substr(1), tmp_ / "s.pdf");
      EXPECT_TRUE(r.ok()) << path.filename() << ": " << r.error().message;
      if (!r.ok()) continue;
      int pages = 0;
      all_text(tmp_ / "s.pdf", &pages);
      EXPECT_GE(pages, 1) << path.filename();
    }
    EXPECT_GT(tried, 0) << dir;
  }
}

TEST_F(LibreOffice, DamagedDocxIsAFileErrorAndThePoolKeepsWorking) {
  ASSERT_NE(converter_, nullptr);
  std::vector<std::string> paragraphs(200, "被截断的文档 truncated document");
  wenku::testing::write_docx(tmp_ / "full.docx", paragraphs);
  std::string bytes = wenku::testing::read_file(tmp_ / "full.docx");
  wenku::testing::write_file(tmp_ / "cut.docx", bytes.substr(0, bytes.size() / 2));
  auto r = converter_->to_pdf(tmp_ / "cut.docx", "docx", tmp_ / "cut.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().code == ErrorCode::kCorrupt || r.error().code == ErrorCode::kUnsupportedFormat)
      << r.error().message;
  wenku::testing::write_docx(tmp_ / "ok.docx", {"之后的文档照常转换"});
  auto after = converter_->to_pdf(tmp_ / "ok.docx", "docx", tmp_ / "ok.pdf");
  EXPECT_TRUE(after.ok()) << after.error().message;
}

TEST_F(LibreOffice, EncryptedOfficeFileIsReportedAsEncrypted) {
  ASSERT_NE(converter_, nullptr);
  // An ODT whose manifest says its parts are encrypted (made by fixtures.py), and the
  // corpus's encrypted ODT when the corpus is there.
  make_fixtures("office", tmp_ / "office");
  std::vector<fs::path> files = {tmp_ / "office" / "加密.odt"};
  if (auto corpus = wenku::testing::corpus_dir()) {
    files.push_back(*corpus / "docs/encrypted/tika__testODTEncrypted.odt");
  }
  for (const auto& f : files) {
    auto r = converter_->to_pdf(f, "odt", tmp_ / "enc.pdf");
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_EQ(r.error().code, ErrorCode::kEncrypted) << f << ": " << r.error().message;
  }
}

TEST_F(LibreOffice, AutoRunMacroNeverRuns) {
  ASSERT_NE(converter_, nullptr);
  auto marker = tmp_ / "macro-ran.txt";
  wenku::testing::write_odt_with_autorun_macro(tmp_ / "macro.odt", marker);
  auto r = converter_->to_pdf(tmp_ / "macro.odt", "odt", tmp_ / "macro.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(all_text(tmp_ / "macro.pdf").find("macro test"), std::string::npos);
  EXPECT_FALSE(fs::exists(marker)) << "the document's macro ran";
}

// The same document with a comment takes the helper's soffice fallback on Debian's -nogui
// packages (LibreOfficeKit's view of it needs annotation.ui): converted, macro still not run.
TEST_F(LibreOffice, DocumentWithCommentConvertsAndItsMacroNeverRuns) {
  ASSERT_NE(converter_, nullptr);
  auto marker = tmp_ / "macro-ran-comment.txt";
  wenku::testing::write_odt_with_autorun_macro(tmp_ / "comment.odt", marker, /*with_comment=*/true);
  auto r = converter_->to_pdf(tmp_ / "comment.odt", "odt", tmp_ / "comment.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(all_text(tmp_ / "comment.pdf").find("macro test"), std::string::npos);
  EXPECT_FALSE(fs::exists(marker)) << "the document's macro ran";
  // And the pool goes on with LibreOfficeKit.
  wenku::testing::write_docx(tmp_ / "after.docx", {"之后的文档照常转换"});
  auto after = converter_->to_pdf(tmp_ / "after.docx", "docx", tmp_ / "after.pdf");
  EXPECT_TRUE(after.ok()) << after.error().message;
}

TEST_F(LibreOffice, RemoteImageLinkIsNeverFetched) {
  ASSERT_NE(converter_, nullptr);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/pixel.png";
  const std::string rels =
      "<Relationship Id=\"rId9\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" "
      "Target=\"" + url + "\" TargetMode=\"External\"/>";
  const std::string drawing =
      "<w:p><w:r><w:drawing><wp:inline><wp:extent cx=\"952500\" cy=\"952500\"/>"
      "<wp:docPr id=\"1\" name=\"Picture 1\"/><a:graphic><a:graphicData "
      "uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>"
      "<pic:nvPicPr><pic:cNvPr id=\"1\" name=\"remote.png\"/><pic:cNvPicPr/></pic:nvPicPr>"
      "<pic:blipFill><a:blip r:link=\"rId9\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
      "<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"952500\" cy=\"952500\"/></a:xfrm>"
      "<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>"
      "</a:graphic></wp:inline></w:drawing></w:r></w:p>";
  wenku::testing::write_docx(tmp_ / "remote.docx", {"远程图片链接 remote image"}, drawing, rels);
  auto r = converter_->to_pdf(tmp_ / "remote.docx", "docx", tmp_ / "remote.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // late lazy fetches
  pollfd p{listener, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0) << "the converter connected to " << url;
  close(listener);
}

// The parent pid of `pid` from /proc/<pid>/stat, or 0.
pid_t parent_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 > line.size()) return 0;
  std::istringstream rest(line.substr(close_paren + 2));
  char state = 0;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// Pids of the helper executables this test started: our children, or in the converter's
// sandbox (bwrap) our grandchildren and below.
std::vector<pid_t> helper_pids() {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    if (line.find("(wenku-convert-h") == std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stoi(name));
    pid_t up = parent_of(pid);
    for (int depth = 0; depth < 4 && up > 1 && up != getpid(); ++depth) up = parent_of(up);
    if (up == getpid()) out.push_back(pid);
  }
  return out;
}

// Waits until a helper other than `not_this` holds a document: the slot's scratch input
// exists from just before the request is sent until its answer is read. Returns that
// helper's pid, or 0 after 60 s. Waiting for this instead of sleeping keeps the kill
// inside the conversion on fast and slow machines alike.
pid_t helper_holding_document(const fs::path& work_dir, pid_t not_this) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto pids = helper_pids();
    if (pids.size() == 1 && pids[0] != not_this && fs::exists(work_dir / "slot-0" / "input.docx")) {
      return pids[0];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return 0;
}

TEST(LibreOfficeRecovery, HelperKilledMidConversionIsRetriedOnAFreshHelper) {
  TempDir dir;
  auto made = make_converter(real_options(dir));
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto& converter = *made;
  wenku::testing::write_docx(dir / "small.docx", {"热身文档"});
  ASSERT_TRUE(converter->to_pdf(dir / "small.docx", "docx", dir / "small.pdf").ok());
  std::vector<std::string> paragraphs(6000, std::string(40, 'x') + " 大文档的一段文字，用来拖慢转换。");
  wenku::testing::write_docx(dir / "big.docx", paragraphs);

  Result<void> result;
  std::thread worker([&] { result = converter->to_pdf(dir / "big.docx", "docx", dir / "big.pdf"); });
  const pid_t killed = helper_holding_document(dir / "work", 0);
  if (killed > 0) kill(killed, SIGKILL);
  worker.join();
  ASSERT_GT(killed, 0) << "no helper ever held the document";
  // The conversion went on in a fresh helper: the document did not pay for the crash.
  EXPECT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(fs::exists(dir / "big.pdf"));
  // The killed helper is gone. (How many helpers run right now is the pool's business: in
  // the box a helper may be between a recycle and its successor's start, so none may show.)
  auto now = helper_pids();
  EXPECT_EQ(std::count(now.begin(), now.end(), killed), 0) << "the killed helper is still there";
  auto after = converter->to_pdf(dir / "small.docx", "docx", dir / "small2.pdf");
  EXPECT_TRUE(after.ok()) << after.error().message;
}

TEST(LibreOfficeRecovery, HelperKilledTwiceIsUnavailableAndThePoolRecovers) {
  TempDir dir;
  auto made = make_converter(real_options(dir));
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto& converter = *made;
  wenku::testing::write_docx(dir / "small.docx", {"热身文档"});
  ASSERT_TRUE(converter->to_pdf(dir / "small.docx", "docx", dir / "small.pdf").ok());
  std::vector<std::string> paragraphs(6000, std::string(40, 'x') + " 大文档的一段文字，用来拖慢转换。");
  wenku::testing::write_docx(dir / "big.docx", paragraphs);

  Result<void> result;
  std::thread worker([&] { result = converter->to_pdf(dir / "big.docx", "docx", dir / "big.pdf"); });
  // Kill whichever helper holds the document, twice: like a document that crashes LibreOffice.
  pid_t killed = 0;
  int kills = 0;
  for (; kills < 2; ++kills) {
    killed = helper_holding_document(dir / "work", killed);
    if (killed == 0) break;
    kill(killed, SIGKILL);
  }
  worker.join();
  ASSERT_EQ(kills, 2) << "the document was not retried on a fresh helper";
  ASSERT_FALSE(result.ok()) << "the big document finished before the kills; make it bigger";
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable) << result.error().message;
  auto after = converter->to_pdf(dir / "small.docx", "docx", dir / "small2.pdf");
  EXPECT_TRUE(after.ok()) << after.error().message;
}

}  // namespace
}  // namespace wenku::convert
