// Helpers every test uses: a private temporary directory and the shared corpus location.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace wenku::testing {

// A fresh directory under $TMPDIR (or /tmp), removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The shared corpus: $WENKU_CORPUS, else ../shared/corpus beside the source tree.
std::optional<std::filesystem::path> corpus_dir();
// The source tree (for fixtures under tests/) and the build tree (for build/wenku).
std::filesystem::path source_dir();
std::filesystem::path binary_dir();

void write_file(const std::filesystem::path& p, std::string_view content);
std::string read_file(const std::filesystem::path& p);

}  // namespace wenku::testing

// Skips the test, saying plainly why, when the shared corpus is not there.
#define WENKU_REQUIRE_CORPUS(var)                                                   \
  auto var##_opt = ::wenku::testing::corpus_dir();                                  \
  if (!var##_opt) GTEST_SKIP() << "shared corpus not found: set WENKU_CORPUS";      \
  const std::filesystem::path var = *var##_opt
