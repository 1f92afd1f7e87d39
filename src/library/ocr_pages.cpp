// The OCR hook of the pipeline: image documents get their pages and previews from the image,
// scanned PDF pages (no usable text layer) and image pages get their text from the OCR job.
#include <algorithm>

#include "core/log.h"
#include "core/strings.h"
#include "extract/pdf_text.h"
#include "image/image_file.h"
#include "library/job_kinds.h"
#include "library/library.h"
#include "render/pdf_document.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

image::DecodeLimits image_limits(const Settings& s) {
  image::DecodeLimits l;
  l.max_pages = static_cast<int>(s.get_int("max_pages"));
  return l;
}

}  // namespace

Result<bool> Library::queue_ocr(int64_t id, const std::vector<std::string>& page_texts) {
  if (!settings_.get_bool("ocr") || settings_.get_int("ocr_max_pages") <= 0) return false;
  const bool any = std::any_of(page_texts.begin(), page_texts.end(),
                               [](const std::string& t) { return !extract::text_layer_usable(t); });
  if (!any) return false;
  WENKU_TRY(store_->enqueue_job({kJobOcr, id, kPriorityOcr, static_cast<int>(settings_.get_int("job_max_attempts"))}));
  notify_workers();
  return true;
}

Result<void> Library::run_image_preview(int64_t id, const store::Document& doc, const fs::path& original) {
  WENKU_ASSIGN_OR_RETURN(auto file, image::ImageFile::open_file(original.string(), image_limits(settings_)));
  const int count = file->page_count();
  std::vector<store::Page> pages;
  for (int i = 0; i < count; ++i) pages.push_back({i + 1, "", "", "", 0, 0});
  WENKU_TRY(store_->replace_pages(id, pages));
  store::DocumentUpdate u;
  u.pages = count;
  WENKU_TRY(store_->update_document(id, u));
  // Pictures are cheap to scale: every preview page now, none left for render_rest.
  const int last = std::min(count, static_cast<int>(settings_.get_int("max_preview_pages")));
  int done = 0;
  for (int i = 0; i < last; ++i) {
    auto raster = file->decode_page(i);
    if (!raster.ok()) {
      if (i == 0) return raster.take_error();  // not even the first page: the file is broken
      log::warn("image_page_failed document={} page={} error={}", id, i + 1, raster.error().message);
      break;
    }
    auto img = render::encode_page_images(*raster, render::RenderOptions{});
    if (!img.ok()) {
      if (i == 0) return img.take_error();
      break;
    }
    WENKU_ASSIGN_OR_RETURN(auto image_key, blobs_->put_bytes(img->preview_webp));
    WENKU_ASSIGN_OR_RETURN(auto thumb_key, blobs_->put_bytes(img->thumb_webp));
    WENKU_TRY(store_->set_page_image(id, i + 1, image_key, thumb_key, img->width, img->height));
    done = i + 1;
  }
  std::vector<std::string> none(static_cast<size_t>(count));
  WENKU_ASSIGN_OR_RETURN(bool ocr_pending, queue_ocr(id, none));
  store::DocumentUpdate ready;
  ready.preview_pages_done = done;
  if (!ocr_pending) ready.status = store::DocumentStatus::kReady;
  ready.error = "";
  WENKU_TRY(store_->update_document(id, ready));
  (void)doc;
  return reindex(id);
}

Result<void> Library::run_ocr(int64_t id, const std::function<void(double)>& progress) {
  WENKU_ASSIGN_OR_RETURN(auto doc, store_->get_document(id));
  WENKU_ASSIGN_OR_RETURN(auto pages, store_->get_pages(id));
  store::DocumentUpdate ready;
  ready.status = store::DocumentStatus::kReady;
  if (!settings_.get_bool("ocr")) return store_->update_document(id, ready);
  WENKU_ASSIGN_OR_RETURN(fs::path original, blobs_->local_path(doc.blob_key, scratch_->path()));
  // One engine, loaded by the first OCR job and kept (the OCR lane has one worker).
  std::lock_guard lock(ocr_mu_);
  if (!ocr_engine_) {
    ocr::OcrOptions o;
    o.timeout_ms = static_cast<int>(settings_.get_int("ocr_page_seconds") * 1000);
    WENKU_ASSIGN_OR_RETURN(ocr_engine_, ocr::OcrEngine::create(o));
  }
  std::vector<size_t> todo;
  for (size_t i = 0; i < pages.size(); ++i)
    if (!extract::text_layer_usable(pages[i].text)) todo.push_back(i);
  const size_t budget = static_cast<size_t>(settings_.get_int("ocr_max_pages"));
  if (todo.size() > budget) todo.resize(budget);

  std::unique_ptr<image::ImageFile> picture;
  std::unique_ptr<render::PdfDocument> pdf;
  if (image::is_image_format(doc.format)) {
    WENKU_ASSIGN_OR_RETURN(picture, image::ImageFile::open_file(original.string(), image_limits(settings_)));
  } else {
    render::OpenLimits l;
    l.max_memory_bytes = settings_.get_int("render_memory_mb") << 20;
    WENKU_ASSIGN_OR_RETURN(pdf, render::PdfDocument::open(original, l));
  }
  const int dpi = static_cast<int>(settings_.get_int("ocr_dpi"));
  int read = 0;
  for (size_t k = 0; k < todo.size(); ++k) {
    if (progress) progress(static_cast<double>(k) / static_cast<double>(todo.size() + 1));
    const int index = static_cast<int>(todo[k]);
    Result<image::Raster> raster = make_error(ErrorCode::kInternal, "");
    if (picture) {
      raster = picture->decode_page(index);
    } else {
      auto img = pdf->ocr_image(index, dpi, 60'000'000);
      raster = img.ok() ? Result<image::Raster>(std::move(img->raster)) : Result<image::Raster>(img.take_error());
    }
    if (!raster.ok()) {
      log::warn("ocr_image_failed document={} page={} error={}", id, index + 1, raster.error().message);
      continue;
    }
    auto page = ocr_engine_->recognize(*raster);
    if (!page.ok()) {
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
    WENKU_TRY(store_->replace_pages(id, pages));
    if (doc.description.empty()) {
      std::string all;
      for (const auto& p : pages) {
        all += p.text;
        all += ' ';
        if (all.size() > 4000) break;
      }
      std::string flat;
      for (char c : all) flat += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
      ready.description = utf8_prefix(sanitize_utf8(trim(flat)), 200);
    }
  }
  WENKU_TRY(store_->update_document(id, ready));
  if (read > 0) {
    if (auto a = analyse(id); !a.ok()) log::warn("analyse_failed document={} error={}", id, a.error().message);
  }
  return reindex(id);
}

}  // namespace wenku::library
