// `wenku check`: every row's blobs exist with their hash, no blob is orphaned, the index
// agrees with the store, no document is stuck. Repairs what can be rebuilt.
#include <filesystem>
#include <set>

#include "core/clock.h"
#include "index/search_index.h"
#include "jobs/worker_pool.h"
#include "library/job_kinds.h"
#include "library/library.h"
#include "library/indexer.h"
#include "blob/blob_store.h"
#include "store/metadata_store.h"

namespace wenku::library {

namespace {

// A blob younger than this may belong to an upload whose row is being written right now by
// another process; it is only removed when this process holds the data directory alone.
constexpr int64_t kOrphanGraceSeconds = 3600;

}  // namespace

Result<CheckReport> Library::check() {
  CheckReport report;
  auto problem = [&](std::string what, bool repaired) {
    report.problems.push_back(what);
    if (repaired) {
      report.repairs.push_back(std::move(what));
    } else {
      ++report.remaining;
    }
  };

  // Jobs held by dead workers of this machine.
  WENKU_ASSIGN_OR_RETURN(auto running, store_->running_jobs());
  for (const auto& [job, worker] : running) {
    if (jobs::is_dead_local_worker(worker)) {
      problem("job " + std::to_string(job.id) + " was held by a dead worker " + worker + ": released",
              store_->release_job(job.id).ok());
    }
  }

  // Every document, page by page.
  store::DocumentFilter all;
  all.limit = 1000;
  std::set<int64_t> doc_ids;
  for (all.offset = 0;; all.offset += all.limit) {
    WENKU_ASSIGN_OR_RETURN(auto docs, store_->list_documents(all));
    if (docs.empty()) break;
    for (const auto& d : docs) {
      ++report.documents;
      doc_ids.insert(d.id);
      std::string name = "document " + std::to_string(d.id);
      if (auto v = blobs_->verify(d.blob_key); !v.ok()) {
        problem(name + ": original " + v.error().message, false);
      }
      bool requeue = false;
      if (!d.pdf_key.empty() && !blobs_->verify(d.pdf_key).ok()) {
        store::DocumentUpdate u;
        u.pdf_key = "";
        (void)store_->update_document(d.id, u);
        requeue = true;
        problem(name + ": converted PDF missing or damaged: converting again", true);
      }
      WENKU_ASSIGN_OR_RETURN(auto pages, store_->get_pages(d.id));
      for (const auto& p : pages) {
        for (const auto& key : {p.image_key, p.thumb_key}) {
          if (!key.empty() && !*blobs_->exists(key)) {
            requeue = true;
            problem(name + ": page " + std::to_string(p.number) + " image missing: rendering again", true);
          }
        }
      }
      WENKU_ASSIGN_OR_RETURN(auto jobs, store_->jobs_of(d.id));
      bool active = false;
      for (const auto& j : jobs) {
        active |= j.state == store::JobState::kQueued || j.state == store::JobState::kRunning;
      }
      if (d.status == store::DocumentStatus::kProcessing && !active) {
        requeue = true;
        problem(name + ": processing with no job: queued again", true);
      }
      if (requeue && !active) {
        store::DocumentUpdate u;
        u.status = store::DocumentStatus::kProcessing;
        (void)store_->update_document(d.id, u);
        (void)store_->enqueue_job({kJobExtract, d.id, kPriorityExtract, 3});
      }
    }
  }

  // Blobs no row refers to: the remains of an upload interrupted between blob and row.
  WENKU_ASSIGN_OR_RETURN(auto referenced_list, store_->referenced_blob_keys());
  std::set<std::string> referenced(referenced_list.begin(), referenced_list.end());
  std::vector<std::string> orphans;
  int64_t now = now_unix();
  WENKU_TRY(blobs_->for_each([&](const std::string& key, int64_t mtime) {
    ++report.blobs;
    if (referenced.count(key) == 0 && (alone_ || now - mtime > kOrphanGraceSeconds)) orphans.push_back(key);
  }));
  for (const auto& key : orphans) {
    problem("blob " + key + " belongs to no document: removed", blobs_->remove(key).ok());
  }
  // Blob writes that a crash cut off between their temporary file and the rename. Only when
  // alone: another process may be writing one right now.
  if (alone_) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.blobs() / "tmp", ec)) {
      std::error_code rm;
      std::filesystem::remove_all(entry.path(), rm);
      problem("unfinished blob write " + entry.path().filename().string() + ": removed", !rm);
    }
  }

  // The index against the store.
  WENKU_ASSIGN_OR_RETURN(auto indexed_ids, index_->all_ids());
  std::set<int64_t> in_index(indexed_ids.begin(), indexed_ids.end());
  report.indexed = static_cast<int>(in_index.size());
  for (int64_t id : in_index) {
    if (doc_ids.count(id) == 0) {
      problem("index holds document " + std::to_string(id) + " that the store does not: removed",
              index_->remove(id).ok());
    }
  }
  for (int64_t id : doc_ids) {
    WENKU_ASSIGN_OR_RETURN(auto d, store_->get_document(id));
    bool should_be_indexed = d.indexed || d.status == store::DocumentStatus::kReady;
    if (should_be_indexed && (in_index.count(id) == 0 || !d.indexed)) {
      // Not marked indexed: its text changed (new pages, an edit) after the index last took it.
      const char* what = in_index.count(id) == 0 ? " is missing from the index" : " is indexed with older text";
      problem("document " + std::to_string(id) + what + ": indexed again", indexer_->reindex(id).ok());
    }
  }
  (void)index_->flush();
  return report;
}

}  // namespace wenku::library
