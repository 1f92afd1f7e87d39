// libFuzzer target: the ZIP reader (src/detect/zip_archive.h) alone: open with the detector's
// entry limit, look names up as the OOXML/ODF/EPUB probes do, read members under a budget.
#include <string_view>

#include "detect/zip_archive.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int zip_one(const uint8_t* data, size_t size) {
  return guarded("zip", [&] {
    detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
    auto zip = detect::ZipArchive::open(src, 100000);  // detect.cpp's kMaxZipEntries
    if (!zip.ok()) {
      check_not_internal("zip", zip.error());
      return;
    }
    zip->set_budget(8 << 20);
    for (const char* name : {"[Content_Types].xml", "mimetype", "META-INF/container.xml", "word/document.xml",
                             "content.xml", "ppt/presentation.xml", "xl/workbook.xml"}) {
      auto r = zip->read(name, 1 << 20);
      if (r.ok() && r->size() > (1 << 20)) fail("zip", "a member read past its cap");
    }
    const auto& names = zip->names();
    for (uint64_t i = 0; i < names.size() && i < 64; ++i) {
      (void)zip->find(names[i]);
      auto r = zip->read_index(i, 1 << 20);
      if (r.ok() && r->size() > (1 << 20)) fail("zip", "a member read past its cap");
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(zip_one)
