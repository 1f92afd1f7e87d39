// convert_bench: the wenku pipeline on a set of Office files — warm helper pool to PDF, then
// every page rendered (WebP preview + thumbnail) and its text extracted in-process.
// Usage: convert_bench --slots N --out DIR FILE...   (prints one summary line of key=value)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "convert/converter.h"
#include "render/pdf_document.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int slots = 0;
  fs::path out = "convert-bench-out";
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--slots" && i + 1 < argc) slots = std::atoi(argv[++i]);
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else files.emplace_back(a);
  }
  fs::create_directories(out);
  wenku::convert::ConverterOptions options;
  options.slots = slots;
  options.work_dir = out / "work";
  auto start = Clock::now();
  auto made = wenku::convert::make_converter(options);
  if (!made.ok()) {
    std::fprintf(stderr, "convert_bench: %s\n", made.error().message.c_str());
    return 1;
  }
  auto& converter = *made.value();
  if (slots <= 0) slots = static_cast<int>(std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  std::atomic<int> pages{0}, failed{0};
  std::atomic<int64_t> text_bytes{0}, image_bytes{0};
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      fs::path pdf = out / (files[i].stem().string() + ".pdf");
      std::string ext = files[i].extension().string().substr(1);
      auto r = converter.to_pdf(files[i], ext, pdf);
      if (!r.ok()) {
        ++failed;
        std::fprintf(stderr, "%s: %s\n", files[i].c_str(), r.error().message.c_str());
        continue;
      }
      auto doc = wenku::render::PdfDocument::open(pdf);
      if (!doc.ok()) {
        ++failed;
        continue;
      }
      wenku::render::RenderOptions ro;
      for (int p = 0; p < (*doc)->page_count(); ++p) {
        auto text = (*doc)->page_text(p);
        auto img = (*doc)->render_page(p, ro);
        if (text.ok()) text_bytes += static_cast<int64_t>(text->size());
        if (img.ok()) image_bytes += static_cast<int64_t>(img->preview_webp.size() + img->thumb_webp.size());
        ++pages;
      }
    }
  };
  // The first conversion of each slot waits for LibreOffice to load; that is counted.
  std::vector<std::thread> threads;
  for (int t = 0; t < slots; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("mode=wenku_pool slots=%d docs=%zu failed=%d pages=%d wall_s=%.2f per_doc_s=%.3f "
              "text_bytes=%lld image_bytes=%lld\n",
              slots, files.size(), failed.load(), pages.load(), secs, secs / static_cast<double>(files.size()),
              static_cast<long long>(text_bytes.load()), static_cast<long long>(image_bytes.load()));
  return 0;
}
