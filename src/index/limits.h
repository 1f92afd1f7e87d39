// Limits every SearchIndex implementation enforces: uploaded text is hostile and queries
// come from anyone.
#pragma once

#include <cstddef>

namespace wenku::index {

constexpr size_t kMaxFieldBytes = 64 * 1024;            // title, keywords, description, ...
constexpr size_t kMaxDocumentBytes = 64 * 1024 * 1024;  // all pages together
constexpr size_t kMaxPages = 100000;
constexpr size_t kMaxQueryBytes = 1024;
constexpr size_t kMaxQueryTerms = 32;
constexpr int kMaxLimit = 1000;
constexpr int kMaxOffset = 100000;

}  // namespace wenku::index
