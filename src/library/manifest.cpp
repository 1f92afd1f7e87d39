// Parsing of one import manifest line with nlohmann::json; no I/O.
#include "library/manifest.h"

#include <nlohmann/json.hpp>

#include "core/strings.h"

namespace wenku::library {
namespace {

std::vector<std::string> string_list(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  } else if (j.is_string()) {
    for (auto& t : split(j.get<std::string>(), ',')) out.push_back(trim(t));
  }
  return out;
}

}  // namespace

Result<ManifestEntry> parse_manifest_line(std::string_view line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) return make_error(ErrorCode::kInvalidArgument, "not a JSON object");
  auto str = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::string();
    if (it->is_string()) return it->get<std::string>();
    // dump() throws on invalid UTF-8 by default; JSON text parsed above is valid, but
    // replace rather than trust that.
    return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  ManifestEntry e;
  e.external_id = str("external_id");
  e.title = str("title");
  e.category = str("category");
  e.uploader = str("uploader");
  e.description = str("description");
  if (auto it = j.find("tags"); it != j.end()) {
    e.has_tags = true;
    e.tags = string_list(*it);
  }
  if (auto it = j.find("text"); it != j.end()) {
    if (!it->is_string()) return make_error(ErrorCode::kInvalidArgument, "\"text\" must be a string");
    e.is_text = true;
    e.text = it->get<std::string>();
  } else if (auto f = j.find("file"); f != j.end() && f->is_string()) {
    e.file = f->get<std::string>();
  } else {
    return make_error(ErrorCode::kInvalidArgument, "needs \"text\" or \"file\"");
  }
  return e;
}

}  // namespace wenku::library
