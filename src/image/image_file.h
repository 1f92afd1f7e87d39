// ImageFile: an uploaded picture (JPEG, PNG, TIFF with its pages, WebP, HEIC/AVIF) decoded under
// limits: dimensions read from the header and refused before any pixel is decoded, pages
// counted up to a bound, EXIF orientation applied.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "image/raster.h"

namespace wenku::image {

enum class ImageFormat { kUnknown, kJpeg, kPng, kTiff, kWebp, kHeif };

// The format by the file's first bytes (at least 32 of them), never its name.
ImageFormat sniff_format(std::string_view head);
// "jpeg" "png" "tiff" "webp" "heic", as detect names them.
std::string_view format_name(ImageFormat f);

// True for the formats detect names that are pictures read by ImageFile: jpeg png tiff webp heic.
bool is_image_format(std::string_view detect_format);

struct DecodeLimits {
  // A page with more pixels (width x height, before any decoding) is refused: kTooLarge.
  int64_t max_pixels = 60'000'000;
  int max_side = 30'000;
  // A TIFF with more pages is refused (kTooLarge) after counting this many + 1 directories.
  int max_pages = 5000;
};

// One image file held in memory. Not thread-safe (decode one page at a time).
class ImageFile {
 public:
  ~ImageFile();
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;

  // Reads the header(s) only. Errors: kUnsupportedFormat (not an image format named above, an
  // animated WebP), kCorrupt (header unreadable), kTooLarge (pixels, side or pages).
  static Result<std::unique_ptr<ImageFile>> open(std::string bytes, const DecodeLimits& limits = {});
  // Reads the file (at most `max_bytes`) then as open(). Errors: as open, kIo, kNotFound.
  static Result<std::unique_ptr<ImageFile>> open_file(const std::string& path, const DecodeLimits& limits = {},
                                                      int64_t max_bytes = 512LL << 20);

  ImageFormat format() const;
  int page_count() const;
  // Width and height of the first page as stored (before EXIF orientation).
  int width() const;
  int height() const;

  // Decodes page `index` (0-based) to gray or RGB, turned upright as EXIF says; alpha is laid
  // on white. Errors: kInvalidArgument (no such page), kCorrupt, kTooLarge (this page's size).
  Result<Raster> decode_page(int index) const;

 private:
  struct Impl;
  explicit ImageFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The EXIF orientation (1..8) in a JPEG's APP1 segment, 1 when there is none or it is damaged.
// Reads at most the first 128 KB.
int jpeg_exif_orientation(std::string_view jpeg);

// Turns a raster as an EXIF orientation says (2 mirror, 3 half turn, 4 flip, 5 transpose,
// 6 quarter turn clockwise, 7 transverse, 8 quarter turn counter-clockwise).
Raster apply_orientation(const Raster& in, int orientation);

}  // namespace wenku::image
