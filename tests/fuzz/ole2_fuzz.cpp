// libFuzzer target: the OLE2 compound file reader (src/detect/ole2.h): directory, lookups as
// the doc/xls/ppt probes make them, and every stream read under a byte cap.
#include <string_view>

#include "detect/ole2.h"
#include "fuzz_entries.h"

namespace wenku::fuzz {

int ole2_one(const uint8_t* data, size_t size) {
  detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  auto r = detect::Ole2Reader::open(src);
  if (!r.ok()) return 0;
  for (const char* name : {"WordDocument", "Workbook", "Book", "PowerPoint Document", "EncryptionInfo",
                           "\x05SummaryInformation"}) {
    if (const auto* e = r->find(name)) (void)r->read_stream(*e, 256 * 1024);
  }
  size_t n = 0;
  for (const auto& e : r->entries()) {
    if (++n > 64) break;
    if (e.type == 2) (void)r->read_stream(e, 64 * 1024);
  }
  return 0;
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(ole2_one)
