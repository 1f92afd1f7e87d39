// OcrStep (ocr_step.h): image documents' pages and previews, and the `ocr` job.
#include "library/ocr_step.h"

#include <algorithm>

#include "blob/blob_store.h"
#include "core/log.h"
#include "core/strings.h"
#include "extract/pdf_text.h"
#include "image/image_file.h"
#include "library/data_dir.h"
#include "library/indexer.h"
#include "library/job_kinds.h"
#include "ocr/ocr_engine.h"
#include "render/boxed_document.h"
#include "render/pdf_document.h"
#include "store/metadata_store.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

image::DecodeLimits image_limits(const Settings& s) {
  image::DecodeLimits l;
  l.max_pages = static_cast<int>(s.get_int("max_pages"));
  return l;
}

// The picture or PDF read by the render helper in its box (render/boxed_document.h): the image
// decoders, MuPDF and Tesseract never run in this process. The box hides the data directory
// (above DATA/tmp/NAME).
Result<std::unique_ptr<render::BoxedDocument>> open_boxed(const fs::path& original, bool picture,
                                                          const Settings& settings, const ScratchDir& scratch) {
  render::OpenLimits l;
  l.max_memory_bytes = settings.get_int("render_memory_mb") << 20;
  render::BoxOptions box;
  box.hidden_dirs = {scratch.path().parent_path().parent_path()};
  if (picture) {
    box.kind = render::BoxOptions::Kind::kImage;
    box.image_limits = image_limits(settings);
    l.max_file_bytes = 512LL << 20;  // as image::ImageFile::open_file
  }
  // OCR of a whole document in one helper: its CPU limit covers every page's (Tesseract's
  // models take a few hundred MB more than MuPDF: 2 GB beyond the MuPDF budget).
  const int64_t pages = settings.get_int("ocr_max_pages");
  const int64_t per_page = settings.get_int("ocr_page_seconds");
  box.cpu_seconds = static_cast<int>(std::clamp<int64_t>(1800 + 2 * pages * per_page, 1800, 1'000'000));
  box.extra_memory_bytes = 2LL << 30;
  return render::BoxedDocument::open(original, l, box);
}

// The 资源描述 of a document whose only text is what OCR read: its first 200 characters.
std::string summary_of(const std::vector<Page>& pages) {
  std::string all;
  for (const auto& p : pages) {
    all += p.text;
    all += ' ';
    if (all.size() > 4000) break;
  }
  std::string flat;
  for (char c : all) flat += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  return utf8_prefix(sanitize_utf8(trim(flat)), 200);
}

}  // namespace

OcrStep::OcrStep(Parts parts) : p_(std::move(parts)) {}
OcrStep::~OcrStep() = default;

Result<bool> OcrStep::queue_if_needed(int64_t id, const std::vector<Page>& pages) {
  if (!p_.settings.get_bool("ocr") || p_.settings.get_int("ocr_max_pages") <= 0) return false;
  const bool any = std::any_of(pages.begin(), pages.end(),
                               [](const Page& p) { return !extract::text_layer_usable(p.text); });
  if (!any) return false;
  WENKU_TRY(p_.store.enqueue_job(
      {kJobOcr, id, kPriorityOcr, static_cast<int>(p_.settings.get_int("job_max_attempts"))}));
  if (p_.notify) p_.notify();
  return true;
}

Result<void> OcrStep::remake_images(const Document& doc, const fs::path& original, const std::string& watermark) {
  WENKU_ASSIGN_OR_RETURN(auto file, open_boxed(original, true, p_.settings, p_.scratch));
  render::RenderOptions ro;
  ro.watermark = watermark;
  const int last = std::min(file->page_count(), doc.preview_pages_done);
  for (int i = 0; i < last; ++i) {
    WENKU_ASSIGN_OR_RETURN(auto img, file->render_page(i, ro));
    WENKU_ASSIGN_OR_RETURN(auto image_key, p_.blobs.put_bytes(img.preview_webp));
    WENKU_ASSIGN_OR_RETURN(auto thumb_key, p_.blobs.put_bytes(img.thumb_webp));
    WENKU_TRY(p_.store.set_page_image(doc.id, i + 1, image_key, thumb_key, img.width, img.height));
  }
  return {};
}

Result<void> OcrStep::image_preview(const Document& doc, const fs::path& original, int max_preview_pages,
                                    const std::string& watermark) {
  const int64_t id = doc.id;
  WENKU_ASSIGN_OR_RETURN(auto file, open_boxed(original, true, p_.settings, p_.scratch));
  const int count = file->page_count();
  std::vector<Page> pages;
  for (int i = 0; i < count; ++i) pages.push_back({i + 1, "", "", "", 0, 0});
  WENKU_TRY(p_.store.replace_pages(id, pages));
  DocumentUpdate u;
  u.pages = count;
  WENKU_TRY(p_.store.update_document(id, u));
  const int last = std::min(count, max_preview_pages);
  int done = 0;
  for (int i = 0; i < last; ++i) {
    // Decoded and scaled in the helper (a crash there fails this call, never the worker).
    render::RenderOptions ro;
    ro.watermark = watermark;
    auto img = file->render_page(i, ro);
    if (!img.ok()) {
      if (i == 0) return img.take_error();  // not even the first page: the file is broken
      log::warn("image_page_failed document={} page={} error={}", id, i + 1, img.error().message);
      break;
    }
    WENKU_ASSIGN_OR_RETURN(auto image_key, p_.blobs.put_bytes(img->preview_webp));
    WENKU_ASSIGN_OR_RETURN(auto thumb_key, p_.blobs.put_bytes(img->thumb_webp));
    WENKU_TRY(p_.store.set_page_image(id, i + 1, image_key, thumb_key, img->width, img->height));
    done = i + 1;
  }
  WENKU_ASSIGN_OR_RETURN(bool ocr_pending, queue_if_needed(id, pages));
  DocumentUpdate ready;
  ready.preview_pages_done = done;
  if (!ocr_pending) ready.status = DocumentStatus::kReady;
  ready.error = "";
  WENKU_TRY(p_.store.update_document(id, ready));
  return p_.indexer.reindex(id);
}

Result<void> OcrStep::run(int64_t id, const std::function<void(double)>& progress) {
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  WENKU_ASSIGN_OR_RETURN(auto pages, p_.store.get_pages(id));
  DocumentUpdate ready;
  ready.status = DocumentStatus::kReady;
  if (!p_.settings.get_bool("ocr")) {
    WENKU_TRY(p_.store.update_document(id, ready));
    return p_.indexer.reindex(id);
  }
  WENKU_ASSIGN_OR_RETURN(fs::path original, p_.blobs.local_path(doc.blob_key, p_.scratch.path()));
  // One OCR job at a time (the OCR lane has one worker); the engine lives in the document's
  // helper, in the box with the decoders.
  std::lock_guard lock(engine_mu_);
  ocr::OcrOptions o;
  o.timeout_ms = static_cast<int>(p_.settings.get_int("ocr_page_seconds") * 1000);
  std::vector<size_t> todo;
  for (size_t i = 0; i < pages.size(); ++i)
    if (!extract::text_layer_usable(pages[i].text)) todo.push_back(i);
  const auto budget = static_cast<size_t>(p_.settings.get_int("ocr_max_pages"));
  if (todo.size() > budget) todo.resize(budget);

  WENKU_ASSIGN_OR_RETURN(auto file, open_boxed(original, image::is_image_format(doc.format), p_.settings, p_.scratch));
  const int dpi = static_cast<int>(p_.settings.get_int("ocr_dpi"));
  int read = 0;
  for (size_t k = 0; k < todo.size(); ++k) {
    if (progress) progress(static_cast<double>(k) / static_cast<double>(todo.size() + 1));
    const int index = static_cast<int>(todo[k]);
    auto page = file->recognize(index, o, dpi, 60'000'000);
    if (!page.ok()) {
      // No models: the job fails (and is given up), as before the box.
      if (page.error().code == ErrorCode::kUnavailable) return page.take_error();
      if (file->failed()) {
        // The helper crashed (a decoder or Tesseract on hostile bytes): the document keeps the
        // pages read so far and says why the rest were not.
        log::warn("ocr_helper_crashed document={} page={} error={}", id, index + 1, page.error().message);
        ready.error = "OCR: " + page.error().message;
        break;
      }
      // A page past its time limit fails alone; the others are still read.
      log::warn("ocr_failed document={} page={} error={}", id, index + 1, page.error().message);
      continue;
    }
    log::info("ocr_page document={} page={} model={} ms={} confidence={}", id, index + 1, page->language,
              page->ms, page->confidence);
    pages[todo[k]].text = std::move(page->text);
    ++read;
  }
  if (read > 0) {
    WENKU_TRY(p_.store.replace_pages(id, pages));
    if (doc.description.empty()) ready.description = summary_of(pages);
  }
  ready.indexed = false;  // the index gets the recognised text below
  WENKU_TRY(p_.store.update_document(id, ready));
  if (read > 0 && p_.analyse) {
    if (auto a = p_.analyse(doc, pages); !a.ok()) log::warn("analyse_failed document={} error={}", id, a.error().message);
  }
  return p_.indexer.reindex(id);
}

void OcrStep::give_up(int64_t id) {
  DocumentUpdate ready;
  ready.status = DocumentStatus::kReady;
  ready.indexed = false;
  (void)p_.store.update_document(id, ready);
  (void)p_.indexer.reindex(id);
}

}  // namespace wenku::library
