#include "core/formats.h"

#include <array>

namespace wenku::formats {

namespace {

using enum Preview;

// Word/Excel/PowerPoint families first (the filter's order), then the rest.
constexpr std::array kFormats = {
    Format{"pdf", kPdf, "", true},
    Format{"docx", kLibreOffice, "docx", true},
    Format{"doc", kLibreOffice, "doc", true},
    Format{"xlsx", kLibreOffice, "xlsx", true},
    Format{"xls", kLibreOffice, "xls", true},
    Format{"pptx", kLibreOffice, "pptx", true},
    Format{"ppt", kLibreOffice, "ppt", true},
    Format{"txt", kTextLayout, "txt", true},
    Format{"odt", kLibreOffice, "odt", true},
    Format{"epub", kTextLayout, "", true},
    Format{"html", kTextLayout, "html", true},
    Format{"ofd", kOfd, "", true},
    Format{"jpeg", kImage, "", true},
    Format{"png", kImage, "", true},
    Format{"tiff", kImage, "", true},
    Format{"webp", kImage, "", false},
    Format{"heic", kImage, "", false},
    Format{"rtf", kLibreOffice, "rtf", false},
    Format{"ods", kLibreOffice, "ods", false},
    Format{"odp", kLibreOffice, "odp", false},
    Format{"odg", kLibreOffice, "odg", false},
    Format{"fodt", kLibreOffice, "fodt", false},
    Format{"sxw", kLibreOffice, "sxw", false},
    Format{"sxc", kLibreOffice, "sxc", false},
    Format{"sxi", kLibreOffice, "sxi", false},
    Format{"docm", kLibreOffice, "docm", false},
    Format{"dot", kLibreOffice, "dot", false},
    Format{"dotx", kLibreOffice, "dotx", false},
    Format{"xlsm", kLibreOffice, "xlsm", false},
    Format{"xlsb", kLibreOffice, "xlsb", false},
    Format{"xlt", kLibreOffice, "xlt", false},
    Format{"xltx", kLibreOffice, "xltx", false},
    Format{"pptm", kLibreOffice, "pptm", false},
    Format{"pps", kLibreOffice, "pps", false},
    Format{"ppsx", kLibreOffice, "ppsx", false},
    Format{"potx", kLibreOffice, "potx", false},
    // Kingsoft WPS's own names (files that are Word/Excel/PowerPoint 97 inside).
    Format{"wps", kLibreOffice, "wps", false},
    Format{"wpt", kLibreOffice, "wpt", false},
    Format{"et", kLibreOffice, "et", false},
    Format{"dps", kLibreOffice, "dps", false},
    // Microsoft Works goes to libwps ("MS Works" import) as .wps.
    Format{"works", kLibreOffice, "wps", false},
    // Word/Excel 2003 XML: LibreOffice's XML detection reads the root element and picks
    // "MS Word 2003 XML" / "MS Excel 2003 XML".
    Format{"wordml", kLibreOffice, "xml", false},
    Format{"xmlss", kLibreOffice, "xml", false},
    Format{"hwp", kLibreOffice, "hwp", false},
    Format{"wpd", kLibreOffice, "wpd", false},
    Format{"xml", kTextLayout, "xml", false},
    Format{"mhtml", kTextLayout, "", false},
    // Handed to LibreOffice by name only (never detected as such: detection says txt/html).
    Format{"htm", kTextLayout, "htm", false},
    Format{"csv", kTextLayout, "csv", false},
};

}  // namespace

std::span<const Format> all() { return kFormats; }

const Format* find(std::string_view name) {
  for (const auto& f : kFormats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool is_image(std::string_view name) {
  const Format* f = find(name);
  return f != nullptr && f->preview == Preview::kImage;
}

bool libreoffice_imports(std::string_view name) {
  const Format* f = find(name);
  return f != nullptr && !f->libreoffice_ext.empty();
}

}  // namespace wenku::formats
