// Document -> JSON.
#include "library/document_json.h"

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::library {

nlohmann::json document_json(const store::Document& d, const ReasonWords& words) {
  nlohmann::json j;
  j["id"] = d.id;
  j["external_id"] = d.external_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.external_id);
  j["title"] = d.title;
  j["original_name"] = d.original_name;
  j["status"] = store::status_name(d.status);
  j["error"] = d.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(words ? words(d.error) : d.error);
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

nlohmann::json search_response_json(const SearchResponse& r, int64_t total) {
  nlohmann::json j = {{"query", r.query}, {"total", total}, {"took_ms", r.took_ms}};
  j["hits"] = nlohmann::json::array();
  for (const auto& h : r.hits) {
    j["hits"].push_back({{"id", h.doc.id},
                         {"external_id", h.doc.external_id.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(h.doc.external_id)},
                         {"title", h.doc.title},
                         {"score", h.score},
                         {"snippet", h.snippet},
                         {"pages", h.pages},
                         {"format", h.doc.format},
                         {"page_count", h.doc.pages}});
  }
  return j;
}

}  // namespace wenku::library
