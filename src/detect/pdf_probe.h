// Asks MuPDF whether an encrypted PDF opens without a password.
#pragma once

#include "detect/byte_source.h"

namespace wenku::detect {

enum class PdfPassword {
  kNone,                // opens as is (not encrypted, or only an owner password)
  kNeeded,              // a user password is required
  kUnsupportedHandler,  // certificate (PubSec) or unknown security handler
};

// Opens the PDF through a stream over `src`; a file MuPDF cannot open for other reasons
// counts as kNone here (extraction reports the damage).
PdfPassword probe_pdf_password(const ByteSource& src);

}  // namespace wenku::detect
