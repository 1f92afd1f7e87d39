#include "library/recycle_bin.h"

#include <chrono>

#include "core/clock.h"
#include "core/log.h"
#include "library/catalogue.h"
#include "library/indexer.h"

namespace wenku::library {

Result<void> RecycleBin::bin(const Viewer& viewer, const Document& doc) {
  if (!policy::can_manage(viewer, doc)) return make_error(ErrorCode::kPermissionDenied, "forbidden");
  if (!enabled()) return catalogue_.delete_document(doc.id);
  // Binning hides the document and marks it behind in one transaction; the re-index then
  // takes it out of search (a crash in between leaves it for the start-up scan).
  WENKU_TRY(store_.bin_document(doc.id, viewer.id, now_unix()));
  return indexer_.reindex(doc.id);
}

Result<void> RecycleBin::restore(const Viewer& viewer, int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto binned, store_.find_binned(id));
  if (!binned) return make_error(ErrorCode::kNotFound, "not_in_bin");
  Document owner_only;
  owner_only.uploader_id = binned->uploader_id;
  if (!policy::can_manage(viewer, owner_only)) return make_error(ErrorCode::kNotFound, "not_in_bin");
  WENKU_TRY(store_.unbin_document(id));
  return indexer_.reindex(id);
}

bool RecycleBin::enabled() const { return settings_.get_int("recycle_days") > 0; }

Result<std::vector<BinnedDocument>> RecycleBin::list(int64_t uploader_id, int offset, int limit) {
  return store_.list_bin(uploader_id, offset, limit);
}

Result<std::optional<BinnedDocument>> RecycleBin::find(int64_t id) { return store_.find_binned(id); }

int64_t RecycleBin::purge_at(const BinnedDocument& b) const {
  return b.deleted_at + settings_.get_int("recycle_days") * 86400;
}

Result<int> RecycleBin::purge_expired(int64_t now) {
  int purged = 0;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(auto ids, store_.bin_expired(now - settings_.get_int("recycle_days") * 86400, 100));
    int before = purged;
    for (int64_t id : ids) {
      auto r = catalogue_.delete_document(id);
      // Another process purged it meanwhile: as good.
      if (!r.ok() && r.error().code != ErrorCode::kNotFound) return r.take_error();
      ++purged;
      log::info("recycle_bin_purged document={}", id);
    }
    if (ids.size() < 100 || purged == before) return purged;
  }
}

BinSweeper::BinSweeper(RecycleBin& bin, int64_t interval_seconds) {
  thread_ = std::thread([this, &bin, interval_seconds] {
    std::unique_lock lock(mu_);
    auto wait = std::chrono::seconds(5);
    while (!cv_.wait_for(lock, wait, [this] { return stop_; })) {
      lock.unlock();
      if (auto n = bin.purge_expired(now_unix()); !n.ok()) log::warn("recycle_bin_purge_failed error={}", n.error().message);
      lock.lock();
      wait = std::chrono::seconds(interval_seconds);
    }
  });
}

BinSweeper::~BinSweeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace wenku::library
