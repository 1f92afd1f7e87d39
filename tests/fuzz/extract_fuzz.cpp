// libFuzzer target: the ZIP/XML extractors (docx, xlsx, pptx, odt, ods, odp, epub) and the
// text/HTML/XML paths. The first byte picks the format; limits are the production ones
// except the byte budgets, cut so one input cannot take more than a few MB of memory.
#include <string_view>

#include "extract/extract.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int extract_one(const uint8_t* data, size_t size) {
  static const char* kFormats[] = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "txt", "html", "xml"};
  if (size < 1) return 0;
  return guarded("extract", [&] {
    detect::Detection d;
    d.format = kFormats[data[0] % (sizeof(kFormats) / sizeof(kFormats[0]))];
    d.supported = true;
    detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    extract::ExtractLimits limits;  // production entries, depth and page limits
    limits.max_uncompressed_bytes = 8 << 20;
    limits.max_text_bytes = 1 << 20;
    auto r = extract::extract_from_source(src, d, limits);
    if (!r.ok()) check_not_internal("extract", r.error());
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(extract_one)
