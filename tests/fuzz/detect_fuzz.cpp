// libFuzzer target: format detection (magic, ZIP, OLE2, PDF probe, text encodings) on arbitrary bytes.
#include <string_view>

#include "detect/detect.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int detect_one(const uint8_t* data, size_t size) {
  detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)detect::detect_source(src);
  return 0;
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(detect_one)
