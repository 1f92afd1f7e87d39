// Page pixels -> WebP preview and thumbnail: gray-aware YUV import and a box-filtered thumbnail.
#include "render/page_encode.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

namespace wenku::render::detail {

namespace {

// Luma of a gray sample as libwebp computes it, and whether libwebp gives gray chroma 128
// (checked, not assumed: otherwise every row goes through libwebp).
struct GrayLuma {
  std::array<uint8_t, 256> y{};
  bool ok = false;
};

GrayLuma make_gray_luma() {
  GrayLuma t;
  // A 256 x 2 ramp of gray values through libwebp's own import: one column per value.
  std::vector<uint8_t> rgb(256 * 3 * 2);
  for (int v = 0; v < 256; ++v) {
    for (int row = 0; row < 2; ++row) {
      std::memset(&rgb[static_cast<size_t>(row) * 256 * 3 + static_cast<size_t>(v) * 3], v, 3);
    }
  }
  WebPPicture ramp;
  if (WebPPictureInit(&ramp) == 0) return t;
  ramp.use_argb = 0;
  ramp.width = 256;
  ramp.height = 2;
  if (WebPPictureImportRGB(&ramp, rgb.data(), 256 * 3) == 0) return t;
  bool ok = true;
  for (int v = 0; v < 256; ++v) {
    t.y[static_cast<size_t>(v)] = ramp.y[v];
    ok = ok && ramp.y[ramp.y_stride + v] == ramp.y[v];
  }
  for (int x = 0; x < 128; ++x) ok = ok && ramp.u[x] == 128 && ramp.v[x] == 128;
  WebPPictureFree(&ramp);
  t.ok = ok;
  return t;
}

// A constant derived from the linked libwebp, computed once.
const GrayLuma& gray_luma() {
  static const GrayLuma table = make_gray_luma();
  return table;
}

// Writes the luma of one row; true when every pixel of it is gray (else the row is redone).
bool gray_row_luma(const uint8_t* row, int width, int channels, const GrayLuma& t, uint8_t* y) {
  if (channels == 1) {
    for (int x = 0; x < width; ++x) y[x] = t.y[row[x]];
    return true;
  }
  unsigned diff = 0;
  int x = 0;
  // Runs of one gray value (a page's white above all) 8 pixels at a time.
  for (; x + 8 <= width; x += 8, row += 24) {
    uint64_t w[3];
    std::memcpy(w, row, sizeof(w));
    const uint64_t same = row[0] * 0x0101010101010101ULL;
    if (w[0] == same && w[1] == same && w[2] == same) {
      std::memset(y + x, t.y[row[0]], 8);
      continue;
    }
    for (int k = 0; k < 8; ++k) {
      const uint8_t* p = row + 3 * k;
      diff |= static_cast<unsigned>((p[0] ^ p[1]) | (p[0] ^ p[2]));
      y[x + k] = t.y[p[0]];
    }
  }
  for (; x < width; ++x, row += 3) {
    diff |= static_cast<unsigned>((row[0] ^ row[1]) | (row[0] ^ row[2]));
    y[x] = t.y[row[0]];
  }
  return diff == 0;
}

// Gray rows between two rows with colour that stay in one libwebp band (the band gives them the
// same values): fewer, larger calls when colour is scattered down the page.
constexpr int kBandGap = 16;

// Rows [y0, y1) (y0 even) through libwebp's import, copied into `picture`'s planes.
bool import_band(WebPPicture* picture, const uint8_t* pixels, ptrdiff_t stride, int channels, int y0, int y1) {
  const int width = picture->width;
  const int rows = y1 - y0;
  std::vector<uint8_t> widened;
  const uint8_t* rgb = pixels + y0 * stride;
  ptrdiff_t rgb_stride = stride;
  if (channels == 1) {
    widened.resize(static_cast<size_t>(width) * 3 * rows);
    for (int r = 0; r < rows; ++r) {
      const uint8_t* in = pixels + (y0 + r) * stride;
      uint8_t* out = widened.data() + static_cast<size_t>(r) * width * 3;
      for (int x = 0; x < width; ++x) out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = in[x];
    }
    rgb = widened.data();
    rgb_stride = static_cast<ptrdiff_t>(width) * 3;
  }
  WebPPicture band;
  if (WebPPictureInit(&band) == 0) return false;
  band.use_argb = 0;
  band.width = width;
  band.height = rows;
  if (WebPPictureImportRGB(&band, rgb, static_cast<int>(rgb_stride)) == 0) return false;
  for (int r = 0; r < rows; ++r) {
    std::memcpy(picture->y + (y0 + r) * picture->y_stride, band.y + r * band.y_stride, static_cast<size_t>(width));
  }
  const int uv_width = (width + 1) / 2;
  for (int r = 0; r < (rows + 1) / 2; ++r) {
    std::memcpy(picture->u + (y0 / 2 + r) * picture->uv_stride, band.u + r * band.uv_stride,
                static_cast<size_t>(uv_width));
    std::memcpy(picture->v + (y0 / 2 + r) * picture->uv_stride, band.v + r * band.uv_stride,
                static_cast<size_t>(uv_width));
  }
  WebPPictureFree(&band);
  return true;
}

// One output position's source span: `count` source indices from `first`, each weighted by the
// length it overlaps the span (in 1/d of a source pixel; the weights add up to s).
struct Span {
  int first = 0;
  std::vector<uint32_t> weights;
};

std::vector<Span> spans(int s, int d) {
  std::vector<Span> out(static_cast<size_t>(d));
  for (int i = 0; i < d; ++i) {
    // Output i covers [i*s, (i+1)*s) in units of 1/d source pixel; source j covers [j*d, (j+1)*d).
    const int64_t lo = static_cast<int64_t>(i) * s;
    const int64_t hi = lo + s;
    Span& span = out[static_cast<size_t>(i)];
    span.first = static_cast<int>(lo / d);
    for (int64_t j = span.first; j * d < hi; ++j) {
      span.weights.push_back(static_cast<uint32_t>(std::min(hi, (j + 1) * d) - std::max(lo, j * d)));
    }
  }
  return out;
}

// Area mean of `src` (sw x sh) into `dst` (dw x dh, no larger), with fractional coverage at the
// edges of each output pixel (as libwebp's rescaler and PIL's box filter).
void shrink_plane(const uint8_t* src, int sw, int sh, int sstride, uint8_t* dst, int dw, int dh, int dstride) {
  const std::vector<Span> columns = spans(sw, dw);
  const std::vector<Span> rows = spans(sh, dh);
  const double scale = 1.0 / (static_cast<double>(sw) * sh);
  std::vector<uint32_t> acc(static_cast<size_t>(sw));
  for (int y = 0; y < dh; ++y) {
    const Span& r = rows[static_cast<size_t>(y)];
    std::fill(acc.begin(), acc.end(), 0U);
    for (size_t k = 0; k < r.weights.size(); ++k) {
      const uint8_t* row = src + static_cast<ptrdiff_t>(r.first + static_cast<int>(k)) * sstride;
      const uint32_t w = r.weights[k];
      for (int x = 0; x < sw; ++x) acc[static_cast<size_t>(x)] += row[x] * w;
    }
    uint8_t* out = dst + static_cast<ptrdiff_t>(y) * dstride;
    for (int x = 0; x < dw; ++x) {
      const Span& c = columns[static_cast<size_t>(x)];
      uint64_t sum = 0;
      for (size_t k = 0; k < c.weights.size(); ++k) {
        sum += static_cast<uint64_t>(acc[static_cast<size_t>(c.first) + k]) * c.weights[k];
      }
      out[x] = static_cast<uint8_t>(std::min(255.0, static_cast<double>(sum) * scale + 0.5));
    }
  }
}

}  // namespace

bool import_yuv420(WebPPicture* picture, const uint8_t* pixels, int width, int height, ptrdiff_t stride,
                   int channels) {
  picture->use_argb = 0;
  picture->colorspace = WEBP_YUV420;
  picture->width = width;
  picture->height = height;
  if (WebPPictureAlloc(picture) == 0) return false;
  const GrayLuma& t = gray_luma();
  if (!t.ok) {
    const bool ok = import_band(picture, pixels, stride, channels, 0, height);
    if (!ok) WebPPictureFree(picture);
    return ok;
  }
  const int uv_width = (width + 1) / 2;
  int band = -1;       // first row of the pending run of rows with colour
  int gray_from = -1;  // first gray row after the band's last row with colour
  for (int y = 0; y < height; y += 2) {
    const int rows = std::min(2, height - y);
    bool gray = true;
    for (int r = 0; r < rows; ++r) {
      gray = gray_row_luma(pixels + (y + r) * stride, width, channels, t, picture->y + (y + r) * picture->y_stride) &&
             gray;
    }
    if (!gray) {
      if (band < 0) band = y;
      gray_from = -1;
      continue;
    }
    std::memset(picture->u + (y / 2) * picture->uv_stride, 128, static_cast<size_t>(uv_width));
    std::memset(picture->v + (y / 2) * picture->uv_stride, 128, static_cast<size_t>(uv_width));
    if (band < 0) continue;
    if (gray_from < 0) gray_from = y;
    if (y + rows - gray_from >= kBandGap) {
      if (!import_band(picture, pixels, stride, channels, band, gray_from)) {
        WebPPictureFree(picture);
        return false;
      }
      band = -1;
      gray_from = -1;
    }
  }
  if (band >= 0 && !import_band(picture, pixels, stride, channels, band, gray_from >= 0 ? gray_from : height)) {
    WebPPictureFree(picture);
    return false;
  }
  return true;
}

bool shrink_yuv420(const WebPPicture& from, WebPPicture* to, int width, int height) {
  if (from.use_argb != 0 || from.y == nullptr || width < 1 || height < 1 || width > from.width ||
      height > from.height) {
    return false;
  }
  to->use_argb = 0;
  to->colorspace = WEBP_YUV420;
  to->width = width;
  to->height = height;
  if (WebPPictureAlloc(to) == 0) return false;
  shrink_plane(from.y, from.width, from.height, from.y_stride, to->y, width, height, to->y_stride);
  const int fw = (from.width + 1) / 2;
  const int fh = (from.height + 1) / 2;
  const int tw = (width + 1) / 2;
  const int th = (height + 1) / 2;
  shrink_plane(from.u, fw, fh, from.uv_stride, to->u, tw, th, to->uv_stride);
  shrink_plane(from.v, fw, fh, from.uv_stride, to->v, tw, th, to->uv_stride);
  return true;
}

Result<std::string> encode_webp(WebPPicture* picture, int quality, int method) {
  WebPConfig config;
  if (WebPConfigInit(&config) == 0) {
    return keyed_error(ErrorCode::kInternal, "pdf.libwebp_version_mismatch");
  }
  config.quality = static_cast<float>(std::clamp(quality, 0, 100));
  config.method = std::clamp(method, 0, 6);
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture->writer = WebPMemoryWrite;
  picture->custom_ptr = &writer;
  int ok = WebPEncode(&config, picture);
  std::string out;
  if (ok != 0) out.assign(reinterpret_cast<const char*>(writer.mem), writer.size);
  WebPMemoryWriterClear(&writer);
  if (ok == 0) {
    return keyed_error(ErrorCode::kInternal, "pdf.webp_encoding_failed",
                       {{"error", std::to_string(static_cast<int>(picture->error_code))}});
  }
  return out;
}

Result<void> encode_preview_and_thumb(WebPPicture* preview, const RenderOptions& options, PageImages& images) {
  images.width = preview->width;
  images.height = preview->height;
  WENKU_ASSIGN_OR_RETURN(images.preview_webp, encode_webp(preview, options.webp_quality, options.webp_method));
  const int thumb_w = std::min(options.thumb_width, images.width);
  const int thumb_h = std::max(1, static_cast<int>(std::lround(static_cast<double>(images.height) * thumb_w /
                                                               images.width)));
  if (thumb_w == images.width && thumb_h == images.height) {
    WENKU_ASSIGN_OR_RETURN(images.thumb_webp, encode_webp(preview, options.webp_quality, options.webp_method));
    return {};
  }
  // The thumbnail is the preview shrunk (a box filter on its YUV planes), not a second render.
  WebPPicture thumb;
  if (WebPPictureInit(&thumb) == 0 || !shrink_yuv420(*preview, &thumb, thumb_w, std::min(thumb_h, images.height))) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.scale_thumbnail");
  }
  auto encoded = encode_webp(&thumb, options.webp_quality, options.webp_method);
  WebPPictureFree(&thumb);
  if (!encoded.ok()) return encoded.take_error();
  images.thumb_webp = std::move(encoded).value();
  return {};
}

}  // namespace wenku::render::detail
