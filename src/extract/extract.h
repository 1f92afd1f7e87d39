// Native text extraction: the text of each format, page by page where the format has pages,
// in-process and without external tools.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/detect.h"

namespace wenku::extract {

struct ExtractLimits {
  uint64_t max_uncompressed_bytes = 512ull << 20;  // total bytes inflated from a ZIP, or read
  uint64_t max_zip_entries = 20000;
  int max_xml_depth = 256;
  uint64_t max_text_bytes = 64ull << 20;           // UTF-8 text produced
  int max_pages = 5000;
};

struct ExtractedText {
  std::vector<std::string> pages;  // UTF-8; one entry per page (pdf page, pptx/odp slide,
                                   // xlsx/ods sheet) or a single entry for flowing text formats
  bool paged = false;              // true when entries are real pages of the final document (pdf)
  std::string title;               // document title from metadata when present
};

// Extracts the text of a detected file: docx pptx xlsx odt ods odp epub pdf txt html xml.
// Errors (messages Chinese first, then English): kEncrypted; kCorrupt (says which part);
// kTooLarge (a limit above was crossed); kUnsupportedFormat (formats that need conversion to
// PDF first: doc, xls, ppt, rtf, wps, ..., or that wenku does not read at all); kIo.
Result<ExtractedText> extract_text(const std::filesystem::path& path, const detect::Detection& d,
                                   const ExtractLimits& limits = {});

// Text of a PDF, page by page (used after LibreOffice conversion too). Pages MuPDF cannot
// read come back empty; a file with no readable page is kCorrupt.
Result<ExtractedText> extract_pdf_text(const std::filesystem::path& pdf, const ExtractLimits& limits = {});

// The same on bytes in memory (the ZIP/XML paths; used by the fuzzers and tests).
Result<ExtractedText> extract_from_source(const detect::ByteSource& src, const detect::Detection& d,
                                          const ExtractLimits& limits = {});

// Visible text of an HTML document given as UTF-8 (no script/style), and its <title>.
Result<ExtractedText> extract_html_text(std::string_view utf8_html, const ExtractLimits& limits = {});

}  // namespace wenku::extract
