// The JSON shape of a document, shared by `wenku show --json` and GET /api/v1/documents/{id}.
#pragma once

#include <nlohmann/json.hpp>

#include "store/metadata_store.h"

namespace wenku::library {

// Metadata as DESIGN.md §5 lists it; the uploader is masked.
nlohmann::json document_json(const store::Document& doc);

}  // namespace wenku::library
