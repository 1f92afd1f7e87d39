// MuPDF-backed PdfDocument: every MuPDF call sits in fz_try, allocations are counted against a
// per-document budget, and page work runs under a cookie a watchdog aborts past the time limit.
#include "render/pdf_document.h"

#include "extract/pdf_text.h"

#include <mupdf/fitz.h>
#include <webp/encode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "core/log.h"
#include "render/page_encode.h"
#include "render/watermark.h"
#include "render/watermark_draw.h"

namespace wenku::render {

namespace {

// MuPDF allocator that refuses to grow past a budget, so a hostile PDF fails with
// FZ_ERROR_MEMORY instead of taking the process down. Each block carries its size in front.
struct AllocBudget {
  int64_t used = 0;
  int64_t limit = 0;
};

constexpr size_t kHeader = alignof(std::max_align_t) > sizeof(size_t) ? alignof(std::max_align_t)
                                                                       : sizeof(size_t);

void* budget_malloc(void* user, size_t size) {
  auto* budget = static_cast<AllocBudget*>(user);
  if (size > static_cast<size_t>(budget->limit) ||
      budget->used + static_cast<int64_t>(size) > budget->limit) {
    return nullptr;
  }
  auto* block = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &size, sizeof(size));
  budget->used += static_cast<int64_t>(size);
  return block + kHeader;
}

void budget_free(void* user, void* ptr) {
  if (ptr == nullptr) return;
  auto* budget = static_cast<AllocBudget*>(user);
  auto* block = static_cast<unsigned char*>(ptr) - kHeader;
  size_t size = 0;
  std::memcpy(&size, block, sizeof(size));
  budget->used -= static_cast<int64_t>(size);
  std::free(block);
}

void* budget_realloc(void* user, void* old, size_t size) {
  if (old == nullptr) return budget_malloc(user, size);
  if (size == 0) {
    budget_free(user, old);
    return nullptr;
  }
  auto* budget = static_cast<AllocBudget*>(user);
  auto* block = static_cast<unsigned char*>(old) - kHeader;
  size_t old_size = 0;
  std::memcpy(&old_size, block, sizeof(old_size));
  int64_t grow = static_cast<int64_t>(size) - static_cast<int64_t>(old_size);
  if (size > static_cast<size_t>(budget->limit) || budget->used + grow > budget->limit) {
    return nullptr;
  }
  auto* fresh = static_cast<unsigned char*>(std::realloc(block, size + kHeader));
  if (fresh == nullptr) return nullptr;
  std::memcpy(fresh, &size, sizeof(size));
  budget->used += grow;
  return fresh + kHeader;
}

void quiet_warning(void* /*user*/, const char* message) {
  log::debug("mupdf warning msg={}", message);
}

void quiet_error(void* /*user*/, const char* message) { log::debug("mupdf error msg={}", message); }

// Maps the MuPDF error of the current fz_catch to ours; Chinese first, then English.
Error mupdf_error(fz_context* ctx, const char* what) {
  int code = fz_caught(ctx);
  std::string detail = fz_caught_message(ctx);
  if (code == FZ_ERROR_MEMORY) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.too_much_memory", {{"what", what}, {"detail", detail}});
  }
  if (code == FZ_ERROR_ABORT) {
    return keyed_error(ErrorCode::kTimeout, "pdf.page_timeout", {{"what", what}});
  }
  return keyed_error(ErrorCode::kCorrupt, "pdf.damaged", {{"what", what}, {"detail", detail}});
}

// Sets cookie->abort once `timeout` passes, unless the work finished first.
class Watchdog {
 public:
  Watchdog(fz_cookie* cookie, std::chrono::milliseconds timeout)
      : thread_([this, cookie, timeout] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) cookie->abort = 1;
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

std::string strip_subset_prefix(std::string name) {
  if (name.size() > 7 && name[6] == '+' &&
      std::all_of(name.begin(), name.begin() + 6, [](char c) { return c >= 'A' && c <= 'Z'; })) {
    name.erase(0, 7);
  }
  return name;
}

}  // namespace

struct PdfDocument::Impl {
  AllocBudget budget;
  fz_alloc_context alloc{};
  fz_context* ctx = nullptr;
  fz_document* doc = nullptr;
  int pages = 0;

  ~Impl() {
    if (ctx != nullptr) {
      fz_drop_document(ctx, doc);
      fz_drop_context(ctx);
    }
  }

  Result<void> check_index(int page_index) const {
    if (page_index < 0 || page_index >= pages) {
      return keyed_error(ErrorCode::kInvalidArgument, "pdf.no_such_page",
                         {{"page", std::to_string(page_index + 1)}, {"pages", std::to_string(pages)}});
    }
    return {};
  }

  // Runs the page through a structured-text device; the caller drops the result.
  Result<fz_stext_page*> load_text(int page_index, int timeout_ms) const {
    WENKU_TRY(check_index(page_index));
    fz_page* page = nullptr;
    fz_stext_page* text = nullptr;
    fz_device* dev = nullptr;
    fz_cookie cookie{};
    bool failed = false;
    {
      Watchdog watchdog(&cookie, std::chrono::milliseconds(timeout_ms));
      fz_var(page);
      fz_var(text);
      fz_var(dev);
      fz_try(ctx) {
        page = fz_load_page(ctx, doc, page_index);
        text = fz_new_stext_page(ctx, fz_bound_page(ctx, page));
        fz_stext_options options{};
        dev = fz_new_stext_device(ctx, text, &options);
        fz_run_page(ctx, page, dev, fz_identity, &cookie);
        fz_close_device(ctx, dev);
      }
      fz_always(ctx) {
        fz_drop_device(ctx, dev);
        fz_drop_page(ctx, page);
      }
      fz_catch(ctx) { failed = true; }
    }
    // The error is built outside the try block: a std::string alive across its setjmp may be
    // clobbered by the longjmp (GCC -Wclobbered). fz_caught still names the caught error.
    if (failed || cookie.abort != 0) {
      fz_drop_stext_page(ctx, text);
      if (failed) return mupdf_error(ctx, "text");
      return keyed_error(ErrorCode::kTimeout, "pdf.page_took_too_long_text");
    }
    return text;
  }
};

PdfDocument::PdfDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfDocument::~PdfDocument() = default;

Result<std::unique_ptr<PdfDocument>> PdfDocument::open(const std::filesystem::path& pdf,
                                                       const OpenLimits& limits) {
  std::error_code ec;
  auto size = std::filesystem::file_size(pdf, ec);
  if (ec) {
    return keyed_error(ec == std::errc::no_such_file_or_directory ? ErrorCode::kNotFound
                                                                 : ErrorCode::kIo,
                       "pdf.cannot_read", {{"path", pdf.string()}, {"detail", ec.message()}});
  }
  if (static_cast<int64_t>(size) > limits.max_file_bytes) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.too_large", {{"bytes", std::to_string(size)}});
  }
  auto impl = std::make_unique<Impl>();
  impl->budget.limit = limits.max_memory_bytes;
  impl->alloc = fz_alloc_context{&impl->budget, budget_malloc, budget_realloc, budget_free};
  // The resource store (a cache) gets a quarter of the budget; the rest is for the work itself.
  impl->ctx = fz_new_context(&impl->alloc, nullptr,
                             static_cast<size_t>(std::max<int64_t>(limits.max_memory_bytes / 4,
                                                                   16 << 20)));
  if (impl->ctx == nullptr) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.create_mupdf_context");
  }
  fz_context* ctx = impl->ctx;
  fz_set_warning_callback(ctx, quiet_warning, nullptr);
  fz_set_error_callback(ctx, quiet_error, nullptr);

  fz_stream* stream = nullptr;
  fz_document* doc = nullptr;
  bool failed = false;
  Error error;
  const std::string path = pdf.string();
  fz_var(stream);
  fz_var(doc);
  fz_try(ctx) {
    fz_register_document_handlers(ctx);
    stream = fz_open_file(ctx, path.c_str());
    // By content type, not by name: an upload's extension is not trusted.
    doc = fz_open_document_with_stream(ctx, "application/pdf", stream);
  }
  fz_always(ctx) { fz_drop_stream(ctx, stream); }
  fz_catch(ctx) {
    failed = true;
    error = mupdf_error(ctx, "open");
  }
  if (failed) return error;
  impl->doc = doc;

  int needs_password = 0;
  int authenticated = 0;
  fz_var(needs_password);
  fz_var(authenticated);
  fz_try(ctx) {
    needs_password = fz_needs_password(ctx, doc);
    // An owner-password-only PDF opens with the empty user password.
    if (needs_password != 0) authenticated = fz_authenticate_password(ctx, doc, "");
  }
  fz_catch(ctx) {
    failed = true;
    error = mupdf_error(ctx, "password");
  }
  if (failed) return error;
  if (needs_password != 0 && authenticated == 0) {
    return keyed_error(ErrorCode::kEncrypted, "pdf.encrypted_needs_password");
  }

  int pages = 0;
  fz_var(pages);
  fz_try(ctx) { pages = fz_count_pages(ctx, doc); }
  fz_catch(ctx) {
    failed = true;
    error = mupdf_error(ctx, "page tree");
  }
  if (failed) return error;
  if (pages <= 0) {
    return keyed_error(ErrorCode::kCorrupt, "pdf.has_no_pages");
  }
  impl->pages = pages;
  return std::unique_ptr<PdfDocument>(new PdfDocument(std::move(impl)));
}

int PdfDocument::page_count() const { return impl_->pages; }

Result<std::string> PdfDocument::page_text(int page_index) const {
  WENKU_ASSIGN_OR_RETURN(fz_stext_page * text, impl_->load_text(page_index, 20'000));
  // Reading the structure makes no MuPDF call: nothing here can throw.
  std::string out = extract::paragraph_text(text);
  fz_drop_stext_page(impl_->ctx, text);
  return out;
}

namespace {

// A MuPDF pixmap (gray or RGB, with or without alpha) as a raster; alpha laid on white.
Result<image::Raster> raster_from_pixmap(fz_context* ctx, fz_pixmap* pm) {
  image::Raster r;
  r.width = fz_pixmap_width(ctx, pm);
  r.height = fz_pixmap_height(ctx, pm);
  const int n = fz_pixmap_components(ctx, pm);
  const int alpha = fz_pixmap_alpha(ctx, pm);
  const int colors = n - alpha;
  if (colors != 1 && colors != 3) return keyed_error(ErrorCode::kCorrupt, "pdf.unusable_image_colours");
  r.channels = colors;
  r.pixels.resize(static_cast<size_t>(r.width) * r.height * colors);
  const unsigned char* samples = fz_pixmap_samples(ctx, pm);
  const ptrdiff_t stride = fz_pixmap_stride(ctx, pm);
  uint8_t* out = r.pixels.data();
  for (int y = 0; y < r.height; ++y) {
    const unsigned char* p = samples + y * stride;
    for (int x = 0; x < r.width; ++x, p += n) {
      const int a = alpha != 0 ? p[n - 1] : 255;
      for (int k = 0; k < colors; ++k) *out++ = static_cast<uint8_t>(alpha != 0 ? p[k] + 255 - a : p[k]);
    }
  }
  return r;
}

}  // namespace

Result<PageImages> encode_page_images(const image::Raster& page, const RenderOptions& options) {
  if (!options.watermark.empty() && !page.empty()) {
    image::Raster marked = page;
    WENKU_TRY(watermark_raster(marked, options.watermark));
    RenderOptions plain = options;
    plain.watermark.clear();
    return encode_page_images(marked, plain);
  }
  if (page.empty() || (page.channels != 1 && page.channels != 3) ||
      page.pixels.size() < static_cast<size_t>(page.width) * page.height * page.channels) {
    return keyed_error(ErrorCode::kInvalidArgument, "pdf.no_page_image");
  }
  if (page.pixel_count() > options.max_pixels * 4) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.page_image_exceeds_pixel_limit");
  }
  WebPPicture picture;
  if (WebPPictureInit(&picture) == 0) {
    return keyed_error(ErrorCode::kInternal, "pdf.libwebp_version_mismatch");
  }
  // Gray rasters go straight to luma (no RGB copy of the page).
  if (!detail::import_yuv420(&picture, page.pixels.data(), page.width, page.height,
                             static_cast<ptrdiff_t>(page.width) * page.channels, page.channels)) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.out_memory_page_image");
  }
  const int preview_w = std::min(options.preview_width, page.width);
  const int preview_h = std::max(1, static_cast<int>(std::lround(static_cast<double>(page.height) * preview_w /
                                                                 page.width)));
  // The preview of a large image keeps libwebp's resampler; the thumbnail is shrunk from it.
  if (preview_w != page.width && WebPPictureRescale(&picture, preview_w, preview_h) == 0) {
    WebPPictureFree(&picture);
    return keyed_error(ErrorCode::kTooLarge, "pdf.scale_preview");
  }
  PageImages images;
  auto encoded = detail::encode_preview_and_thumb(&picture, options, images);
  WebPPictureFree(&picture);
  if (!encoded.ok()) return encoded.take_error();
  return images;
}

Result<OcrImage> PdfDocument::ocr_image(int page_index, int render_dpi, int64_t max_pixels, int timeout_ms,
                                        bool use_embedded) const {
  WENKU_TRY(impl_->check_index(page_index));
  if (render_dpi < 36 || render_dpi > 1200) {
    return keyed_error(ErrorCode::kInvalidArgument, "pdf.invalid_ocr_resolution");
  }
  fz_context* ctx = impl_->ctx;
  // 1. The page's one image, when the page is a scan.
  fz_page* page = nullptr;
  fz_stext_page* text = nullptr;
  fz_device* dev = nullptr;
  fz_pixmap* pixmap = nullptr;
  fz_cookie cookie{};
  bool failed = false;
  fz_rect bounds{};
  float scan_width_pt = 0;  // how wide the page's one image is drawn
  fz_var(page);
  fz_var(text);
  fz_var(dev);
  fz_var(pixmap);
  fz_var(scan_width_pt);
  {
    Watchdog watchdog(&cookie, std::chrono::milliseconds(timeout_ms));
    fz_try(ctx) {
      page = fz_load_page(ctx, impl_->doc, page_index);
      bounds = fz_bound_page(ctx, page);
      text = fz_new_stext_page(ctx, bounds);
      fz_stext_options options{};
      options.flags = FZ_STEXT_PRESERVE_IMAGES;
      dev = fz_new_stext_device(ctx, text, &options);
      fz_run_page(ctx, page, dev, fz_identity, &cookie);
      fz_close_device(ctx, dev);
      fz_drop_device(ctx, dev);
      dev = nullptr;
      const float page_area = (bounds.x1 - bounds.x0) * (bounds.y1 - bounds.y0);
      int images = 0;
      fz_stext_block* only = nullptr;
      for (fz_stext_block* b = text->first_block; b != nullptr; b = b->next) {
        if (b->type != FZ_STEXT_BLOCK_IMAGE) continue;
        ++images;
        only = b;
      }
      if (use_embedded && images == 1 && only->u.i.image != nullptr) {
        const fz_matrix m = only->u.i.transform;
        const fz_rect box = fz_intersect_rect(only->bbox, bounds);
        const float area = (box.x1 - box.x0) * (box.y1 - box.y0);
        fz_image* img = only->u.i.image;
        // Upright (no rotation, no mirror), covering most of the page, not a stencil mask.
        if (m.b == 0 && m.c == 0 && m.a > 0 && m.d > 0 && area >= 0.6f * page_area && img->imagemask == 0 &&
            static_cast<int64_t>(img->w) * img->h <= max_pixels) {
          scan_width_pt = box.x1 - box.x0;
          pixmap = fz_get_pixmap_from_image(ctx, img, nullptr, nullptr, nullptr, nullptr);
        }
      }
    }
    fz_always(ctx) { fz_drop_device(ctx, dev); }
    fz_catch(ctx) { failed = true; }
  }
  if (pixmap != nullptr && !failed && cookie.abort == 0) {
    auto r = raster_from_pixmap(ctx, pixmap);
    fz_drop_pixmap(ctx, pixmap);
    fz_drop_stext_page(ctx, text);
    fz_drop_page(ctx, page);
    if (!r.ok()) return r.take_error();
    OcrImage out;
    out.raster = std::move(r).value();
    out.embedded = true;
    // The image's resolution as drawn: its pixels across the width it covers on the page.
    const double dpi = scan_width_pt > 0 ? out.raster.width * 72.0 / scan_width_pt : 0;
    out.raster.dpi = dpi > 0 && dpi < 10000 ? static_cast<int>(std::lround(dpi)) : 0;
    return out;
  }
  fz_drop_pixmap(ctx, pixmap);
  pixmap = nullptr;
  fz_drop_stext_page(ctx, text);
  text = nullptr;
  if (failed && fz_caught(ctx) == FZ_ERROR_ABORT) {
    fz_drop_page(ctx, page);
    return keyed_error(ErrorCode::kTimeout, "pdf.page_took_too_long_ocr");
  }
  if (page == nullptr) return keyed_error(ErrorCode::kCorrupt, "pdf.page_read");

  // 2. A gray render at render_dpi.
  const double scale = render_dpi / 72.0;
  const double w = std::ceil((static_cast<double>(bounds.x1) - bounds.x0) * scale);
  const double h = std::ceil((static_cast<double>(bounds.y1) - bounds.y0) * scale);
  if (!(w >= 1 && h >= 1) || w * h > static_cast<double>(max_pixels)) {
    fz_drop_page(ctx, page);
    return keyed_error(ErrorCode::kTooLarge, "pdf.page_exceeds_pixel_limit_ocr");
  }
  failed = false;
  fz_cookie render_cookie{};
  Error error;
  {
    Watchdog watchdog(&render_cookie, std::chrono::milliseconds(timeout_ms));
    fz_try(ctx) {
      const float f = static_cast<float>(scale);
      fz_matrix ctm = fz_scale(f, f);
      fz_irect box = fz_round_rect(fz_transform_rect(bounds, ctm));
      pixmap = fz_new_pixmap_with_bbox(ctx, fz_device_gray(ctx), box, nullptr, 0);
      fz_clear_pixmap_with_value(ctx, pixmap, 0xff);
      dev = fz_new_draw_device(ctx, fz_identity, pixmap);
      fz_run_page(ctx, page, dev, ctm, &render_cookie);
      fz_close_device(ctx, dev);
    }
    fz_always(ctx) {
      fz_drop_device(ctx, dev);
      fz_drop_page(ctx, page);
    }
    fz_catch(ctx) {
      failed = true;
      error = mupdf_error(ctx, "OCR render");
    }
  }
  if (!failed && render_cookie.abort != 0) {
    failed = true;
    error = keyed_error(ErrorCode::kTimeout, "pdf.page_took_too_long_render");
  }
  if (failed) {
    fz_drop_pixmap(ctx, pixmap);
    return error;
  }
  auto r = raster_from_pixmap(ctx, pixmap);
  fz_drop_pixmap(ctx, pixmap);
  if (!r.ok()) return r.take_error();
  OcrImage out;
  out.raster = std::move(r).value();
  out.raster.dpi = render_dpi;
  return out;
}

Result<std::vector<std::string>> PdfDocument::page_fonts(int page_index) const {
  WENKU_ASSIGN_OR_RETURN(fz_stext_page * text, impl_->load_text(page_index, 20'000));
  fz_context* ctx = impl_->ctx;
  std::set<std::string> names;
  for (fz_stext_block* block = text->first_block; block != nullptr; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (fz_stext_line* line = block->u.t.first_line; line != nullptr; line = line->next) {
      for (fz_stext_char* ch = line->first_char; ch != nullptr; ch = ch->next) {
        if (ch->font != nullptr) names.insert(strip_subset_prefix(fz_font_name(ctx, ch->font)));
      }
    }
  }
  fz_drop_stext_page(ctx, text);
  return std::vector<std::string>(names.begin(), names.end());
}

Result<PageImages> PdfDocument::render_page(int page_index, const RenderOptions& options) const {
  WENKU_TRY(impl_->check_index(page_index));
  if (options.preview_width <= 0 || options.thumb_width <= 0 || options.preview_width > 20000) {
    return keyed_error(ErrorCode::kInvalidArgument, "pdf.invalid_preview_width");
  }
  fz_context* ctx = impl_->ctx;
  fz_page* page = nullptr;
  fz_pixmap* pixmap = nullptr;
  fz_device* dev = nullptr;
  fz_cookie cookie{};
  bool failed = false;
  Error error;
  fz_var(page);
  fz_var(pixmap);
  fz_var(dev);

  fz_rect bounds{};
  fz_try(ctx) {
    page = fz_load_page(ctx, impl_->doc, page_index);
    bounds = fz_bound_page(ctx, page);
  }
  fz_catch(ctx) {
    failed = true;
    error = mupdf_error(ctx, "page");
  }
  if (failed) {
    fz_drop_page(ctx, page);
    return error;
  }
  const double page_w = static_cast<double>(bounds.x1) - bounds.x0;
  const double page_h = static_cast<double>(bounds.y1) - bounds.y0;
  if (!std::isfinite(page_w) || !std::isfinite(page_h) || page_w < 1e-3 || page_h < 1e-3) {
    fz_drop_page(ctx, page);
    return keyed_error(ErrorCode::kCorrupt, "pdf.page_has_no_usable_size");
  }
  // Scale to the preview width whatever the page's size: a 100000-point page still becomes
  // 800 px wide; only an extreme aspect ratio can exceed the pixel budget.
  const double scale = options.preview_width / page_w;
  const double height_px = std::ceil(page_h * scale);
  if (height_px * options.preview_width > static_cast<double>(options.max_pixels) ||
      height_px > 1e6) {
    fz_drop_page(ctx, page);
    return keyed_error(ErrorCode::kTooLarge, "pdf.page_over_pixel_limit",
                       {{"width", std::to_string(options.preview_width)},
                        {"height", std::to_string(static_cast<int64_t>(height_px))}});
  }
  const float fscale = static_cast<float>(scale);
  {
    Watchdog watchdog(&cookie, std::chrono::milliseconds(options.timeout_ms));
    fz_try(ctx) {
      fz_matrix ctm = fz_scale(fscale, fscale);
      fz_irect box = fz_round_rect(fz_transform_rect(bounds, ctm));
      pixmap = fz_new_pixmap_with_bbox(ctx, fz_device_rgb(ctx), box, nullptr, 0);
      fz_clear_pixmap_with_value(ctx, pixmap, 0xff);
      dev = fz_new_draw_device(ctx, fz_identity, pixmap);
      fz_run_page(ctx, page, dev, ctm, &cookie);
      if (!options.watermark.empty()) detail::draw_watermark(ctx, dev, fz_rect_from_irect(box), options.watermark);
      fz_close_device(ctx, dev);
    }
    fz_always(ctx) {
      fz_drop_device(ctx, dev);
      fz_drop_page(ctx, page);
    }
    fz_catch(ctx) {
      failed = true;
      error = mupdf_error(ctx, "render");
    }
  }
  if (!failed && cookie.abort != 0) {
    failed = true;
    error = keyed_error(ErrorCode::kTimeout, "pdf.page_took_too_long_render");
  }
  if (failed) {
    fz_drop_pixmap(ctx, pixmap);
    return error;
  }

  WebPPicture picture;
  if (WebPPictureInit(&picture) == 0) {
    fz_drop_pixmap(ctx, pixmap);
    return keyed_error(ErrorCode::kInternal, "pdf.libwebp_version_mismatch");
  }
  // Straight to YUV 4:2:0, what lossy WebP encodes (an ARGB picture would be converted inside
  // each encode); rows without colour skip libwebp's conversion (page_encode.h).
  const bool imported = detail::import_yuv420(&picture, fz_pixmap_samples(ctx, pixmap), fz_pixmap_width(ctx, pixmap),
                                              fz_pixmap_height(ctx, pixmap), fz_pixmap_stride(ctx, pixmap), 3);
  fz_drop_pixmap(ctx, pixmap);
  if (!imported) return keyed_error(ErrorCode::kTooLarge, "pdf.out_memory_page_image");
  PageImages images;
  auto encoded = detail::encode_preview_and_thumb(&picture, options, images);
  WebPPictureFree(&picture);
  if (!encoded.ok()) return encoded.take_error();
  return images;
}

}  // namespace wenku::render
