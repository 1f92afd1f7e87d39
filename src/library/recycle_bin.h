// RecycleBin: deleting a document from the web site moves it to the recycle bin (回收站)
// for recycle_days: hidden (gone from listings, search and its page for visitors), shown to
// its owner and to admins, restorable by them (back in listings and search: re-indexed);
// after that it is purged with its files by the worker's periodic sweep. May call: store,
// the indexer (binning and restoring re-index), the catalogue (purging deletes for good),
// policy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/policy.h"
#include "library/types.h"

namespace wenku::library {

class Catalogue;
class Indexer;

using store::BinnedDocument;

class RecycleBin {
 public:
  RecycleBin(const Settings& settings, store::MetadataStore& store, Indexer& indexer, Catalogue& catalogue)
      : settings_(settings), store_(store), indexer_(indexer), catalogue_(catalogue) {}

  // Moves `doc` to the bin: its owner or an admin; with recycle_days 0 (no bin) deletes it
  // for good at once. Errors: kPermissionDenied, kAlreadyExists (in the bin already),
  // kNotFound.
  Result<void> bin(const Viewer& viewer, const Document& doc);
  // False when recycle_days is 0: deleting deletes at once.
  bool enabled() const;
  // Takes a document out of the bin: its owner or an admin. Errors: kNotFound (not in the
  // bin, or not the viewer's to see), kPermissionDenied.
  Result<void> restore(const Viewer& viewer, int64_t id);
  // The bin of `uploader_id` (0 = everyone's, for admins), most recently deleted first.
  Result<std::vector<BinnedDocument>> list(int64_t uploader_id, int offset, int limit);
  // When the document went to the bin, if it is there.
  Result<std::optional<BinnedDocument>> find(int64_t id);
  // When a binned document is purged (deleted_at + recycle_days).
  int64_t purge_at(const BinnedDocument& b) const;
  // Deletes for good (rows, index entry, files) every document binned before
  // now - recycle_days. Returns how many. Errors: kIo.
  Result<int> purge_expired(int64_t now);

 private:
  const Settings& settings_;
  store::MetadataStore& store_;
  Indexer& indexer_;
  Catalogue& catalogue_;
};

// The worker's periodic job: purge_expired every `interval_seconds` (the first a few
// seconds after start), on a thread of its own, until destroyed. Processes that run workers
// each run one; a document two of them purge at once is deleted once.
class BinSweeper {
 public:
  BinSweeper(RecycleBin& bin, int64_t interval_seconds);
  ~BinSweeper();
  BinSweeper(const BinSweeper&) = delete;
  BinSweeper& operator=(const BinSweeper&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wenku::library
