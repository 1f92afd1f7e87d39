// Builds small DOCX and ODT files for the converter tests (no corpus needed).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace wenku::testing {

// A DOCX whose body is these paragraphs; `extra_body_xml` is appended raw inside <w:body>,
// `extra_rels` raw inside word/_rels/document.xml.rels.
void write_docx(const std::filesystem::path& path, const std::vector<std::string>& paragraphs,
                const std::string& extra_body_xml = "", const std::string& extra_rels = "");

// An ODT whose Basic macro, bound to the document's load event, writes `marker` when run.
void write_odt_with_autorun_macro(const std::filesystem::path& path,
                                  const std::filesystem::path& marker,
                                  bool with_comment = false);

}  // namespace wenku::testing
