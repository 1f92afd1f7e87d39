// Dispatch on the detected format: ZIP packages, PDF, and text decoded from its encoding.
#include "extract/extract.h"

#include "detect/text_encoding.h"
#include "extract/internal.h"
#include "ofd/ofd.h"

namespace wenku::extract {
namespace {

Error needs_conversion(const std::string& format) {
  return make_error(ErrorCode::kUnsupportedFormat,
                    error_line("extract.needs_conversion", {{"format", format}}));
}

Result<std::string> decoded_text(const detect::ByteSource& src, const detect::Detection& d,
                                 const ExtractLimits& limits) {
  if (src.size() > limits.max_uncompressed_bytes)
    return keyed_error(ErrorCode::kTooLarge, "extract.text_file_too_large");
  std::string bytes = src.read_string(0, static_cast<size_t>(src.size()));
  std::string encoding = d.encoding;
  size_t bom = 0;
  auto g = detect::guess_text_encoding(bytes, true);
  if (encoding.empty()) encoding = g.encoding;
  if (g.encoding == encoding) bom = g.bom_length;
  WENKU_ASSIGN_OR_RETURN(std::string text,
                         detect::decode_to_utf8(std::string_view(bytes).substr(bom), encoding, limits.max_text_bytes));
  // One line-ending convention; a BOM decoded from UTF-16/32 is dropped too.
  std::string out;
  out.reserve(text.size());
  size_t start = starts_with(text, "\xEF\xBB\xBF") ? 3 : 0;
  for (size_t i = start; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// OFD: one entry per page, the TextCode characters in reading order (ofd module).
Result<ExtractedText> ofd_text(const detect::ByteSource& src, const ExtractLimits& limits) {
  ofd::Limits l;
  l.max_zip_entries = limits.max_zip_entries;
  l.max_uncompressed_bytes = limits.max_uncompressed_bytes;
  l.max_xml_depth = limits.max_xml_depth;
  l.max_pages = limits.max_pages;
  l.max_text_bytes = limits.max_text_bytes;
  WENKU_ASSIGN_OR_RETURN(ofd::Document doc, ofd::read_document(src, l));
  ExtractedText t;
  t.pages = ofd::page_texts(doc);
  t.paged = true;
  t.title = doc.title;
  uint64_t bytes = 0;
  for (const auto& p : t.pages) bytes += p.size();
  if (bytes > limits.max_text_bytes) return detail::too_large_text();
  return t;
}

}  // namespace

Result<ExtractedText> extract_from_source(const detect::ByteSource& src, const detect::Detection& d,
                                          const ExtractLimits& limits) {
  if (d.encrypted) return keyed_error(ErrorCode::kEncrypted, "detect.encrypted_needs_password");
  const std::string& f = d.format;
  if (f == "docx" || f == "xlsx" || f == "pptx" || f == "odt" || f == "ods" || f == "odp" || f == "epub" ||
      f == "sxw" || f == "sxc" || f == "sxi") {
    auto z = detect::ZipArchive::open(src, limits.max_zip_entries);
    if (!z.ok()) return z.take_error();
    z->set_budget(limits.max_uncompressed_bytes);
    if (f == "docx") return detail::extract_docx(*z, limits);
    if (f == "pptx") return detail::extract_pptx(*z, limits);
    if (f == "xlsx") return detail::extract_xlsx(*z, limits);
    if (f == "epub") return detail::extract_epub(*z, limits);
    return detail::extract_odf(*z, f == "sxw" ? "odt" : f, limits);
  }
  if (f == "txt") {
    WENKU_ASSIGN_OR_RETURN(std::string text, decoded_text(src, d, limits));
    ExtractedText t;
    t.pages.push_back(std::move(text));
    return t;
  }
  if (f == "html") {
    WENKU_ASSIGN_OR_RETURN(std::string text, decoded_text(src, d, limits));
    return extract_html_text(text, limits);
  }
  if (f == "xml") {
    WENKU_ASSIGN_OR_RETURN(std::string text, decoded_text(src, d, limits));
    // The declaration may name the old encoding; the text is UTF-8 now.
    if (starts_with(text, "<?xml")) {
      size_t e = text.find("?>");
      if (e != std::string::npos) text.replace(0, e + 2, "<?xml version=\"1.0\"?>");
    }
    return detail::extract_xml_text(text, limits);
  }
  if (f == "mhtml") {
    if (src.size() > limits.max_uncompressed_bytes)
      return keyed_error(ErrorCode::kTooLarge, "extract.mhtml_archive_too_large");
    return detail::extract_mhtml(src.read_string(0, static_cast<size_t>(src.size())), limits);
  }
  if (f == "ofd") return ofd_text(src, limits);
  if (f == "pdf")
    return make_error(ErrorCode::kInvalidArgument, "PDF text is read from a file: use extract_pdf_text");
  if (d.supported && d.needs_conversion) return needs_conversion(f);
  return make_error(ErrorCode::kUnsupportedFormat,
                    d.reason.empty() ? error_line("extract.unsupported_format", {{"format", f}}) : d.reason);
}

Result<ExtractedText> extract_text(const std::filesystem::path& path, const detect::Detection& d,
                                   const ExtractLimits& limits) {
  if (d.encrypted) return keyed_error(ErrorCode::kEncrypted, "detect.encrypted_needs_password");
  if (d.format == "pdf") return extract_pdf_text(path, limits);
  detect::FileSource src(path);
  if (!src.ok()) return keyed_error(ErrorCode::kIo, "detect.read_file");
  return extract_from_source(src, d, limits);
}

}  // namespace wenku::extract
