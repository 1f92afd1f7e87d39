// PdfDocument: one open PDF read in-process with MuPDF — page count, per-page text, fonts, and
// page images (WebP preview and thumbnail) under size, pixel, memory and time limits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace wenku::render {

struct RenderOptions {
  int preview_width = 800;
  int thumb_width = 200;
  int webp_quality = 75;
  // libwebp method 0 is about 3x faster than its default 4 for ~20% more bytes (DESIGN.md §8).
  int webp_method = 0;
  // A page whose preview would exceed this many pixels is refused (kTooLarge).
  int64_t max_pixels = 40'000'000;
  // Wall-clock limit of one page's rasterisation; past it the page fails with kTimeout.
  int timeout_ms = 20'000;
};

struct PageImages {
  std::string preview_webp;
  std::string thumb_webp;
  int width = 0;   // of the preview, in pixels
  int height = 0;
};

// Limits applied while a PDF is open; uploaded PDFs are hostile.
struct OpenLimits {
  int64_t max_file_bytes = 1LL << 30;
  // MuPDF's own allocations for this document (parsed objects, fonts, images, pixmaps).
  int64_t max_memory_bytes = 1536LL << 20;
};

// One open PDF. Not thread-safe: use one per thread (each holds its own MuPDF context).
class PdfDocument {
 public:
  ~PdfDocument();
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  // Opens `pdf` (always parsed as PDF, whatever its name). A PDF with only an owner password
  // opens. Errors: kEncrypted (needs a user password), kCorrupt, kTooLarge, kNotFound, kIo.
  static Result<std::unique_ptr<PdfDocument>> open(const std::filesystem::path& pdf,
                                                   const OpenLimits& limits = {});

  int page_count() const;
  // UTF-8 text of one page (0-based), in reading order as MuPDF sees it.
  // Errors: kInvalidArgument (no such page), kCorrupt, kTooLarge (memory limit).
  Result<std::string> page_text(int page_index) const;
  // Preview (options.preview_width wide) and thumbnail (options.thumb_width wide) as WebP.
  // Errors: kInvalidArgument, kCorrupt, kTooLarge (pixels or memory), kTimeout.
  Result<PageImages> render_page(int page_index, const RenderOptions& options) const;
  // Names of the fonts the text of a page is drawn with, without subset prefixes, sorted and
  // unique (e.g. "NotoSerifCJKsc-Regular"). Errors: as page_text.
  Result<std::vector<std::string>> page_fonts(int page_index) const;

 private:
  struct Impl;
  explicit PdfDocument(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wenku::render
