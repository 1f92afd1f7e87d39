// BoxedDocument: MuPDF in wenku-render-helper gives the same text, fonts, images and OCR
// rasters as in-process; a helper killed mid-render fails its document with a reason and the
// next document renders; a helper past its time limit is killed (kTimeout) and replaced; and,
// from inside the box, writes to $HOME, /tmp and the data directory, reading the database
// and connecting out are refused (wenku-render-helper-probe, test builds only).
#include "render/boxed_document.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/test_support.h"

namespace wenku::render {
namespace {

using wenku::testing::TempDir;
using wenku::testing::write_file;

std::string simple_pdf(int pages, const std::string& content_ops) {
  std::string kids;
  std::string objs;
  for (int i = 0; i < pages; ++i) {
    kids += std::to_string(4 + i) + " 0 R ";
    objs += std::to_string(4 + i) + " 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            "/Contents 3 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
            "/BaseFont /Helvetica >> >> >> >> endobj\n";
  }
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) +
         " >> endobj\n3 0 obj << /Length " + std::to_string(content_ops.size()) + " >> stream\n" +
         content_ops + "\nendstream endobj\n" + objs + "trailer << /Root 1 0 R >>\n%%EOF\n";
}

std::string text_pdf(int pages) {
  return simple_pdf(pages, "BT /F1 24 Tf 20 40 Td (Hello boxed wenku) Tj ET 0.2 0.5 0.8 rg 100 300 200 150 re f");
}

// A page slow to draw (hundreds of thousands of small filled shapes).
std::string slow_pdf() {
  std::string ops;
  for (int i = 0; i < 600'000; ++i) {
    ops += std::to_string(i % 590) + " " + std::to_string((i / 590) % 840) + " 3 3 re f\n";
  }
  return simple_pdf(1, ops);
}

// The helpers are built beside this test executable (the build tree's top).
std::filesystem::path build_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path(); }

// Same answers boxed and in-process, page by page.
void expect_same(const std::filesystem::path& pdf) {
  SCOPED_TRACE(pdf.filename().string());
  auto local = PdfDocument::open(pdf);
  auto boxed = BoxedDocument::open(pdf);
  ASSERT_EQ(local.ok(), boxed.ok()) << (boxed.ok() ? local.error().message : boxed.error().message);
  if (!local.ok()) {
    EXPECT_EQ(local.error().code, boxed.error().code);
    return;
  }
  ASSERT_EQ((*local)->page_count(), (*boxed)->page_count());
  for (int i = 0; i < std::min((*local)->page_count(), 3); ++i) {
    auto t1 = (*local)->page_text(i);
    auto t2 = (*boxed)->page_text(i);
    ASSERT_EQ(t1.ok(), t2.ok());
    if (t1.ok()) {
      EXPECT_EQ(*t1, *t2);
    }
    auto f1 = (*local)->page_fonts(i);
    auto f2 = (*boxed)->page_fonts(i);
    ASSERT_EQ(f1.ok(), f2.ok());
    if (f1.ok()) {
      EXPECT_EQ(*f1, *f2);
    }
    RenderOptions o;
    o.preview_width = 640;
    auto r1 = (*local)->render_page(i, o);
    auto r2 = (*boxed)->render_page(i, o);
    ASSERT_EQ(r1.ok(), r2.ok());
    if (r1.ok()) {
      EXPECT_EQ(r1->width, r2->width);
      EXPECT_EQ(r1->height, r2->height);
      EXPECT_TRUE(r1->preview_webp == r2->preview_webp) << "preview bytes differ";
      EXPECT_TRUE(r1->thumb_webp == r2->thumb_webp) << "thumbnail bytes differ";
    } else {
      EXPECT_EQ(r1.error().code, r2.error().code);
    }
    auto o1 = (*local)->ocr_image(i, 100, 40'000'000);
    auto o2 = (*boxed)->ocr_image(i, 100, 40'000'000);
    ASSERT_EQ(o1.ok(), o2.ok());
    if (o1.ok()) {
      EXPECT_EQ(o1->embedded, o2->embedded);
      EXPECT_EQ(o1->raster.width, o2->raster.width);
      EXPECT_EQ(o1->raster.height, o2->raster.height);
      EXPECT_EQ(o1->raster.channels, o2->raster.channels);
      EXPECT_EQ(o1->raster.dpi, o2->raster.dpi);
      EXPECT_TRUE(o1->raster.pixels == o2->raster.pixels) << "OCR raster differs";
    }
  }
}

TEST(BoxedDocument, SameTextFontsImagesAndRastersAsInProcess) {
  TempDir dir;
  write_file(dir / "a.pdf", text_pdf(3));
  expect_same(dir / "a.pdf");
  write_file(dir / "junk.pdf", "not a pdf at all");
  expect_same(dir / "junk.pdf");
  auto boxed = BoxedDocument::open(dir / "a.pdf");
  ASSERT_TRUE(boxed.ok());
  EXPECT_EQ((*boxed)->page_text(3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE((*boxed)->failed());
  EXPECT_EQ(BoxedDocument::open(dir / "missing.pdf").error().code, ErrorCode::kNotFound);
}

TEST(BoxedDocument, SameAsInProcessOnCorpusPdfs) {
  WENKU_REQUIRE_CORPUS(corpus);
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus / "docs/zh/pdf")) {
    if (entry.path().extension() != ".pdf" || ++n > 6) continue;
    expect_same(entry.path());
  }
  expect_same(corpus / "docs/encrypted/pypdf__r6-user-password.pdf");
}

TEST(BoxedDocument, HelperKilledMidRenderFailsThatDocumentAndTheNextRenders) {
  TempDir dir;
  write_file(dir / "slow.pdf", slow_pdf());
  write_file(dir / "next.pdf", text_pdf(1));
  auto doc = BoxedDocument::open(dir / "slow.pdf");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const pid_t pid = (*doc)->helper_pid();
  ASSERT_GT(pid, 0);
  RenderOptions o;
  o.preview_width = 4000;
  std::thread killer([pid] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kill(pid, SIGKILL);
  });
  auto img = (*doc)->render_page(0, o);
  killer.join();
  ASSERT_FALSE(img.ok()) << "the render finished before the kill";
  EXPECT_EQ(img.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(img.error().message.find("crashed"), std::string::npos) << img.error().message;
  EXPECT_NE(img.error().message.find("signal 9"), std::string::npos) << img.error().message;
  EXPECT_TRUE((*doc)->failed());
  EXPECT_EQ((*doc)->page_text(0).error().message, img.error().message);  // the document stays failed
  auto next = BoxedDocument::open(dir / "next.pdf");
  ASSERT_TRUE(next.ok()) << next.error().message;
  auto ok = (*next)->render_page(0, {});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->width, 800);
}

TEST(BoxedDocument, HelperPastItsTimeLimitIsKilledAndReplaced) {
  TempDir dir;
  write_file(dir / "slow.pdf", slow_pdf());
  BoxOptions box;
  box.grace_ms = -1900;  // the kill comes 100 ms into a 2 s page, before MuPDF's own watchdog
  auto doc = BoxedDocument::open(dir / "slow.pdf", {}, box);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  RenderOptions o;
  o.preview_width = 4000;
  o.timeout_ms = 2000;
  const pid_t first = (*doc)->helper_pid();
  auto img = (*doc)->render_page(0, o);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code, ErrorCode::kTimeout) << img.error().message;
  EXPECT_FALSE((*doc)->failed());
  EXPECT_EQ(kill(first, 0), -1);  // reaped
  auto text = (*doc)->page_text(0);  // a fresh helper
  EXPECT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE((*doc)->helper_pid(), first);
}

// Runs the probe list through a real BoxedDocument whose helper is the probe build.
std::string run_probes(const std::filesystem::path& data, const std::string& list) {
  TempDir dir;
  write_file(dir / "a.pdf", text_pdf(1));
  BoxOptions box;
  box.helper_path = build_dir() / "wenku-render-helper-probe";
  box.hidden_dirs = {data};
  auto doc = BoxedDocument::open(dir / "a.pdf", {}, box);
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  if (!doc.ok()) return "";
  auto out = (*doc)->probe(list);
  EXPECT_TRUE(out.ok()) << out.error().message;
  // The box still reads its PDF.
  EXPECT_TRUE((*doc)->render_page(0, {}).ok());
  return out.ok() ? *out : "";
}

struct Listener {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  Listener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd, 4);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { close(fd); }
};

std::string probe_list(const std::filesystem::path& data, int port) {
  const char* home = std::getenv("HOME");
  return "WENKU-SANDBOX-PROBE\n"
         "home write " + std::string(home != nullptr ? home : "/root") + "/wenku-render-probe\n"
         "tmp write /tmp/wenku-render-probe\n"
         "data write " + (data / "probe").string() + "\n"
         "blobs write " + (data / "blobs" / "probe").string() + "\n"
         "usr write /usr/wenku-render-probe\n"
         "db read " + (data / "wenku.db").string() + "\n"
         "tcp connect 127.0.0.1 " + std::to_string(port) + "\n"
         "inet6 socket inet6\n"
         "netlink socket netlink\n"
         "ptrace ptrace\n"
         "mount mount\n"
         "limits limits\n";
}

TEST(BoxedDocument, ProbesFromInsideTheBoxAreRefused) {
  if (access("/usr/bin/bwrap", X_OK) != 0) GTEST_SKIP() << "no bubblewrap here";
  TempDir data;
  write_file(data / "wenku.db", "SQLite format 3");
  std::filesystem::create_directories(data / "blobs");
  Listener listener;
  std::string out = run_probes(data.path(), probe_list(data.path(), listener.port));
  for (const char* name : {"home", "tmp", "data", "blobs", "usr", "db", "tcp", "inet6", "netlink",
                           "ptrace", "mount"}) {
    const std::string key = std::string(" ") + name + "=refused";
    EXPECT_NE(out.find(key), std::string::npos) << name << " not refused: " << out;
  }
  EXPECT_NE(out.find("nofile:64"), std::string::npos) << out;
  EXPECT_NE(out.find("core:0"), std::string::npos) << out;
  EXPECT_NE(out.find("cpu:1800"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(data / "probe"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/wenku-render-probe"));
}

// The same probes with the box off succeed: the test above fails when the box is loosened.
TEST(BoxedDocument, ProbesSucceedWhenTheBoxIsLoosened) {
  TempDir data;
  write_file(data / "wenku.db", "SQLite format 3");
  Listener listener;
  setenv("WENKU_RENDER_SANDBOX", "none", 1);
  std::string out = run_probes(data.path(), probe_list(data.path(), listener.port));
  unsetenv("WENKU_RENDER_SANDBOX");
  EXPECT_NE(out.find(" data=ok"), std::string::npos) << out;
  EXPECT_NE(out.find(" db=ok"), std::string::npos) << out;
  EXPECT_NE(out.find(" tcp=ok"), std::string::npos) << out;
  std::error_code ec;
  std::filesystem::remove("/tmp/wenku-render-probe", ec);
  const char* home = std::getenv("HOME");
  std::filesystem::remove(std::string(home != nullptr ? home : "/root") + "/wenku-render-probe", ec);
}

TEST(BoxedDocument, BadSandboxSettingIsRefusedNotIgnored) {
  TempDir dir;
  write_file(dir / "a.pdf", text_pdf(1));
  setenv("WENKU_RENDER_SANDBOX", "maybe", 1);
  auto doc = BoxedDocument::open(dir / "a.pdf");
  unsetenv("WENKU_RENDER_SANDBOX");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace wenku::render
