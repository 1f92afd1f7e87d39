// Office Open XML text: docx paragraphs and tables in order, pptx slides in presentation
// order, xlsx sheets in workbook order with shared strings resolved.
#include <unordered_map>

#include "extract/internal.h"

namespace wenku::extract::detail {
namespace {

// The main part named by the package relationships, or the usual name.
std::string main_part(const detect::ZipArchive& z, const ExtractLimits& limits, const std::string& fallback) {
  pugi::xml_document doc;
  if (load_part(doc, z, "_rels/.rels", limits).ok()) {
    for (auto rel : doc.document_element().children()) {
      std::string_view type = rel.attribute("Type").value();
      if (type.ends_with("/officeDocument")) {
        std::string p = resolve_path("", rel.attribute("Target").value());
        if (z.has(p)) return p;
      }
    }
  }
  return fallback;
}

std::string rels_of(const std::string& part) {
  size_t slash = part.rfind('/');
  std::string dir = slash == std::string::npos ? "" : part.substr(0, slash + 1);
  return dir + "_rels/" + part.substr(slash == std::string::npos ? 0 : slash + 1) + ".rels";
}

std::string core_title(const detect::ZipArchive& z, const ExtractLimits& limits) {
  pugi::xml_document doc;
  if (!load_part(doc, z, "docProps/core.xml", limits).ok()) return "";
  return dc_title(doc);
}

// Text of DrawingML/WordprocessingML runs. Alternate content appears twice (Choice and
// Fallback): only the first is read.
void run_text(const pugi::xml_node& root, TextBuilder& out) {
  walk(
      root,
      [&](const pugi::xml_node& n) {
        if (n.type() != pugi::node_element) return false;
        std::string_view l = local(n);
        if (l == "Fallback" || l == "delText" || l == "instrText" || l == "rPr" || l == "pPr") return false;
        if (l == "t") {
          out.add(n.text().get());
          return false;
        }
        if (l == "tab") out.tab();
        else if (l == "br" || l == "cr") out.add("\n");
        return true;
      },
      [&](const pugi::xml_node& n) {
        if (n.type() != pugi::node_element) return;
        std::string_view l = local(n);
        if (l == "p") out.newline();
        else if (l == "tc") out.tab();
        else if (l == "tr") out.newline();
      });
}

}  // namespace

Result<ExtractedText> extract_docx(const detect::ZipArchive& z, const ExtractLimits& limits) {
  const std::string part = main_part(z, limits, "word/document.xml");
  pugi::xml_document doc;
  WENKU_TRY(load_part(doc, z, part, limits));
  TextBuilder out(limits.max_text_bytes);
  run_text(doc, out);
  if (out.overflowed()) return too_large_text();
  ExtractedText t;
  t.pages.push_back(out.take());
  t.title = core_title(z, limits);
  return t;
}

Result<ExtractedText> extract_pptx(const detect::ZipArchive& z, const ExtractLimits& limits) {
  const std::string part = main_part(z, limits, "ppt/presentation.xml");
  pugi::xml_document pres;
  WENKU_TRY(load_part(pres, z, part, limits));
  auto rels = read_rels(z, rels_of(part), limits);
  std::unordered_map<std::string, std::string> by_id(rels.begin(), rels.end());
  std::vector<std::string> slides;
  walk(
      pres, [&](const pugi::xml_node& n) { return n.type() == pugi::node_element; },
      [&](const pugi::xml_node& n) {
        if (local(n) != "sldId") return;
        for (auto a : n.attributes()) {
          std::string_view an = a.name();
          if (an == "r:id" || (an.ends_with(":id") && an != "id")) {
            auto it = by_id.find(a.value());
            if (it != by_id.end()) slides.push_back(resolve_path(part, it->second));
          }
        }
      });
  if (static_cast<int>(slides.size()) > limits.max_pages)
    return keyed_error(ErrorCode::kTooLarge, "extract.too_many_slides");
  ExtractedText t;
  uint64_t total = 0;
  for (const auto& s : slides) {
    pugi::xml_document sd;
    auto r = load_part(sd, z, s, limits);
    if (!r.ok()) {
      if (r.error().code == ErrorCode::kTooLarge || r.error().code == ErrorCode::kEncrypted) return r.take_error();
      t.pages.emplace_back();  // one broken slide should not hide the others
      continue;
    }
    TextBuilder out(limits.max_text_bytes - total);
    run_text(sd, out);
    if (out.overflowed()) return too_large_text();
    t.pages.push_back(out.take());
    total += t.pages.back().size();
  }
  t.title = core_title(z, limits);
  return t;
}

Result<ExtractedText> extract_xlsx(const detect::ZipArchive& z, const ExtractLimits& limits) {
  const std::string part = main_part(z, limits, "xl/workbook.xml");
  pugi::xml_document wb;
  WENKU_TRY(load_part(wb, z, part, limits));
  auto rels = read_rels(z, rels_of(part), limits);
  std::unordered_map<std::string, std::string> by_id(rels.begin(), rels.end());

  // Shared strings: each <si> is one string, possibly in rich-text runs; phonetic runs skipped.
  std::vector<std::string> shared;
  std::string sst_part = "xl/sharedStrings.xml";
  for (const auto& [id, target] : rels)
    if (target.find("sharedStrings") != std::string::npos) sst_part = resolve_path(part, target);
  pugi::xml_document sst;
  uint64_t shared_bytes = 0;
  if (z.has(sst_part)) {
    WENKU_TRY(load_part(sst, z, sst_part, limits));
    for (auto si : sst.document_element().children()) {
      if (local(si) != "si") continue;
      std::string s;
      walk(
          si,
          [&](const pugi::xml_node& n) {
            if (n.type() != pugi::node_element || local(n) == "rPh") return false;
            if (local(n) == "t") {
              s += n.text().get();
              return false;
            }
            return true;
          },
          [](const pugi::xml_node&) {});
      shared_bytes += s.size();
      if (shared_bytes > limits.max_text_bytes) return too_large_text();
      shared.push_back(std::move(s));
    }
  }

  ExtractedText t;
  uint64_t total = 0;
  for (auto sheets : wb.document_element().children()) {
    if (local(sheets) != "sheets") continue;
    for (auto sheet : sheets.children()) {
      if (local(sheet) != "sheet") continue;
      if (static_cast<int>(t.pages.size()) >= limits.max_pages)
        return keyed_error(ErrorCode::kTooLarge, "extract.too_many_sheets");
      std::string rid;
      for (auto a : sheet.attributes())
        if (std::string_view(a.name()).ends_with(":id")) rid = a.value();
      auto it = by_id.find(rid);
      if (it == by_id.end()) continue;
      const std::string sp = resolve_path(part, it->second);
      pugi::xml_document sd;
      auto r = load_part(sd, z, sp, limits);
      TextBuilder out(limits.max_text_bytes - total);
      out.add(sheet.attribute("name").value());
      out.newline();
      if (!r.ok()) {
        if (r.error().code == ErrorCode::kTooLarge || r.error().code == ErrorCode::kEncrypted) return r.take_error();
        t.pages.push_back(out.take());
        continue;
      }
      walk(
          sd,
          [&](const pugi::xml_node& n) {
            if (n.type() != pugi::node_element) return false;
            std::string_view l = local(n);
            if (l == "c") {
              std::string_view type = n.attribute("t").value();
              std::string value;
              if (type == "inlineStr") {
                for (auto is : n.children())
                  if (local(is) == "is")
                    walk(
                        is,
                        [&](const pugi::xml_node& m) {
                          if (m.type() != pugi::node_element || local(m) == "rPh") return false;
                          if (local(m) == "t") value += m.text().get();
                          return local(m) != "t";
                        },
                        [](const pugi::xml_node&) {});
              } else {
                for (auto v : n.children())
                  if (local(v) == "v") value = v.text().get();
                if (type == "s") {
                  char* end = nullptr;
                  unsigned long idx = std::strtoul(value.c_str(), &end, 10);
                  value = (end != value.c_str() && idx < shared.size()) ? shared[idx] : std::string();
                }
              }
              if (!value.empty()) {
                out.add(value);
                out.tab();
              }
              return false;
            }
            return l == "worksheet" || l == "sheetData" || l == "row";
          },
          [&](const pugi::xml_node& n) {
            if (n.type() == pugi::node_element && local(n) == "row") out.newline();
          });
      if (out.overflowed()) return too_large_text();
      std::string page = out.take();
      // Cells end with a tab; drop those before each line break.
      std::string clean;
      clean.reserve(page.size());
      for (size_t i = 0; i < page.size(); ++i)
        if (!(page[i] == '\t' && (i + 1 == page.size() || page[i + 1] == '\n'))) clean.push_back(page[i]);
      total += clean.size();
      t.pages.push_back(std::move(clean));
    }
  }
  t.title = core_title(z, limits);
  return t;
}

}  // namespace wenku::extract::detail
