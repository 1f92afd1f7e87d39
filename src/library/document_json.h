// The JSON shape of a document, shared by `wenku show --json` and GET /api/v1/documents/{id}.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "library/search_service.h"
#include "library/types.h"

namespace wenku::library {

// Words a stored failure reason (documents.error: a worded error's line, or old plain text)
// for a reader; the outer layer passes its wording (http by the visitor's language, the CLI
// both languages). Without one the reason is given as stored.
using ReasonWords = std::function<std::string(const std::string&)>;

// Metadata as DESIGN.md §5 lists it; the uploader is masked.
nlohmann::json document_json(const store::Document& doc, const ReasonWords& words = {});

// The JSON of `search --json` and GET /api/v1/search (DESIGN.md §5); `total` as given.
nlohmann::json search_response_json(const SearchResponse& response, int64_t total);

}  // namespace wenku::library
