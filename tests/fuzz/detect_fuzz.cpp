// libFuzzer target: format detection (magic, ZIP, OLE2, text encodings) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/detect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wenku::detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)wenku::detect::detect_source(src);
  return 0;
}
