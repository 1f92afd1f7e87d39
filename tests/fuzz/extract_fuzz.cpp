// libFuzzer target: the ZIP/XML extractors (docx, xlsx, pptx, odt, ods, odp, epub) and the
// text/HTML/XML paths, on arbitrary bytes under small limits. The first byte picks the format.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "extract/extract.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* kFormats[] = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "txt", "html", "xml"};
  if (size < 1) return 0;
  wenku::detect::Detection d;
  d.format = kFormats[data[0] % (sizeof(kFormats) / sizeof(kFormats[0]))];
  d.supported = true;
  wenku::detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  wenku::extract::ExtractLimits limits;
  limits.max_uncompressed_bytes = 8 << 20;
  limits.max_text_bytes = 1 << 20;
  limits.max_zip_entries = 1000;
  (void)wenku::extract::extract_from_source(src, d, limits);
  return 0;
}
