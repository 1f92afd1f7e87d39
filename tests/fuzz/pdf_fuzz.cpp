// libFuzzer target: MuPDF as the worker runs it (src/render): open under memory limits, then
// for the first pages the text, the fonts, the preview and thumbnail, and the image OCR
// would read. MuPDF is Debian's shared library, not instrumented: the fuzzer's coverage
// guidance sees only wenku's side, so this target finds crashes and hangs inside MuPDF by
// mutation from the seeds rather than by coverage (SECURITY.md weighs what that means).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_entries.h"
#include "render/pdf_document.h"

namespace wenku::fuzz {

namespace {

// PdfDocument opens paths (the worker's scratch file): one file per process, rewritten.
const std::filesystem::path& scratch_pdf() {
  static const std::filesystem::path path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::filesystem::path(tmp != nullptr && *tmp ? tmp : "/tmp") /
           ("wenku-pdf-fuzz-" + std::to_string(::getpid()) + ".pdf");
  }();
  return path;
}

}  // namespace

int pdf_one(const uint8_t* data, size_t size) {
  return guarded("pdf", [&] {
    {
      std::ofstream out(scratch_pdf(), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    render::OpenLimits limits;
    limits.max_memory_bytes = 256LL << 20;  // the fuzzer's memory is bounded
    auto doc = render::PdfDocument::open(scratch_pdf(), limits);
    if (!doc.ok()) {
      check_not_internal("pdf", doc.error());
      return;
    }
    render::RenderOptions options;
    options.preview_width = 200;
    options.thumb_width = 50;
    options.max_pixels = 1'000'000;
    options.timeout_ms = 2'000;
    for (int i = 0; i < (*doc)->page_count() && i < 2; ++i) {
      auto text = (*doc)->page_text(i);
      if (!text.ok()) check_not_internal("pdf", text.error());
      auto fonts = (*doc)->page_fonts(i);
      if (!fonts.ok()) check_not_internal("pdf", fonts.error());
      auto images = (*doc)->render_page(i, options);
      if (images.ok() && (images->width <= 0 || images->preview_webp.empty())) {
        fail("pdf", "a rendered page has no preview");
      }
      if (!images.ok()) check_not_internal("pdf", images.error());
      auto ocr = (*doc)->ocr_image(i, 72, 1'000'000, 2'000);
      if (!ocr.ok()) check_not_internal("pdf", ocr.error());
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(pdf_one)
