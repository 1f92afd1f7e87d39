// ocr_bench: wenku's OCR on page images and scanned PDFs, one JSON line per page (text,
// model chosen, time), for bench/ocr_bench.py to score against the printed text and to time
// against the tesseract CLI. Single-threaded: run with OMP_THREAD_LIMIT=1 for figures.
// Usage: ocr_bench [--lang L] [--dpi N] [--render] [--no-osd] [--deskew] FILE...
//   --lang L    use this Tesseract language as told (default: detect the script per page)
//   --dpi N     resolution of a PDF page rendered for OCR (default 300)
//   --render    render PDF pages even where the page is one image
//   --boxed     as the server does it: each file opened by wenku-render-helper in its box, the
//               engine made in that helper on the file's first page (render/boxed_document.h)
// Both modes print the wall time of all files (engine loading included) on stderr at the end.
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/image_file.h"
#include "ocr/ocr_engine.h"
#include "render/boxed_document.h"
#include "render/pdf_document.h"

using Clock = std::chrono::steady_clock;

namespace {

int64_t cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// CPU time (user + system) of this process and of its reaped children (the boxed helpers).
int64_t total_cpu_ms() {
  int64_t ms = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    ms += (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000LL + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000;
  }
  return ms;
}

int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

void emit(const std::string& file, int page, const wenku::Result<wenku::ocr::OcrPage>& r, int64_t image_ms,
          const wenku::image::Raster& raster, bool embedded, int64_t cpu) {
  nlohmann::json j;
  j["cpu_ms"] = cpu;
  j["file"] = file;
  j["page"] = page;
  j["image_ms"] = image_ms;
  j["width"] = raster.width;
  j["height"] = raster.height;
  j["dpi"] = raster.dpi;
  j["embedded"] = embedded;
  if (r.ok()) {
    j["text"] = r->text;
    j["language"] = r->language;
    j["rotated"] = r->rotated;
    j["skew"] = r->skew_degrees;
    j["confidence"] = r->confidence;
    j["ms"] = r->ms;
    j["prepare_cpu_ms"] = r->prepare_cpu_ms;
    j["choose_cpu_ms"] = r->choose_cpu_ms;
    j["read_cpu_ms"] = r->read_cpu_ms;
    j["script_vote"] = r->script_vote;
    j["read_twice"] = r->read_twice;
  } else {
    j["error"] = r.error().message;
  }
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  wenku::ocr::OcrOptions options;
  int dpi = 300;
  bool force_render = false;
  bool boxed = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--lang" && i + 1 < argc) options.language = argv[++i];
    else if (a == "--dpi" && i + 1 < argc) dpi = std::atoi(argv[++i]);
    else if (a == "--render") force_render = true;
    else if (a == "--no-osd") options.detect_orientation = false;
    else if (a == "--deskew") options.deskew = true;
    else if (a == "--boxed") boxed = true;
    else files.push_back(a);
  }
  auto start = Clock::now();
  int pages_done = 0;
  if (boxed) {
    for (const std::string& file : files) {
      wenku::render::BoxOptions box;
      const bool pdf = file.size() > 4 && file.compare(file.size() - 4, 4, ".pdf") == 0;
      if (!pdf) box.kind = wenku::render::BoxOptions::Kind::kImage;
      box.extra_memory_bytes = 2LL << 30;  // as library/ocr_step.cpp
      auto doc = wenku::render::BoxedDocument::open(file, {}, box);
      if (!doc.ok()) {
        std::fprintf(stderr, "ocr_bench: %s: %s\n", file.c_str(), doc.error().message.c_str());
        continue;
      }
      for (int p = 0; p < (*doc)->page_count(); ++p) {
        auto t = Clock::now();
        auto r = (*doc)->recognize(p, options, dpi, 60'000'000);
        emit(file, p + 1, r, 0, wenku::image::Raster{}, !force_render, ms_since(t));
        ++pages_done;
      }
    }
    std::fprintf(stderr, "ocr_bench: boxed: %d pages in %lld ms, CPU %lld ms (helpers included)\n", pages_done,
                 static_cast<long long>(ms_since(start)), static_cast<long long>(total_cpu_ms()));
    return 0;
  }
  auto engine = wenku::ocr::OcrEngine::create(options);
  if (!engine.ok()) {
    std::fprintf(stderr, "ocr_bench: %s\n", engine.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "ocr_bench: engine ready in %lld ms\n", static_cast<long long>(ms_since(start)));
  for (const std::string& file : files) {
    bool pdf = file.size() > 4 && file.compare(file.size() - 4, 4, ".pdf") == 0;
    if (pdf) {
      auto doc = wenku::render::PdfDocument::open(file);
      if (!doc.ok()) {
        std::fprintf(stderr, "ocr_bench: %s: %s\n", file.c_str(), doc.error().message.c_str());
        continue;
      }
      for (int p = 0; p < (*doc)->page_count(); ++p) {
        auto t = Clock::now();
        auto img = (*doc)->ocr_image(p, dpi, 60'000'000, 20'000, !force_render);
        int64_t image_ms = ms_since(t);
        if (!img.ok()) {
          std::fprintf(stderr, "ocr_bench: %s page %d: %s\n", file.c_str(), p + 1, img.error().message.c_str());
          continue;
        }
        int64_t c0 = cpu_ms();
        auto r = (*engine)->recognize(img->raster);
        emit(file, p + 1, r, image_ms, img->raster, img->embedded, cpu_ms() - c0);
        ++pages_done;
      }
    } else {
      auto t = Clock::now();
      auto f = wenku::image::ImageFile::open_file(file);
      if (!f.ok()) {
        std::fprintf(stderr, "ocr_bench: %s: %s\n", file.c_str(), f.error().message.c_str());
        continue;
      }
      for (int p = 0; p < (*f)->page_count(); ++p) {
        auto r = (*f)->decode_page(p);
        int64_t image_ms = ms_since(t);
        if (!r.ok()) {
          std::fprintf(stderr, "ocr_bench: %s page %d: %s\n", file.c_str(), p + 1, r.error().message.c_str());
          continue;
        }
        int64_t c0 = cpu_ms();
        auto o = (*engine)->recognize(*r);
        emit(file, p + 1, o, image_ms, *r, true, cpu_ms() - c0);
        ++pages_done;
        t = Clock::now();
      }
    }
  }
  std::fprintf(stderr, "ocr_bench: in-process: %d pages in %lld ms, CPU %lld ms\n", pages_done,
               static_cast<long long>(ms_since(start)), static_cast<long long>(total_cpu_ms()));
  return 0;
}
