#include "library/indexer.h"

#include "index/search_index.h"
#include "library/policy.h"

namespace wenku::library {

namespace {

index::IndexDocument index_document(const Document& doc, const std::vector<Page>& pages, size_t& bytes) {
  index::IndexDocument d;
  d.id = doc.id;
  d.title = doc.title;
  d.keywords = doc.keywords;
  d.description = doc.description;
  d.category_path = doc.category_path;
  d.format = doc.format;
  d.uploader = doc.uploader_name;
  d.created_at = doc.created_at;
  d.views = doc.views;
  for (const auto& p : pages) {
    bytes += p.text.size();
    d.pages.push_back(p.text);
  }
  d.listed = policy::is_searchable(doc);
  return d;
}

}  // namespace

std::vector<Result<void>> Indexer::reindex_batch(const std::vector<int64_t>& ids) {
  // A commit per few MB of text: fewer commits are most of what batching saves, and a
  // bound keeps a batch of large documents from holding all their text in memory at once
  // (and an edit waiting for the lock below from waiting long).
  constexpr size_t kBatchTextBytes = 4u << 20;
  // One re-indexer at a time, each reading the document under the lock: a re-index that
  // read a document before an edit cannot then overwrite the edit's own re-index with the
  // old text (the text lane and an edit raced so: crash_edit/slow).
  std::lock_guard serial(mu_);
  std::vector<int64_t> gens(ids.size(), 0);
  std::vector<Result<void>> results(ids.size(), Result<void>{});
  std::vector<index::IndexDocument> docs;
  std::vector<size_t> slots;  // which of `ids` each of `docs` is
  size_t bytes = 0;
  auto commit = [&] {
    if (docs.empty()) return;
    Result<void> all = index_.upsert_batch(docs);
    for (size_t i = 0; i < docs.size(); ++i) {
      // One document the index refuses (too much text) must not fail the others with it.
      Result<void> r = all.ok() || docs.size() == 1 ? all : index_.upsert(docs[i]);
      if (r.ok()) {
        // Not marked when an edit asked for another re-index meanwhile: in another process
        // that one may have written first, so the document is read and written again.
        auto marked = store_.mark_indexed(docs[i].id, gens[slots[i]]);
        if (!marked.ok()) {
          r = marked.take_error();
        } else if (!*marked) {
          r = write_current(docs[i].id, nullptr);
        }
      }
      results[slots[i]] = std::move(r);
    }
    docs.clear();
    slots.clear();
    bytes = 0;
  };
  for (size_t n = 0; n < ids.size(); ++n) {
    int64_t id = ids[n];
    // Down first, then read: the generation read is the one this re-index may mark, and a
    // crash before the commit leaves the document for the start-up scan.
    DocumentUpdate mark;
    mark.indexed = false;
    Result<void> marked = store_.update_document(id, mark);
    auto doc = marked.ok() ? store_.get_document(id) : Result<Document>(marked.error());
    auto pages = doc.ok() ? store_.get_pages(id) : Result<std::vector<Page>>(doc.error());
    if (!pages.ok()) {
      results[n] = pages.take_error();
      continue;
    }
    gens[n] = doc->index_gen;
    docs.push_back(index_document(*doc, *pages, bytes));
    slots.push_back(n);
    // No flush per document: a commit survives kill -9 in WAL mode, and what a power loss
    // might take back is found and re-indexed by the start-up scan and `wenku check`.
    if (bytes >= kBatchTextBytes) commit();
  }
  commit();
  return results;
}

Result<void> Indexer::reindex_read(const Document& doc, const std::vector<Page>& pages) {
  std::lock_guard serial(mu_);
  // The document row again (cheap, no pages): an edit may have come in since the caller
  // read it, and its generation is the one this commit may mark.
  WENKU_ASSIGN_OR_RETURN(Document now, store_.get_document(doc.id));
  size_t bytes = 0;
  WENKU_TRY(index_.upsert(index_document(now, pages, bytes)));
  WENKU_ASSIGN_OR_RETURN(bool marked, store_.mark_indexed(doc.id, now.index_gen));
  if (!marked) return write_current(doc.id, &pages);
  return {};
}

Result<void> Indexer::write_current(int64_t id, const std::vector<Page>* pages) {
  // The lock above serialises re-indexers of this process only. A web process that edits the
  // document, or another worker, re-indexes it from another process: its write may land
  // before ours, and ours (of the row as it was) would then undo it while its mark leaves the
  // document counted as indexed. So after a failed mark (the generation moved: someone wrote
  // or will write a newer row) this process reads the row again and writes it again until its
  // own mark holds; the last writer always reads after every edit before it. Bounded: each
  // round means another edit came in, and an edit always re-indexes itself.
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    auto doc = store_.get_document(id);
    if (!doc.ok() && doc.error().code == ErrorCode::kNotFound) return index_.remove(id);  // deleted meanwhile
    if (!doc.ok()) return doc.take_error();
    std::vector<Page> read;
    if (!pages) {
      WENKU_ASSIGN_OR_RETURN(read, store_.get_pages(id));
    }
    size_t bytes = 0;
    WENKU_TRY(index_.upsert(index_document(*doc, pages ? *pages : read, bytes)));
    WENKU_ASSIGN_OR_RETURN(bool marked, store_.mark_indexed(id, doc->index_gen));
    if (marked) return {};
  }
  return {};  // still moving: left not indexed, for the start-up scan and `wenku check`
}

Result<int64_t> Indexer::lag() {
  WENKU_ASSIGN_OR_RETURN(auto pending, store_.unindexed_documents());
  int64_t n = 0;
  for (int64_t id : pending) {
    auto d = store_.get_document(id);
    if (d.ok() && d->status == DocumentStatus::kReady) ++n;
  }
  return n;
}

Result<void> Indexer::catch_up(bool include_processing) {
  WENKU_ASSIGN_OR_RETURN(auto pending, store_.unindexed_documents());
  std::vector<int64_t> ids;
  for (int64_t id : pending) {
    auto d = store_.get_document(id);
    if (d.ok() && (include_processing || d->status != DocumentStatus::kProcessing)) ids.push_back(id);
  }
  for (auto& r : reindex_batch(ids)) WENKU_TRY(std::move(r));
  return {};
}

}  // namespace wenku::library
