// libFuzzer target: format detection (magic, ZIP, OLE2, PDF probe, text encodings) on arbitrary bytes.
#include <string_view>

#include "detect/detect.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int detect_one(const uint8_t* data, size_t size) {
  return guarded("detect", [&] {
    detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
    detect::Detection d = detect::detect_source(src);
    if (d.format.empty()) fail("detect", "a detection without a format");
    if (!d.supported && d.reason.empty()) fail("detect", "an unsupported file without a reason");
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(detect_one)
