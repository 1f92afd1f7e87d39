// Library: the composition root. Opens a data directory, builds its stores, text tools,
// search index, converter and workers, and hands out the services that the CLI and the
// web site use (each a room of its own: ingest, pipeline, search, catalogue, moderation,
// site settings, accounts, comments, the recycle bin, social). The one module that knows all the others; nothing above it
// reaches a store or the blob store except through these services.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "core/settings.h"
#include "library/accounts.h"
#include "library/catalogue.h"
#include "library/comments.h"
#include "library/data_dir.h"
#include "library/ingest.h"
#include "library/moderation.h"
#include "library/pipeline.h"
#include "library/policy.h"
#include "library/recycle_bin.h"
#include "library/search_service.h"
#include "library/site_settings.h"
#include "library/social.h"
#include "library/watermarks.h"
#include "library/types.h"

namespace wenku::blob {
class BlobStore;
}
namespace wenku::index {
class SearchIndex;
}
namespace wenku::text {
class Normalizer;
class Segmenter;
class KeywordExtractor;
}
namespace wenku::jobs {
class WorkerPool;
}

namespace wenku::library {

class Indexer;
struct BackupFigures;
struct MigrateFigures;
struct MigrateOptions;

// Whether one backend answers (for /healthz): the metadata store, the blob store, the index.
struct BackendHealth {
  std::string name;   // "store", "blobs", "index"
  bool ok = false;
  std::string error;  // why not, when !ok
};

// The figures /metrics reads at each scrape (gauges); -1 where the backend cannot tell.
struct ServiceFigures {
  int64_t documents_ready = -1, documents_processing = -1, documents_failed = -1;
  int64_t jobs_queued = -1, jobs_running = -1;
  int64_t oldest_queued_job_age_seconds = -1;  // the longest wait of a runnable job; 0 = none waits
  int64_t index_documents = -1;                // documents the search index holds
  int64_t index_lag_documents = -1;            // ready documents whose current text it does not hold yet
  int64_t index_bytes = -1;                    // the index's files in the data directory
};

struct CheckReport {
  std::vector<std::string> problems;  // what was wrong, one line each
  std::vector<std::string> repairs;   // what was repaired
  int remaining = 0;                  // problems not repaired
  int documents = 0, blobs = 0, indexed = 0;
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

  Ingest& ingest() { return *ingest_; }
  Pipeline& pipeline() { return *pipeline_; }
  SearchService& search() { return *search_; }
  Catalogue& catalogue() { return *catalogue_; }
  Moderation& moderation() { return *moderation_; }
  SiteSettings& site_settings() { return *site_settings_; }
  Accounts& accounts() { return *accounts_; }
  Comments& comments() { return *comments_; }
  RecycleBin& recycle_bin() { return *recycle_bin_; }
  Social& social() { return *social_; }
  Watermarks& watermarks() { return *watermarks_; }

  // Asks each backend one cheap question (a count, an existence check, a one-hit query).
  std::vector<BackendHealth> health();

  // In-process counters and histograms (requests, jobs, uploads) of this process.
  metrics::Registry& metrics() { return metrics_; }
  // Documents, the queue and the index as /metrics shows them (a few store queries).
  ServiceFigures figures();

  // Verifies that every row's blob exists with its hash and that the index agrees with the
  // store; repairs what can be rebuilt (check.cpp).
  Result<CheckReport> check();

  const Settings& settings() const { return settings_; }
  const DataDir& data_dir() const { return dir_; }
  // True when this process holds the data directory alone (no server or import running).
  bool alone() const { return alone_; }

 private:
  // The backup service (backup.cpp) copies the raw store and blobs; no one else gets them.
  friend Result<BackupFigures> backup_library(Library& lib, const std::filesystem::path& out);
  friend Result<CheckReport> finish_restore(Library& lib);
  // The migration (migrate.cpp) copies rows and blobs between two libraries' raw stores.
  friend Result<MigrateFigures> migrate_library(Library& from, const Settings& to, const MigrateOptions& options);
  store::MetadataStore& store() { return *store_; }
  blob::BlobStore& blobs() { return *blobs_; }

  Library(Settings settings, DataDir dir);
  Result<void> init(Options options);
  void notify_workers();

  Settings settings_;
  DataDir dir_;
  metrics::Registry metrics_;  // before the workers that count into it
  std::unique_ptr<DataLock> lock_;
  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
  std::unique_ptr<text::Normalizer> normalizer_;
  std::unique_ptr<text::Segmenter> segmenter_;
  std::unique_ptr<text::KeywordExtractor> keywords_;
  std::unique_ptr<index::SearchIndex> index_;
  std::unique_ptr<Indexer> indexer_;
  std::unique_ptr<SiteSettings> site_settings_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Ingest> ingest_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<SearchService> search_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Moderation> moderation_;
  std::unique_ptr<Social> social_;
  std::unique_ptr<Watermarks> watermarks_;
  std::unique_ptr<jobs::WorkerPool> workers_;
  std::unique_ptr<Comments> comments_;
  std::unique_ptr<RecycleBin> recycle_bin_;
  std::unique_ptr<BinSweeper> bin_sweeper_;  // with the workers: purges the recycle bin
  bool alone_ = false;
};

}  // namespace wenku::library
