// MANIFEST.tsv reader for the golden tests.
#include "golden/manifest.h"

#include <fstream>
#include <set>
#include <sstream>

namespace wenku::testing {

std::vector<ManifestRow> read_manifest(const std::filesystem::path& corpus) {
  std::vector<ManifestRow> rows;
  std::ifstream in(corpus / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 11 || cols[0].rfind("docs/", 0) != 0) continue;
    ManifestRow r;
    r.path = cols[0];
    r.lang = cols[9];
    r.notes = cols[10];
    size_t p = r.notes.find("content=");
    if (p != std::string::npos) {
      size_t e = r.notes.find_first_of(" ;", p + 8);
      r.content = r.notes.substr(p + 8, e == std::string::npos ? std::string::npos : e - p - 8);
    }
    std::string rest = r.path.substr(5);
    if (rest.rfind("zh/", 0) == 0) rest = rest.substr(3);
    r.folder = rest.substr(0, rest.find('/'));
    rows.push_back(std::move(r));
  }
  return rows;
}

bool format_agrees(const std::string& content, const std::string& detected) {
  if (content == "txt") return detected == "txt" || detected == "md" || detected == "markdown" || detected == "csv";
  if (content == "html") return detected == "html" || detected == "xhtml";
  return content == detected;
}

bool is_alias(const std::string& content) {
  static const std::set<std::string> kAliases = {"odf", "xml", "binary", "ole-other", "ooxml-other",
                                                 "ooxml-encrypted", "zip-broken", "doc-word2", "odf-other"};
  return kAliases.count(content) > 0;
}

}  // namespace wenku::testing
