// The JSON shape of a document, shared by `wenku show --json` and GET /api/v1/documents/{id}.
#pragma once

#include <nlohmann/json.hpp>

#include "library/search_service.h"
#include "library/types.h"

namespace wenku::library {

// Metadata as DESIGN.md §5 lists it; the uploader is masked.
nlohmann::json document_json(const store::Document& doc);

// The JSON of `search --json` and GET /api/v1/search (DESIGN.md §5); `total` as given.
nlohmann::json search_response_json(const SearchResponse& response, int64_t total);

}  // namespace wenku::library
