// ImageFile: header checks first (sizes, pages), then the decoders: Leptonica for JPEG and
// PNG, libtiff for TIFF (read from memory, directories counted up to a bound), libwebp,
// libheif (HEIC and AVIF, its transformations applied).
#include "image/image_file.h"

#include <leptonica/allheaders.h>
#include <libheif/heif.h>
#include <tiffio.h>
#include <webp/decode.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>

#include "core/formats.h"

namespace wenku::image {

namespace {

bool has_prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Error too_large(int64_t w, int64_t h) {
  return keyed_error(ErrorCode::kTooLarge, "image.too_many_pixels", {{"width", std::to_string(w)}, {"height", std::to_string(h)}});
}

Error corrupt(std::string_view what) {
  return keyed_error(ErrorCode::kCorrupt, "image.damaged", {{"detail", std::string(what)}});
}

Result<void> check_size(int64_t w, int64_t h, const DecodeLimits& limits) {
  if (w <= 0 || h <= 0) return corrupt("no size");
  if (w > limits.max_side || h > limits.max_side || w * h > limits.max_pixels) return too_large(w, h);
  return {};
}

// Leptonica reports through stderr by default; its return values are what we read.
void quiet_leptonica() {
  static std::once_flag once;
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

// ---- libtiff over memory ---------------------------------------------------------------------

struct MemFile {
  const std::string* data = nullptr;
  toff_t pos = 0;
};

tmsize_t mem_read(thandle_t h, void* buf, tmsize_t size) {
  auto* f = static_cast<MemFile*>(h);
  if (size <= 0 || f->pos >= f->data->size()) return 0;
  size_t n = std::min<size_t>(static_cast<size_t>(size), f->data->size() - static_cast<size_t>(f->pos));
  std::memcpy(buf, f->data->data() + f->pos, n);
  f->pos += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t mem_write(thandle_t, void*, tmsize_t) { return -1; }
toff_t mem_seek(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<MemFile*>(h);
  uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : f->data->size();
  uint64_t to = base + off;  // a negative offset wraps: refused below
  if (whence != SEEK_SET && static_cast<int64_t>(off) < 0) {
    uint64_t back = static_cast<uint64_t>(-static_cast<int64_t>(off));
    if (back > base) return static_cast<toff_t>(-1);
    to = base - back;
  }
  f->pos = to;
  return f->pos;
}
int mem_close(thandle_t) { return 0; }
toff_t mem_size(thandle_t h) { return static_cast<MemFile*>(h)->data->size(); }
int mem_map(thandle_t, void**, toff_t*) { return 0; }
void mem_unmap(thandle_t, void*, toff_t) {}

void tiff_quiet(const char*, const char*, va_list) {}

struct Tiff {
  MemFile file;
  TIFF* tif = nullptr;
  explicit Tiff(const std::string& data) {
    static std::once_flag once;
    std::call_once(once, [] {
      TIFFSetErrorHandler(tiff_quiet);
      TIFFSetWarningHandler(tiff_quiet);
    });
    file.data = &data;
    // 'm': no memory mapping; 'h': read only the header now (no first directory yet is
    // not supported by every libtiff, so the first directory is read here).
    tif = TIFFClientOpen("image", "rm", &file, mem_read, mem_write, mem_seek, mem_close, mem_size, mem_map,
                         mem_unmap);
  }
  ~Tiff() {
    if (tif != nullptr) TIFFClose(tif);
  }
  Tiff(const Tiff&) = delete;
  Tiff& operator=(const Tiff&) = delete;
};

// ---- pixel conversion -------------------------------------------------------------------------

// A Leptonica image as our raster: 8-bit gray stays gray, everything else becomes RGB, alpha
// laid on white.
Result<Raster> from_pix(PIX* pix) {
  PIX* p = pixClone(pix);
  if (pixGetColormap(p) != nullptr) {
    PIX* q = pixRemoveColormap(p, REMOVE_CMAP_BASED_ON_SRC);
    pixDestroy(&p);
    p = q;
  }
  if (p != nullptr && pixGetDepth(p) == 32 && pixGetSpp(p) == 4) {
    PIX* q = pixAlphaBlendUniform(p, 0xffffff00);
    pixDestroy(&p);
    p = q;
  }
  if (p != nullptr && pixGetDepth(p) != 8 && pixGetDepth(p) != 32) {
    PIX* q = pixConvertTo8(p, 0);
    pixDestroy(&p);
    p = q;
  }
  if (p == nullptr) return corrupt("conversion");
  Raster r;
  r.width = static_cast<int>(pixGetWidth(p));
  r.height = static_cast<int>(pixGetHeight(p));
  r.channels = pixGetDepth(p) == 8 ? 1 : 3;
  r.pixels.resize(static_cast<size_t>(r.width) * r.height * r.channels);
  const int wpl = pixGetWpl(p);
  l_uint32* data = pixGetData(p);
  uint8_t* out = r.pixels.data();
  for (int y = 0; y < r.height; ++y) {
    l_uint32* line = data + static_cast<ptrdiff_t>(y) * wpl;
    if (r.channels == 1) {
      for (int x = 0; x < r.width; ++x) *out++ = static_cast<uint8_t>(GET_DATA_BYTE(line, x));
    } else {
      for (int x = 0; x < r.width; ++x) {
        l_uint32 v = line[x];
        *out++ = static_cast<uint8_t>(v >> L_RED_SHIFT);
        *out++ = static_cast<uint8_t>(v >> L_GREEN_SHIFT);
        *out++ = static_cast<uint8_t>(v >> L_BLUE_SHIFT);
      }
    }
  }
  l_int32 xres = 0, yres = 0;
  pixGetResolution(p, &xres, &yres);
  r.dpi = xres > 0 && xres < 10000 ? xres : 0;
  pixDestroy(&p);
  return r;
}

// An RGB raster that is gray in fact (every sample equal) as 1 channel: a third of the bytes
// and what OCR binarises anyway.
void narrow_gray(Raster& r) {
  if (r.channels != 3) return;
  const size_t n = static_cast<size_t>(r.width) * r.height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &r.pixels[i * 3];
    if (p[0] != p[1] || p[1] != p[2]) return;
  }
  for (size_t i = 0; i < n; ++i) r.pixels[i] = r.pixels[i * 3];
  r.pixels.resize(n);
  r.channels = 1;
}

// A big-endian or little-endian 16/32-bit value inside an EXIF block.
uint32_t exif_u(std::string_view b, size_t off, int bytes, bool le) {
  if (off + static_cast<size_t>(bytes) > b.size()) return 0;
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    uint32_t byte = static_cast<unsigned char>(b[off + static_cast<size_t>(le ? bytes - 1 - i : i)]);
    v = (v << 8) | byte;
  }
  return v;
}

}  // namespace

ImageFormat sniff_format(std::string_view head) {
  if (has_prefix(head, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (has_prefix(head, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (has_prefix(head, std::string_view("II*\0", 4)) || has_prefix(head, std::string_view("MM\0*", 4)) ||
      has_prefix(head, std::string_view("II+\0", 4)) || has_prefix(head, std::string_view("MM\0+", 4)))
    return ImageFormat::kTiff;
  if (has_prefix(head, "RIFF") && head.size() >= 12 && head.substr(8, 4) == "WEBP") return ImageFormat::kWebp;
  if (head.size() >= 12 && head.substr(4, 4) == "ftyp") {
    std::string_view brand = head.substr(8, 4);
    for (std::string_view b : {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"})
      if (brand == b) return ImageFormat::kHeif;
  }
  return ImageFormat::kUnknown;
}

std::string_view format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg: return "jpeg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kTiff: return "tiff";
    case ImageFormat::kWebp: return "webp";
    case ImageFormat::kHeif: return "heic";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

bool is_image_format(std::string_view f) { return formats::is_image(f); }

int jpeg_exif_orientation(std::string_view jpeg) {
  jpeg = jpeg.substr(0, 128 * 1024);
  size_t pos = 2;
  while (pos + 4 <= jpeg.size()) {
    if (static_cast<unsigned char>(jpeg[pos]) != 0xFF) return 1;
    unsigned char marker = static_cast<unsigned char>(jpeg[pos + 1]);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;  // image data: no EXIF before it
    size_t len = exif_u(jpeg, pos + 2, 2, false);
    if (len < 2) return 1;
    std::string_view seg = jpeg.substr(pos + 4, len - 2);
    if (marker == 0xE1 && has_prefix(seg, std::string_view("Exif\0\0", 6))) {
      std::string_view t = seg.substr(6);
      bool le;
      if (has_prefix(t, "II")) le = true;
      else if (has_prefix(t, "MM")) le = false;
      else return 1;
      size_t ifd = exif_u(t, 4, 4, le);
      uint32_t count = exif_u(t, ifd, 2, le);
      for (uint32_t i = 0; i < count && i < 512; ++i) {
        size_t e = ifd + 2 + static_cast<size_t>(i) * 12;
        if (e + 12 > t.size()) return 1;
        if (exif_u(t, e, 2, le) == 0x0112) {
          uint32_t v = exif_u(t, e + 8, 2, le);
          return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
        }
      }
      return 1;
    }
    pos += 2 + len;
  }
  return 1;
}

Raster apply_orientation(const Raster& in, int orientation) {
  if (orientation <= 1 || orientation > 8 || in.empty()) return in;
  const bool swap = orientation >= 5;
  Raster out;
  out.channels = in.channels;
  out.dpi = in.dpi;
  out.width = swap ? in.height : in.width;
  out.height = swap ? in.width : in.height;
  out.pixels.resize(in.pixels.size());
  const int c = in.channels;
  const int W = in.width, H = in.height;
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      int ox = x, oy = y;
      switch (orientation) {
        case 2: ox = W - 1 - x; break;
        case 3: ox = W - 1 - x; oy = H - 1 - y; break;
        case 4: oy = H - 1 - y; break;
        case 5: ox = y; oy = x; break;                  // transpose
        case 6: ox = H - 1 - y; oy = x; break;          // a quarter turn clockwise
        case 7: ox = H - 1 - y; oy = W - 1 - x; break;  // transverse
        case 8: ox = y; oy = W - 1 - x; break;          // a quarter turn counter-clockwise
        default: break;
      }
      const uint8_t* src = &in.pixels[(static_cast<size_t>(y) * W + x) * c];
      uint8_t* dst = &out.pixels[(static_cast<size_t>(oy) * out.width + ox) * c];
      std::memcpy(dst, src, static_cast<size_t>(c));
    }
  }
  return out;
}

struct ImageFile::Impl {
  std::string bytes;
  DecodeLimits limits;
  ImageFormat format = ImageFormat::kUnknown;
  int pages = 1;
  int width = 0, height = 0;
  int orientation = 1;

  Result<Raster> decode_leptonica(int index) const;
  Result<Raster> decode_tiff(int index) const;
  Result<Raster> decode_webp() const;
  Result<Raster> decode_heif() const;
};

ImageFile::ImageFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageFile::~ImageFile() = default;
ImageFormat ImageFile::format() const { return impl_->format; }
int ImageFile::page_count() const { return impl_->pages; }
int ImageFile::width() const { return impl_->width; }
int ImageFile::height() const { return impl_->height; }

Result<std::unique_ptr<ImageFile>> ImageFile::open_file(const std::string& path, const DecodeLimits& limits,
                                                        int64_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return keyed_error(ErrorCode::kNotFound, "image.cannot_read", {{"path", path}});
  const std::streamoff size = in.tellg();
  if (size < 0) return keyed_error(ErrorCode::kIo, "image.cannot_read", {{"path", path}});
  if (size > max_bytes) {
    return keyed_error(ErrorCode::kTooLarge, "image.file_too_large", {{"bytes", std::to_string(size)}});
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  in.read(bytes.data(), size);
  if (!in) return keyed_error(ErrorCode::kIo, "image.cannot_read", {{"path", path}});
  return open(std::move(bytes), limits);
}

Result<std::unique_ptr<ImageFile>> ImageFile::open(std::string bytes, const DecodeLimits& limits) {
  quiet_leptonica();
  auto impl = std::make_unique<Impl>();
  impl->bytes = std::move(bytes);
  impl->limits = limits;
  const std::string& b = impl->bytes;
  impl->format = sniff_format(b);
  const auto* data = reinterpret_cast<const l_uint8*>(b.data());
  switch (impl->format) {
    case ImageFormat::kJpeg:
    case ImageFormat::kPng: {
      l_int32 fmt = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
      if (pixReadHeaderMem(data, b.size(), &fmt, &w, &h, &bps, &spp, &cmap) != 0) return corrupt("header");
      WENKU_TRY(check_size(w, h, limits));
      impl->width = w;
      impl->height = h;
      if (impl->format == ImageFormat::kJpeg) impl->orientation = jpeg_exif_orientation(b);
      break;
    }
    case ImageFormat::kTiff: {
      Tiff t(b);
      if (t.tif == nullptr) return corrupt("TIFF header");
      uint32_t w = 0, h = 0;
      TIFFGetField(t.tif, TIFFTAG_IMAGEWIDTH, &w);
      TIFFGetField(t.tif, TIFFTAG_IMAGELENGTH, &h);
      WENKU_TRY(check_size(w, h, limits));
      impl->width = static_cast<int>(w);
      impl->height = static_cast<int>(h);
      // Pages are counted up to the bound: a file of a million tiny directories is refused
      // after max_pages + 1 of them (libtiff itself refuses directory loops).
      int pages = 1;
      while (TIFFReadDirectory(t.tif) != 0) {
        if (++pages > limits.max_pages) {
          return keyed_error(ErrorCode::kTooLarge, "image.tiff_too_many_pages",
                             {{"pages", std::to_string(limits.max_pages)}});
        }
      }
      impl->pages = pages;
      break;
    }
    case ImageFormat::kWebp: {
      WebPBitstreamFeatures f;
      if (WebPGetFeatures(data, b.size(), &f) != VP8_STATUS_OK) return corrupt("WebP header");
      if (f.has_animation != 0) {
        return keyed_error(ErrorCode::kUnsupportedFormat, "image.animated_webp_supported");
      }
      WENKU_TRY(check_size(f.width, f.height, limits));
      impl->width = f.width;
      impl->height = f.height;
      break;
    }
    case ImageFormat::kHeif: {
      heif_context* ctx = heif_context_alloc();
      heif_context_set_maximum_image_size_limit(ctx, limits.max_side);
      heif_error err = heif_context_read_from_memory_without_copy(ctx, b.data(), b.size(), nullptr);
      heif_image_handle* handle = nullptr;
      if (err.code == heif_error_Ok) err = heif_context_get_primary_image_handle(ctx, &handle);
      int w = 0, h = 0;
      if (err.code == heif_error_Ok) {
        w = heif_image_handle_get_width(handle);
        h = heif_image_handle_get_height(handle);
      }
      // The message lives in the context: copied before the context is freed (a fuzzer
      // found the use after free).
      const std::string message = err.code != heif_error_Ok && err.message != nullptr ? err.message : "";
      if (handle != nullptr) heif_image_handle_release(handle);
      heif_context_free(ctx);
      if (err.code == heif_error_Memory_allocation_error || err.subcode == heif_suberror_Security_limit_exceeded) {
        return too_large(w, h);
      }
      if (err.code != heif_error_Ok) return corrupt("HEIF: " + message);
      WENKU_TRY(check_size(w, h, limits));
      impl->width = w;
      impl->height = h;
      break;
    }
    case ImageFormat::kUnknown:
      return keyed_error(ErrorCode::kUnsupportedFormat, "image.unsupported_format");
  }
  return std::unique_ptr<ImageFile>(new ImageFile(std::move(impl)));
}

Result<Raster> ImageFile::Impl::decode_leptonica(int /*index*/) const {
  const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
  PIX* pix = format == ImageFormat::kJpeg ? pixReadMemJpeg(data, bytes.size(), 0, 1, nullptr, 0)
                                          : pixReadMemPng(data, bytes.size());
  if (pix == nullptr) return corrupt(format == ImageFormat::kJpeg ? "JPEG" : "PNG");
  auto r = from_pix(pix);
  pixDestroy(&pix);
  return r;
}

Result<Raster> ImageFile::Impl::decode_tiff(int index) const {
  Tiff t(bytes);
  if (t.tif == nullptr || TIFFSetDirectory(t.tif, static_cast<tdir_t>(index)) == 0) return corrupt("TIFF page");
  uint32_t w = 0, h = 0;
  TIFFGetField(t.tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(t.tif, TIFFTAG_IMAGELENGTH, &h);
  WENKU_TRY(check_size(w, h, limits));
  float xres = 0;
  uint16_t unit = RESUNIT_INCH;
  TIFFGetField(t.tif, TIFFTAG_XRESOLUTION, &xres);
  TIFFGetFieldDefaulted(t.tif, TIFFTAG_RESOLUTIONUNIT, &unit);
  std::vector<uint32_t> rgba(static_cast<size_t>(w) * h);
  if (TIFFReadRGBAImageOriented(t.tif, w, h, rgba.data(), ORIENTATION_TOPLEFT, 0) == 0) return corrupt("TIFF data");
  Raster r;
  r.width = static_cast<int>(w);
  r.height = static_cast<int>(h);
  r.channels = 3;
  r.pixels.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < rgba.size(); ++i) {
    const uint32_t v = rgba[i];
    const uint32_t a = TIFFGetA(v);
    // Alpha is premultiplied in libtiff's RGBA: lay it on white.
    r.pixels[i * 3] = static_cast<uint8_t>(std::min<uint32_t>(255, TIFFGetR(v) + 255 - a));
    r.pixels[i * 3 + 1] = static_cast<uint8_t>(std::min<uint32_t>(255, TIFFGetG(v) + 255 - a));
    r.pixels[i * 3 + 2] = static_cast<uint8_t>(std::min<uint32_t>(255, TIFFGetB(v) + 255 - a));
  }
  double dpi = unit == RESUNIT_CENTIMETER ? xres * 2.54 : xres;
  r.dpi = dpi > 0 && dpi < 10000 ? static_cast<int>(dpi + 0.5) : 0;
  narrow_gray(r);
  return r;
}

Result<Raster> ImageFile::Impl::decode_webp() const {
  Raster r;
  r.width = width;
  r.height = height;
  r.channels = 3;
  r.pixels.resize(static_cast<size_t>(width) * height * 3);
  WebPDecoderConfig config;
  if (WebPInitDecoderConfig(&config) == 0) return corrupt("libwebp version");
  // RGBA, laid on white below: transparent areas are paper, not black.
  std::vector<uint8_t> rgba(static_cast<size_t>(width) * height * 4);
  config.output.colorspace = MODE_RGBA;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = rgba.data();
  config.output.u.RGBA.stride = width * 4;
  config.output.u.RGBA.size = rgba.size();
  if (WebPDecode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &config) != VP8_STATUS_OK) {
    WebPFreeDecBuffer(&config.output);
    return corrupt("WebP data");
  }
  WebPFreeDecBuffer(&config.output);
  for (size_t i = 0, n = static_cast<size_t>(width) * height; i < n; ++i) {
    const uint32_t a = rgba[i * 4 + 3];
    for (int k = 0; k < 3; ++k) {
      r.pixels[i * 3 + k] = static_cast<uint8_t>((rgba[i * 4 + k] * a + 255 * (255 - a)) / 255);
    }
  }
  narrow_gray(r);
  return r;
}

Result<Raster> ImageFile::Impl::decode_heif() const {
  heif_context* ctx = heif_context_alloc();
  heif_context_set_maximum_image_size_limit(ctx, limits.max_side);
  heif_image_handle* handle = nullptr;
  heif_image* img = nullptr;
  heif_error err = heif_context_read_from_memory_without_copy(ctx, bytes.data(), bytes.size(), nullptr);
  if (err.code == heif_error_Ok) err = heif_context_get_primary_image_handle(ctx, &handle);
  // Decoded with its transformations (rotation, mirror, crop) applied: upright as shown.
  if (err.code == heif_error_Ok) err = heif_decode_image(handle, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nullptr);
  Result<Raster> out = corrupt("HEIF data");
  if (err.code == heif_error_Ok && img != nullptr) {
    int stride = 0;
    const uint8_t* plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    const int w = heif_image_get_width(img, heif_channel_interleaved);
    const int h = heif_image_get_height(img, heif_channel_interleaved);
    if (plane != nullptr && check_size(w, h, limits).ok() && stride >= w * 3) {
      Raster r;
      r.width = w;
      r.height = h;
      r.channels = 3;
      r.pixels.resize(static_cast<size_t>(w) * h * 3);
      for (int y = 0; y < h; ++y) {
        std::memcpy(&r.pixels[static_cast<size_t>(y) * w * 3], plane + static_cast<ptrdiff_t>(y) * stride,
                    static_cast<size_t>(w) * 3);
      }
      narrow_gray(r);
      out = std::move(r);
    }
  } else if (err.code != heif_error_Ok) {
    out = corrupt(std::string("HEIF: ") + (err.message ? err.message : ""));
  }
  if (img != nullptr) heif_image_release(img);
  if (handle != nullptr) heif_image_handle_release(handle);
  heif_context_free(ctx);
  return out;
}

Result<Raster> ImageFile::decode_page(int index) const {
  if (index < 0 || index >= impl_->pages) {
    return keyed_error(ErrorCode::kInvalidArgument, "image.no_such_page", {{"page", std::to_string(index + 1)}});
  }
  Result<Raster> r = corrupt("format");
  switch (impl_->format) {
    case ImageFormat::kJpeg:
    case ImageFormat::kPng: r = impl_->decode_leptonica(index); break;
    case ImageFormat::kTiff: r = impl_->decode_tiff(index); break;
    case ImageFormat::kWebp: r = impl_->decode_webp(); break;
    case ImageFormat::kHeif: r = impl_->decode_heif(); break;
    case ImageFormat::kUnknown: break;
  }
  if (!r.ok()) return r;
  if (impl_->orientation > 1) return apply_orientation(*r, impl_->orientation);
  return r;
}

}  // namespace wenku::image
