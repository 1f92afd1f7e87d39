// Reads the shared corpus MANIFEST.tsv: path and the content format it notes for each file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace wenku::testing {

struct ManifestRow {
  std::string path;     // relative to the corpus, e.g. docs/pdf/x.pdf
  std::string content;  // the `content=` note: pdf, docx, ... (first word, lower case)
  std::string notes;
  std::string lang;
  std::string folder;   // docs/<folder>/ or docs/zh/<folder>/
};

std::vector<ManifestRow> read_manifest(const std::filesystem::path& corpus);

// Whether a detected format agrees with a content note, with the equivalences the corpus
// evaluation uses (txt ~ md/markdown/csv, html ~ xhtml).
bool format_agrees(const std::string& content, const std::string& detected);

// Content notes the evaluation does not compare (odf, xml, binary, ole-other, ...).
bool is_alias(const std::string& content);

}  // namespace wenku::testing
