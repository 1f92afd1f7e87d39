// render_bench: PDF page rendering, MuPDF (our PdfDocument) in-process, MuPDF boxed (a
// sandboxed wenku-render-helper per document, BoxedDocument) and poppler-cpp, on the same PDFs
// at the same size (800 px wide preview + 200 px thumbnail, WebP q75 method 0).
// Usage: render_bench [--repeat N] PDF...   (single thread: figures are pages/s per core)
#include <webp/encode.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <utility>
#include <string>
#include <vector>

#include "render/boxed_document.h"
#include "render/pdf_document.h"

#ifdef WENKU_HAVE_POPPLER_CPP
#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of the process: per-core figures hold on a loaded machine, where wall time does not.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

size_t webp_of_rgb(const unsigned char* rgb, int w, int h, int stride, bool bgra) {
  WebPConfig config;
  WebPConfigInit(&config);
  config.quality = 75;
  config.method = 0;
  WebPPicture pic;
  WebPPictureInit(&pic);
  pic.use_argb = 0;  // as PdfDocument: straight to YUV 4:2:0
  pic.width = w;
  pic.height = h;
  if (bgra) WebPPictureImportBGRA(&pic, rgb, stride);
  else WebPPictureImportRGB(&pic, rgb, stride);
  WebPMemoryWriter wr;
  WebPMemoryWriterInit(&wr);
  pic.writer = WebPMemoryWrite;
  pic.custom_ptr = &wr;
  WebPEncode(&config, &pic);
  size_t n = wr.size;
  WebPMemoryWriterClear(&wr);
  WebPPictureRescale(&pic, 200, std::max(1, h * 200 / w));
  WebPMemoryWriterInit(&wr);
  pic.custom_ptr = &wr;
  WebPEncode(&config, &pic);
  n += wr.size;
  WebPMemoryWriterClear(&wr);
  WebPPictureFree(&pic);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 1;
  std::vector<fs::path> pdfs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else pdfs.emplace_back(a);
  }
  // MuPDF through PdfDocument: open, render every page, encode; in this process and in the
  // sandboxed helper (BoxedDocument: a helper started per document), on the same PDFs,
  // interleaved document by document so that a loaded machine's drift hits both alike.
  struct Tally {
    int pages = 0, failed = 0, opens = 0;
    size_t bytes = 0;
    double seconds = 0, open_ms = 0;
    double cpu = 0;  // this process's CPU seconds: the whole cost in-process, not the helper's boxed
  };
  Tally local, boxed;
  auto one = [](Tally& t, auto open, const fs::path& p) {
    auto o0 = Clock::now();
    const double c0 = cpu_seconds();
    auto doc = open(p);
    t.open_ms += std::chrono::duration<double, std::milli>(Clock::now() - o0).count();
    ++t.opens;
    if (doc.ok()) {
      for (int i = 0; i < (*doc)->page_count(); ++i) {
        auto img = (*doc)->render_page(i, {});
        if (!img.ok()) {
          ++t.failed;
          continue;
        }
        t.bytes += img->preview_webp.size() + img->thumb_webp.size();
        ++t.pages;
      }
    } else {
      ++t.failed;
    }
    t.seconds += std::chrono::duration<double>(Clock::now() - o0).count();
    t.cpu += cpu_seconds() - c0;
  };
  auto open_local = [](const fs::path& p) { return wenku::render::PdfDocument::open(p); };
  auto open_boxed = [](const fs::path& p) { return wenku::render::BoxedDocument::open(p); };
  for (int r = 0; r < repeat; ++r) {
    for (const auto& p : pdfs) {
      if (r % 2 == 0) {
        one(local, open_local, p);
        one(boxed, open_boxed, p);
      } else {
        one(boxed, open_boxed, p);
        one(local, open_local, p);
      }
    }
  }
  for (auto [engine, t] : {std::pair{"mupdf", &local}, std::pair{"mupdf-boxed", &boxed}}) {
    std::printf("engine=%s pages=%d failed=%d seconds=%.2f pages_per_s=%.1f kb_per_page=%.1f open_ms=%.1f\n",
                engine, t->pages, t->failed, t->seconds, t->pages / t->seconds,
                static_cast<double>(t->bytes) / 1024.0 / std::max(t->pages, 1), t->open_ms / std::max(t->opens, 1));
  }
  // Start cost: what opening costs more boxed (helper start + box + the open itself).
  const double start_ms = boxed.open_ms / std::max(boxed.opens, 1) - local.open_ms / std::max(local.opens, 1);
  // Pages/s once open: the time after the opens, per page.
  const double local_after = local.seconds - local.open_ms / 1000;
  const double boxed_after = boxed.seconds - boxed.open_ms / 1000;
  std::printf("boxed/in-process pages_per_s_ratio=%.2f after_open_ratio=%.2f start_cost_ms_per_document=%.1f\n",
              (boxed.pages / boxed.seconds) / std::max(local.pages / local.seconds, 1e-9),
              (boxed.pages / std::max(boxed_after, 1e-9)) / std::max(local.pages / std::max(local_after, 1e-9), 1e-9),
              start_ms);
  // Per core: in-process pages per CPU-second (what bench/README.md compares with mutool draw).
  std::printf("engine=mupdf cpu_seconds=%.2f pages_per_cpu_s=%.1f\n", local.cpu, local.pages / std::max(local.cpu, 1e-9));
#ifdef WENKU_HAVE_POPPLER_CPP
  int pages = 0, failed = 0;
  size_t bytes = 0;
  auto t0 = Clock::now();
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  for (int r = 0; r < repeat; ++r) {
    for (const auto& p : pdfs) {
      std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(p.string()));
      if (!doc || doc->is_locked()) {
        ++failed;
        continue;
      }
      for (int i = 0; i < doc->pages(); ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (!page) {
          ++failed;
          continue;
        }
        auto rect = page->page_rect();
        double dpi = 72.0 * 800.0 / std::max(rect.width(), 1.0);
        poppler::image img = renderer.render_page(page.get(), dpi, dpi);
        if (!img.is_valid()) {
          ++failed;
          continue;
        }
        bytes += webp_of_rgb(reinterpret_cast<const unsigned char*>(img.const_data()), img.width(),
                             img.height(), img.bytes_per_row(), true);
        ++pages;
      }
    }
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("engine=poppler-cpp pages=%d failed=%d seconds=%.2f pages_per_s=%.1f kb_per_page=%.1f\n",
              pages, failed, s, pages / s, static_cast<double>(bytes) / 1024.0 / std::max(pages, 1));
#else
  std::printf("engine=poppler-cpp skipped: libpoppler-cpp-dev not installed\n");
#endif
  return 0;
}
