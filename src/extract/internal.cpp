// Shared extractor helpers: bounded text, XML parsing with a depth limit, package paths.
#include "extract/internal.h"

#include <vector>

namespace wenku::extract::detail {

void TextBuilder::add(std::string_view s) {
  if (overflow_) return;
  if (text_.size() + s.size() > max_) {
    overflow_ = true;
    return;
  }
  text_.append(s);
}

void TextBuilder::newline() {
  if (!text_.empty() && text_.back() != '\n') add("\n");
}

std::string TextBuilder::take() {
  while (!text_.empty() && (text_.back() == '\n' || text_.back() == '\t' || text_.back() == ' ')) text_.pop_back();
  return std::move(text_);
}

Error too_large_text() {
  return keyed_error(ErrorCode::kTooLarge, "extract.document_s_text_over_size");
}

Error corrupt_part(const std::string& part, const std::string& why) {
  return keyed_error(ErrorCode::kCorrupt, "extract.corrupt_part", {{"part", part}, {"detail", why}});
}

Result<void> parse_xml(pugi::xml_document& doc, const std::string& data, const std::string& part, int max_depth) {
  // parse_default minus nothing: pugixml keeps a DOCTYPE as an opaque node and expands only
  // the five predefined entities and character references, so entity bombs cannot happen.
  pugi::xml_parse_result r = doc.load_buffer(data.data(), data.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) return corrupt_part(part, r.description());
  // Depth check, iteratively: deep nesting is a denial-of-service shape, not a document.
  int depth = 0, worst = 0;
  pugi::xml_node n = doc.first_child();
  while (n) {
    if (n.first_child()) {
      n = n.first_child();
      worst = std::max(worst, ++depth);
      if (worst > max_depth)
        return keyed_error(ErrorCode::kTooLarge, "extract.xml_too_deep", {{"part", part}});
      continue;
    }
    while (n && !n.next_sibling()) {
      n = n.parent();
      --depth;
      if (!n || n == doc) return {};
    }
    if (n) n = n.next_sibling();
  }
  return {};
}

Result<void> load_part(pugi::xml_document& doc, const detect::ZipArchive& z, const std::string& part,
                       const ExtractLimits& limits) {
  auto data = z.read(part, limits.max_uncompressed_bytes);
  if (!data.ok()) {
    Error e = data.take_error();
    if (e.code == ErrorCode::kNotFound) return corrupt_part(part, "missing");
    return e;
  }
  return parse_xml(doc, *data, part, limits.max_xml_depth);
}

std::string resolve_path(const std::string& base_part, const std::string& target) {
  std::string t = target;
  std::vector<std::string> parts;
  if (!t.empty() && t[0] == '/') {
    t.erase(0, 1);
  } else {
    size_t slash = base_part.rfind('/');
    std::string dir = slash == std::string::npos ? "" : base_part.substr(0, slash);
    size_t b = 0;
    while (!dir.empty() && b <= dir.size()) {
      size_t e = dir.find('/', b);
      if (e == std::string::npos) e = dir.size();
      parts.push_back(dir.substr(b, e - b));
      b = e + 1;
    }
  }
  size_t b = 0;
  while (b <= t.size()) {
    size_t e = t.find('/', b);
    if (e == std::string::npos) e = t.size();
    std::string seg = t.substr(b, e - b);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    b = e + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  // Targets may be percent-encoded (spaces, non-ASCII names).
  std::string dec;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '%' && i + 2 < out.size() && std::isxdigit(static_cast<unsigned char>(out[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(out[i + 2]))) {
      dec.push_back(static_cast<char>(std::stoi(out.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      dec.push_back(out[i]);
    }
  }
  return dec;
}

std::vector<std::pair<std::string, std::string>> read_rels(const detect::ZipArchive& z, const std::string& rels_part,
                                                           const ExtractLimits& limits) {
  std::vector<std::pair<std::string, std::string>> out;
  pugi::xml_document doc;
  if (!load_part(doc, z, rels_part, limits).ok()) return out;
  for (auto rel : doc.document_element().children()) {
    if (local(rel) != "Relationship") continue;
    if (std::string_view(rel.attribute("TargetMode").value()) == "External") continue;
    out.emplace_back(rel.attribute("Id").value(), rel.attribute("Target").value());
  }
  return out;
}

std::string dc_title(const pugi::xml_node& root) {
  std::string title;
  walk(
      root, [&](const pugi::xml_node& n) { return title.empty() && n.type() == pugi::node_element; },
      [&](const pugi::xml_node& n) {
        if (title.empty() && n.type() == pugi::node_element && std::string_view(n.name()).ends_with("title") &&
            (std::string_view(n.name()) == "dc:title" || local(n) == "title"))
          title = n.text().get();
      });
  while (!title.empty() && std::isspace(static_cast<unsigned char>(title.back()))) title.pop_back();
  size_t b = 0;
  while (b < title.size() && std::isspace(static_cast<unsigned char>(title[b]))) ++b;
  return title.substr(b);
}

}  // namespace wenku::extract::detail
