// OFD (GB/T 33190) documents: the pages of a package read into a small drawing model (text
// with its glyph positions, paths, images, seals), the page text in reading order, and an
// equivalent PDF for previews.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/byte_source.h"

namespace wenku::ofd {

struct Limits {
  uint64_t max_zip_entries = 20000;
  uint64_t max_uncompressed_bytes = 512ull << 20;  // inflated from the ZIP in total
  uint64_t max_part_bytes = 64ull << 20;           // one XML part, font or image
  int max_xml_depth = 256;
  int max_pages = 5000;
  uint64_t max_objects = 2'000'000;  // drawn objects and glyphs, all pages together
  int max_nesting = 16;              // PageBlock / annotation / template nesting
  uint64_t max_text_bytes = 64ull << 20;
};

// Affine map (x, y) -> (a x + c y + e, b x + d y + f), in millimetres, y downwards.
struct Matrix {
  double a = 1, b = 0, c = 0, d = 1, e = 0, f = 0;
  Matrix then(const Matrix& m) const;  // this, followed by m
  void apply(double x, double y, double& ox, double& oy) const {
    ox = a * x + c * y + e;
    oy = b * x + d * y + f;
  }
};

struct Color {
  double r = 0, g = 0, b = 0;
  bool set = false;
};

struct Glyph {
  char32_t ch = 0;
  int glyph_id = -1;  // from CGTransform, for the embedded font
  double x = 0, y = 0;  // baseline origin on the page
};

struct TextRun {
  std::string font_id;
  double size = 0;   // in object units
  Matrix linear;     // object -> page, without the translation (glyph shape)
  std::vector<Glyph> glyphs;
  bool fill = true, stroke = false;
  Color fill_color, stroke_color;
  double hscale = 1;
};

struct PathItem {
  Matrix m;  // object -> page
  std::string data;  // AbbreviatedData
  bool fill = false, stroke = true, even_odd = false;
  Color fill_color, stroke_color;
  double line_width = 0.353;
};

struct ImageItem {
  Matrix m;  // unit square (y downwards) -> page
  std::string media_path;  // package member
};

// A seal from a signature: its picture when the SES structure holds a PNG/JPEG/GIF/BMP,
// else a placeholder naming the seal (or "电子签章").
struct SealItem {
  double x = 0, y = 0, w = 0, h = 0;        // on the page
  double clip_x = 0, clip_y = 0, clip_w = 0, clip_h = 0;  // within the seal; w = 0: none
  std::string picture;  // image bytes, empty -> placeholder
  std::string name;     // seal name found in the signature, for the placeholder
};

struct Item {
  enum class Kind { kText, kPath, kImage, kSeal } kind = Kind::kText;
  size_t index = 0;  // into the page's vector of that kind
};

struct Page {
  double width = 210, height = 297;  // millimetres
  std::vector<Item> order;            // drawing order
  std::vector<TextRun> texts;
  std::vector<PathItem> paths;
  std::vector<ImageItem> images;
  std::vector<SealItem> seals;
};

struct Font {
  std::string name, family;
  std::string file;  // package member of the embedded font, "" when only named
  bool bold = false, italic = false, serif = true;
};

struct Document {
  std::vector<Page> pages;
  std::map<std::string, Font> fonts;  // by resource ID
  std::string title;
};

// Reads the first document of an OFD package. Errors: kCorrupt (with the part and the
// reason: no OFD.xml, no DocBody/DocRoot, a part missing or not XML), kTooLarge (a limit
// above), kEncrypted (encrypted ZIP members).
Result<Document> read_document(const detect::ByteSource& src, const Limits& limits = {});

// The text of each page: every TextCode's characters, in reading order (lines top to
// bottom, left to right within a line), independent of any rendering.
std::vector<std::string> page_texts(const Document& doc);

// Writes an equivalent PDF (MuPDF's PDF writer): embedded fonts embedded again, named ones
// as non-embedded Adobe-GB1 fonts (MuPDF draws them with its Simplified Chinese face),
// images, paths, seals. Errors: those of read_document, kIo, kCorrupt (MuPDF failed).
Result<void> write_pdf(const detect::ByteSource& src, const Document& doc, const std::filesystem::path& out,
                       const Limits& limits = {});

// read_document then write_pdf, from a file: the "PDF for previews" step of the pipeline.
Result<void> convert_to_pdf(const std::filesystem::path& ofd, const std::filesystem::path& out,
                            const Limits& limits = {});

}  // namespace wenku::ofd
