// Test helpers: temporary directories and fixture locations.
#include "support/test_support.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace wenku::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/wenku-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path source_dir() {
  if (const char* s = std::getenv("WENKU_SOURCE_DIR")) return s;
  return std::filesystem::current_path();
}

std::filesystem::path binary_dir() {
  if (const char* s = std::getenv("WENKU_BINARY_DIR")) return s;
  return std::filesystem::current_path();
}

std::optional<std::filesystem::path> corpus_dir() {
  if (const char* c = std::getenv("WENKU_CORPUS"); c && *c) {
    if (std::filesystem::is_directory(c)) return std::filesystem::path(c);
    return std::nullopt;
  }
  auto p = source_dir().parent_path() / "shared" / "corpus";
  if (std::filesystem::is_directory(p)) return p;
  return std::nullopt;
}

void write_file(const std::filesystem::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace wenku::testing
