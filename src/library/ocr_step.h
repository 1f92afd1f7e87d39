// OcrStep: the pipeline's step for pages that were never typed. An image document (JPEG,
// PNG, TIFF, WebP, HEIC) gets its pages and previews from the picture; a scanned PDF page
// (no usable text layer) and every image page get their text from the `ocr` job, in a lane
// of its own, within a page budget and a time limit per page. The document stays
// `processing` (with its previews) until that job ends, then is ready. Owned by the Pipeline.
// May call: store, blob, indexer, image, ocr, render, extract (text_layer_usable).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/types.h"

namespace wenku::blob {
class BlobStore;
}

namespace wenku::library {

class Indexer;
class ScratchDir;

class OcrStep {
 public:
  struct Parts {
    const Settings& settings;
    store::MetadataStore& store;
    blob::BlobStore& blobs;
    Indexer& indexer;
    ScratchDir& scratch;
    std::function<void()> notify;
    // The pipeline's analysis (keywords, SimHash) of a document's final text.
    std::function<Result<void>(const Document&, const std::vector<Page>&)> analyse;
  };
  explicit OcrStep(Parts parts);
  ~OcrStep();
  OcrStep(const OcrStep&) = delete;
  OcrStep& operator=(const OcrStep&) = delete;

  // Queues the `ocr` job when OCR is on and a page has no usable text layer (no text, or
  // mostly U+FFFD / private-use glyphs). True when queued: the document is not ready yet.
  Result<bool> queue_if_needed(int64_t id, const std::vector<Page>& pages);
  // The preview job of an image document: its pages, preview images and thumbnails from
  // the picture (up to the effective max_preview_pages at once: pictures are cheap to
  // scale), then OCR.
  // Errors: kCorrupt, kTooLarge (pixels, pages), kIo.
  Result<void> image_preview(const Document& doc, const std::filesystem::path& original, int max_preview_pages,
                            const std::string& watermark = {});
  // The rendered page images of an image document made again with `watermark` (its pages'
  // text, read by OCR, stays). Errors: as image_preview.
  Result<void> remake_images(const Document& doc, const std::filesystem::path& original,
                             const std::string& watermark);
  // The `ocr` job: reads the pages without usable text (at most `ocr_max_pages`); a page
  // that fails or runs out of time is skipped, the others are read. The document is ready
  // after it. Errors: kNotFound, kIo, kUnavailable (no OCR models).
  Result<void> run(int64_t id, const std::function<void(double)>& progress);
  // The job failed for good: the previews exist, so the document is ready without OCR text.
  void give_up(int64_t id);

 private:
  Parts p_;
  std::mutex engine_mu_;  // one OCR job at a time (its engine runs in the document's helper)
};

}  // namespace wenku::library
