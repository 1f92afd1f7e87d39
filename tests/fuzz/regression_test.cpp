// Replays every input that once crashed a fuzzer (tests/fuzz/regressions/<target>/) and the
// in-repo seeds (tests/fuzz/seeds/<target>/) through the fuzz targets' entry functions, in
// the fast tier's sanitizer build.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz_entries.h"

namespace fs = std::filesystem;

namespace {

using Entry = int (*)(const uint8_t*, size_t);

fs::path fuzz_dir() {
  const char* src = std::getenv("WENKU_SOURCE_DIR");
  return fs::path(src != nullptr ? src : ".") / "tests" / "fuzz";
}

// Feeds each file under regressions/<target> and seeds/<target>; returns how many.
size_t replay(const std::string& target, Entry entry) {
  size_t n = 0;
  for (const char* kind : {"regressions", "seeds"}) {
    fs::path dir = fuzz_dir() / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      SCOPED_TRACE(e.path().string());
      // A bug aborts (fuzz_entries.h fail()): the message names this file.
      wenku::fuzz::current_input() = e.path().string();
      EXPECT_EQ(entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
      wenku::fuzz::current_input().clear();
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST(FuzzRegressions, SourceTreeIsFound) { EXPECT_TRUE(fs::is_directory(fuzz_dir())) << fuzz_dir(); }

// Every target has seeds in the repository (tests/fuzz/make_repo_seeds.py and hand-written
// ones): each suite must replay something on a fresh clone, corpus or not.
TEST(FuzzRegressions, Detect) { EXPECT_GT(replay("detect", wenku::fuzz::detect_one), 0u); }
TEST(FuzzRegressions, Extract) { EXPECT_GT(replay("extract", wenku::fuzz::extract_one), 0u); }
TEST(FuzzRegressions, Zip) { EXPECT_GT(replay("zip", wenku::fuzz::zip_one), 0u); }
TEST(FuzzRegressions, Ole2) { EXPECT_GT(replay("ole2", wenku::fuzz::ole2_one), 0u); }
TEST(FuzzRegressions, TextDecode) { EXPECT_GT(replay("text_decode", wenku::fuzz::text_decode_one), 0u); }
TEST(FuzzRegressions, Manifest) { EXPECT_GT(replay("manifest", wenku::fuzz::manifest_one), 0u); }
TEST(FuzzRegressions, Query) { EXPECT_GT(replay("query", wenku::fuzz::query_one), 0u); }
TEST(FuzzRegressions, Ofd) { EXPECT_GT(replay("ofd", wenku::fuzz::ofd_one), 0u); }
TEST(FuzzRegressions, Pdf) { EXPECT_GT(replay("pdf", wenku::fuzz::pdf_one), 0u); }
// The image seeds (made by make_image_seeds.py) must decode.
TEST(FuzzRegressions, Image) { EXPECT_GT(replay("image", wenku::fuzz::image_one), 0u); }
// The multipart seeds must also go through the form reader, not only the HTTP parser.
TEST(FuzzRegressions, Multipart) {
  size_t before = wenku::fuzz::multipart_accepted();
  EXPECT_GT(replay("multipart", wenku::fuzz::multipart_one), 0u);
  EXPECT_GT(wenku::fuzz::multipart_accepted(), before) << "no seed made it through the upload form";
}
