// render_bench: PDF page rendering, MuPDF (our PdfDocument) in-process, MuPDF boxed (a
// sandboxed wenku-render-helper per document, BoxedDocument) and poppler-cpp, on the same PDFs
// at the same size (800 px wide preview + 200 px thumbnail, WebP q75 method 0).
// Usage: render_bench [--repeat N] PDF...   (single thread: figures are pages/s per core)
#include <webp/encode.h>

#include <chrono>
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
  // MuPDF through PdfDocument: open, render every page, encode; in this process, then in the
  // sandboxed helper (BoxedDocument: a helper started per document), on the same PDFs.
  int pages = 0, failed = 0;
  size_t bytes = 0;
  double opened_ms = 0;
  int opens = 0;
  auto run = [&](const char* engine, auto open) {
    pages = failed = opens = 0;
    bytes = 0;
    opened_ms = 0;
    auto start = Clock::now();
    for (int r = 0; r < repeat; ++r) {
      for (const auto& p : pdfs) {
        auto o0 = Clock::now();
        auto doc = open(p);
        opened_ms += std::chrono::duration<double, std::milli>(Clock::now() - o0).count();
        ++opens;
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
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("engine=%s pages=%d failed=%d seconds=%.2f pages_per_s=%.1f kb_per_page=%.1f open_ms=%.1f\n",
                engine, pages, failed, secs, pages / secs,
                static_cast<double>(bytes) / 1024.0 / std::max(pages, 1), opened_ms / std::max(opens, 1));
    return std::pair{pages / secs, opened_ms / std::max(opens, 1)};
  };
  auto [local_rate, local_open] = run("mupdf", [](const fs::path& p) { return wenku::render::PdfDocument::open(p); });
  auto [boxed_rate, boxed_open] =
      run("mupdf-boxed", [](const fs::path& p) { return wenku::render::BoxedDocument::open(p); });
  std::printf("boxed/in-process pages_per_s_ratio=%.2f start_cost_ms_per_document=%.1f\n",
              boxed_rate / std::max(local_rate, 1e-9), boxed_open - local_open);
#ifdef WENKU_HAVE_POPPLER_CPP
  pages = failed = 0;
  bytes = 0;
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
