// HTML (libxml2's forgiving HTML parser) and generic XML (pugixml) to plain text.
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <memory>

#include "extract/internal.h"

namespace wenku::extract {
namespace {

bool is_block(std::string_view n) {
  static constexpr std::string_view kBlocks[] = {
      "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
      "article", "header", "footer", "blockquote", "pre", "dd", "dt", "dl", "hr", "title", "nav", "aside",
      "figure", "figcaption", "main", "address", "caption", "form", "fieldset", "center"};
  for (auto b : kBlocks)
    if (n == b) return true;
  return false;
}

bool is_hidden(std::string_view n) {
  return n == "script" || n == "style" || n == "noscript" || n == "template" || n == "head" || n == "svg" ||
         n == "object" || n == "iframe";
}

// Adds text with HTML whitespace rules: runs of spaces and newlines become one space.
void add_collapsed(detail::TextBuilder& out, std::string_view s, bool& pending_space) {
  std::string buf;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f') {
      pending_space = true;
      continue;
    }
    if (pending_space && !buf.empty()) buf.push_back(' ');
    pending_space = false;
    buf.push_back(c);
  }
  if (!buf.empty()) out.add(buf);
}

std::string title_of(xmlNode* root) {
  // The <title> element inside <head>, searched iteratively.
  xmlNode* n = root;
  int guard = 0;
  while (n && guard++ < 100000) {
    if (n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name, BAD_CAST "title") == 0) {
      xmlChar* c = xmlNodeGetContent(n);
      std::string t = c ? reinterpret_cast<const char*>(c) : "";
      xmlFree(c);
      return trim(t);
    }
    if (n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name, BAD_CAST "body") == 0) return "";
    if (n->children) {
      n = n->children;
      continue;
    }
    while (n && !n->next) n = n->parent;
    if (n) n = n->next;
  }
  return "";
}

}  // namespace

Result<ExtractedText> extract_html_text(std::string_view html, const ExtractLimits& limits) {
  if (html.size() > static_cast<size_t>(INT32_MAX)) return keyed_error(ErrorCode::kTooLarge, "extract.html_too_large");
  // HTML_PARSE_NONET: never fetch; libxml2 also caps element depth at 256 without HUGE.
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                         HTML_PARSE_COMPACT),
      &xmlFreeDoc);
  ExtractedText t;
  if (!doc) {
    t.pages.emplace_back();
    return t;
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  detail::TextBuilder out(limits.max_text_bytes);
  t.title = title_of(root);
  bool pending_space = false;
  int pre = 0;
  xmlNode* n = root;
  int depth = 0;
  while (n) {
    bool descend = false;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      const char* c = reinterpret_cast<const char*>(n->content);
      if (c) {
        if (pre > 0) out.add(c);
        else add_collapsed(out, c, pending_space);
      }
    } else if (n->type == XML_ELEMENT_NODE) {
      std::string_view name = reinterpret_cast<const char*>(n->name);
      std::string lname = to_lower_ascii(name);
      if (!is_hidden(lname)) {
        descend = true;
        if (is_block(lname)) {
          out.newline();
          pending_space = false;
        } else if (lname == "td" || lname == "th") {
          out.add("\t");
          pending_space = false;
        }
        if (lname == "pre") ++pre;
      }
    }
    if (descend && n->children && depth < limits.max_xml_depth) {
      n = n->children;
      ++depth;
      continue;
    }
    // Leave this node and every finished ancestor.
    while (n) {
      if (n->type == XML_ELEMENT_NODE) {
        std::string lname = to_lower_ascii(reinterpret_cast<const char*>(n->name));
        if (is_block(lname)) {
          out.newline();
          pending_space = false;
        }
        if (lname == "pre" && pre > 0) --pre;
      }
      if (n == root) {
        n = nullptr;
        break;
      }
      if (n->next) {
        n = n->next;
        break;
      }
      n = n->parent;
      --depth;
    }
    if (out.overflowed()) return detail::too_large_text();
  }
  if (out.overflowed()) return detail::too_large_text();
  // Table cells start with a tab; a line should not.
  std::string text = out.take(), clean;
  for (size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\t' && (clean.empty() || clean.back() == '\n'))) clean.push_back(text[i]);
  size_t b = 0;
  while (b < clean.size() && (clean[b] == '\n' || clean[b] == ' ')) ++b;
  t.pages.push_back(clean.substr(b));
  return t;
}

namespace detail {

Result<ExtractedText> extract_xml_text(std::string_view utf8, const ExtractLimits& limits) {
  pugi::xml_document doc;
  std::string data(utf8);
  auto parsed = parse_xml(doc, data, "XML", limits.max_xml_depth);
  if (!parsed.ok()) {
    if (parsed.error().code == ErrorCode::kTooLarge) return parsed.take_error();
    return extract_html_text(utf8, limits);  // not well-formed: read it as forgiving markup
  }
  TextBuilder out(limits.max_text_bytes);
  walk(
      doc,
      [&](const pugi::xml_node& n) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
          std::string s = trim(n.value());
          if (!s.empty()) {
            out.add(s);
            out.add(" ");
          }
          return false;
        }
        return n.type() == pugi::node_element;
      },
      [&](const pugi::xml_node& n) {
        if (n.type() == pugi::node_element && n.first_child() && n.first_child().type() != pugi::node_element)
          out.newline();
      });
  if (out.overflowed()) return too_large_text();
  ExtractedText t;
  std::string text = out.take(), clean;
  for (size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == ' ' && i + 1 < text.size() && text[i + 1] == '\n')) clean.push_back(text[i]);
  t.pages.push_back(std::move(clean));
  return t;
}

}  // namespace detail
}  // namespace wenku::extract
