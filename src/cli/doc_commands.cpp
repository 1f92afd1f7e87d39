// `wenku show`, `wenku check`, `wenku retry`: one document, or the whole data directory.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/clock.h"
#include "core/strings.h"
#include "http/error_words.h"
#include "library/document_json.h"

namespace wenku::cli {

namespace {

std::optional<int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(s);
}

}  // namespace

int show_command(const std::vector<std::string>& argv) {
  const char* usage = "usage: wenku show [--data DIR] [--json] ID\n\nShows one document's metadata.\n";
  auto args = parse_args(argv, with_common({{"json"}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 1 || !parse_id(args->positionals[0])) {
    return usage_error("show needs one document number", usage);
  }
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  auto lib = open_library(*settings, {.workers = false});
  if (!lib) return kExitFailure;
  auto doc = lib->catalogue().get(*parse_id(args->positionals[0]));
  if (!doc.ok()) {
    std::cerr << "wenku: " << http::error_words_both(doc.error()) << "\n";
    return kExitFailure;
  }
  if (args->has("json")) {
    std::cout << library::document_json(*doc, http::reason_words_both).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  const auto& d = *doc;
  std::cout << d.title << "\n"
            << "上传人:" << mask_name(d.uploader_name) << "  文档编号:" << d.id << "  上传时间:"
            << format_date(d.created_at) << "\n"
            << "格式:" << to_lower_ascii(d.format) << "  页数:" << d.pages << "  大小:"
            << human_size(static_cast<uint64_t>(d.size)) << "\n"
            << "状态:" << library::status_name(d.status) << (d.error.empty() ? "" : "  " + http::error_words_both(d.error)) << "\n";
  if (!d.category_path.empty()) std::cout << "分类:" << d.category_path << "\n";
  if (!d.description.empty()) std::cout << "\n" << d.description << "\n";
  return kExitOk;
}

int check_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku check [--data DIR]\n\n"
      "Verifies that every document's files exist with their hash, that no stored file is orphaned,\n"
      "and that the search index agrees with the store; repairs what can be rebuilt.\n"
      "Exit status 0 when the data directory is consistent afterwards, 1 otherwise.\n";
  auto args = parse_args(argv, with_common({{"json"}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (!args->positionals.empty()) return usage_error("check takes no arguments", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  auto lib = open_library(*settings, {.workers = false, .exclusive = true});
  if (!lib) return kExitFailure;
  auto report = lib->check();
  if (!report.ok()) {
    std::cerr << "wenku: check failed: " << http::error_words_both(report.error()) << "\n";
    return kExitFailure;
  }
  for (const auto& p : report->problems) std::cout << "problem: " << p << "\n";
  std::cout << "check: documents=" << report->documents << " blobs=" << report->blobs
            << " indexed=" << report->indexed << " problems=" << report->problems.size()
            << " repaired=" << report->repairs.size() << " remaining=" << report->remaining
            << (lib->alone() ? "" : " (another wenku process is running: recent files were left alone)") << "\n";
  return report->remaining == 0 ? kExitOk : kExitFailure;
}

int retry_command(const std::vector<std::string>& argv) {
  const char* usage = "usage: wenku retry [--data DIR] ID\n\nProcesses one document again and waits for it.\n";
  auto args = parse_args(argv, with_common({{"json"}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 1 || !parse_id(args->positionals[0])) {
    return usage_error("retry needs one document number", usage);
  }
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  auto lib = open_library(*settings, {.workers = true});
  if (!lib) return kExitFailure;
  int64_t id = *parse_id(args->positionals[0]);
  if (auto r = lib->catalogue().retry(id); !r.ok()) {
    std::cerr << "wenku: " << http::error_words_both(r.error()) << "\n";
    return kExitFailure;
  }
  auto doc = lib->catalogue().wait_until_done(id, 3600);
  if (!doc.ok()) {
    std::cerr << "wenku: " << http::error_words_both(doc.error()) << "\n";
    return kExitFailure;
  }
  std::cout << library::document_json(*doc, http::reason_words_both).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

}  // namespace wenku::cli
