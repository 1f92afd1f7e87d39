// Library: opening the data directory, the upload path, waiting, retry and search.
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
    // Its jobs go in batches when they queue up (a bulk import): the search index then
    // commits many documents at once, ~1.6x less CPU per MB than a commit each
    // (bench/README.md "Indexing and size"). An upload on an idle site is a batch of one.
    wo.lanes = {{"text", {kJobExtract}, 1, static_cast<int>(settings_.get_int("text_batch"))}, {"preview", {kJobPreview, kJobRenderRest}, slow},
                {"ocr", {kJobOcr}, 1}};
    workers_ = std::make_unique<jobs::WorkerPool>(*store_, wo);
    workers_->on(kJobExtract, [this](const store::Job& j, jobs::JobContext&) { return run_extract(j.document_id); });
    workers_->on_batch(kJobExtract, [this](const std::vector<store::Job>& batch, jobs::JobContext& ctx) {
      std::vector<int64_t> ids;
      for (const store::Job& j : batch) ids.push_back(j.document_id);
      return run_extract_batch(ids, [&ctx](double f) { ctx.progress(f); });
    });
    workers_->on(kJobPreview, [this](const store::Job& j, jobs::JobContext&) { return run_preview(j.document_id); });
    workers_->on(kJobRenderRest,
                 [this](const store::Job& j, jobs::JobContext&) { return run_render_rest(j.document_id); });
    workers_->on(kJobOcr, [this](const store::Job& j, jobs::JobContext& ctx) {
      return run_ocr(j.document_id, [&ctx](double f) { ctx.progress(f); });
    });
    workers_->on_final_failure([this](const store::Job& j, const Error& e) {
      if (j.kind == kJobOcr) {
        // Its previews exist: without OCR text the document is still readable.
        store::DocumentUpdate ready;
        ready.status = store::DocumentStatus::kReady;
        (void)store_->update_document(j.document_id, ready);
        return;
      }
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
  WENKU_ASSIGN_OR_RETURN(auto before, store_->get_document(id));
  // A document still processing is indexed when its text is in; re-indexing now would only
  // index it early with whatever pages exist.
  if (before.status == store::DocumentStatus::kProcessing && !before.indexed) {
    bool indexed_meanwhile = false;
    {
      // Under the re-index lock no worker is between reading the document and marking it
      // indexed: it either has not read it yet (and will read the edit) or has marked it.
      std::lock_guard serial(reindex_mu_);
      WENKU_TRY(store_->update_document(id, update));
      WENKU_ASSIGN_OR_RETURN(auto after, store_->get_document(id));
      indexed_meanwhile = after.indexed;
    }
    // The worker indexed it (with the old fields) in between: again, with the edit.
    return indexed_meanwhile ? reindex(id) : Result<void>{};
  }
  // The edit and "the index is behind" commit together: a kill before the index catches up
  // leaves indexed=false, which the start-up scan and `wenku check` re-index. (Committing the
  // edit alone left search on the old title for good: crash_edit_test found it.)
  store::DocumentUpdate u = update;
  if (!u.indexed) u.indexed = false;
  WENKU_TRY(store_->update_document(id, u));
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
  {
    // Not between a re-indexer's read and its commit, which would put the document back
    // into the index after this removed it.
    std::lock_guard serial(reindex_mu_);
    WENKU_TRY(store_->delete_document(id));
    WENKU_TRY(index_->remove(id));
  }
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

// ---- searches from the query log: popular, related, suggestions ------------------------

namespace {
constexpr int64_t kPopularWindowSeconds = 30 * 86400;
constexpr int kLogCandidates = 500;      // popular searches looked at for related ones
constexpr size_t kMaxPrefixBytes = 50;   // what the search box sends while typing
}  // namespace

// Normalised words of a query and the dictionary words inside them (改革开放: 改革, 开放),
// without punctuation or spaces: what two queries share.
std::vector<std::string> Library::query_words(std::string_view query) const {
  std::string norm = normalizer_->normalize(query);
  std::vector<std::string> out;
  for (const text::Token& t : segmenter_->segment(norm, text::SegmentMode::kIndex)) {
    std::u32string u = utf8_to_u32(t.text);
    bool content = std::any_of(u.begin(), u.end(), [](char32_t c) {
      return c >= 0x3400 || (c < 0x80 && std::isalnum(static_cast<int>(c)));
    });
    if (content && std::find(out.begin(), out.end(), t.text) == out.end()) out.emplace_back(t.text);
  }
  return out;
}

// At most once an hour per process: the log keeps what the site's setting allows.
void Library::prune_query_log_if_due() {
  int64_t now = now_unix();
  int64_t last = query_log_pruned_at_.load();
  if (now - last < 3600 || !query_log_pruned_at_.compare_exchange_strong(last, now)) return;
  int64_t days = settings_.get_int("query_log_days");
  if (auto r = store_->prune_query_log(now - days * 86400); !r.ok()) {
    log::warn("query_log_prune_failed error={}", r.error().message);
  }
}

Result<std::vector<store::QueryCount>> Library::popular_searches(int n) {
  prune_query_log_if_due();
  n = std::clamp(n, 0, 100);
  WENKU_ASSIGN_OR_RETURN(auto logged, store_->popular_queries(now_unix() - kPopularWindowSeconds, n * 4 + 8));
  // One entry per normalised query, shown as its most frequent spelling.
  std::vector<store::QueryCount> out;
  std::vector<std::string> keys;
  for (const auto& q : logged) {
    std::string key = normalizer_->normalize(trim(q.query));
    if (key.empty()) continue;
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      out.push_back(q);
    } else {
      out[static_cast<size_t>(it - keys.begin())].count += q.count;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  if (out.size() > static_cast<size_t>(n)) out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::vector<store::QueryCount>> Library::related_searches(const std::string& query, int n) {
  prune_query_log_if_due();
  n = std::clamp(n, 0, 100);
  std::vector<std::string> words = query_words(query);
  std::string self = normalizer_->normalize(trim(query));
  std::vector<store::QueryCount> out;
  if (words.empty() || n == 0) return out;
  WENKU_ASSIGN_OR_RETURN(auto logged, store_->popular_queries(now_unix() - kPopularWindowSeconds, kLogCandidates));
  struct Scored {
    double score;
    store::QueryCount q;
  };
  std::vector<Scored> scored;
  std::vector<std::string> seen{self};
  for (const auto& q : logged) {
    std::string key = normalizer_->normalize(trim(q.query));
    if (key.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    // Shared words, longer ones counting more ("教育改革" says more than "教育").
    double shared = 0;
    for (const std::string& w : query_words(q.query)) {
      if (std::find(words.begin(), words.end(), w) != words.end()) shared += static_cast<double>(utf8_length(w));
    }
    if (shared == 0) continue;
    seen.push_back(key);
    scored.push_back({shared * std::log(2.0 + static_cast<double>(q.count)), q});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  for (size_t i = 0; i < scored.size() && out.size() < static_cast<size_t>(n); ++i) out.push_back(scored[i].q);
  return out;
}

Result<std::vector<store::QueryCount>> Library::related_searches(int64_t document_id, int n) {
  n = std::clamp(n, 0, 100);
  WENKU_ASSIGN_OR_RETURN(auto doc, store_->get_document(document_id));
  WENKU_ASSIGN_OR_RETURN(auto led_here, store_->queries_for_document(document_id, n));
  std::vector<store::QueryCount> out;
  std::vector<std::string> keys;
  auto add = [&](const store::QueryCount& q) {
    std::string key = normalizer_->normalize(trim(q.query));
    if (key.empty() || out.size() >= static_cast<size_t>(n) ||
        std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return;
    }
    keys.push_back(key);
    out.push_back(q);
  };
  for (const auto& q : led_here) add(q);
  if (out.size() < static_cast<size_t>(n)) {
    WENKU_ASSIGN_OR_RETURN(auto by_title, related_searches(doc.title, n));
    for (const auto& q : by_title) add(q);
  }
  return out;
}

Result<std::vector<std::string>> Library::suggest(const std::string& prefix, int n) {
  n = std::clamp(n, 0, 50);
  std::string p = utf8_prefix(trim(sanitize_utf8(prefix)), kMaxPrefixBytes);
  std::vector<std::string> out;
  if (p.empty() || n == 0) return out;
  std::vector<std::string> keys;
  auto add = [&](const std::string& s) {
    std::string key = normalizer_->normalize(trim(s));
    if (key.empty() || out.size() >= static_cast<size_t>(n) ||
        std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return;
    }
    keys.push_back(key);
    out.push_back(s);
  };
  // Logged searches match as typed, and as normalised (學 typed finds 学校 searched).
  std::vector<store::QueryCount> logged;
  WENKU_ASSIGN_OR_RETURN(logged, store_->suggest_queries(p, n));
  std::string norm = normalizer_->normalize(p);
  if (norm != p && !norm.empty()) {
    WENKU_ASSIGN_OR_RETURN(auto more, store_->suggest_queries(norm, n));
    logged.insert(logged.end(), more.begin(), more.end());
    std::stable_sort(logged.begin(), logged.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  }
  for (const auto& q : logged) add(q.query);
  if (out.size() < static_cast<size_t>(n)) {
    WENKU_ASSIGN_OR_RETURN(auto titles, index_->suggest_titles(p, n));
    for (const auto& t : titles) add(t);
  }
  return out;
}

Result<void> Library::optimize_index() { return index_->optimize(); }

}  // namespace wenku::library
