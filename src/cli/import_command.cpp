// `wenku import`: files, folders (recursively) or a JSONL manifest; waits until each document
// is ready or failed; one JSON line per input with --json; a progress bar on a terminal.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/strings.h"
#include "http/error_words.h"
#include "library/manifest.h"

namespace wenku::cli {

namespace fs = std::filesystem;

namespace {

const char* kUsage =
    "usage: wenku import [--data DIR] [--json] [--category PATH] [--uploader NAME] PATH...\n"
    "       wenku import [--data DIR] [--json] --manifest FILE.jsonl\n\n"
    "Imports files and folders (recursively) and waits until each document is ready or failed.\n"
    "A manifest line is {\"external_id\":..., \"title\":..., \"text\":...} or {..., \"file\":\"relative/path\"}\n"
    "with optional \"category\", \"uploader\", \"tags\".\n\n"
    "  --json            one JSON object per input on stdout\n"
    "  --category PATH   category of the imported documents, e.g. 办公文档/事务文书\n"
    "  --uploader NAME   uploader shown (masked) on the document pages\n"
    "  --manifest FILE   import the entries of a JSONL manifest\n"
    "  --data DIR        data directory (default $WENKU_DATA, else ./wenku-data)\n";

// One thing to import and, once submitted, what became of it.
struct Item {
  std::string path;         // as reported in the JSON line
  std::string external_id;
  fs::path file;            // empty for inline text
  std::string text;
  bool is_text = false;
  library::ImportRequest request;
  std::optional<Error> error;  // failed before a document existed
  library::ImportOutcome outcome;
};

// Expands folders recursively, following symbolic links but never into a folder twice (a
// symlink loop is reported, not followed forever).
void collect(const fs::path& p, const library::ImportRequest& base, std::vector<Item>& out,
             std::set<std::pair<dev_t, ino_t>>& seen_dirs) {
  struct stat st {};
  Item item;
  item.path = p.string();
  item.file = p;
  item.request = base;
  if (::stat(p.c_str(), &st) != 0) {
    item.error = make_error(ErrorCode::kNotFound, "无法读取路径 / cannot read path: " + std::string(std::strerror(errno)));
    out.push_back(std::move(item));
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!seen_dirs.insert({st.st_dev, st.st_ino}).second) {
      std::cerr << "wenku: skipping " << p.string() << ": directory loop (symbolic links)\n";
      return;
    }
    std::vector<fs::path> children;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(p, ec)) children.push_back(e.path());
    if (ec) {
      item.error = make_error(ErrorCode::kNotFound, "无法读取文件夹 / cannot read folder: " + ec.message());
      out.push_back(std::move(item));
      return;
    }
    std::sort(children.begin(), children.end());
    for (const auto& c : children) collect(c, base, out, seen_dirs);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    item.error = make_error(ErrorCode::kInvalidArgument, "不是普通文件 / not a regular file");
  }
  out.push_back(std::move(item));
}

// Reads a manifest; a broken line becomes a failed item naming its line number.
Result<std::vector<Item>> read_manifest(const fs::path& manifest, const library::ImportRequest& base) {
  std::ifstream in(manifest);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot read manifest " + manifest.string());
  std::vector<Item> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    Item item;
    item.request = base;
    item.path = manifest.string() + ":" + std::to_string(line_no);
    auto entry = library::parse_manifest_line(line);
    if (!entry.ok()) {
      item.error = make_error(ErrorCode::kInvalidArgument, "清单第 " + std::to_string(line_no) + " 行 / manifest line " +
                                                               std::to_string(line_no) + ": " + http::error_words_both(entry.error()));
      std::cerr << "wenku: " << item.error->message << "\n";
      out.push_back(std::move(item));
      continue;
    }
    item.external_id = entry->external_id;
    item.request.external_id = entry->external_id;
    item.request.title = entry->title;
    if (!entry->category.empty()) item.request.category = entry->category;
    if (!entry->uploader.empty()) item.request.uploader_name = entry->uploader;
    if (!entry->description.empty()) item.request.description = entry->description;
    if (entry->has_tags) item.request.tags = entry->tags;
    if (entry->is_text) {
      item.is_text = true;
      item.text = std::move(entry->text);
      item.path = item.external_id.empty() ? item.path : item.external_id;
    } else {
      fs::path f = entry->file;
      item.file = f.is_absolute() ? f : manifest.parent_path() / f;
      item.path = item.file.string();
    }
    out.push_back(std::move(item));
  }
  return out;
}

constexpr size_t kOptimizeAfterDocuments = 1000;  // imports this large end with optimize

class Progress {
 public:
  explicit Progress(size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}
  void update(size_t done) {
    if (!tty_) return;
    int width = 30;
    int filled = total_ == 0 ? width : static_cast<int>(static_cast<double>(done) / static_cast<double>(total_) * width);
    std::cerr << "\r导入 importing " << done << "/" << total_ << " [" << std::string(static_cast<size_t>(filled), '=')
              << std::string(static_cast<size_t>(width - filled), ' ') << "]" << std::flush;
  }
  void finish() {
    if (tty_) std::cerr << "\n";
  }

 private:
  size_t total_;
  bool tty_;
};

}  // namespace

int import_command(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, with_common({{"json"}, {"category", "uploader", "manifest", "timeout"}}));
  if (!args.ok()) return usage_error(args.error().message, kUsage);
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  bool manifest_mode = args->options.count("manifest") > 0;
  if (!manifest_mode && args->positionals.empty()) return usage_error("nothing to import", kUsage);
  if (manifest_mode && !args->positionals.empty()) {
    return usage_error("give either --manifest or paths, not both", kUsage);
  }
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;

  library::ImportRequest base;
  base.category = args->get("category");
  base.uploader_name = args->get("uploader", "");
  std::vector<Item> items;
  if (manifest_mode) {
    auto m = read_manifest(args->get("manifest"), base);
    if (!m.ok()) {
      std::cerr << "wenku: " << http::error_words_both(m.error()) << "\n";
      return kExitFailure;
    }
    items = std::move(m).value();
  } else {
    std::set<std::pair<dev_t, ino_t>> seen;
    for (const auto& p : args->positionals) collect(p, base, items, seen);
  }

  auto lib = open_library(*settings, {.workers = true});
  if (!lib) return kExitFailure;

  // Submit everything first (each acknowledged durably), then wait in input order.
  for (auto& item : items) {
    if (item.error) continue;
    Result<library::ImportOutcome> r = item.is_text ? lib->ingest().import_text(item.text, item.request)
                                                    : lib->ingest().import_file(item.file, item.request);
    item.text.clear();
    if (r.ok()) {
      item.outcome = *r;
    } else {
      item.error = r.error();
    }
  }

  bool json = args->has("json");
  int timeout = 3600;
  if (args->options.count("timeout")) timeout = std::atoi(args->get("timeout").c_str());
  Progress progress(items.size());
  size_t done = 0, failed = 0, added = 0;
  for (auto& item : items) {
    nlohmann::json out;
    out["path"] = item.path;
    out["external_id"] = item.external_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(item.external_id);
    out["id"] = nullptr;
    out["format"] = nullptr;
    out["pages"] = 0;
    out["error"] = nullptr;
    if (item.error) {
      out["status"] = "failed";
      out["error"] = http::error_words_both(*item.error);
    } else {
      auto doc = lib->catalogue().wait_until_done(item.outcome.id, timeout);
      out["id"] = item.outcome.id;
      if (!doc.ok()) {
        out["status"] = "failed";
        out["error"] = http::error_words_both(doc.error());
      } else {
        out["status"] = item.outcome.duplicate ? "duplicate" : std::string(library::status_name(doc->status));
        if (item.outcome.duplicate) out["duplicate_of"] = item.outcome.id;
        out["format"] = doc->format;
        out["pages"] = doc->pages;
        if (doc->status == store::DocumentStatus::kFailed) {
          out["error"] = doc->error.empty() ? "failed" : http::error_words_both(doc->error);
        } else if (!doc->error.empty()) {
          // ready, with what went wrong on the way (e.g. OCR's helper crashed)
          out["error"] = http::error_words_both(doc->error);
        }
      }
    }
    if (out["status"] == "failed") ++failed;
    if (out["status"] != "failed" && out["status"] != "duplicate") ++added;
    if (json) {
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n" << std::flush;
    } else if (out["status"] == "failed") {
      std::cerr << item.path << ": " << out["error"].get<std::string>() << "\n";
    }
    progress.update(++done);
  }
  progress.finish();
  // A bulk import leaves the search index in many small segments; merging them makes
  // queries several times faster (bench/README.md, "Search index").
  if (added >= kOptimizeAfterDocuments) {
    if (auto r = lib->search().optimize_index(); !r.ok()) {
      std::cerr << "wenku: optimizing the search index failed: " << http::error_words_both(r.error()) << "\n";
    }
  }
  if (!json) {
    std::cerr << "imported " << items.size() - failed << " of " << items.size() << " (" << failed << " failed)\n";
  }
  return kExitOk;
}

}  // namespace wenku::cli
