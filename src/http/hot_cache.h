// HotCache: the document rows and page-image bytes the busiest routes read on every request,
// kept in memory for a short time so a popular page image costs no database read or file read.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/result.h"
#include "library/library.h"

namespace wenku::http {

struct HotCacheLimits {
  // Rows are re-read after this long even without a change through the web routes, so an
  // edit made elsewhere (the CLI, a processing job) shows within this time.
  std::chrono::milliseconds row_ttl{1000};
  // Which blob a page shows changes only when the document is rendered again.
  std::chrono::milliseconds page_ttl{10'000};
  int64_t max_bytes = 64LL << 20;        // all cached image bytes together
  int64_t max_image_bytes = 2LL << 20;   // larger images are streamed from the blob store
  size_t max_rows = 4096;
  // Rendered document pages as guests see them (the expensive part of a request).
  std::chrono::milliseconds guest_page_ttl{10'000};
  size_t max_guest_pages = 4096;
};

// Thread-safe. What it returns is a copy (rows) or an immutable shared buffer (bytes). The
// caller still decides per request whether the visitor may see the document: only the
// database read is saved, never the access check.
class HotCache {
 public:
  explicit HotCache(library::Library& lib, HotCacheLimits limits = {});

  // The document row, from memory when read within row_ttl. Errors: as get_document.
  Result<store::Document> document(int64_t id);

  struct Image {
    std::string key;  // blob key (content hash): the ETag
    std::shared_ptr<const std::string> bytes;  // null when too large to keep: stream `key`
  };
  // The preview (or thumbnail) of page `number` of `doc`; nullopt when it is not rendered.
  // Without `with_bytes` only the key (bytes null, the blob store not read: nginx sends the
  // file after an X-Accel-Redirect). Errors: as get_page_image and the blob store.
  Result<std::optional<Image>> page_image(const store::Document& doc, int number, bool thumb,
                                          bool with_bytes = true);

  // A rendered page kept for guests under `key` (what changes it: document, language,
  // layout, query), if made within guest_page_ttl from the document row at `updated_at`.
  std::optional<std::string> guest_page(const std::string& key, int64_t updated_at);
  void keep_guest_page(const std::string& key, std::string html, int64_t updated_at);

  // Every web route that changes a document (or its owner's standing) calls this before it
  // answers, so the next request reads the database again.
  void forget_all();

 private:
  using Clock = std::chrono::steady_clock;
  struct Row {
    store::Document doc;
    Clock::time_point fetched;
  };
  struct PageEntry {
    std::string key;
    int64_t updated_at = 0;  // of the document row the entry was made from
    Clock::time_point fetched;
  };

  library::Library& lib_;
  HotCacheLimits limits_;
  std::mutex mu_;
  std::unordered_map<int64_t, Row> rows_;
  std::map<std::tuple<int64_t, int, bool>, PageEntry> pages_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> bytes_;
  std::deque<std::string> byte_order_;  // oldest first, for eviction
  struct GuestPage {
    std::string html;
    int64_t updated_at = 0;
    Clock::time_point made;
  };
  std::unordered_map<std::string, GuestPage> guest_pages_;
  int64_t cached_bytes_ = 0;
};

}  // namespace wenku::http
