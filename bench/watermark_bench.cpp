// watermark_bench: the cost of a watermarked page image against an unwatermarked one, same
// pages, same run, interleaved page by page (so both see the same machine load), and the
// cost of the watermarked PDF copy a download serves when the site asks for it.
// Usage: watermark_bench [--repeat N] [--text T] PDF...   (single thread: pages/s per core)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "render/pdf_document.h"
#include "render/watermark.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int repeat = 1;
  std::string text = "文库 wenku.example.cn 文档 12345";
  std::vector<fs::path> pdfs;
  std::string dump;  // writes the first watermarked preview there (to look at)
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (a == "--text" && i + 1 < argc) text = argv[++i];
    else if (a == "--dump" && i + 1 < argc) dump = argv[++i];
    else pdfs.emplace_back(a);
  }
  wenku::render::RenderOptions plain;
  wenku::render::RenderOptions marked;
  marked.watermark = text;
  double t_plain = 0, t_marked = 0;
  size_t b_plain = 0, b_marked = 0;
  int pages = 0, failed = 0;
  for (int r = 0; r < repeat; ++r) {
    for (const auto& p : pdfs) {
      auto doc = wenku::render::PdfDocument::open(p);
      if (!doc.ok()) {
        ++failed;
        continue;
      }
      for (int i = 0; i < (*doc)->page_count(); ++i) {
        // Alternate which goes first, so neither always meets a warm cache.
        for (int k = 0; k < 2; ++k) {
          bool wm = ((i + r + k) % 2) == 1;
          auto t0 = Clock::now();
          auto img = (*doc)->render_page(i, wm ? marked : plain);
          double s = std::chrono::duration<double>(Clock::now() - t0).count();
          if (!img.ok()) {
            ++failed;
            continue;
          }
          (wm ? t_marked : t_plain) += s;
          if (wm && !dump.empty()) {
            std::FILE* f = std::fopen(dump.c_str(), "wb");
            if (f != nullptr) {
              std::fwrite(img->preview_webp.data(), 1, img->preview_webp.size(), f);
              std::fclose(f);
            }
            dump.clear();
          }
          (wm ? b_marked : b_plain) += img->preview_webp.size() + img->thumb_webp.size();
        }
        ++pages;
      }
    }
  }
  std::printf("pages=%d failed=%d plain_pages_per_s=%.1f watermarked_pages_per_s=%.1f cost_ratio=%.3f "
              "kb_per_page_plain=%.1f kb_per_page_watermarked=%.1f\n",
              pages, failed, pages / t_plain, pages / t_marked, t_marked / t_plain,
              static_cast<double>(b_plain) / 1024.0 / std::max(pages, 1),
              static_cast<double>(b_marked) / 1024.0 / std::max(pages, 1));
  // The PDF copy a download serves (made once per document and text, then stored).
  int pdf_pages = 0;
  auto t0 = Clock::now();
  for (const auto& p : pdfs) {
    fs::path out = fs::temp_directory_path() / ("watermark_bench_" + std::to_string(getpid()) + ".pdf");
    if (wenku::render::watermark_pdf(p.string(), out.string(), text, 1536LL << 20).ok()) {
      auto doc = wenku::render::PdfDocument::open(p);
      if (doc.ok()) pdf_pages += (*doc)->page_count();
    }
    std::error_code ec;
    fs::remove(out, ec);
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("watermarked_pdf pages=%d seconds=%.2f pages_per_s=%.1f\n", pdf_pages, s, pdf_pages / s);
  return failed > 0 && pages == 0 ? 1 : 0;
}
