// HotCache: short-lived document rows and a bounded, oldest-out cache of page-image bytes.
#include "http/hot_cache.h"

namespace wenku::http {

HotCache::HotCache(library::Library& lib, HotCacheLimits limits) : lib_(lib), limits_(limits) {}

Result<store::Document> HotCache::document(int64_t id) {
  const auto now = Clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it != rows_.end() && now - it->second.fetched < limits_.row_ttl) return it->second.doc;
  }
  // Read outside the lock: a slow read must not hold up every other request.
  WENKU_ASSIGN_OR_RETURN(auto doc, lib_.catalogue().get(id));
  std::lock_guard lock(mu_);
  if (rows_.size() >= limits_.max_rows) rows_.clear();  // rare; simpler than an LRU
  rows_[id] = Row{doc, now};
  return doc;
}

Result<std::optional<HotCache::Image>> HotCache::page_image(const store::Document& doc, int number,
                                                           bool thumb, bool with_bytes) {
  const auto now = Clock::now();
  const auto page_id = std::make_tuple(doc.id, number, thumb);
  std::string key;
  {
    std::lock_guard lock(mu_);
    auto it = pages_.find(page_id);
    if (it != pages_.end() && it->second.updated_at == doc.updated_at &&
        now - it->second.fetched < limits_.page_ttl) {
      key = it->second.key;
      if (!with_bytes) return std::optional<Image>(Image{key, nullptr});
      auto b = bytes_.find(key);
      if (b != bytes_.end()) return std::optional<Image>(Image{key, b->second});
    }
  }
  if (key.empty()) {
    WENKU_ASSIGN_OR_RETURN(auto page, lib_.catalogue().page_image(doc.id, number));
    if (!page) return std::optional<Image>();
    key = thumb ? page->thumb_key : page->image_key;
    if (key.empty()) return std::optional<Image>();
  }
  if (!with_bytes) {
    std::lock_guard lock(mu_);
    if (pages_.size() >= limits_.max_rows) pages_.clear();
    pages_[page_id] = PageEntry{key, doc.updated_at, now};
    return std::optional<Image>(Image{key, nullptr});
  }
  WENKU_ASSIGN_OR_RETURN(uint64_t size, lib_.catalogue().file_size(key));
  std::unique_lock lock(mu_, std::defer_lock);
  if (static_cast<int64_t>(size) > limits_.max_image_bytes) {
    lock.lock();
    pages_[page_id] = PageEntry{key, doc.updated_at, now};
    return std::optional<Image>(Image{key, nullptr});
  }
  WENKU_ASSIGN_OR_RETURN(std::string data, lib_.catalogue().read_file(key));
  auto bytes = std::make_shared<const std::string>(std::move(data));
  lock.lock();
  if (pages_.size() >= limits_.max_rows) pages_.clear();
  pages_[page_id] = PageEntry{key, doc.updated_at, now};
  if (bytes_.emplace(key, bytes).second) {
    cached_bytes_ += static_cast<int64_t>(bytes->size());
    byte_order_.push_back(key);
    while (cached_bytes_ > limits_.max_bytes && !byte_order_.empty()) {
      auto old = bytes_.find(byte_order_.front());
      byte_order_.pop_front();
      if (old == bytes_.end()) continue;
      cached_bytes_ -= static_cast<int64_t>(old->second->size());
      bytes_.erase(old);
    }
  }
  return std::optional<Image>(Image{key, bytes});
}

std::optional<std::string> HotCache::guest_page(const std::string& key, int64_t updated_at) {
  std::lock_guard lock(mu_);
  auto it = guest_pages_.find(key);
  if (it == guest_pages_.end() || it->second.updated_at != updated_at ||
      Clock::now() - it->second.made >= limits_.guest_page_ttl) {
    return std::nullopt;
  }
  return it->second.html;
}

void HotCache::keep_guest_page(const std::string& key, std::string html, int64_t updated_at) {
  std::lock_guard lock(mu_);
  if (guest_pages_.size() >= limits_.max_guest_pages) guest_pages_.clear();  // rare; simpler than an LRU
  guest_pages_[key] = GuestPage{std::move(html), updated_at, Clock::now()};
}

void HotCache::forget_all() {
  std::lock_guard lock(mu_);
  rows_.clear();
  pages_.clear();
  guest_pages_.clear();
  // The bytes stay: a key is the hash of its content, so they can never be wrong; what may
  // change is only which document and page point at them, and that mapping was just dropped.
}

}  // namespace wenku::http
