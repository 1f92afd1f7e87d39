// libFuzzer target: the import manifest, line by line as `wenku import --manifest` reads it
// (src/library/manifest.h).
#include <cstdlib>
#include <string_view>

#include "core/strings.h"
#include "fuzz_entries.h"
#include "library/manifest.h"

namespace wenku::fuzz {

int manifest_one(const uint8_t* data, size_t size) {
  return guarded("manifest", [&] {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    while (!in.empty()) {
      size_t nl = in.find('\n');
      std::string_view line = in.substr(0, nl);
      in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
      if (trim(line).empty()) continue;
      auto e = library::parse_manifest_line(line);
      if (!e.ok()) check_not_internal("manifest", e.error());
      if (e.ok() && !e->is_text && !e->text.empty()) fail("manifest", "a file entry carries text");
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(manifest_one)
