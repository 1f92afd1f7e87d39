// Format detection: magic bytes first, then containers (ZIP, OLE2) by their member names,
// then text by its encoding and first markup.
#include "detect/detect.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/strings.h"
#include "detect/ole2.h"
#include "detect/pdf_probe.h"
#include "detect/text_encoding.h"
#include "detect/zip_archive.h"

namespace wenku::detect {
namespace {

constexpr size_t kHeadBytes = 64 * 1024;
constexpr uint64_t kMaxZipEntries = 100000;
const std::string kEncryptedReason = error_line("detect.encrypted_needs_password");

Detection supported(std::string format, bool needs_conversion) {
  Detection d;
  d.format = std::move(format);
  d.supported = true;
  d.needs_conversion = needs_conversion;
  return d;
}

Detection unsupported(std::string format, std::string reason) {
  Detection d;
  d.format = std::move(format);
  d.reason = std::move(reason);
  return d;
}

Detection encrypted(std::string format, bool needs_conversion) {
  Detection d = supported(std::move(format), needs_conversion);
  d.supported = false;  // nothing can be made of it without the password
  d.encrypted = true;
  d.reason = kEncryptedReason;
  return d;
}

bool has_prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

uint16_t le16(std::string_view b, size_t off) {
  if (off + 2 > b.size()) return 0;
  return static_cast<uint16_t>(static_cast<unsigned char>(b[off]) | static_cast<unsigned char>(b[off + 1]) << 8);
}

// ---- OFD, Microsoft Works, Office 2003 XML (formats of issue 14) ----------------------------

// OFD (GB/T 33190): a ZIP whose entry point is OFD.xml. Whether its pages can be read is
// the ofd module's question (a broken OFD fails there with a reason).
Detection detect_ofd_package(const ZipArchive& z) {
  (void)z;
  return supported("ofd", false);  // the ofd module reads it; LibreOffice cannot
}

// Microsoft Works word processor and spreadsheet/database files in OLE2: a top-level
// CONTENTS stream starting "CHNKWKS" (Works 4-6) or "CHNKINK" (Works 2000 and later, the
// Quill text format; Publisher keeps that stream inside its Quill storage, never at the
// top), or Works' own MN0 / MatOST streams. LibreOffice imports them through libwps.
bool is_works_ole2(const Ole2Reader& r) {
  if (const Ole2Entry* c = r.find("CONTENTS")) {
    auto h = r.read_stream(*c, 16);
    if (h.ok() && (has_prefix(*h, "CHNKWKS") || has_prefix(*h, "CHNKINK"))) return true;
  }
  return r.find("MN0") != nullptr || r.find("MatOST") != nullptr;
}

// The XML office formats of the 2000s by their root element (lower-cased text after the
// prolog): Word 2003 XML (WordprocessingML) and Excel 2003 XML Spreadsheet. "" otherwise.
std::string office_2003_xml_kind(std::string_view root) {
  if (starts_with(root, "<w:worddocument")) return "wordml";
  if ((starts_with(root, "<workbook") || starts_with(root, "<ss:workbook")) &&
      root.find("urn:schemas-microsoft-com:office:spreadsheet") != std::string_view::npos)
    return "xmlss";
  return "";
}

// ---- ZIP packages -------------------------------------------------------------------------

std::string read_small(const ZipArchive& z, std::string_view name, uint64_t max = 1 << 20) {
  auto r = z.read(name, max);
  return r.ok() ? *r : std::string();
}

Detection odf_by_mimetype(const ZipArchive& z, std::string mime) {
  mime = trim(mime);
  Detection d;
  if (mime == "application/epub+zip") return supported("epub", false);
  if (starts_with(mime, "application/vnd.oasis.opendocument.text")) d = supported("odt", true);
  else if (starts_with(mime, "application/vnd.oasis.opendocument.spreadsheet")) d = supported("ods", true);
  else if (starts_with(mime, "application/vnd.oasis.opendocument.presentation")) d = supported("odp", true);
  else if (starts_with(mime, "application/vnd.oasis.opendocument.graphics")) d = supported("odg", true);
  else if (starts_with(mime, "application/vnd.sun.xml.writer")) d = supported("sxw", true);
  else if (starts_with(mime, "application/vnd.sun.xml.calc")) d = supported("sxc", true);
  else if (starts_with(mime, "application/vnd.sun.xml.impress")) d = supported("sxi", true);
  else if (starts_with(mime, "application/vnd.oasis.opendocument."))
    return unsupported("odf", error_line("detect.unsupported_odf_type", {{"mime", mime}}));
  else return Detection{};
  // Encrypted ODF keeps its manifest in clear and marks each encrypted part.
  if (read_small(z, "META-INF/manifest.xml").find("encryption-data") != std::string::npos)
    return encrypted(d.format, true);
  return d;
}

Detection detect_zip(const ByteSource& src) {
  auto opened = ZipArchive::open(src, kMaxZipEntries);
  if (!opened.ok()) {
    Detection d = unsupported("zip", opened.error().message);
    if (opened.error().code == ErrorCode::kCorrupt)
      d.reason = error_line("detect.corrupt_zip_container_read");
    return d;
  }
  const ZipArchive& z = *opened;
  if (z.has("mimetype")) {
    Detection d = odf_by_mimetype(z, read_small(z, "mimetype", 256));
    if (!d.format.empty()) return d;
  }
  if (z.has("OFD.xml")) return detect_ofd_package(z);
  if (z.has("[Content_Types].xml")) {
    const std::string ct = read_small(z, "[Content_Types].xml");
    auto has_ct = [&](std::string_view s) { return ct.find(s) != std::string::npos; };
    if (has_ct("wordprocessingml.document.main+xml") || has_ct("ms-word.document.macroEnabled.main+xml") ||
        has_ct("wordprocessingml.template.main+xml") || has_ct("ms-word.template.macroEnabledTemplate.main+xml"))
      return supported("docx", true);
    if (has_ct("spreadsheetml.sheet.main+xml") || has_ct("ms-excel.sheet.macroEnabled.main+xml") ||
        has_ct("spreadsheetml.template.main+xml") || has_ct("ms-excel.template.macroEnabled.main+xml"))
      return supported("xlsx", true);
    if (has_ct("presentationml.presentation.main+xml") || has_ct("ms-powerpoint.presentation.macroEnabled.main+xml") ||
        has_ct("presentationml.slideshow.main+xml") || has_ct("presentationml.template.main+xml") ||
        has_ct("ms-powerpoint.slideshow.macroEnabled.main+xml") ||
        has_ct("ms-powerpoint.template.macroEnabled.main+xml"))
      return supported("pptx", true);
    if (has_ct("ms-excel.sheet.binary.macroEnabled.main")) return supported("xlsb", true);
    // Content types damaged or unusual: the main part's usual name still tells.
    if (z.has("word/document.xml")) return supported("docx", true);
    if (z.has("xl/workbook.xml")) return supported("xlsx", true);
    if (z.has("ppt/presentation.xml")) return supported("pptx", true);
    if (has_ct("xps-fixeddocumentsequence") || z.has("FixedDocSeq.fdseq") || z.has("FixedDocumentSequence.fdseq"))
      return unsupported("xps", error_line("detect.xps_documents_are_supported"));
    return unsupported("ooxml-other",
                       error_line("detect.ooxml_without_document"));
  }
  if (z.has("FixedDocSeq.fdseq") || z.has("FixedDocumentSequence.fdseq"))
    return unsupported("xps", error_line("detect.xps_documents_are_supported"));
  if (z.has("META-INF/container.xml")) return supported("epub", false);
  if (z.has("content.xml") && z.has("META-INF/manifest.xml")) {
    // ODF written without a mimetype member: the manifest names the package's type.
    const std::string m = read_small(z, "META-INF/manifest.xml");
    size_t p = m.find("full-path=\"/\"");
    if (p != std::string::npos) {
      // The media type is an attribute of the same file-entry element.
      size_t b = m.rfind('<', p), e = m.find('>', p);
      std::string entry = m.substr(b == std::string::npos ? 0 : b, e == std::string::npos ? std::string::npos : e - b);
      size_t at = entry.find("media-type=\"");
      if (at != std::string::npos) {
        at += 12;
        Detection d = odf_by_mimetype(z, entry.substr(at, entry.find('"', at) - at));
        if (!d.format.empty()) return d;
      }
    }
  }
  if (z.has("word/document.xml")) return supported("docx", true);
  if (z.has("xl/workbook.xml")) return supported("xlsx", true);
  if (z.has("ppt/presentation.xml")) return supported("pptx", true);
  return unsupported("zip", error_line("detect.zip_archive_document_wenku_can"));
}

// ---- OLE2 compound files ------------------------------------------------------------------

// Excel: a FILEPASS record (0x002F) in the workbook globals, before their EOF, means encrypted.
bool xls_has_filepass(std::string_view wb) {
  size_t off = 0;
  for (int i = 0; i < 4096 && off + 4 <= wb.size(); ++i) {
    uint16_t type = le16(wb, off), len = le16(wb, off + 2);
    if (type == 0x002F) return true;
    if (type == 0x000A && i > 0) return false;
    off += 4 + len;
  }
  return false;
}

// The names of the main streams appear in UTF-16LE in the directory; when the directory
// itself cannot be walked, a scan for them still tells what the file meant to be.
std::string scan_ole2_names(const ByteSource& src) {
  std::string head = src.read_string(0, 8u << 20);
  auto has = [&](std::string_view ascii) {
    std::string w;
    for (char c : ascii) {
      w.push_back(c);
      w.push_back('\0');
    }
    return head.find(w) != std::string::npos;
  };
  if (has("EncryptedPackage")) return "ooxml-encrypted";
  if (has("WordDocument")) return "doc";
  if (has("Workbook") || has("Book")) return "xls";
  if (has("PowerPoint Document")) return "ppt";
  return "";
}

Detection detect_ole2(const ByteSource& src) {
  auto opened = Ole2Reader::open(src);
  if (!opened.ok()) {
    std::string guess = scan_ole2_names(src);
    if (guess == "ooxml-encrypted") return encrypted("ooxml-encrypted", true);
    // A damaged directory: LibreOffice is more forgiving than we are, so let it try.
    if (!guess.empty()) return supported(guess, true);
    return unsupported("ole", error_line("detect.corrupt_ole2_container_read"));
  }
  const Ole2Reader& r = *opened;
  if (r.find("EncryptedPackage") && r.find("EncryptionInfo")) return encrypted("ooxml-encrypted", true);
  if (const Ole2Entry* e = r.find("WordDocument")) {
    // FIB flags at offset 10: fEncrypted (0x0100) and fObfuscated (0x8000) both need a password.
    auto fib = r.read_stream(*e, 64);
    if (fib.ok() && (le16(*fib, 10) & 0x0100) != 0) return encrypted("doc", true);
    return supported("doc", true);
  }
  const Ole2Entry* wb = r.find("Workbook");
  if (wb == nullptr) wb = r.find("Book");
  if (wb != nullptr) {
    auto data = r.read_stream(*wb, 256 * 1024);
    if (data.ok() && xls_has_filepass(*data)) return encrypted("xls", true);
    return supported("xls", true);
  }
  if (r.find("PowerPoint Document")) {
    if (r.find("EncryptedSummary")) return encrypted("ppt", true);
    return supported("ppt", true);
  }
  if (const Ole2Entry* fh = r.find("FileHeader")) {
    auto h = r.read_stream(*fh, 32);
    if (h.ok() && has_prefix(*h, "HWP Document File"))
      return unsupported("hwp", error_line("detect.hangul_word_processor_hwp_documents"));
  }
  if (is_works_ole2(r)) return supported("works", true);
  if (r.find("VisioDocument"))
    return unsupported("visio", error_line("detect.visio_drawings_are_supported"));
  if (r.find("Quill"))
    return unsupported("publisher", error_line("detect.microsoft_publisher_documents_are_supported"));
  return unsupported("ole", error_line("detect.ole2_compound_file_unknown_kind"));
}

// ---- PDF -------------------------------------------------------------------------------------

// Whether `needle` occurs anywhere in the source, read in overlapping chunks.
bool source_contains(const ByteSource& src, std::string_view needle) {
  constexpr size_t kChunk = 1 << 20;
  std::string buf;
  for (uint64_t off = 0; off < src.size(); off += kChunk) {
    buf = src.read_string(off >= needle.size() ? off - needle.size() : 0, kChunk + needle.size());
    if (buf.find(needle) != std::string::npos) return true;
  }
  return false;
}

Detection detect_pdf(const ByteSource& src) {
  Detection d = supported("pdf", false);
  if (!source_contains(src, "/Encrypt")) return d;
  // Encrypted PDFs whose user password is empty (owner-password-only) open for everyone.
  switch (probe_pdf_password(src)) {
    case PdfPassword::kNone: return d;
    case PdfPassword::kNeeded: return encrypted("pdf", false);
    case PdfPassword::kUnsupportedHandler: {
      Detection e = encrypted("pdf", false);
      e.reason = error_line("detect.encrypted_with_certificate_or_unsupported");
      return e;
    }
  }
  return d;
}

// ---- images ----------------------------------------------------------------------------------

// Pictures that are documents: a scan or a phone photo of a page. Read by src/image (previews,
// OCR); GIF stays refused (animations and drawings, not pages). Empty format: not an image.
Detection detect_image(std::string_view head) {
  if (has_prefix(head, "\xFF\xD8\xFF")) return supported("jpeg", false);
  if (has_prefix(head, "\x89PNG\r\n\x1A\n")) return supported("png", false);
  if (has_prefix(head, std::string_view("II*\0", 4)) || has_prefix(head, std::string_view("MM\0*", 4)) ||
      has_prefix(head, std::string_view("II+\0", 4)) || has_prefix(head, std::string_view("MM\0+", 4)))
    return supported("tiff", false);
  if (has_prefix(head, "RIFF") && head.size() >= 12 && head.substr(8, 4) == "WEBP") return supported("webp", false);
  if (head.size() >= 12 && head.substr(4, 4) == "ftyp") {
    const std::string_view brand = head.substr(8, 4);
    for (std::string_view b : {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"})
      if (brand == b) return supported("heic", false);
  }
  if (has_prefix(head, "GIF8")) return unsupported("image", error_line("detect.gif_image_document"));
  return Detection{};
}

// ---- text ------------------------------------------------------------------------------------

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\f')) ++i;
  return i;
}

bool is_html_tag_start(std::string_view lower_tail) {
  static constexpr std::array<std::string_view, 24> kTags = {
      "<!doctype html", "<html", "<head", "<body", "<title", "<meta", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6",
      "<p>", "<p ", "<div", "<table", "<span", "<ul", "<ol", "<br", "<a ", "<link", "<script", "<style"};
  for (auto t : kTags)
    if (starts_with(lower_tail, t)) return true;
  return false;
}

std::string classify_markup(std::string_view text) {
  std::string lower = to_lower_ascii(text.substr(0, 8192));
  size_t i = skip_space(lower, 0);
  std::string_view rest = std::string_view(lower).substr(i);
  if (starts_with(rest, "mime-version:") || starts_with(rest, "from:") || starts_with(rest, "content-type:") ||
      starts_with(rest, "date:") || starts_with(rest, "subject:") || starts_with(rest, "received:") ||
      starts_with(rest, "message-id:") || starts_with(rest, "x-")) {
    size_t body = lower.find("\n\n");
    if (body == std::string::npos) body = lower.find("\r\n\r\n");
    std::string_view headers = std::string_view(lower).substr(0, body);
    if (headers.find("multipart/related") != std::string::npos) return "mhtml";
    return "txt";
  }
  if (rest.empty() || rest[0] != '<') return "txt";
  // Skip the XML declaration, processing instructions and comments before the first element.
  bool saw_xml_decl = false;
  bool office_pi = false;  // <?mso-application progid="Word.Document"?> and the like
  while (!rest.empty() && rest[0] == '<') {
    if (starts_with(rest, "<?xml")) saw_xml_decl = true;
    if (starts_with(rest, "<?mso-application")) {
      size_t e = rest.find("?>");
      std::string_view pi = rest.substr(0, e);
      if (pi.find("word.document") != std::string_view::npos || pi.find("excel.sheet") != std::string_view::npos ||
          pi.find("powerpoint.show") != std::string_view::npos)
        office_pi = true;
    }
    size_t end;
    if (starts_with(rest, "<?")) {
      end = rest.find("?>");
      if (end != std::string_view::npos) end += 2;
    } else if (starts_with(rest, "<!--")) {
      end = rest.find("-->");
      if (end != std::string_view::npos) end += 3;
    } else {
      break;
    }
    if (end == std::string_view::npos) break;
    rest = rest.substr(skip_space(rest, end));
  }
  if (std::string kind = office_2003_xml_kind(rest); !kind.empty()) return kind;
  if (office_pi || starts_with(rest, "<office:document")) return "xml-office";
  if (is_html_tag_start(rest)) return "html";
  if (starts_with(rest, "<!doctype")) {
    std::string_view dt = rest.substr(0, rest.find('>'));
    return dt.find("html") != std::string_view::npos ? "html" : "xml";
  }
  if (rest.size() > 1 && (std::isalpha(static_cast<unsigned char>(rest[1])) || rest[1] == '_'))
    return saw_xml_decl || rest.find("</") != std::string_view::npos ? "xml" : "txt";
  return "txt";
}

}  // namespace

Detection detect_text(std::string_view sample, bool complete) {
  TextGuess g = guess_text_encoding(sample, complete);
  if (g.binary) return unsupported("unknown", error_line("detect.unknown_file_format"));
  std::string_view body = sample.substr(std::min(g.bom_length, sample.size()));
  // Classify on a decoded prefix; cut the sample at a whole code unit for UTF-16/32.
  body = body.substr(0, std::min<size_t>(body.size(), 16384));
  auto text = decode_to_utf8(body, g.encoding, 1 << 20);
  std::string kind = classify_markup(text.ok() ? *text : std::string(body));
  Detection d;
  if (kind == "wordml" || kind == "xmlss") {
    d = supported(kind, true);  // LibreOffice's "MS Word 2003 XML" / "MS Excel 2003 XML" import
  } else if (kind == "mhtml") {
    d = supported("mhtml", false);  // extract reads its HTML part; the text is laid out as pages
  } else if (kind == "xml-office") {
    d = supported("xml", true);  // Word/Excel 2003 XML and flat ODF: LibreOffice lays them out
  } else {
    d = supported(kind, true);
  }
  d.encoding = g.encoding;
  return d;
}

Detection detect_source(const ByteSource& src) {
  if (src.size() == 0) return unsupported("unknown", error_line("detect.file_empty"));
  const std::string head = src.read_string(0, kHeadBytes);
  const bool complete = head.size() == src.size();
  if (size_t p = head.substr(0, 1024).find("%PDF-"); p != std::string::npos) return detect_pdf(src);
  if (has_prefix(head, "PK\x03\x04") || has_prefix(head, "PK\x05\x06") || has_prefix(head, "PK\x07\x08"))
    return detect_zip(src);
  if (has_prefix(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return detect_ole2(src);
  size_t ws = skip_space(head, 0);
  if (has_prefix(head.substr(has_prefix(head, "\xEF\xBB\xBF") ? 3 : ws), "{\\rtf")) return supported("rtf", true);
  if (has_prefix(head, "\xDB\xA5\x2D\x00") || has_prefix(head, "\x9B\xA5\x21\x00"))
    return supported("doc", true);  // Word for Windows 1.x/2.0, before OLE2
  if (head.size() >= 8 && head[0] == '\x09' && (head[1] == '\x00' || head[1] == '\x02' || head[1] == '\x04') &&
      (head[2] == '\x04' || head[2] == '\x06') && head[3] == '\x00')
    return supported("xls", true);  // BIFF2-4 worksheet, before OLE2
  if (has_prefix(head, "\xFFWPC"))
    return unsupported("wordperfect", error_line("detect.wordperfect_documents_are_supported"));
  if (has_prefix(head, "HWP Document File"))
    return unsupported("hwp", error_line("detect.hangul_word_processor_hwp_documents"));
  if (Detection image = detect_image(head); !image.format.empty()) return image;
  if (has_prefix(head, "Rar!\x1A\x07") || has_prefix(head, "7z\xBC\xAF\x27\x1C") || has_prefix(head, "\x1F\x8B") ||
      has_prefix(head, "BZh") || has_prefix(head, "\xFD" "7zXZ"))
    return unsupported("archive", error_line("detect.compressed_archive_unpack_upload_documents"));
  if (has_prefix(head, "\x7F" "ELF") || has_prefix(head, "MZ"))
    return unsupported("executable", error_line("detect.executable_document"));
  if (has_prefix(head, "AT&TFORM"))
    return unsupported("djvu", error_line("detect.djvu_documents_are_supported"));
  return detect_text(head, complete);
}

Detection detect_file(const std::filesystem::path& path) {
  try {
    FileSource src(path);
    if (!src.ok()) return unsupported("unknown", error_line("detect.read_file"));
    return detect_source(src);
  } catch (const std::exception& e) {
    // Only a bug or memory exhaustion gets here; the promise is never to throw.
    return unsupported("unknown", error_line("detect.failed", {{"detail", e.what()}}));
  }
}

}  // namespace wenku::detect
