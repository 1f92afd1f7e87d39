// Tells which CJK face (SC or JP) a PDF's embedded glyphs were taken from, by comparing their
// outlines with the installed Noto CJK faces: font names cannot tell, since every face of a
// Noto CJK collection shares one CFF table named "...CJKjp...".
#pragma once

#include <filesystem>
#include <string>

namespace wenku::testing {

struct GlyphFormCount {
  int compared = 0;      // CJK characters whose SC and JP forms differ
  int match_sc = 0;      // of those, embedded outline equals the SC form
  int match_jp = 0;      // ... equals the JP form
  std::string error;
};

// Page `page_index` of `pdf` against the Noto Serif/Sans CJK SC and JP faces fontconfig finds.
GlyphFormCount count_glyph_forms(const std::filesystem::path& pdf, int page_index);

}  // namespace wenku::testing
