// convert_bench: the wenku pipeline on a set of Office files — warm helper pool to PDF, then
// each page's text extracted and its page images (WebP preview + thumbnail) rendered in-process.
// Usage: convert_bench --slots N [--workers N] [--preview-pages N] --out DIR FILE...
// (prints one summary line of key=value). With --preview-pages 0 every worker converts a file
// and renders all its pages at once. With --preview-pages N (the library's order, processor.cpp)
// a document is "ready" once converted, its text read and its first N pages rendered; its other
// pages (up to 50, max_preview_pages) are low-priority jobs taken only when no conversion
// waits. Both the time until every document is ready and until every page is rendered print.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "convert/converter.h"
#include "render/pdf_document.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxPreviewPages = 50;

struct RestJob {
  std::shared_ptr<wenku::render::PdfDocument> doc;
  int from = 0;
  int to = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int slots = 0;
  int workers = 0;
  int preview_pages = 0;
  fs::path out = "convert-bench-out";
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--slots" && i + 1 < argc) slots = std::atoi(argv[++i]);
    else if (a == "--workers" && i + 1 < argc) workers = std::atoi(argv[++i]);
    else if (a == "--preview-pages" && i + 1 < argc) preview_pages = std::atoi(argv[++i]);
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
  if (workers <= 0) workers = slots;  // the library's default: workers = convert_slots = cores
  std::atomic<int> pages{0}, failed{0};
  std::atomic<int64_t> text_bytes{0}, image_bytes{0};
  wenku::render::RenderOptions ro;
  auto render = [&](const wenku::render::PdfDocument& doc, int from, int to) {
    for (int p = from; p < to; ++p) {
      auto img = doc.render_page(p, ro);
      if (img.ok()) image_bytes += static_cast<int64_t>(img->preview_webp.size() + img->thumb_webp.size());
      ++pages;
    }
  };

  // Shared queue: conversions first (the library's kPriorityPreview), then remaining pages.
  std::mutex mu;
  std::condition_variable cv;
  size_t next_file = 0;
  int converting = 0;
  std::deque<RestJob> rest;
  double ready_s = 0;  // when the last document became ready
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  auto work = [&] {
    for (;;) {
      size_t file = files.size();
      RestJob job;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return next_file < files.size() || !rest.empty() || converting == 0; });
        if (next_file < files.size()) {
          file = next_file++;
          ++converting;
        } else if (!rest.empty()) {
          job = std::move(rest.front());
          rest.pop_front();
        } else {
          return;  // nothing queued and no conversion that could add pages
        }
      }
      if (job.doc) {
        render(*job.doc, job.from, job.to);
        continue;
      }
      std::shared_ptr<wenku::render::PdfDocument> doc;
      fs::path pdf = out / (files[file].stem().string() + ".pdf");
      std::string ext = files[file].extension().string().substr(1);
      auto r = converter.to_pdf(files[file], ext, pdf);
      if (!r.ok()) {
        ++failed;
        std::fprintf(stderr, "%s: %s\n", files[file].c_str(), r.error().message.c_str());
      } else if (auto opened = wenku::render::PdfDocument::open(pdf); !opened.ok()) {
        ++failed;
      } else {
        doc = std::move(opened).value();
        // Every page's text, as run_preview stores it before the document is ready.
        for (int p = 0; p < doc->page_count(); ++p) {
          auto text = doc->page_text(p);
          if (text.ok()) text_bytes += static_cast<int64_t>(text->size());
        }
        const int last = preview_pages > 0 ? std::min(doc->page_count(), kMaxPreviewPages)
                                           : doc->page_count();
        const int first = preview_pages > 0 ? std::min(last, preview_pages) : last;
        render(*doc, 0, first);
        std::lock_guard lock(mu);
        ready_s = seconds();
        // One job per document, as run_render_rest (a PdfDocument is not thread-safe).
        if (first < last) rest.push_back({doc, first, last});
      }
      {
        std::lock_guard lock(mu);
        --converting;
      }
      cv.notify_all();
    }
  };
  // The first conversion of each slot waits for LibreOffice to load; that is counted.
  std::vector<std::thread> threads;
  for (int t = 0; t < workers; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  double secs = seconds();
  const double n = static_cast<double>(files.size());
  std::printf("mode=wenku_pool slots=%d workers=%d preview_pages=%d docs=%zu failed=%d pages=%d "
              "ready_wall_s=%.2f per_doc_ready_s=%.3f wall_s=%.2f per_doc_s=%.3f "
              "text_bytes=%lld image_bytes=%lld\n",
              slots, workers, preview_pages, files.size(), failed.load(), pages.load(), ready_s,
              ready_s / n, secs, secs / n, static_cast<long long>(text_bytes.load()),
              static_cast<long long>(image_bytes.load()));
  return 0;
}
