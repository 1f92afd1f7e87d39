// Raster: decoded pixels handed between image decoding, PDF page images, previews and OCR.
#pragma once

#include <cstdint>
#include <vector>

namespace wenku::image {

// Rows top to bottom, packed (stride = width * channels), 8 bits per sample.
struct Raster {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;
  int dpi = 0;       // the resolution the source declares or was drawn at; 0 when unknown

  int64_t pixel_count() const { return static_cast<int64_t>(width) * height; }
  bool empty() const { return width <= 0 || height <= 0 || pixels.empty(); }
};

}  // namespace wenku::image
