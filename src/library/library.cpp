// Library: opening the data directory and building its services.
#include "library/library.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <thread>

#include "blob/file_blob_store.h"
#include "convert/converter.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "index/search_index.h"
#include "jobs/worker_pool.h"
#include "library/job_kinds.h"
#include "library/indexer.h"
#include "text/keywords.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::library {

namespace fs = std::filesystem;

Library::Library(Settings settings, DataDir dir) : settings_(std::move(settings)), dir_(std::move(dir)) {}

namespace {

// Converter work directories (LibreOffice profiles, about 1 MB each) are named after the
// scratch directory of the process that made them; once that scratch is gone the process
// is too, and its work directory would otherwise stay forever.
void clean_dead_work(const DataDir& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.work(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("convert-", 0) != 0) continue;
    if (!fs::exists(dir.tmp() / name.substr(8), ec)) fs::remove_all(entry.path(), ec);
  }
}

// A backend that cannot be opened is named by its setting (a configuration error the
// person starting wenku can act on), unless the message names it already.
template <typename T>
Result<T> named(const Settings& s, const char* setting, Result<T> opened) {
  if (opened.ok() || s.get(setting).empty() || opened.error().message.find(setting) != std::string::npos) {
    return opened;
  }
  return make_error(opened.error().code, std::string(setting) + ": " + opened.error().message);
}

}  // namespace

Library::~Library() {
  bin_sweeper_.reset();
  if (workers_) workers_->stop();
  pipeline_.reset();  // its converter's helpers end before the scratch directory goes
}

Result<std::unique_ptr<Library>> Library::open(const Settings& settings, Options options) {
  auto lib = std::unique_ptr<Library>(new Library(settings, DataDir{settings.data_dir()}));
  WENKU_TRY(lib->init(options));
  return lib;
}

Result<void> Library::init(Options options) {
  WENKU_TRY(prepare_data_dir(dir_));
  if (options.exclusive) {
    WENKU_ASSIGN_OR_RETURN(lock_, DataLock::acquire(dir_, DataLock::Mode::kExclusive));
    alone_ = lock_ != nullptr;
  }
  if (!lock_) {
    WENKU_ASSIGN_OR_RETURN(lock_, DataLock::acquire(dir_, DataLock::Mode::kShared));
  }
  clean_dead_scratch(dir_.tmp());
  clean_dead_work(dir_);
  WENKU_ASSIGN_OR_RETURN(scratch_, ScratchDir::create(dir_.tmp()));
  {
    // A database server's connections: enough for the worker lanes and a share of the web
    // threads (a request holds one only while it reads or writes), few enough that several
    // processes fit under PostgreSQL's max_connections (100 by default).
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int workers = static_cast<int>(settings_.get_int("workers"));
    int connections = std::clamp((workers == 0 ? cores : workers) + 2 * cores + 4, 8, 32);
    WENKU_ASSIGN_OR_RETURN(store_, named(settings_, "metadata_url", store::open_metadata_store(
                                                                 dir_.metadata_url(settings_.get("metadata_url")), connections)));
  }
  WENKU_ASSIGN_OR_RETURN(blobs_, named(settings_, "blob_url", blob::open_blob_store(dir_.blob_url(settings_.get("blob_url")))));
  // One dictionary in memory, shared by the index and the keyword extractor.
  WENKU_ASSIGN_OR_RETURN(normalizer_, text::make_normalizer());
  WENKU_ASSIGN_OR_RETURN(segmenter_, text::make_segmenter());
  WENKU_ASSIGN_OR_RETURN(auto keywords, text::KeywordExtractor::load());
  keywords_ = std::make_unique<text::KeywordExtractor>(std::move(keywords));
  {
    // A configured index (a Xapian server down, a bad URL) is named in the error.
    std::string configured = settings_.get("search_url");
    auto opened = index::open_search_index(dir_.search_url(configured), *normalizer_, *segmenter_);
    if (!opened.ok()) {
      if (configured.empty()) return opened.error();
      return make_error(opened.error().code, "search_url: " + opened.error().message);
    }
    index_ = std::move(opened).value();
  }

  // The services, each over the parts it needs.
  auto notify = [this] { notify_workers(); };
  indexer_ = std::make_unique<Indexer>(*store_, *index_);
  site_settings_ = std::make_unique<SiteSettings>(settings_, *store_);
  accounts_ = std::make_unique<Accounts>(*store_);
  ingest_ = std::make_unique<Ingest>(settings_, *store_, *blobs_, *scratch_, *site_settings_, notify);
  pipeline_ = std::make_unique<Pipeline>(Pipeline::Parts{
      settings_, *store_, *blobs_, *index_, *indexer_, *segmenter_, *keywords_, *site_settings_, *scratch_,
      dir_.work() / ("convert-" + scratch_->path().filename().string()), notify});
  // A new watermark text: every document's page images are made again, in the background;
  // one job queues the documents' jobs, so the admin's request does not wait on them.
  site_settings_->on_changed([this](const std::string& key) {
    if (key != "watermark_text") return;
    if (auto r = store_->enqueue_job({kJobWatermarkAll, 0, kPriorityWatermark, 3}); !r.ok()) {
      log::error("watermark_queue_failed error={}", r.error().message);
      return;
    }
    notify_workers();
  });
  search_ = std::make_unique<SearchService>(settings_, *store_, *index_, *normalizer_, *segmenter_);
  catalogue_ = std::make_unique<Catalogue>(settings_, *store_, *blobs_, *index_, *indexer_, notify);
  moderation_ = std::make_unique<Moderation>(*store_, *catalogue_);
  comments_ = std::make_unique<Comments>(settings_, *store_, *site_settings_);
  recycle_bin_ = std::make_unique<RecycleBin>(settings_, *store_, *indexer_, *catalogue_);
  social_ = std::make_unique<Social>(*store_, *catalogue_);
  watermarks_ = std::make_unique<Watermarks>(settings_, *store_, *blobs_, *scratch_, *site_settings_);

  // Jobs of workers that died on this machine (kill -9, crash) run again at once instead of
  // waiting for their leases to expire.
  if (auto running = store_->running_jobs(); running.ok()) {
    for (const auto& [job, worker] : *running) {
      if (jobs::is_dead_local_worker(worker)) (void)store_->release_job(job.id);
    }
  }
  if (options.workers) {
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int slow = static_cast<int>(settings_.get_int("workers"));
    if (slow == 0) slow = cores;
    jobs::WorkerPoolOptions wo;
    wo.lease_seconds = static_cast<int>(settings_.get_int("job_lease_seconds"));
    // On stop, running jobs get this long to finish; then they are handed back (and the
    // conversions under them cut short by the interrupt hook below).
    wo.stop_grace_ms = static_cast<int>(settings_.get_int("stop_grace_seconds") * 1000);
    wo.metrics = &metrics_;
    // A job that fails while a backend is down waits for it, never failing for good for it.
    wo.backend_down = [this] {
      for (const auto& b : health()) {
        if (!b.ok) return true;
      }
      return false;
    };
    // Text extraction has its own lane so a document is searchable within a second however
    // long the conversion queue is.
    // Its jobs go in batches when they queue up (a bulk import): the search index then
    // commits many documents at once, ~1.6x less CPU per MB than a commit each
    // (bench/README.md "Indexing and size"). An upload on an idle site is a batch of one.
    wo.lanes = {{"text", {kJobExtract}, 1, static_cast<int>(settings_.get_int("text_batch"))}, {"preview", {kJobPreview, kJobRenderRest, kJobWatermark, kJobWatermarkAll}, slow},
                {"ocr", {kJobOcr}, 1},
                // Pages readers wait for: a worker of their own, never behind the queue of
                // new documents and remaining pages.
                {"reader", {kJobRenderPage}, 1}};
    workers_ = std::make_unique<jobs::WorkerPool>(*store_, wo);
    Pipeline& p = *pipeline_;
    workers_->on(kJobExtract, [&p](const store::Job& j, jobs::JobContext&) { return p.run_extract(j.document_id); });
    workers_->on_batch(kJobExtract, [&p](const std::vector<store::Job>& batch, jobs::JobContext& ctx) {
      std::vector<int64_t> ids;
      for (const store::Job& j : batch) ids.push_back(j.document_id);
      return p.run_extract_batch(ids, [&ctx](double f) { ctx.progress(f); });
    });
    workers_->on(kJobPreview, [&p](const store::Job& j, jobs::JobContext&) { return p.run_preview(j.document_id); });
    workers_->on(kJobRenderRest, [&p](const store::Job& j, jobs::JobContext&) { return p.run_render_rest(j.document_id); });
    workers_->on(kJobRenderPage, [&p](const store::Job& j, jobs::JobContext&) { return p.run_render_page(j.document_id, j.page); });
    workers_->on(kJobWatermark, [&p](const store::Job& j, jobs::JobContext&) { return p.run_watermark(j.document_id); });
    workers_->on(kJobWatermarkAll, [&p](const store::Job&, jobs::JobContext&) -> Result<void> {
      WENKU_TRY(p.queue_watermark_all());
      return {};
    });
    workers_->on(kJobOcr, [&p](const store::Job& j, jobs::JobContext& ctx) {
      return p.run_ocr(j.document_id, [&ctx](double f) { ctx.progress(f); });
    });
    workers_->on_interrupt([&p] { p.interrupt(); });
    workers_->on_final_failure([&p, this](const store::Job& j, const Error& e) {
      metrics_.counter("wenku_conversion_failures_total", "Jobs of a document that failed for good, by reason "
                       "(the error code: corrupt, encrypted, timeout, unsupported_format, ...) and job kind.",
                       {{"reason", std::string(error_code_name(e.code))}, {"kind", j.kind}}).add();
      p.on_final_failure(j.kind, j.document_id, e);
    });
    // Documents whose text never reached the index (a crash in between) are indexed again.
    (void)indexer_->catch_up(false);
    workers_->start();
    // The recycle bin's periodic purge runs where the workers run.
    bin_sweeper_ = std::make_unique<BinSweeper>(*recycle_bin_, 600);
  }
  return {};
}

ServiceFigures Library::figures() {
  ServiceFigures f;
  auto value = [](const Result<int64_t>& r) { return r.ok() ? *r : int64_t{-1}; };
  store::DocumentFilter filter;
  filter.status = DocumentStatus::kReady;
  f.documents_ready = value(store_->count_documents(filter));
  filter.status = DocumentStatus::kProcessing;
  f.documents_processing = value(store_->count_documents(filter));
  filter.status = DocumentStatus::kFailed;
  f.documents_failed = value(store_->count_documents(filter));
  f.jobs_queued = value(store_->count_jobs(store::JobState::kQueued));
  f.jobs_running = value(store_->count_jobs(store::JobState::kRunning));
  if (auto oldest = store_->oldest_queued_job_at(); oldest.ok()) {
    f.oldest_queued_job_age_seconds = *oldest == 0 ? 0 : std::max<int64_t>(0, now_unix() - *oldest);
  }
  if (auto ids = index_->all_ids(); ids.ok()) f.index_documents = static_cast<int64_t>(ids->size());
  f.index_lag_documents = value(indexer_->lag());
  std::error_code ec;
  int64_t bytes = 0;
  for (fs::recursive_directory_iterator it(dir_.index(), ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto n = it->file_size(size_ec);
      if (!size_ec) bytes += static_cast<int64_t>(n);
    }
  }
  if (!ec) f.index_bytes = bytes;
  return f;
}

void Library::notify_workers() {
  if (workers_) workers_->notify();
}

std::vector<BackendHealth> Library::health() {
  std::vector<BackendHealth> out;
  auto add = [&out](const char* name, const Error* e) {
    out.push_back({name, e == nullptr, e != nullptr ? e->message : ""});
  };
  auto docs = store_->count_documents(store::DocumentFilter{});
  add("store", docs.ok() ? nullptr : &docs.error());
  // A key that is never stored: the answer (false) proves the store is reachable.
  auto blob = blobs_->exists(std::string(64, '0'));
  add("blobs", blob.ok() ? nullptr : &blob.error());
  index::SearchQuery q;
  q.text = "wenku";
  q.limit = 1;
  auto hits = index_->search(q);
  add("index", hits.ok() ? nullptr : &hits.error());
  return out;
}

}  // namespace wenku::library
