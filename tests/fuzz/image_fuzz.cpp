// libFuzzer target: the image decode path of image documents (src/image): the format sniff,
// header checks and page count, then decoding of the first pages under small limits, and the
// JPEG EXIF orientation reader.
#include <string>

#include "fuzz_entries.h"
#include "image/image_file.h"

namespace wenku::fuzz {

int image_one(const uint8_t* data, size_t size) {
  return guarded("image", [&] {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    (void)image::jpeg_exif_orientation(bytes);
    image::DecodeLimits limits;
    limits.max_pixels = 4'000'000;  // smaller than production: the fuzzer's memory is bounded
    limits.max_side = 8192;
    limits.max_pages = 64;
    auto file = image::ImageFile::open(std::move(bytes), limits);
    if (!file.ok()) {
      check_not_internal("image", file.error());
      return;
    }
    for (int i = 0; i < (*file)->page_count() && i < 3; ++i) {
      auto r = (*file)->decode_page(i);
      if (r.ok() && r->pixels.size() != static_cast<size_t>(r->width) * r->height * r->channels) {
        fail("image", "a decoded page's pixels do not match its size");
      }
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(image_one)
