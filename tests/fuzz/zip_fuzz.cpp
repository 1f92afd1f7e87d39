// libFuzzer target: the ZIP reader (src/detect/zip_archive.h) alone: open with the detector's
// entry limit, look names up as the OOXML/ODF/EPUB probes do, read members under a budget.
#include <string_view>

#include "detect/zip_archive.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int zip_one(const uint8_t* data, size_t size) {
  detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  auto zip = detect::ZipArchive::open(src, 100000);  // detect.cpp's kMaxZipEntries
  if (!zip.ok()) return 0;
  zip->set_budget(8 << 20);
  for (const char* name : {"[Content_Types].xml", "mimetype", "META-INF/container.xml", "word/document.xml",
                           "content.xml", "ppt/presentation.xml", "xl/workbook.xml"}) {
    (void)zip->read(name, 1 << 20);
  }
  const auto& names = zip->names();
  for (uint64_t i = 0; i < names.size() && i < 64; ++i) {
    (void)zip->find(names[i]);
    (void)zip->read_index(i, 1 << 20);
  }
  return 0;
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(zip_one)
