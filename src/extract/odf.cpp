// OpenDocument text (odt paragraphs, ods sheets, odp slides) and EPUB chapters in spine order.
#include <unordered_map>

#include "extract/internal.h"

namespace wenku::extract::detail {
namespace {

// Paragraph-level text of an ODF subtree: spaces, tabs, line breaks, table cells and rows.
void odf_text(const pugi::xml_node& root, TextBuilder& out) {
  int in_cell = 0;  // paragraphs inside a table cell are separated by a space, not a line
  walk(
      root,
      [&](const pugi::xml_node& n) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
          out.add(n.value());
          return false;
        }
        if (n.type() != pugi::node_element) return false;
        std::string_view name = n.name();
        if (name == "text:tracked-changes" || name == "presentation:notes" || name == "office:annotation" ||
            name == "text:note-citation" || name == "svg:desc" || name == "svg:title")
          return false;
        if (name == "text:s") {
          int c = n.attribute("text:c").as_int(1);
          out.add(std::string(static_cast<size_t>(std::clamp(c, 1, 64)), ' '));
          return false;
        }
        if (name == "text:tab") out.tab();
        else if (name == "text:line-break") out.add("\n");
        else if (name == "table:table-cell" || name == "table:covered-table-cell") ++in_cell;
        return true;
      },
      [&](const pugi::xml_node& n) {
        if (n.type() != pugi::node_element) return;
        std::string_view name = n.name();
        if ((name == "text:p" || name == "text:h") && in_cell > 0) out.add(" ");
        else if (name == "text:p" || name == "text:h" || name == "table:table-row") out.newline();
        else if (name == "table:table-cell" || name == "table:covered-table-cell") {
          --in_cell;
          if (out.size() > 0) out.tab();
        }
      });
}

std::string clean_cells(std::string page) {
  std::string clean;
  clean.reserve(page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    if (page[i] == '\t' && (i + 1 == page.size() || page[i + 1] == '\n' || page[i + 1] == '\t')) continue;
    if (page[i] == ' ' && i + 1 < page.size() && (page[i + 1] == '\t' || page[i + 1] == '\n')) continue;
    clean.push_back(page[i]);
  }
  // Rows of empty cells leave empty lines behind.
  std::string out;
  for (size_t i = 0; i < clean.size(); ++i)
    if (!(clean[i] == '\n' && (out.empty() || out.back() == '\n'))) out.push_back(clean[i]);
  return out;
}

}  // namespace

Result<ExtractedText> extract_odf(const detect::ZipArchive& z, const std::string& format, const ExtractLimits& limits) {
  pugi::xml_document doc;
  WENKU_TRY(load_part(doc, z, "content.xml", limits));
  pugi::xml_node body = doc.document_element().child("office:body");
  if (!body) return corrupt_part("content.xml", "no office:body");
  ExtractedText t;
  uint64_t total = 0;
  if (format == "ods" || format == "odp" || format == "sxc" || format == "sxi") {
    // One page per sheet (table:table) or slide (draw:page), in document order.
    const char* unit = (format == "ods" || format == "sxc") ? "table:table" : "draw:page";
    walk(
        body,
        [&](const pugi::xml_node& n) {
          if (n.type() != pugi::node_element) return false;
          if (std::string_view(n.name()) != unit) return true;
          if (static_cast<int>(t.pages.size()) >= limits.max_pages || total > limits.max_text_bytes) return false;
          TextBuilder out(limits.max_text_bytes - total);
          if (std::string_view(unit) == "table:table") {
            out.add(n.attribute("table:name").value());
            out.newline();
          }
          odf_text(n, out);
          if (out.overflowed()) {
            total = limits.max_text_bytes + 1;
            return false;
          }
          t.pages.push_back(unit == std::string_view("table:table") ? clean_cells(out.take()) : out.take());
          total += t.pages.back().size();
          return false;
        },
        [](const pugi::xml_node&) {});
    if (total > limits.max_text_bytes) return too_large_text();
    if (static_cast<int>(t.pages.size()) >= limits.max_pages)
      return keyed_error(ErrorCode::kTooLarge, "extract.too_many_pages");
  } else {
    TextBuilder out(limits.max_text_bytes);
    odf_text(body, out);
    if (out.overflowed()) return too_large_text();
    t.pages.push_back(out.take());
  }
  pugi::xml_document meta;
  if (load_part(meta, z, "meta.xml", limits).ok()) t.title = dc_title(meta);
  return t;
}

Result<ExtractedText> extract_epub(const detect::ZipArchive& z, const ExtractLimits& limits) {
  pugi::xml_document container;
  WENKU_TRY(load_part(container, z, "META-INF/container.xml", limits));
  std::string opf_path;
  walk(
      container, [&](const pugi::xml_node& n) { return n.type() == pugi::node_element && opf_path.empty(); },
      [&](const pugi::xml_node& n) {
        if (opf_path.empty() && local(n) == "rootfile") opf_path = resolve_path("", n.attribute("full-path").value());
      });
  if (opf_path.empty()) return corrupt_part("META-INF/container.xml", "no rootfile");
  pugi::xml_document opf;
  WENKU_TRY(load_part(opf, z, opf_path, limits));
  std::unordered_map<std::string, std::string> manifest;
  std::vector<std::string> spine;
  walk(
      opf, [&](const pugi::xml_node& n) { return n.type() == pugi::node_element; },
      [&](const pugi::xml_node& n) {
        if (n.type() != pugi::node_element) return;
        if (local(n) == "item") manifest[n.attribute("id").value()] = n.attribute("href").value();
        else if (local(n) == "itemref") spine.push_back(n.attribute("idref").value());
      });
  if (spine.size() > limits.max_zip_entries) return keyed_error(ErrorCode::kTooLarge, "extract.too_many_chapters");
  TextBuilder out(limits.max_text_bytes);
  for (const auto& id : spine) {
    auto it = manifest.find(id);
    if (it == manifest.end()) continue;
    std::string part = resolve_path(opf_path, it->second);
    auto data = z.read(part, limits.max_uncompressed_bytes);
    if (!data.ok()) {
      if (data.error().code == ErrorCode::kTooLarge || data.error().code == ErrorCode::kEncrypted)
        return data.take_error();
      continue;  // a missing chapter should not hide the others
    }
    auto html = extract_html_text(*data, limits);
    if (!html.ok()) {
      if (html.error().code == ErrorCode::kTooLarge) return html.take_error();
      continue;
    }
    if (!html->pages.empty() && !html->pages[0].empty()) {
      out.add(html->pages[0]);
      out.add("\n\n");
    }
    if (out.overflowed()) return too_large_text();
  }
  ExtractedText t;
  t.pages.push_back(out.take());
  t.title = dc_title(opf);
  return t;
}

}  // namespace wenku::extract::detail
