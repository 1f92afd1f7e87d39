// libFuzzer target: the OFD reader (ofd::read_document: OFD.xml -> Document.xml -> pages,
// templates, resources, annotations, signatures), the reading-order text, and the PDF
// writer on what was read. Limits as production except the byte budgets.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "fuzz_entries.h"
#include "ofd/ofd.h"

namespace wenku::fuzz {

int ofd_one(const uint8_t* data, size_t size) {
  return guarded("ofd", [&] {
    detect::MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
    ofd::Limits limits;
    limits.max_uncompressed_bytes = 8 << 20;
    limits.max_part_bytes = 4 << 20;
    limits.max_objects = 200000;
    auto doc = ofd::read_document(src, limits);
    if (!doc.ok()) {
      check_not_internal("ofd", doc.error());
      return;
    }
    (void)ofd::page_texts(*doc);
    static const std::filesystem::path out =
        std::filesystem::temp_directory_path() / ("wenku-ofd-fuzz-" + std::to_string(getpid()) + ".pdf");
    if (auto w = ofd::write_pdf(src, *doc, out, limits); !w.ok()) check_not_internal("ofd", w.error());
    std::error_code ec;
    std::filesystem::remove(out, ec);
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(ofd_one)
