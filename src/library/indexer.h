// Indexer: keeps the search index in step with the store. Owns the re-index rule (mark the
// document behind, read it, commit it to the index, mark it indexed only if no edit came
// in between) and the lock that serialises re-indexers with edits and deletions. Used by
// the pipeline, the catalogue (edits, category moves, deletions) and check.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "library/types.h"

namespace wenku::index {
class SearchIndex;
}

namespace wenku::library {

class Indexer {
 public:
  Indexer(store::MetadataStore& store, index::SearchIndex& index) : store_(store), index_(index) {}

  Result<void> reindex(int64_t id) { return reindex_batch({id}).front(); }
  // Indexes the documents' current text, in commits of a few MB; one result per document.
  std::vector<Result<void>> reindex_batch(const std::vector<int64_t>& ids);
  // A document and its pages already read by the caller (the pipeline hands them along):
  // indexed without reading them again. The caller marked it behind (replace_pages or an
  // update with indexed = false) before reading it.
  Result<void> reindex_read(const Document& doc, const std::vector<Page>& pages);
  // Every document marked not indexed (after a category move, a crash): indexed again;
  // those still processing only with `include_processing` (their pipeline indexes them
  // anyway). Errors: kIo.
  Result<void> catch_up(bool include_processing);

  // Ready documents whose current text the index does not hold yet (the index's lag).
  // Errors: kIo.
  Result<int64_t> lag();

  // Held by those that change a document while a re-indexer may be reading it.
  std::mutex& serial() { return mu_; }

 private:
  // After a mark that failed because the document changed meanwhile: reads it (and its
  // pages unless given) again and writes it until a mark holds. Called under mu_.
  Result<void> write_current(int64_t id, const std::vector<Page>* pages);

  store::MetadataStore& store_;
  index::SearchIndex& index_;
  std::mutex mu_;  // re-indexes one at a time
};

}  // namespace wenku::library
