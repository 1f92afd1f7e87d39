// Not a test: reads OFD files, prints their page count and text, writes their PDF and the
// time each step took (figures in src/ofd/README.md): reading the package, the text, writing
// the PDF, then with MuPDF on that PDF: interpreting each page into a bbox device (what
// drawing the model straight onto a device would save besides the write) and rasterising it
// 800 px wide (what every approach pays).
//   ofd_report [--pdf DIR] FILE.ofd...
#include <mupdf/fitz.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "detect/byte_source.h"
#include "ofd/ofd.h"

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// MuPDF on the written PDF: open, interpret each page into a bbox device, rasterise it.
void measure(const char* pdf, double* open_ms, double* run_ms, double* raster_ms) {
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  fz_register_document_handlers(ctx);
  fz_document* d = nullptr;
  fz_var(d);
  fz_try(ctx) {
    auto t = std::chrono::steady_clock::now();
    d = fz_open_document(ctx, pdf);
    int n = fz_count_pages(ctx, d);
    *open_ms = ms_since(t);
    for (int p = 0; p < n; ++p) {
      fz_page* page = fz_load_page(ctx, d, p);
      fz_rect r = fz_bound_page(ctx, page);
      t = std::chrono::steady_clock::now();
      fz_rect box = fz_empty_rect;
      fz_device* dev = fz_new_bbox_device(ctx, &box);
      fz_run_page(ctx, page, dev, fz_identity, nullptr);
      fz_close_device(ctx, dev);
      fz_drop_device(ctx, dev);
      *run_ms += ms_since(t);
      t = std::chrono::steady_clock::now();
      float z = 800.0f / (r.x1 - r.x0);
      fz_pixmap* pix = fz_new_pixmap_from_page(ctx, page, fz_scale(z, z), fz_device_rgb(ctx), 0);
      *raster_ms += ms_since(t);
      fz_drop_pixmap(ctx, pix);
      fz_drop_page(ctx, page);
    }
  }
  fz_always(ctx) fz_drop_document(ctx, d);
  fz_catch(ctx) std::printf("  mupdf: %s\n", fz_caught_message(ctx));
  fz_drop_context(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path pdf_dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--pdf" && i + 1 < argc) {
      pdf_dir = argv[++i];
      continue;
    }
    wenku::detect::FileSource src(a);
    auto t0 = std::chrono::steady_clock::now();
    auto doc = wenku::ofd::read_document(src);
    auto t1 = std::chrono::steady_clock::now();
    if (!doc.ok()) {
      std::printf("%s\tfailed\t%s\n", a.c_str(), doc.error().message.c_str());
      continue;
    }
    auto texts = wenku::ofd::page_texts(*doc);
    auto t2 = std::chrono::steady_clock::now();
    double pdf_ms = 0;
    if (!pdf_dir.empty()) {
      auto out = pdf_dir / (std::filesystem::path(a).stem().string() + ".pdf");
      auto w = wenku::ofd::write_pdf(src, *doc, out);
      pdf_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t2).count();
      if (!w.ok()) std::printf("  pdf failed: %s\n", w.error().message.c_str());
      double open_ms = 0, run_ms = 0, raster_ms = 0;
      measure(out.c_str(), &open_ms, &run_ms, &raster_ms);
      std::printf("  pdf_bytes=%ju open_ms=%.2f interpret_ms=%.2f raster_800px_ms=%.2f\n",
                  static_cast<uintmax_t>(std::filesystem::file_size(out)), open_ms, run_ms, raster_ms);
    }
    std::printf("%s\tpages=%zu\tread_ms=%.2f\ttext_ms=%.2f\tpdf_ms=%.2f\n", a.c_str(), doc->pages.size(),
                std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count(), pdf_ms);
    for (size_t p = 0; p < texts.size(); ++p) std::printf("--- page %zu\n%s", p + 1, texts[p].c_str());
  }
  return 0;
}
