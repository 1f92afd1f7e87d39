// Library: the application. Owns the stores, the index, the converter and the workers, and
// offers what the CLI and the web site do with documents: upload, process, get, search,
// related, check. The one module that knows all the others.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "core/result.h"
#include "core/settings.h"
#include "library/data_dir.h"
#include "ocr/ocr_engine.h"
#include "store/metadata_store.h"

namespace wenku::index {
class SearchIndex;
}
namespace wenku::text {
class Normalizer;
class Segmenter;
class KeywordExtractor;
}
namespace wenku::convert {
class Converter;
}
namespace wenku::jobs {
class WorkerPool;
}
namespace wenku::render {
class PdfDocument;
}

namespace wenku::library {

struct ImportRequest {
  std::string title;          // "" = the file name
  std::string original_name;  // the file name as uploaded
  std::string external_id;
  std::string category;       // "办公文档/事务文书"
  std::string description;
  std::vector<std::string> tags;
  std::string uploader_name;
  int64_t uploader_id = 0;
  store::Visibility visibility = store::Visibility::kPublic;
};

struct ImportOutcome {
  int64_t id = 0;             // the new document, or the original of a duplicate
  bool duplicate = false;
};

// Bytes of an upload on their way to the blob store: written to this process's scratch
// directory with the SHA-256 computed on the way and the size limit enforced.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;
  // Errors: kTooLarge, kIo.
  virtual Result<void> write(std::string_view chunk) = 0;
  virtual uint64_t size() const = 0;
};

struct CheckReport {
  std::vector<std::string> problems;  // what was wrong, one line each
  std::vector<std::string> repairs;   // what was repaired
  int remaining = 0;                  // problems not repaired
  int documents = 0, blobs = 0, indexed = 0;
};

struct SearchRequest {
  std::string query;
  std::string category;
  std::string format;
  std::string sort;           // "", "newest", "views"
  int page = 1;
  int per_page = 10;
  bool log = false;           // record in the query log
};

struct SearchHitView {
  store::Document doc;
  double score = 0;
  std::string snippet;        // escaped HTML with <em>
  std::vector<int> pages;
};

struct SearchResponse {
  std::string query;
  int64_t total = 0;
  double took_ms = 0;
  std::vector<SearchHitView> hits;
};

class Library {
 public:
  struct Options {
    bool workers = true;      // run processing workers in this process
    bool exclusive = false;   // try to hold the data directory alone (check)
  };
  // Opens (creating) the data directory of `settings`. Errors: kIo, kInvalidArgument.
  static Result<std::unique_ptr<Library>> open(const Settings& settings, Options options);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // Upload path: begin, write chunks, commit. commit() stores the blob and writes the row and
  // its job in one transaction; an exact duplicate (same SHA-256) returns the original.
  // Errors: kInvalidArgument (empty file), kTooLarge, kIo.
  Result<std::unique_ptr<UploadWriter>> begin_upload();
  Result<ImportOutcome> commit_upload(std::unique_ptr<UploadWriter> upload, const ImportRequest& request);
  // Convenience over the upload path. Errors as above plus kNotFound for a missing path.
  Result<ImportOutcome> import_file(const std::filesystem::path& path, ImportRequest request);
  Result<ImportOutcome> import_text(std::string_view utf8_text, ImportRequest request);

  // Blocks until the document is ready or failed (or `timeout_seconds` pass).
  Result<store::Document> wait_until_done(int64_t id, int timeout_seconds);
  // Re-runs the processing of one document. Errors: kNotFound.
  Result<void> retry(int64_t id);
  // Changes a document's metadata (title, category, visibility, hidden, ...) and brings the
  // search index along, so search shows what the document page shows. Errors: kNotFound.
  Result<void> update_document(int64_t id, const store::DocumentUpdate& update);
  // Deletes a document: its row, pages and jobs, its index entry, and the stored files no
  // other document refers to. Errors: kNotFound.
  Result<void> delete_document(int64_t id);

  Result<SearchResponse> search(const SearchRequest& request);
  Result<std::vector<store::Document>> related(int64_t id, int limit);

  // Searches from the query log (kept `query_log_days`; old rows are pruned as these run).
  // Popular searches (热门搜索) of the last 30 days that found something, most frequent
  // first; 學校 and 学校 count as one. Errors: kIo.
  Result<std::vector<store::QueryCount>> popular_searches(int n);
  // Related searches (相关搜索) of a query: popular searches sharing a word with it, those
  // sharing more and longer words first, never the query itself. Errors: kIo.
  Result<std::vector<store::QueryCount>> related_searches(const std::string& query, int n);
  // Related searches of a document: the searches that led to it, then those related to its
  // title. Errors: kNotFound, kIo.
  Result<std::vector<store::QueryCount>> related_searches(int64_t document_id, int n);
  // Suggestions as the user types: popular searches starting with `prefix`, then titles of
  // listed documents starting with it (both compared after normalisation). Errors: kIo.
  Result<std::vector<std::string>> suggest(const std::string& prefix, int n);
  // Merges the search index after a bulk import (faster queries; takes seconds per 100k
  // documents). Errors: kIo.
  Result<void> optimize_index();

  // Verifies that every row's blob exists with its hash and that the index agrees with the
  // store; repairs what can be rebuilt.
  Result<CheckReport> check();

  store::MetadataStore& store() { return *store_; }
  blob::BlobStore& blobs() { return *blobs_; }
  const Settings& settings() const { return settings_; }
  const DataDir& data_dir() const { return dir_; }
  // True when this process holds the data directory alone (no server or import running).
  bool alone() const { return alone_; }

  // Processing steps (job handlers); public for tests.
  Result<void> run_extract(int64_t document_id);
  // Several extract jobs together: each document's text as run_extract, then one commit to
  // the search index for all of them. One result per document, in order.
  // `progress` (fraction done) is called between documents: it renews the jobs' leases.
  std::vector<Result<void>> run_extract_batch(const std::vector<int64_t>& document_ids,
                                              const std::function<void(double)>& progress = {});
  Result<void> run_preview(int64_t document_id);
  Result<void> run_render_rest(int64_t document_id);
  // OCR of the pages without a usable text layer (scans) and of image documents, within the
  // page budget (ocr_pages.cpp); the document is ready when it is done.
  Result<void> run_ocr(int64_t document_id, const std::function<void(double)>& progress = {});

 private:
  Library(Settings settings, DataDir dir);
  Result<void> init(Options options);
  Result<void> reindex(int64_t id);
  // Indexes the documents' current text, in commits of a few MB; one result per document.
  std::vector<Result<void>> reindex_batch(const std::vector<int64_t>& ids);
  std::mutex reindex_mu_;  // re-indexes one at a time (reindex_batch)
  // run_extract in its three steps: the text into the store (true when the document has
  // text to index), the index, then what follows indexing (category, the preview job).
  struct Extracted {
    bool has_text = false;
    bool plain_text = false;
  };
  Result<Extracted> extract_step(int64_t id);
  Result<void> after_extract_step(int64_t id, const Extracted& e);
  // Keywords and the near-duplicate fingerprint from the stored text (before indexing).
  Result<void> analyse(int64_t id);
  // The category of the closest documents, for one uploaded without (after indexing).
  Result<void> suggest_category(int64_t id);
  Result<convert::Converter*> converter();
  // Renders pages [from, to) (0-based) and stores their images; returns the index after
  // the last page rendered (< to when one failed).
  Result<int> render_pages(int64_t id, const render::PdfDocument& pdf, int from, int to);
  void mark_failed(int64_t id, const Error& error);
  // OCR hook (ocr_pages.cpp): an image document's pages and previews; whether a PDF's pages
  // need OCR (then the ocr job is queued and the document stays processing until it is done).
  Result<void> run_image_preview(int64_t id, const store::Document& doc, const std::filesystem::path& original);
  Result<bool> queue_ocr(int64_t id, const std::vector<std::string>& page_texts);
  std::unique_ptr<ocr::OcrEngine> ocr_engine_;  // loaded on the first OCR job, kept
  std::mutex ocr_mu_;
  void notify_workers();

  Settings settings_;
  DataDir dir_;
  std::unique_ptr<DataLock> lock_;
  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
  std::unique_ptr<text::Normalizer> normalizer_;
  std::unique_ptr<text::Segmenter> segmenter_;
  std::unique_ptr<text::KeywordExtractor> keywords_;
  std::unique_ptr<index::SearchIndex> index_;
  std::unique_ptr<convert::Converter> converter_;
  std::unique_ptr<jobs::WorkerPool> workers_;
  std::mutex converter_mu_;
  bool alone_ = false;
  // Query log helpers (search_log in library.cpp).
  std::vector<std::string> query_words(std::string_view query) const;
  void prune_query_log_if_due();
  std::atomic<int64_t> query_log_pruned_at_{0};
};

}  // namespace wenku::library
