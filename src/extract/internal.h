// Helpers shared by the extractors: bounded text building, XML parsing and walking, paths.
#pragma once

#include <pugixml.hpp>

#include <algorithm>

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/strings.h"
#include "detect/zip_archive.h"
#include "extract/extract.h"

namespace wenku::extract::detail {

// Accumulates UTF-8 text up to a byte limit; `overflowed()` is checked by the callers.
class TextBuilder {
 public:
  explicit TextBuilder(uint64_t max) : max_(max) {}
  void add(std::string_view s);
  void newline();   // ends a line unless the text already ends one
  void tab() { add("\t"); }
  bool overflowed() const { return overflow_; }
  std::string take();
  uint64_t size() const { return text_.size(); }

 private:
  std::string text_;
  uint64_t max_;
  bool overflow_ = false;
};

Error too_large_text();
Error corrupt_part(const std::string& part, const std::string& why);

// Local name of an element: "w:t" -> "t".
inline std::string_view local(const pugi::xml_node& n) {
  std::string_view s = n.name();
  size_t p = s.find(':');
  return p == std::string_view::npos ? s : s.substr(p + 1);
}

// Parses a part: no DTD processing, no custom entities (pugixml never expands them),
// and a depth check. Errors: kCorrupt, kTooLarge (depth).
Result<void> parse_xml(pugi::xml_document& doc, const std::string& data, const std::string& part, int max_depth);

// Reads and parses a ZIP member. Errors: as ZipArchive::read plus parse_xml.
Result<void> load_part(pugi::xml_document& doc, const detect::ZipArchive& z, const std::string& part,
                       const ExtractLimits& limits);

// Iterative pre-order walk (no recursion, whatever the depth): `enter(node)` returns whether to
// descend; `leave(node)` runs after a node's children.
template <typename Enter, typename Leave>
void walk(const pugi::xml_node& root, Enter enter, Leave leave) {
  pugi::xml_node n = root.first_child();
  while (n) {
    if (enter(n) && n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n) {
      leave(n);
      if (n.next_sibling()) {
        n = n.next_sibling();
        break;
      }
      n = n.parent();
      if (!n || n == root) return;
    }
  }
}

// Resolves a relationship target against the folder of the part that names it.
std::string resolve_path(const std::string& base_part, const std::string& target);

// Id -> target of a .rels part ("" when missing).
std::vector<std::pair<std::string, std::string>> read_rels(const detect::ZipArchive& z, const std::string& rels_part,
                                                           const ExtractLimits& limits);

// dc:title from a metadata part (docProps/core.xml, meta.xml, an OPF), "" when absent.
std::string dc_title(const pugi::xml_node& root);

Result<ExtractedText> extract_docx(const detect::ZipArchive& z, const ExtractLimits& limits);
Result<ExtractedText> extract_pptx(const detect::ZipArchive& z, const ExtractLimits& limits);
Result<ExtractedText> extract_xlsx(const detect::ZipArchive& z, const ExtractLimits& limits);
Result<ExtractedText> extract_odf(const detect::ZipArchive& z, const std::string& format, const ExtractLimits& limits);
Result<ExtractedText> extract_epub(const detect::ZipArchive& z, const ExtractLimits& limits);
Result<ExtractedText> extract_xml_text(std::string_view utf8, const ExtractLimits& limits);
// MHTML: the root HTML part (quoted-printable/base64, its charset) through the HTML reader.
Result<ExtractedText> extract_mhtml(std::string_view bytes, const ExtractLimits& limits);

}  // namespace wenku::extract::detail
