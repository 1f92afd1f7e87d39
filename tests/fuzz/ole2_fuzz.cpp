// libFuzzer target: the OLE2 compound file reader (src/detect/ole2.h): directory, lookups as
// the doc/xls/ppt probes make them, and every stream read under a byte cap.
#include <string_view>

#include "detect/ole2.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int ole2_one(const uint8_t* data, size_t size) {
  return guarded("ole2", [&] {
    detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
    auto r = detect::Ole2Reader::open(src);
    if (!r.ok()) {
      check_not_internal("ole2", r.error());
      return;
    }
    for (const char* name : {"WordDocument", "Workbook", "Book", "PowerPoint Document", "EncryptionInfo",
                             "\x05SummaryInformation"}) {
      if (const auto* e = r->find(name)) {
        auto s = r->read_stream(*e, 256 * 1024);
        if (s.ok() && s->size() > 256 * 1024) fail("ole2", "a stream read past its cap");
      }
    }
    size_t n = 0;
    for (const auto& e : r->entries()) {
      if (++n > 64) break;
      if (e.type == 2) (void)r->read_stream(e, 64 * 1024);
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(ole2_one)
