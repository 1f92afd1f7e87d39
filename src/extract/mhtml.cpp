// MHTML web archives (RFC 2557, "Save as single file"): the root HTML part of a MIME
// multipart/related message, its transfer encoding and charset undone, read as HTML.
#include <cctype>

#include "detect/text_encoding.h"
#include "extract/internal.h"

namespace wenku::extract::detail {
namespace {

struct MimePart {
  std::string content_type;      // lower-cased, parameters included
  std::string raw_content_type;  // as written (a boundary is case-sensitive)
  std::string transfer_encoding;
  std::string_view body;
};

// Splits a header block from its body at the first empty line; unfolds continuation lines.
MimePart parse_part(std::string_view part) {
  MimePart p;
  size_t end = part.find("\r\n\r\n");
  size_t skip = 4;
  if (size_t lf = part.find("\n\n"); lf != std::string_view::npos && (end == std::string_view::npos || lf < end)) {
    end = lf;
    skip = 2;
  }
  std::string_view headers = part.substr(0, end);
  p.body = end == std::string_view::npos ? std::string_view() : part.substr(end + skip);
  std::string name, value;
  auto flush = [&] {
    std::string n = to_lower_ascii(trim(name));
    if (n == "content-type") {
      p.raw_content_type = trim(value);
      p.content_type = to_lower_ascii(p.raw_content_type);
    }
    if (n == "content-transfer-encoding") p.transfer_encoding = to_lower_ascii(trim(value));
    name.clear();
    value.clear();
  };
  for (const auto& raw : split(headers, '\n')) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      value += ' ' + trim(line);
      continue;
    }
    flush();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    name = line.substr(0, colon);
    value = line.substr(colon + 1);
  }
  flush();
  return p;
}

// A parameter of a header value, its name matched without case, its value as written
// (a boundary is case-sensitive).
std::string param(std::string_view header, std::string_view key) {
  std::string lower = to_lower_ascii(header);
  size_t at = 0;
  while ((at = lower.find(key, at)) != std::string::npos) {
    size_t eq = at + key.size();
    bool word_start = at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ' || lower[at - 1] == '\t';
    if (!word_start || eq >= lower.size() || lower[eq] != '=') {
      at = eq;
      continue;
    }
    size_t v = eq + 1;
    if (v < header.size() && header[v] == '"') {
      size_t close = header.find('"', v + 1);
      return std::string(header.substr(v + 1, close == std::string_view::npos ? std::string_view::npos : close - v - 1));
    }
    size_t stop = header.find_first_of("; \t\r\n", v);
    return std::string(header.substr(v, stop == std::string_view::npos ? std::string_view::npos : stop - v));
  }
  return "";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string quoted_printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 < s.size() && (s[i + 1] == '\n' || s[i + 1] == '\r')) {  // soft line break
      ++i;
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      continue;
    }
    int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1, lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      out.push_back('=');
      continue;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string base64(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else continue;  // line breaks, padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// The leaf parts of a MIME entity, in order: multipart bodies (multipart/related holding
// multipart/alternative, as Internet Explorer saves) are split at their boundary, a few
// levels deep.
void collect_parts(std::string_view entity, int depth, std::vector<MimePart>& out) {
  MimePart p = parse_part(entity);
  std::string boundary = param(p.raw_content_type, "boundary");
  if (!starts_with(p.content_type, "multipart/") || boundary.empty() || depth >= 4) {
    if (out.size() < 10000) out.push_back(p);
    return;
  }
  const std::string delim = "--" + boundary;
  std::string_view body = p.body;
  size_t at = body.find(delim);
  for (int n = 0; at != std::string_view::npos && n < 10000; ++n) {
    size_t start = at + delim.size();
    if (body.substr(start, 2) == "--") break;  // the closing delimiter
    size_t next = body.find(delim, start);
    std::string_view part = body.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
    // The line break after the delimiter belongs to it.
    if (starts_with(part, "\r\n")) part.remove_prefix(2);
    else if (starts_with(part, "\n")) part.remove_prefix(1);
    collect_parts(part, depth + 1, out);
    at = next;
  }
}

}  // namespace

Result<ExtractedText> extract_mhtml(std::string_view bytes, const ExtractLimits& limits) {
  std::vector<MimePart> parts;
  collect_parts(bytes, 0, parts);
  const MimePart* html = nullptr;
  for (const auto& p : parts) {
    if (starts_with(p.content_type, "text/html")) {
      html = &p;
      break;
    }
  }
  if (html == nullptr) {
    for (const auto& p : parts) {
      if (starts_with(p.content_type, "text/")) {
        html = &p;
        break;
      }
    }
  }
  if (html == nullptr) return corrupt_part("MHTML", error_line("extract.no_html_part_in_archive"));
  std::string body;
  if (html->transfer_encoding == "quoted-printable") body = quoted_printable(html->body);
  else if (html->transfer_encoding == "base64") body = base64(html->body);
  else body = std::string(html->body);
  std::string charset = param(html->content_type, "charset");
  if (charset.empty()) charset = detect::declared_charset(std::string_view(body).substr(0, 4096));
  if (charset.empty()) charset = detect::guess_text_encoding(body, true).encoding;
  auto utf8 = detect::decode_to_utf8(body, charset, limits.max_text_bytes);
  if (!utf8.ok()) utf8 = detect::decode_to_utf8(body, detect::guess_text_encoding(body, true).encoding, limits.max_text_bytes);
  if (!utf8.ok()) return utf8.take_error();
  if (starts_with(html->content_type, "text/html")) return extract_html_text(*utf8, limits);
  ExtractedText t;
  t.pages.push_back(std::move(*utf8));
  return t;
}

}  // namespace wenku::extract::detail
