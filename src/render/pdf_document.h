// PdfDocument: one open PDF read in-process with MuPDF (in the server: only inside the render
// helper's box, boxed_document.h) — page count, per-page text, fonts, and
// page images (WebP preview and thumbnail) under size, pixel, memory and time limits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/raster.h"

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
  // Text drawn over the preview (watermark.h); "" draws none. The thumbnail is scaled from
  // the watermarked preview.
  std::string watermark;
};

struct PageImages {
  std::string preview_webp;
  std::string thumb_webp;
  int width = 0;   // of the preview, in pixels
  int height = 0;
};

// The pixels OCR reads for a page without a usable text layer.
struct OcrImage {
  image::Raster raster;   // gray or RGB; raster.dpi is its resolution on the page
  bool embedded = false;  // the page's one image at its own resolution (else a render)
};

// Limits applied while a PDF is open; uploaded PDFs are hostile.
struct OpenLimits {
  int64_t max_file_bytes = 1LL << 30;
  // MuPDF's own allocations for this document (parsed objects, fonts, images, pixmaps).
  int64_t max_memory_bytes = 1536LL << 20;
};

// Preview (options.preview_width wide, never enlarged) and thumbnail of any page image (an
// image document's page, a decoded scan). Errors: kInvalidArgument (empty), kTooLarge, kInternal.
Result<PageImages> encode_page_images(const image::Raster& page, const RenderOptions& options);

// One open PDF, read in this process (PdfDocument) or by a sandboxed helper process
// (BoxedDocument, boxed_document.h). Not thread-safe: use one per thread.
class Document {
 public:
  virtual ~Document() = default;
  virtual int page_count() const = 0;
  virtual Result<std::string> page_text(int page_index) const = 0;
  virtual Result<PageImages> render_page(int page_index, const RenderOptions& options) const = 0;
  virtual Result<OcrImage> ocr_image(int page_index, int render_dpi, int64_t max_pixels,
                                     int timeout_ms = 20'000, bool use_embedded = true) const = 0;
  virtual Result<std::vector<std::string>> page_fonts(int page_index) const = 0;
  // True once the document can no longer be read at all (its helper process crashed): the
  // error of the failing call says why, and every later call fails the same way.
  virtual bool failed() const { return false; }
};

// One open PDF, in-process. Not thread-safe: use one per thread (each holds its own MuPDF context).
class PdfDocument final : public Document {
 public:
  ~PdfDocument() override;
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  // Opens `pdf` (always parsed as PDF, whatever its name). A PDF with only an owner password
  // opens. Errors: kEncrypted (needs a user password), kCorrupt, kTooLarge, kNotFound, kIo.
  static Result<std::unique_ptr<PdfDocument>> open(const std::filesystem::path& pdf,
                                                   const OpenLimits& limits = {});

  int page_count() const override;
  // UTF-8 text of one page (0-based), in reading order as MuPDF sees it.
  // Errors: kInvalidArgument (no such page), kCorrupt, kTooLarge (memory limit).
  Result<std::string> page_text(int page_index) const override;
  // Preview (options.preview_width wide) and thumbnail (options.thumb_width wide) as WebP.
  // Errors: kInvalidArgument, kCorrupt, kTooLarge (pixels or memory), kTimeout.
  Result<PageImages> render_page(int page_index, const RenderOptions& options) const override;
  // The image OCR should read for a page: where the page is one image (a scan: a single image
  // covering most of the page, upright), that image decoded at its own resolution; otherwise
  // the page rendered in gray at `render_dpi` (always, when `use_embedded` is false). Either
  // is refused past `max_pixels` (kTooLarge). Errors: as render_page.
  Result<OcrImage> ocr_image(int page_index, int render_dpi, int64_t max_pixels, int timeout_ms = 20'000,
                             bool use_embedded = true) const override;
  // Names of the fonts the text of a page is drawn with, without subset prefixes, sorted and
  // unique (e.g. "NotoSerifCJKsc-Regular"). Errors: as page_text.
  Result<std::vector<std::string>> page_fonts(int page_index) const override;

 private:
  struct Impl;
  explicit PdfDocument(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wenku::render
