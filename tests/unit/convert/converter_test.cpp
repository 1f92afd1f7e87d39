// Converter pool behaviour with stub helpers (fast): timeouts, crashes, recovery, protocol.
#include "convert/converter.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <thread>
#include <fstream>

#include "convert/helper_protocol.h"
#include "support/test_support.h"

namespace wenku::convert {
namespace {

using wenku::testing::TempDir;
using wenku::testing::write_file;

// A helper speaking the protocol from /bin/sh. Before each conversion it looks in `state`:
// "hang" -> sleeps (and deletes the flag), "crash" -> kills itself once, "crash-always" ->
// kills itself every time, "bad" -> replies ERR.
std::filesystem::path write_stub_helper(const TempDir& dir) {
  auto script = dir / "stub-helper.sh";
  std::string state = (dir / "state").string();
  write_file(script,
             "#!/bin/sh\n"
             "S='" + state + "'\n"
             "echo READY >&3\n"
             "TAB=$(printf '\\t')\n"
             "while IFS=\"$TAB\" read -r cmd in out <&3; do\n"
             "  if [ -e \"$S/hang\" ]; then rm -f \"$S/hang\"; sleep 60; fi\n"
             "  if [ -e \"$S/crash\" ]; then rm -f \"$S/crash\"; kill -9 $$; fi\n"
             "  if [ -e \"$S/crash-always\" ]; then kill -9 $$; fi\n"
             "  if [ -e \"$S/bad\" ]; then printf 'ERR\\tcorrupt\\tload failed\\n' >&3; continue; fi\n"
             "  if [ -e \"$S/encrypted\" ]; then printf 'ERR\\tencrypted\\tpassword\\n' >&3; continue; fi\n"
             "  cp \"$in\" \"$out\"\n"
             "  echo OK >&3\n"
             "done\n");
  chmod(script.c_str(), 0755);
  std::filesystem::create_directories(dir / "state");
  return script;
}

ConverterOptions stub_options(const TempDir& dir, int timeout_seconds = 5) {
  // These tests are about the pool (timeouts, crashes, recovery, protocol), driven by flag
  // files in the test's temporary directory, which the box hides from its helpers (an empty
  // read-only /tmp). The box itself is tested with the real helper: tests/reliability's
  // sandbox suites and tests/unit/convert/libreoffice_test.cpp.
  setenv("WENKU_CONVERT_SANDBOX", "none", 1);
  ConverterOptions options;
  options.slots = 1;
  options.timeout_seconds = timeout_seconds;
  options.work_dir = dir / "work";
  options.helper_path = write_stub_helper(dir);
  return options;
}

TEST(HelperProtocol, FileUrlPercentEncodesSpacesAndChinese) {
  EXPECT_EQ(protocol::file_url("/a b/文.docx"), "file:///a%20b/%E6%96%87.docx");
  EXPECT_EQ(protocol::file_url("/x/y-z_1.pdf"), "file:///x/y-z_1.pdf");
}

TEST(HelperProtocol, LinesSplitOnTabsAndFieldsCannotInjectLines) {
  std::string line = protocol::make_line({"CONVERT", "/a\tb", "/c\nd"});
  EXPECT_EQ(line, "CONVERT\t/a b\t/c d\n");
  auto fields = protocol::split_fields(line.substr(0, line.size() - 1));
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1], "/a b");
}

TEST(Converter, MissingHelperIsUnavailable) {
  TempDir dir;
  ConverterOptions options;
  options.work_dir = dir / "work";
  options.helper_path = dir / "no-such-helper";
  auto converter = make_converter(options);
  ASSERT_FALSE(converter.ok());
  EXPECT_EQ(converter.error().code, ErrorCode::kUnavailable);
}

TEST(Converter, FormatsLibreOfficeCannotReadAreRefusedWithoutAHelper) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir));
  ASSERT_TRUE(converter.ok()) << converter.error().message;
  write_file(dir / "a.pdf", "%PDF-1.4");
  auto r = (*converter)->to_pdf(dir / "a.pdf", "pdf", dir / "out.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedFormat);
  EXPECT_TRUE(is_convertible_format("docx"));
  EXPECT_TRUE(is_convertible_format("wps"));
  EXPECT_FALSE(is_convertible_format("ofd"));
}

TEST(Converter, StubHelperRoundTripWritesTheOutput) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir));
  ASSERT_TRUE(converter.ok()) << converter.error().message;
  write_file(dir / "in.docx", "%PDF-1.4 pretend");
  auto r = (*converter)->to_pdf(dir / "in.docx", "DOCX", dir / "out.pdf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(wenku::testing::read_file(dir / "out.pdf"), "%PDF-1.4 pretend");
}

TEST(Converter, OutputThatIsNotPdfIsAFileError) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir));
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.docx", "not a pdf");
  auto r = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf"));
}

TEST(Converter, HelperFileErrorsMapToCorruptAndEncrypted) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir));
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.doc", "%PDF-1.4");
  write_file(dir / "state" / "bad", "");
  auto bad = (*converter)->to_pdf(dir / "in.doc", "doc", dir / "out.pdf");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
  std::filesystem::remove(dir / "state" / "bad");
  write_file(dir / "state" / "encrypted", "");
  auto enc = (*converter)->to_pdf(dir / "in.doc", "doc", dir / "out.pdf");
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().code, ErrorCode::kEncrypted);
  EXPECT_EQ(enc.error().key, "convert.document_encrypted_needs_password") << enc.error().message;
}

TEST(Converter, HangingHelperTimesOutWithinTheLimitAndThePoolRecovers) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir, /*timeout_seconds=*/2));
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.docx", "%PDF-1.4");
  write_file(dir / "state" / "hang", "");
  auto start = std::chrono::steady_clock::now();
  auto r = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  auto again = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  EXPECT_TRUE(again.ok()) << again.error().message;
}

TEST(Converter, HelperCrashingOnceIsRetriedOnAFreshHelper) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir));
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.docx", "%PDF-1.4");
  write_file(dir / "state" / "crash", "");
  auto r = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(Converter, HelperCrashingEveryTimeIsUnavailableAndThePoolRecovers) {
  TempDir dir;
  auto converter = make_converter(stub_options(dir));
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.docx", "%PDF-1.4");
  write_file(dir / "state" / "crash-always", "");
  auto r = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(is_transient(r.error().code));
  std::filesystem::remove(dir / "state" / "crash-always");
  auto again = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  EXPECT_TRUE(again.ok()) << again.error().message;
}

TEST(Converter, HelperThatNeverStartsIsUnavailable) {
  TempDir dir;
  auto options = stub_options(dir);
  write_file(options.helper_path, "#!/bin/sh\necho 'FAIL\tno office' >&3\nexit 1\n");
  auto converter = make_converter(options);
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.docx", "%PDF-1.4");
  auto r = (*converter)->to_pdf(dir / "in.docx", "docx", dir / "out.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST(Converter, ParallelCallsShareTheSlots) {
  TempDir dir;
  auto options = stub_options(dir);
  options.slots = 2;
  options.docs_per_helper = 3;  // forces restarts along the way
  auto converter = make_converter(options);
  ASSERT_TRUE(converter.ok());
  write_file(dir / "in.docx", "%PDF-1.4");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto out = dir / ("out-" + std::to_string(t) + "-" + std::to_string(i) + ".pdf");
        if ((*converter)->to_pdf(dir / "in.docx", "docx", out).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 20);
}

}  // namespace
}  // namespace wenku::convert
