// The demo library: a few Chinese documents (DOCX, PDF, TXT) that wenku makes itself from
// texts written for it, imported into an empty data directory so a newcomer sees a living site.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "library/library.h"

namespace wenku::library {

struct DemoText {
  std::string title;
  std::string category;
  std::string format;  // "docx", "pdf" or "txt": what the demo file becomes
  std::vector<std::string> paragraphs;
};

const std::vector<DemoText>& demo_texts();

// Writes a minimal but valid DOCX holding `paragraphs` (the first as a heading). Errors: kIo.
Result<void> write_docx(const std::filesystem::path& out, const std::vector<std::string>& paragraphs);

// Imports the demo documents when the library has none. Returns how many were imported.
Result<int> import_demo_if_empty(Library& lib);

}  // namespace wenku::library
