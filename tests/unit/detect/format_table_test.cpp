// core/formats.h against detection: every format detection calls supported has a row in the
// format table (so the pipeline, the converter and the site know what to do with it), and the
// rows are consistent with themselves.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "core/formats.h"
#include "detect/detect.h"

namespace fs = std::filesystem;
using wenku::formats::Preview;

namespace {

fs::path source_dir() {
  const char* src = std::getenv("WENKU_SOURCE_DIR");
  return fs::path(src != nullptr ? src : ".");
}

}  // namespace

TEST(FormatTable, EverySupportedDetectionHasARow) {
  // The detector's seeds: one small file per format it knows (tests/fuzz/make_repo_seeds.py).
  fs::path seeds = source_dir() / "tests" / "fuzz" / "seeds" / "detect";
  ASSERT_TRUE(fs::is_directory(seeds)) << seeds;
  std::set<std::string> seen;
  for (const auto& e : fs::directory_iterator(seeds)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    wenku::detect::MemorySource src(bytes);
    auto d = wenku::detect::detect_source(src);
    if (!d.supported) continue;
    seen.insert(d.format);
    EXPECT_NE(wenku::formats::find(d.format), nullptr)
        << e.path().filename() << " is detected as " << d.format << ", which the format table lacks";
  }
  // The seeds reach the main families, so the check above is not vacuous.
  for (const char* f : {"pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "odt", "epub", "txt", "html", "ofd",
                        "jpeg", "png", "works"}) {
    EXPECT_TRUE(seen.count(f)) << f << " not reached by the detect seeds";
  }
}

TEST(FormatTable, RowsAreConsistent) {
  std::set<std::string_view> names;
  for (const auto& f : wenku::formats::all()) {
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate row " << f.name;
    if (f.preview == Preview::kLibreOffice) {
      EXPECT_FALSE(f.libreoffice_ext.empty()) << f.name;
    }
    if (f.preview == Preview::kImage || f.preview == Preview::kOfd || f.preview == Preview::kPdf) {
      EXPECT_TRUE(f.libreoffice_ext.empty()) << f.name << " is never handed to LibreOffice";
    }
  }
  EXPECT_EQ(wenku::formats::find("works")->libreoffice_ext, "wps");
  EXPECT_TRUE(wenku::formats::is_image("heic"));
  EXPECT_FALSE(wenku::formats::is_image("pdf"));
  EXPECT_FALSE(wenku::formats::libreoffice_imports("ofd"));
  EXPECT_TRUE(wenku::formats::libreoffice_imports("xlsb"));
  EXPECT_EQ(wenku::formats::find("no-such-format"), nullptr);
}
