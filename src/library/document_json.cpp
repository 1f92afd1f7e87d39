// Document -> JSON.
#include "library/document_json.h"

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::library {

nlohmann::json document_json(const store::Document& d) {
  nlohmann::json j;
  j["id"] = d.id;
  j["external_id"] = d.external_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.external_id);
  j["title"] = d.title;
  j["original_name"] = d.original_name;
  j["status"] = store::status_name(d.status);
  j["error"] = d.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.error);
  j["format"] = d.format;
  j["pages"] = d.pages;
  j["preview_pages"] = d.preview_pages_done;
  j["size"] = d.size;
  j["size_text"] = human_size(static_cast<uint64_t>(d.size));
  j["uploader"] = mask_name(d.uploader_name);
  j["created_at"] = format_iso8601(d.created_at);
  j["category"] = d.category_path;
  j["keywords"] = d.keywords.empty() ? std::vector<std::string>{} : split(d.keywords, ' ');
  j["description"] = d.description;
  j["tags"] = d.tags;
  j["visibility"] = store::visibility_name(d.visibility);
  j["views"] = d.views;
  j["downloads"] = d.downloads;
  j["sha256"] = d.sha256;
  if (d.similar_to != 0) j["similar_to"] = d.similar_to;
  return j;
}

}  // namespace wenku::library
