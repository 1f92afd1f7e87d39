// Moving a library to other backends: blobs first (each verified in the target), then the
// rows table by table (keys kept, rows already there skipped), then the index rebuilt from
// the stored text and the target checked. A marker in the target's site settings says a
// migration is under way, so a second run resumes instead of refusing a non-empty target.
#include "library/migrate.h"

#include "blob/blob_store.h"
#include "library/backup.h"
#include "library/indexer.h"
#include "store/metadata_store.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = "migration_state";
constexpr int kBatchRows = 500;

Result<std::string> site_setting(store::MetadataStore& s, const std::string& key) {
  WENKU_ASSIGN_OR_RETURN(auto all, s.site_settings());
  for (const auto& [k, v] : all) {
    if (k == key) return v;
  }
  return std::string();
}

// The target's settings: its own data directory, unless that is the source's and the
// target keeps nothing there (then a private corner of the source's work/ holds its scratch).
Result<Settings> target_settings(const Library& from, Settings to) {
  const Settings& src = from.settings();
  DataDir a{src.data_dir()}, b{to.data_dir()};
  auto same = [&](const char* key, const std::string& x, const std::string& y) -> Result<void> {
    if (x == y) {
      return make_error(ErrorCode::kInvalidArgument, std::string(key) + ": the target is this library's own (" + x +
                                                         "): give the target configuration its own " + key);
    }
    return {};
  };
  WENKU_TRY(same("metadata_url", a.metadata_url(src.get("metadata_url")), b.metadata_url(to.get("metadata_url"))));
  WENKU_TRY(same("blob_url", a.blob_url(src.get("blob_url")), b.blob_url(to.get("blob_url"))));
  WENKU_TRY(same("search_url", a.search_url(src.get("search_url")), b.search_url(to.get("search_url"))));
  std::error_code ec;
  if (fs::equivalent(a.root, b.root, ec)) {
    if (to.get("metadata_url").empty() || to.get("blob_url").empty() || to.get("search_url").empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "data: the target configuration keeps part of its library in this data directory (" +
                            a.root.string() + "): give it its own data directory");
    }
    WENKU_TRY(to.set("data", (a.work() / "migrate-target").string(), "migrate"));
  }
  return to;
}

}  // namespace

Result<MigrateFigures> migrate_library(Library& from, const Settings& to_settings, const MigrateOptions& options) {
  auto progress = [&](const std::string& stage, int64_t done, int64_t total) {
    if (options.progress) options.progress(stage, done, total);
  };
  WENKU_ASSIGN_OR_RETURN(Settings to, target_settings(from, to_settings));
  // The target opened as a library: each backend that does not answer is named by its setting.
  WENKU_ASSIGN_OR_RETURN(auto target, Library::open(to, {.workers = false}));
  store::MetadataStore& src = from.store();
  store::MetadataStore& dst = target->store();

  MigrateFigures f;
  WENKU_ASSIGN_OR_RETURN(f.documents, src.count_documents({}));
  WENKU_ASSIGN_OR_RETURN(std::string state, site_setting(dst, kMarker));
  WENKU_ASSIGN_OR_RETURN(int64_t there_docs, dst.count_documents({}));
  WENKU_ASSIGN_OR_RETURN(int64_t there_users, dst.count_users());
  f.resumed = state == "copying";
  if (!options.force && state == "done") {
    return make_error(ErrorCode::kAlreadyExists,
                      "the target already holds a finished migration (" + std::to_string(there_docs) +
                          " documents): --force copies into it again (rows already there are kept as they are)");
  }
  if (!options.force && !f.resumed && (there_docs > 0 || there_users > 0)) {
    return make_error(ErrorCode::kAlreadyExists,
                      "the target already holds a library (" + std::to_string(there_docs) + " documents, " +
                          std::to_string(there_users) +
                          " accounts): migrate copies into empty backends only; --force copies into it anyway");
  }
  WENKU_TRY(dst.set_site_setting(kMarker, "copying"));

  // Blobs first: a row in the target never names a file the target lacks for long, and
  // the bulk of the time goes here.
  WENKU_ASSIGN_OR_RETURN(auto keys, src.referenced_blob_keys());
  fs::path scratch = target->data_dir().tmp() / "migrate";
  std::error_code ec;
  fs::create_directories(scratch, ec);
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i];
    auto n = copy_blob(from.blobs(), target->blobs(), key, scratch);
    if (!n.ok()) return make_error(n.error().code, "blob " + key + ": " + n.error().message);
    // Read back from the target: what it keeps is what the source had, byte for byte. A
    // copy that an earlier, interrupted run left damaged (a store that kept a cut-off
    // upload) is removed and copied again.
    auto v = target->blobs().verify(key);
    if (!v.ok() && v.error().code == ErrorCode::kCorrupt) {
      WENKU_TRY(target->blobs().remove(key));
      n = copy_blob(from.blobs(), target->blobs(), key, scratch);
      if (!n.ok()) return make_error(n.error().code, "blob " + key + ": " + n.error().message);
      v = target->blobs().verify(key);
    }
    if (!v.ok()) {
      return make_error(v.error().code, "blob_url: blob " + key + " does not read back intact: " + v.error().message);
    }
    ++f.blobs;
    f.bytes += *n;
    progress("blobs", static_cast<int64_t>(i + 1), static_cast<int64_t>(keys.size()));
  }
  fs::remove_all(scratch, ec);

  // The rows, parents before children. Documents arrive marked not indexed: the target's
  // index is rebuilt below from the text just copied.
  int64_t total_rows = 0;
  for (const auto& table : store::migration_tables()) {
    WENKU_ASSIGN_OR_RETURN(int64_t n, src.count_rows(table));
    total_rows += n;
  }
  for (const auto& table : store::migration_tables()) {
    WENKU_TRY(src.export_rows(table, kBatchRows, [&](const store::RowBatch& batch) -> Result<void> {
      const store::RowBatch* rows = &batch;
      store::RowBatch unindexed;
      if (table == "documents") {
        unindexed = batch;
        for (size_t c = 0; c < unindexed.columns.size(); ++c) {
          if (unindexed.columns[c] != "indexed") continue;
          for (auto& row : unindexed.rows) row[c] = "0";
        }
        rows = &unindexed;
      }
      auto inserted = dst.import_rows(*rows);
      if (!inserted.ok()) {
        return make_error(inserted.error().code, "metadata_url: table " + table + ": " + inserted.error().message);
      }
      f.rows += static_cast<int64_t>(batch.rows.size());
      f.rows_inserted += *inserted;
      progress("rows", f.rows, total_rows);
      return {};
    }));
  }

  // The index, from the stored text, in commits of a few MB; then everything verified.
  progress("index", 0, f.documents);
  WENKU_TRY(target->indexer_->catch_up(false));
  progress("index", f.documents, f.documents);
  WENKU_ASSIGN_OR_RETURN(f.check, target->check());
  progress("check", 1, 1);
  if (f.check.remaining == 0) WENKU_TRY(dst.set_site_setting(kMarker, "done"));
  return f;
}

}  // namespace wenku::library
