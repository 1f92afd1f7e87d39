// Watermarks drawn by MuPDF: one line of text, rotated 30 degrees, repeated in staggered rows
// over the whole page, in a translucent seal red. Glyphs come from MuPDF's CJK font (Noto
// CJK through Debian's fonts-noto-cjk), with MuPDF's fallback for anything it lacks.
#include "render/watermark.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "core/strings.h"
#include "render/watermark_draw.h"

namespace wenku::render {

namespace detail {

void draw_watermark(fz_context* ctx, fz_device* dev, fz_rect area, const std::string& text) {
  const std::u32string chars = utf8_to_u32(text);
  if (chars.empty() || fz_is_empty_rect(area)) return;
  const float w = area.x1 - area.x0;
  const float h = area.y1 - area.y0;
  // About 32 characters across the page whatever its resolution.
  const float size = std::max(6.0f, w / 32.0f);
  const float angle = 30.0f * 3.14159265f / 180.0f;
  const float cs = std::cos(angle);
  const float sn = std::sin(angle);
  // Baseline up and to the right; "down" across the rows (device y grows downwards).
  const fz_point dir{cs, -sn};
  const fz_point across{sn, cs};

  fz_font* base = nullptr;
  fz_text* tx = nullptr;
  fz_var(base);
  fz_var(tx);
  fz_try(ctx) {
    base = fz_new_cjk_font(ctx, FZ_ADOBE_GB);
    // The glyphs and their advances, once.
    struct Glyph {
      fz_font* font;
      int gid;
      int ucs;
      float advance;
    };
    std::vector<Glyph> glyphs;
    float line = 0;
    for (char32_t c : chars) {
      if (c < 0x20) continue;
      fz_font* f = nullptr;
      int gid = fz_encode_character_with_fallback(ctx, base, static_cast<int>(c), 0, FZ_LANG_zh_Hans, &f);
      if (f == nullptr) f = base;
      float adv = fz_advance_glyph(ctx, f, gid, 0) * size;
      glyphs.push_back({f, gid, static_cast<int>(c), adv});
      line += adv;
    }
    if (glyphs.empty() || line <= 0) fz_throw(ctx, FZ_ERROR_GENERIC, "watermark has no glyphs");
    const float period = line + 6.0f * size;  // along a row
    const float row = 7.0f * size;            // between rows
    const float cx = (area.x0 + area.x1) / 2;
    const float cy = (area.y0 + area.y1) / 2;
    const float reach = std::hypot(w, h) / 2 + period;
    const int rows = static_cast<int>(std::ceil(reach / row));
    const int cols = static_cast<int>(std::ceil(reach / period));
    const fz_rect keep = fz_expand_rect(area, line + size);
    tx = fz_new_text(ctx);
    for (int k = -rows; k <= rows; ++k) {
      const float shift = (k % 2 != 0) ? period / 2 : 0;
      for (int j = -cols; j <= cols; ++j) {
        const float along = static_cast<float>(j) * period + shift - line / 2;
        const float across_by = static_cast<float>(k) * row;
        float x = cx + dir.x * along + across.x * across_by;
        float y = cy + dir.y * along + across.y * across_by;
        if (!fz_is_point_inside_rect(fz_make_point(x, y), keep)) continue;
        for (const Glyph& g : glyphs) {
          fz_matrix trm = fz_make_matrix(size * cs, -size * sn, -size * sn, -size * cs, x, y);
          fz_show_glyph(ctx, tx, g.font, trm, g.gid, g.ucs, 0, 0, FZ_BIDI_LTR, FZ_LANG_zh_Hans);
          x += dir.x * g.advance;
          y += dir.y * g.advance;
        }
      }
    }
    fz_fill_text(ctx, dev, tx, fz_identity, fz_device_rgb(ctx), kWatermarkRgb, kWatermarkAlpha,
                 fz_default_color_params);
  }
  fz_always(ctx) {
    fz_drop_text(ctx, tx);
    fz_drop_font(ctx, base);
  }
  fz_catch(ctx) fz_rethrow(ctx);
}

}  // namespace detail

namespace {

// MuPDF's own allocations for one watermarking, counted against a budget (the PDF is an
// upload: hostile, even though it was read once already).
struct Budget {
  int64_t used = 0, limit = 0;
};
constexpr size_t kHeader = alignof(std::max_align_t);
void* b_malloc(void* user, size_t size) {
  auto* b = static_cast<Budget*>(user);
  if (b->used + static_cast<int64_t>(size) > b->limit) return nullptr;
  auto* p = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (p == nullptr) return nullptr;
  std::memcpy(p, &size, sizeof(size));
  b->used += static_cast<int64_t>(size);
  return p + kHeader;
}
void b_free(void* user, void* ptr) {
  if (ptr == nullptr) return;
  auto* p = static_cast<unsigned char*>(ptr) - kHeader;
  size_t size = 0;
  std::memcpy(&size, p, sizeof(size));
  static_cast<Budget*>(user)->used -= static_cast<int64_t>(size);
  std::free(p);
}
void* b_realloc(void* user, void* old, size_t size) {
  if (old == nullptr) return b_malloc(user, size);
  if (size == 0) {
    b_free(user, old);
    return nullptr;
  }
  size_t was = 0;
  std::memcpy(&was, static_cast<unsigned char*>(old) - kHeader, sizeof(was));
  void* p = b_malloc(user, size);
  if (p == nullptr) return nullptr;
  std::memcpy(p, old, std::min(was, size));
  b_free(user, old);
  return p;
}

}  // namespace

Result<void> watermark_raster(image::Raster& page, const std::string& text) {
  if (page.empty() || (page.channels != 1 && page.channels != 3) ||
      page.pixels.size() < static_cast<size_t>(page.width) * page.height * page.channels) {
    return keyed_error(ErrorCode::kInvalidArgument, "pdf.no_page_image");
  }
  if (text.empty()) return {};
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  if (ctx == nullptr) return make_error(ErrorCode::kInternal, "MuPDF context");
  fz_pixmap* pix = nullptr;
  fz_device* dev = nullptr;
  bool ok = true;
  fz_var(pix);
  fz_var(dev);
  fz_try(ctx) {
    fz_colorspace* cs = page.channels == 3 ? fz_device_rgb(ctx) : fz_device_gray(ctx);
    pix = fz_new_pixmap_with_data(ctx, cs, page.width, page.height, nullptr, 0, page.width * page.channels,
                                  page.pixels.data());
    dev = fz_new_draw_device(ctx, fz_identity, pix);
    detail::draw_watermark(ctx, dev, fz_make_rect(0, 0, static_cast<float>(page.width),
                                                  static_cast<float>(page.height)), text);
    fz_close_device(ctx, dev);
  }
  fz_always(ctx) {
    fz_drop_device(ctx, dev);
    fz_drop_pixmap(ctx, pix);
  }
  fz_catch(ctx) ok = false;
  std::string why = ok ? "" : fz_caught_message(ctx);
  fz_drop_context(ctx);
  if (!ok) return keyed_error(ErrorCode::kInternal, "pdf.watermark_draw_failed", {{"detail", why}});
  return {};
}

namespace {

// The watermarked copy of `in`, written to the file `out_path`, or (empty path) into `bytes`.
Result<void> watermark_to(const std::string& in, const std::string& out_path, std::string* bytes,
                          const std::string& text, int64_t max_memory_bytes) {
  Budget budget{0, max_memory_bytes};
  fz_alloc_context alloc{&budget, b_malloc, b_realloc, b_free};
  fz_context* ctx = fz_new_context(&alloc, nullptr, FZ_STORE_DEFAULT);
  if (ctx == nullptr) return make_error(ErrorCode::kTooLarge, "MuPDF context");
  fz_document* doc = nullptr;
  fz_document_writer* writer = nullptr;
  fz_page* page = nullptr;
  fz_buffer* buffer = nullptr;
  ErrorCode code = ErrorCode::kCorrupt;
  std::string why;
  bool ok = true;
  fz_stream* stream = nullptr;
  fz_var(stream);
  fz_var(doc);
  fz_var(writer);
  fz_var(page);
  fz_var(buffer);
  fz_try(ctx) {
    fz_register_document_handlers(ctx);
    // Parsed as PDF whatever the file's name (blobs have none).
    stream = fz_open_file(ctx, in.c_str());
    doc = fz_open_document_with_stream(ctx, "application/pdf", stream);
    if (fz_needs_password(ctx, doc) && fz_authenticate_password(ctx, doc, "") == 0) {
      code = ErrorCode::kEncrypted;
      fz_throw(ctx, FZ_ERROR_GENERIC, "needs a password");
    }
    const char* options = "compress,compress-fonts,garbage";
    if (out_path.empty()) {
      // In memory (the render helper's box has nothing writable): the writer owns the output,
      // the output keeps the buffer.
      buffer = fz_new_buffer(ctx, 1 << 16);
      writer = fz_new_pdf_writer_with_output(ctx, fz_new_output_with_buffer(ctx, buffer), options);
    } else {
      writer = fz_new_pdf_writer(ctx, out_path.c_str(), options);
    }
    const int n = fz_count_pages(ctx, doc);
    for (int i = 0; i < n; ++i) {
      page = fz_load_page(ctx, doc, i);
      fz_rect box = fz_bound_page(ctx, page);
      fz_device* dev = fz_begin_page(ctx, writer, box);
      fz_run_page(ctx, page, dev, fz_identity, nullptr);
      detail::draw_watermark(ctx, dev, box, text);
      fz_end_page(ctx, writer);
      fz_drop_page(ctx, page);
      page = nullptr;
    }
    fz_close_document_writer(ctx, writer);
    if (buffer != nullptr) {
      unsigned char* data = nullptr;
      const size_t size = fz_buffer_storage(ctx, buffer, &data);
      bytes->assign(reinterpret_cast<const char*>(data), size);
    }
  }
  fz_always(ctx) {
    fz_drop_page(ctx, page);
    fz_drop_document_writer(ctx, writer);
    fz_drop_document(ctx, doc);
    fz_drop_stream(ctx, stream);
    fz_drop_buffer(ctx, buffer);
  }
  fz_catch(ctx) {
    ok = false;
    if (fz_caught(ctx) == FZ_ERROR_MEMORY) code = ErrorCode::kTooLarge;
    why = fz_caught_message(ctx);
  }
  fz_drop_context(ctx);
  if (!ok) return keyed_error(code, "pdf.watermark_pdf_failed", {{"detail", why}});
  return {};
}

}  // namespace

Result<void> watermark_pdf(const std::string& in, const std::string& out, const std::string& text,
                           int64_t max_memory_bytes) {
  if (out.empty()) return make_error(ErrorCode::kInvalidArgument, "watermark_pdf: no output path");
  return watermark_to(in, out, nullptr, text, max_memory_bytes);
}

Result<std::string> watermark_pdf_bytes(const std::string& in, const std::string& text, int64_t max_memory_bytes) {
  std::string bytes;
  WENKU_TRY(watermark_to(in, "", &bytes, text, max_memory_bytes));
  return bytes;
}

}  // namespace wenku::render
