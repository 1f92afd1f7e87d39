// Prints detect + extract results for each MANIFEST file: a measuring tool, not a test.
#include <chrono>
#include <cstdio>

#include "core/strings.h"
#include "extract/extract.h"
#include "golden/manifest.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: extract_report CORPUS_DIR [PATH_FILTER]\n");
    return 2;
  }
  std::filesystem::path corpus = argv[1];
  std::string filter = argc > 2 ? argv[2] : "";
  int n = 0, ok = 0, need_conv = 0, failed = 0;
  double total_ms = 0;
  for (const auto& r : wenku::testing::read_manifest(corpus)) {
    if (!filter.empty() && r.path.find(filter) == std::string::npos) continue;
    auto t0 = std::chrono::steady_clock::now();
    auto d = wenku::detect::detect_file(corpus / r.path);
    auto x = wenku::extract::extract_text(corpus / r.path, d);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    total_ms += ms;
    ++n;
    if (x.ok()) {
      ++ok;
      size_t chars = 0, han = 0;
      for (const auto& p : x->pages) {
        for (char32_t c : wenku::utf8_to_u32(p)) {
          ++chars;
          if (c >= 0x4E00 && c <= 0x9FFF) ++han;
        }
      }
      std::string first = x->pages.empty() ? "" : wenku::utf8_prefix(x->pages[0], 40);
      for (auto& c : first)
        if (c == '\n' || c == '\t') c = ' ';
      std::printf("%s\t%s\tok\tpages=%zu\tchars=%zu\than=%zu\t%.1fms\ttitle=%s\t%s\n", r.path.c_str(),
                  d.format.c_str(), x->pages.size(), chars, han, ms, x->title.c_str(), first.c_str());
    } else {
      bool conv = x.error().code == wenku::ErrorCode::kUnsupportedFormat && d.needs_conversion;
      conv ? ++need_conv : ++failed;
      std::printf("%s\t%s\t%s\t%s\t%.1fms\n", r.path.c_str(), d.format.c_str(),
                  std::string(wenku::error_code_name(x.error().code)).c_str(), x.error().message.c_str(), ms);
    }
  }
  std::fprintf(stderr, "files=%d extracted=%d needs_conversion=%d failed=%d total=%.0fms\n", n, ok, need_conv,
               failed, total_ms);
}
