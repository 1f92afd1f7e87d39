// Format detection from content (magic bytes, ZIP member names, OLE2 stream names, text
// encodings), never from the file name.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "detect/byte_source.h"

namespace wenku::detect {

struct Detection {
  std::string format;    // lower-case short name: pdf docx xlsx pptx odt ods odp epub ofd doc xls
                         // ppt rtf html xml txt, works (Microsoft Works), wordml (Word 2003 XML),
                         // xmlss (Excel 2003 XML), mhtml (and e.g. hwp, xps, wordperfect, zip,
                         // ooxml-encrypted, unknown for what we do not support)
  bool supported = false;        // wenku can make a document of it (false when it needs a password)
  bool encrypted = false;        // needs a password
  bool needs_conversion = false; // Office formats that LibreOffice turns into PDF for previews
  std::string encoding;          // for text formats: the detected source encoding (ICU name)
  std::string reason;            // when !supported or encrypted: a reason a person can act on,
                                 // Chinese first then English
};

// Detects the format of a file. Never throws; reads only bounded parts of the file (head,
// ZIP central directory, OLE2 directory, a few KB of a stream), except that a PDF is scanned
// for an /Encrypt key and, when one is found, opened with MuPDF to try the empty password.
Detection detect_file(const std::filesystem::path& path);

// The same on any byte source (used by detect_file and by the fuzzer).
Detection detect_source(const ByteSource& src);

// Detection of a text format (txt, html, xml) from its leading bytes alone; used when the
// container checks found nothing. `complete` says the sample is the whole file.
Detection detect_text(std::string_view sample, bool complete);

}  // namespace wenku::detect
