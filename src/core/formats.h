// The format table: for each format name detection gives (detect.h), how wenku makes its
// page images and whether LibreOffice is handed it. One place, so adding a format is one row
// here plus its detector and (if any) its text reader — not a hunt through convert, the
// pipeline, image and the site's filters.
#pragma once

#include <span>
#include <string_view>

namespace wenku::formats {

// Where a document's page images come from.
enum class Preview {
  kPdf,          // the original is the PDF
  kLibreOffice,  // LibreOffice converts the original to PDF
  kTextLayout,   // wenku's own text (decoded, any encoding) laid out as HTML, then LibreOffice
  kOfd,          // the ofd module writes a PDF from the OFD's pages
  kImage,        // the original's pictures are the pages (no PDF), read by OCR
};

struct Format {
  std::string_view name;          // as detection names it
  Preview preview;
  // The extension of the scratch copy LibreOffice's type detection starts from; empty when
  // LibreOffice is never handed this format.
  std::string_view libreoffice_ext;
  bool search_filter;             // offered in the site's format filter (/s, category pages)
};

// Every format wenku makes documents of, in the order the site's filter lists them.
std::span<const Format> all();
// The row of `name`, or nullptr for a format wenku does not make documents of.
const Format* find(std::string_view name);

// Shorthands over find().
bool is_image(std::string_view name);
bool libreoffice_imports(std::string_view name);

}  // namespace wenku::formats
