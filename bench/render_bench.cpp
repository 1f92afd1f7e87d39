// render_bench: in-process PDF page rendering, MuPDF (our PdfDocument) vs poppler-cpp, on the
// same PDFs at the same size (800 px wide preview + 200 px thumbnail, WebP q75 method 0).
// Usage: render_bench [--repeat N] PDF...   (single thread: figures are pages/s per core)
#include <webp/encode.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

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
  // MuPDF through PdfDocument: open, render every page, encode.
  int pages = 0, failed = 0;
  size_t bytes = 0;
  auto t0 = Clock::now();
  double cpu0 = cpu_seconds();
  for (int r = 0; r < repeat; ++r) {
    for (const auto& p : pdfs) {
      auto doc = wenku::render::PdfDocument::open(p);
      if (!doc.ok()) {
        ++failed;
        continue;
      }
      for (int i = 0; i < (*doc)->page_count(); ++i) {
        auto img = (*doc)->render_page(i, {});
        if (!img.ok()) {
          ++failed;
          continue;
        }
        bytes += img->preview_webp.size() + img->thumb_webp.size();
        ++pages;
      }
    }
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;
  std::printf("engine=mupdf pages=%d failed=%d seconds=%.2f pages_per_s=%.1f cpu_seconds=%.2f pages_per_cpu_s=%.1f kb_per_page=%.1f\n",
              pages, failed, s, pages / s, cpu, pages / cpu, static_cast<double>(bytes) / 1024.0 / std::max(pages, 1));
#ifdef WENKU_HAVE_POPPLER_CPP
  pages = failed = 0;
  bytes = 0;
  t0 = Clock::now();
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
  s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("engine=poppler-cpp pages=%d failed=%d seconds=%.2f pages_per_s=%.1f kb_per_page=%.1f\n",
              pages, failed, s, pages / s, static_cast<double>(bytes) / 1024.0 / std::max(pages, 1));
#else
  std::printf("engine=poppler-cpp skipped: libpoppler-cpp-dev not installed\n");
#endif
  return 0;
}
