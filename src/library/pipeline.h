// Pipeline: the processing of one document, as job handlers. extract (detect, native text,
// analysis of plain text, searchable), preview (a PDF, its pages and text, the first preview
// pages, analysis once on the final text, ready), render_rest (the remaining pages up to
// the effective max_preview_pages). Each step reads the document and its pages once and
// hands them along. May call: store, blob, index (through the indexer), text, detect,
// extract, convert, render, site settings.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/ocr_step.h"
#include "library/types.h"

namespace wenku::blob {
class BlobStore;
}
namespace wenku::index {
class SearchIndex;
}
namespace wenku::text {
class Segmenter;
class KeywordExtractor;
}
namespace wenku::convert {
class Converter;
}
namespace wenku::render {
class Document;
}

namespace wenku::library {

class Indexer;
class ScratchDir;
class SiteSettings;

class Pipeline {
 public:
  struct Parts {
    const Settings& settings;
    store::MetadataStore& store;
    blob::BlobStore& blobs;
    index::SearchIndex& index;
    Indexer& indexer;
    text::Segmenter& segmenter;
    text::KeywordExtractor& keywords;
    SiteSettings& site;
    ScratchDir& scratch;
    std::filesystem::path convert_work_dir;
    std::function<void()> notify;
  };
  explicit Pipeline(Parts parts);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  Result<void> run_extract(int64_t document_id);
  // Several extract jobs together: each document's text as run_extract, then one commit to
  // the search index for all of them. One result per document, in order.
  // `progress` (fraction done) is called between documents: it renews the jobs' leases.
  std::vector<Result<void>> run_extract_batch(const std::vector<int64_t>& document_ids,
                                              const std::function<void(double)>& progress = {});
  Result<void> run_preview(int64_t document_id);
  Result<void> run_render_rest(int64_t document_id);
  // A reader reached page `page` (1-based) of `doc` before its image was made: a
  // `render_page` job for it is queued (one pending per page, its own worker lane,
  // kPriorityReader), the document's queued render_rest job is hurried, and the workers are
  // woken. Only for a ready document's pages within the effective max_preview_pages; at most
  // once per page every few seconds in this process (a placeholder asks again until its
  // image comes) and `page_requests_per_minute` pages per `visitor` (any key naming the
  // asker: account or address) across processes. True when a job was queued or hurried.
  Result<bool> request_page(const Document& doc, int page, const std::string& visitor);
  // The `render_page` job: page `page` and the two after it, those without an image yet
  // (within the effective max_preview_pages); preview_pages_done follows the rendered prefix.
  Result<void> run_render_page(int64_t document_id, int page);
  // The `watermark` job: the document's rendered page images made again with the site's
  // current watermark (none when it was cleared).
  Result<void> run_watermark(int64_t document_id);
  // Queues a `watermark` job, at low priority, for every document with page images (after
  // the watermark text changed). Errors: kIo.
  Result<int> queue_watermark_all();
  // The `ocr` job of a scanned PDF or an image document (ocr_step.h). `progress` renews the
  // job's lease between pages.
  Result<void> run_ocr(int64_t document_id, const std::function<void(double)>& progress);
  // A job that failed for good: the document is marked failed unless it is already
  // readable (a plain text whose previews failed). `kind` is the job's.
  void on_final_failure(const std::string& kind, int64_t document_id, const Error& error);
  // A graceful stop whose grace ran out (jobs::WorkerPool::on_interrupt): running
  // conversions are cut short, so their jobs go back to the queue now. Thread-safe.
  void interrupt();

  // How many times this pipeline read a document's pages from the store, and analysed a
  // text (figures for tests: a preview job reads its pages once and analyses once).
  uint64_t page_reads() const { return page_reads_.load(); }
  uint64_t analyses() const { return analyses_.load(); }

 private:
  struct Extracted {
    bool has_text = false;
    bool plain_text = false;
  };
  Result<Extracted> extract_step(int64_t id);
  Result<void> after_extract_step(int64_t id, const Extracted& e);
  Result<std::vector<Page>> read_pages(int64_t id);
  // Keywords and the near-duplicate fingerprint of the document's final text.
  Result<void> analyse(const Document& doc, const std::vector<Page>& pages);
  // The category of the closest documents, for one uploaded without (after indexing).
  Result<void> suggest_category(int64_t id);
  Result<convert::Converter*> converter();
  // Renders pages [from, to) (0-based) and stores their images; returns the index after
  // the last page rendered (< to when one failed).
  Result<int> render_pages(int64_t id, const render::Document& pdf, int from, int to);
  // Renders the pages of `numbers` (1-based) and stores their images; stops at the first
  // that fails. Returns how many were rendered.
  Result<int> render_numbers(int64_t id, const render::Document& pdf, const std::vector<int>& numbers);
  // The PDF whose pages are the previews (the original or the converted copy); nullptr
  // when the document has none (an image document, a text without a layout).
  Result<std::unique_ptr<render::Document>> open_pdf(const Document& doc);
  void mark_failed(int64_t id, const Error& error);

  Parts p_;
  std::unique_ptr<OcrStep> ocr_;
  std::mutex converter_mu_;
  std::unique_ptr<convert::Converter> converter_;
  std::mutex hurry_mu_;
  std::map<std::pair<int64_t, int>, std::chrono::steady_clock::time_point> hurried_;  // (document, page) -> when
  std::atomic<uint64_t> page_reads_{0};
  std::atomic<uint64_t> analyses_{0};
};

}  // namespace wenku::library
