// One line of an import manifest (JSONL): what to import and its metadata, parsed from
// untrusted text without touching the file system.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::library {

// `{"external_id":..., "title":..., "text":...}` or `{..., "file":"relative/path"}` with
// optional category, uploader, description and tags (DESIGN.md §5). Non-string values of
// the string keys are kept as their JSON text; null and absent are "".
struct ManifestEntry {
  std::string external_id;
  std::string title;
  std::string category;
  std::string uploader;
  std::string description;
  std::vector<std::string> tags;  // an array of strings, or one comma-separated string
  bool has_tags = false;          // the line has a "tags" key
  bool is_text = false;           // inline text rather than a file
  std::string text;               // when is_text
  std::string file;               // when !is_text: the path as written (resolved by the caller)
};

// Parses one manifest line (the caller skips blank lines). Errors: kInvalidArgument with
// the reason, in English, for the caller to prefix with the line number: not valid JSON
// (...), not a JSON object, "text" must be a string, needs "text" or "file".
Result<ManifestEntry> parse_manifest_line(std::string_view line);

}  // namespace wenku::library
