// `wenku migrate`: the command line of the library's migration service (library/migrate.h),
// which moves a library into other backends (PostgreSQL, an S3-compatible bucket, Xapian
// shards) or between any two configurations, resumably.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "http/error_words.h"
#include "library/migrate.h"

namespace wenku::cli {

namespace {

// One line per stage when stderr is not a terminal; a bar redrawn in place when it is.
class StageProgress {
 public:
  StageProgress() : tty_(::isatty(STDERR_FILENO) != 0) {}
  void update(const std::string& stage, int64_t done, int64_t total) {
    if (stage != stage_) {
      finish();
      stage_ = stage;
      started_ = std::chrono::steady_clock::now();
    }
    done_ = done;
    total_ = total;
    if (!tty_) return;
    int width = 30;
    int filled = total > 0 ? static_cast<int>(static_cast<double>(width) * static_cast<double>(done) /
                                              static_cast<double>(total)) : width;
    std::fprintf(stderr, "\r%-6s [%s%s] %lld/%lld", stage.c_str(), std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), '.').c_str(), static_cast<long long>(done),
                 static_cast<long long>(total));
  }
  void finish() {
    if (stage_.empty()) return;
    if (tty_) {
      std::fputc('\n', stderr);
    } else {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      std::fprintf(stderr, "migrate: %s %lld/%lld seconds=%.2f\n", stage_.c_str(), static_cast<long long>(done_),
                   static_cast<long long>(total_), secs);
    }
    stage_.clear();
  }

 private:
  bool tty_;
  std::string stage_;
  int64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

int migrate_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku migrate [--data DIR] --to CONFIG [--to-set KEY=VALUE]... [--force]\n\n"
      "Copies this library (by default the embedded one in DIR) into the backends of another\n"
      "configuration: its metadata_url (PostgreSQL), blob_url (an S3-compatible bucket) and\n"
      "search_url (Xapian, local or shards), set in the config file CONFIG and/or by --to-set.\n"
      "Every document, page, account, category, tag, report, site setting and statistic keeps\n"
      "its number; every stored file is copied and checked against its hash; the target's index\n"
      "is rebuilt from the text and the target verified as `wenku check` does. Stop the server\n"
      "first. Interrupted, run it again: it resumes without duplicating anything.\n"
      "  --force   copy into a target that already holds a library\n"
      "The environment's WENKU_* settings apply to both sides; --set applies to this library.\n";
  auto args = parse_args(argv, with_common({{"force"}, {"to", "to-set"}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (!args->positionals.empty()) return usage_error("migrate takes no arguments", usage);
  if (!args->options.count("to") && !args->all.count("to-set")) {
    return usage_error("migrate needs the target: --to CONFIG and/or --to-set KEY=VALUE", usage);
  }
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  std::map<std::string, std::string> to_overrides;
  if (auto it = args->all.find("to-set"); it != args->all.end()) {
    for (const std::string& kv : it->second) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) return usage_error("--to-set needs KEY=VALUE, got " + kv, usage);
      to_overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  auto target = Settings::load(to_overrides, args->get("to"));
  if (!target.ok()) {
    std::cerr << "wenku: the target configuration: " << http::error_words_both(target.error()) << "\n";
    return kExitUsage;
  }

  auto lib = open_library(*settings, {.workers = false, .exclusive = true});
  if (!lib) return kExitFailure;
  if (!lib->alone() && settings->get("metadata_url").empty()) {
    std::cerr << "wenku: a server or an import is using " << settings->data_dir().string()
              << ": stop it first, so that nothing changes while the library is copied\n";
    return kExitFailure;
  }
  auto started = std::chrono::steady_clock::now();
  StageProgress bar;
  library::MigrateOptions options;
  options.force = args->has("force");
  options.progress = [&bar](const std::string& stage, int64_t done, int64_t total) { bar.update(stage, done, total); };
  auto figures = library::migrate_library(*lib, *target, options);
  bar.finish();
  if (!figures.ok()) {
    std::cerr << "wenku: migrate failed: " << http::error_words_both(figures.error()) << "\n";
    return kExitFailure;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& p : figures->check.problems) std::cerr << "check: " << p << "\n";
  std::cout << "migrate: documents=" << figures->documents << " rows=" << figures->rows
            << " inserted=" << figures->rows_inserted << " blobs=" << figures->blobs << " bytes=" << figures->bytes
            << " indexed=" << figures->check.indexed << " remaining=" << figures->check.remaining
            << " resumed=" << (figures->resumed ? "yes" : "no") << " seconds=" << secs << "\n";
  return figures->check.remaining == 0 ? kExitOk : kExitFailure;
}

}  // namespace wenku::cli
