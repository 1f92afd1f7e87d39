// Library: opening the data directory, the upload path, waiting, retry and search.
#include "library/library.h"

#include <thread>

#include "blob/file_blob_store.h"
#include "convert/converter.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "index/search_index.h"
#include "jobs/worker_pool.h"
#include "library/job_kinds.h"
#include "library/upload.h"
#include "text/keywords.h"
#include "text/normalizer.h"
#include "text/segmenter.h"
#include "library/demo.h"

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

// An uploaded file's name as a title: what follows the last path separator, without control
// characters (NUL, newlines), at most 255 characters. Names are data from strangers.
std::string clean_file_name(std::string_view raw) {
  std::string s = sanitize_utf8(raw);
  size_t cut = s.find_last_of("/\\");
  if (cut != std::string::npos) s = s.substr(cut + 1);
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
  }
  out = utf8_prefix(trim(out), 255);
  return out.empty() || out == "." || out == ".." ? std::string("document") : out;
}

}  // namespace

Library::~Library() {
  if (workers_) workers_->stop();
  if (converter_ && scratch_) {
    converter_.reset();  // the helpers end before their directory goes
    std::error_code ec;
    fs::remove_all(dir_.work() / ("convert-" + scratch_->path().filename().string()), ec);
  }
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
  WENKU_ASSIGN_OR_RETURN(store_, store::open_metadata_store("sqlite://" + dir_.db().string()));
  WENKU_ASSIGN_OR_RETURN(blobs_, blob::open_blob_store("file://" + dir_.blobs().string()));
  // One dictionary in memory, shared by the index and the keyword extractor.
  WENKU_ASSIGN_OR_RETURN(normalizer_, text::make_normalizer());
  WENKU_ASSIGN_OR_RETURN(segmenter_, text::make_segmenter());
  WENKU_ASSIGN_OR_RETURN(auto keywords, text::KeywordExtractor::load());
  keywords_ = std::make_unique<text::KeywordExtractor>(std::move(keywords));
  WENKU_ASSIGN_OR_RETURN(index_, index::open_search_index("sqlite://" + (dir_.index() / "search.db").string(),
                                                          *normalizer_, *segmenter_));

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
    // Text extraction has its own lane so a document is searchable within a second however
    // long the conversion queue is.
    wo.lanes = {{"text", {kJobExtract}, 1}, {"preview", {kJobPreview, kJobRenderRest}, slow}};
    workers_ = std::make_unique<jobs::WorkerPool>(*store_, wo);
    workers_->on(kJobExtract, [this](const store::Job& j, jobs::JobContext&) { return run_extract(j.document_id); });
    workers_->on(kJobPreview, [this](const store::Job& j, jobs::JobContext&) { return run_preview(j.document_id); });
    workers_->on(kJobRenderRest,
                 [this](const store::Job& j, jobs::JobContext&) { return run_render_rest(j.document_id); });
    workers_->on_final_failure([this](const store::Job& j, const Error& e) {
      // Previews that fail for a document already readable (plain text) leave it readable.
      auto doc = store_->get_document(j.document_id);
      if (j.kind != kJobRenderRest && doc.ok() && doc->status != store::DocumentStatus::kReady) {
        mark_failed(j.document_id, e);
      }
    });
    // Documents whose text never reached the index (a crash in between) are indexed again.
    if (auto pending = store_->unindexed_documents(); pending.ok()) {
      for (int64_t id : *pending) {
        auto d = store_->get_document(id);
        if (d.ok() && d->status != store::DocumentStatus::kProcessing) (void)reindex(id);
      }
    }
    workers_->start();
  }
  return {};
}

void Library::notify_workers() {
  if (workers_) workers_->notify();
}

Result<std::unique_ptr<UploadWriter>> Library::begin_upload() {
  WENKU_ASSIGN_OR_RETURN(auto w, FileUploadWriter::create(scratch_->new_file(".upload"),
                                                          static_cast<uint64_t>(settings_.get_int("max_upload_bytes"))));
  return std::unique_ptr<UploadWriter>(std::move(w));
}

Result<ImportOutcome> Library::commit_upload(std::unique_ptr<UploadWriter> upload, const ImportRequest& request) {
  auto* file = dynamic_cast<FileUploadWriter*>(upload.get());
  if (file == nullptr) return make_error(ErrorCode::kInternal, "foreign upload writer");
  if (file->size() == 0) {
    return make_error(ErrorCode::kInvalidArgument, "文件是空的 / the file is empty");
  }
  WENKU_ASSIGN_OR_RETURN(std::string sha, file->finish());
  WENKU_ASSIGN_OR_RETURN(auto existing, store_->find_by_sha256(sha));
  if (existing) return ImportOutcome{existing->id, true};

  WENKU_ASSIGN_OR_RETURN(std::string key, blobs_->put_file(file->path(), sha));
  store::NewDocument doc;
  doc.original_name = clean_file_name(request.original_name);
  doc.title = sanitize_utf8(request.title.empty() ? doc.original_name : request.title);
  doc.external_id = request.external_id;
  doc.category_path = request.category;
  doc.description = request.description;
  doc.tags = request.tags;
  doc.uploader_name = request.uploader_name;
  doc.uploader_id = request.uploader_id;
  doc.size = static_cast<int64_t>(file->size());
  doc.sha256 = sha;
  doc.blob_key = key;
  doc.visibility = request.visibility;
  // The row and its first job are one transaction: once this returns the upload is durable.
  WENKU_ASSIGN_OR_RETURN(int64_t id, store_->create_document(doc, {kJobExtract, 0, 0,
                                                                    static_cast<int>(settings_.get_int("job_max_attempts"))}));
  notify_workers();
  return ImportOutcome{id, false};
}

Result<ImportOutcome> Library::import_file(const fs::path& path, ImportRequest request) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return make_error(ErrorCode::kNotFound, "不是可读的文件 / not a readable file: " + path.string());
  }
  FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) {
    return make_error(ErrorCode::kNotFound, "无法读取 / cannot read: " + path.string());
  }
  WENKU_ASSIGN_OR_RETURN(auto upload, begin_upload());
  std::string buf(256 * 1024, '\0');
  for (;;) {
    size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n > 0) {
      auto w = upload->write(std::string_view(buf.data(), n));
      if (!w.ok()) {
        std::fclose(in);
        return w.take_error();
      }
    }
    if (n < buf.size()) break;
  }
  bool read_error = std::ferror(in) != 0;
  std::fclose(in);
  if (read_error) return make_error(ErrorCode::kIo, "读取失败 / read error: " + path.string());
  if (request.original_name.empty()) request.original_name = path.filename().string();
  return commit_upload(std::move(upload), request);
}

Result<ImportOutcome> Library::import_text(std::string_view utf8_text, ImportRequest request) {
  WENKU_ASSIGN_OR_RETURN(auto upload, begin_upload());
  WENKU_TRY(upload->write(utf8_text));
  if (request.original_name.empty()) {
    request.original_name = (request.title.empty() ? std::string("text") : request.title) + ".txt";
  }
  return commit_upload(std::move(upload), request);
}

Result<store::Document> Library::wait_until_done(int64_t id, int timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(auto doc, store_->get_document(id));
    if (doc.status != store::DocumentStatus::kProcessing) return doc;
    if (std::chrono::steady_clock::now() > deadline) {
      return make_error(ErrorCode::kTimeout, "处理超时 / processing did not finish in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<void> Library::retry(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, store_->get_document(id));
  store::DocumentUpdate u;
  u.status = store::DocumentStatus::kProcessing;
  u.error = "";
  WENKU_TRY(store_->update_document(id, u));
  WENKU_TRY(store_->enqueue_job({kJobExtract, id, 0, static_cast<int>(settings_.get_int("job_max_attempts"))}));
  notify_workers();
  return {};
}

Result<void> Library::update_document(int64_t id, const store::DocumentUpdate& update) {
  WENKU_TRY(store_->update_document(id, update));
  WENKU_ASSIGN_OR_RETURN(auto doc, store_->get_document(id));
  // A document still processing is indexed when its text is in; re-indexing now would only
  // index it early with whatever pages exist.
  if (doc.status == store::DocumentStatus::kProcessing && !doc.indexed) return {};
  return reindex(id);
}

Result<void> Library::delete_document(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, store_->get_document(id));
  WENKU_ASSIGN_OR_RETURN(auto pages, store_->get_pages(id));
  std::vector<std::string> keys = {doc.blob_key, doc.pdf_key};
  for (const auto& p : pages) {
    keys.push_back(p.image_key);
    keys.push_back(p.thumb_key);
  }
  WENKU_TRY(store_->delete_document(id));
  WENKU_TRY(index_->remove(id));
  // Files are shared by content (a blank page, the same original): remove only those no
  // remaining row names. A crash in between leaves orphans that `wenku check` removes.
  for (const auto& key : keys) {
    if (key.empty()) continue;
    auto used = store_->is_blob_referenced(key);
    if (used.ok() && !*used) (void)blobs_->remove(key);
  }
  return {};
}

void Library::mark_failed(int64_t id, const Error& error) {
  store::DocumentUpdate u;
  u.status = store::DocumentStatus::kFailed;
  u.error = error.message.empty() ? std::string(error_code_name(error.code)) : error.message;
  if (auto r = store_->update_document(id, u); !r.ok()) {
    log::error("mark_failed_failed document={} error={}", id, r.error().message);
  }
}

Result<SearchResponse> Library::search(const SearchRequest& request) {
  SearchResponse out;
  out.query = request.query;
  index::SearchQuery q;
  q.text = request.query;
  q.category_prefix = request.category;
  q.format = request.format;
  if (request.sort == "newest") q.sort = index::SortOrder::kNewest;
  if (request.sort == "views") q.sort = index::SortOrder::kMostViewed;
  int per_page = std::clamp(request.per_page, 1, 100);
  q.limit = per_page;
  q.offset = (std::max(request.page, 1) - 1) * per_page;
  WENKU_ASSIGN_OR_RETURN(auto result, index_->search(q));
  out.total = result.total;
  out.took_ms = result.took_ms;
  for (auto& hit : result.hits) {
    auto doc = store_->get_document(hit.id);
    if (!doc.ok()) continue;  // deleted since it was indexed
    out.hits.push_back({std::move(doc).value(), hit.score, std::move(hit.snippet), std::move(hit.pages)});
  }
  return out;
}

Result<std::vector<store::Document>> Library::related(int64_t id, int limit) {
  WENKU_ASSIGN_OR_RETURN(auto ids, index_->related(id, limit));
  std::vector<store::Document> out;
  for (int64_t rid : ids) {
    auto doc = store_->get_document(rid);
    if (doc.ok()) out.push_back(std::move(doc).value());
  }
  return out;
}

}  // namespace wenku::library
