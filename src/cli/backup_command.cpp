// `wenku backup` and `wenku restore`: the command line of the library's backup service
// (library/backup.h), which copies a data directory while the server runs and brings such a
// copy back into an empty directory.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "http/error_words.h"
#include "library/backup.h"

namespace wenku::cli {

namespace fs = std::filesystem;

int backup_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku backup [--data DIR] OUT\n\n"
      "Copies the data directory into the new directory OUT while the server may run: a snapshot\n"
      "of the metadata (the store's online backup) and every stored file it refers to, each checked\n"
      "against its hash. The search index is rebuilt by `wenku restore`. OUT/backup.json is\n"
      "written last: a directory without it is an unfinished backup.\n";
  auto args = parse_args(argv, with_common({{}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 1) return usage_error("backup needs one output directory", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  fs::path out = args->positionals[0];
  auto lib = open_library(*settings, {.workers = false});
  if (!lib) return kExitFailure;
  auto started = std::chrono::steady_clock::now();
  auto figures = library::backup_library(*lib, out);
  if (!figures.ok()) {
    std::cerr << "wenku: backup failed: " << http::error_words_both(figures.error()) << "\n";
    return kExitFailure;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "backup: documents=" << figures->documents << " blobs=" << figures->blobs
            << " bytes=" << figures->bytes << " seconds=" << secs << " out=" << out.string() << "\n";
  return kExitOk;
}

int restore_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku restore [--data DIR] BACKUP\n\n"
      "Brings a backup made by `wenku backup` into DIR, which must not hold a library yet:\n"
      "copies the metadata and every stored file (checked against its hash), then rebuilds the\n"
      "search index and verifies the result as `wenku check` does.\n";
  auto args = parse_args(argv, with_common({{}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 1) return usage_error("restore needs one backup directory", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  fs::path backup = args->positionals[0];
  auto fail = [&](const Error& e) {
    std::cerr << "wenku: restore failed: " << http::error_words_both(e) << "\n";
    return kExitFailure;
  };
  if (!settings->get("metadata_url").empty()) {
    std::cerr << "wenku: restore brings a backup into the embedded store (DATA/wenku.db), but metadata_url is set: "
                 "restore a PostgreSQL database with its own tools (pg_restore, psql)\n";
    return kExitUsage;
  }
  auto started = std::chrono::steady_clock::now();
  if (auto copied = library::restore_files(backup, library::DataDir{settings->data_dir()}, settings->get("blob_url")); !copied.ok()) {
    return fail(copied.error());
  }
  auto lib = open_library(*settings, {.workers = false, .exclusive = true});
  if (!lib) return kExitFailure;
  auto report = library::finish_restore(*lib);
  if (!report.ok()) return fail(report.error());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "restore: documents=" << report->documents << " blobs=" << report->blobs
            << " indexed=" << report->indexed << " remaining=" << report->remaining << " seconds=" << secs
            << "\n";
  return report->remaining == 0 ? kExitOk : kExitFailure;
}

}  // namespace wenku::cli
