// `wenku search` (one query or a file of queries, JSON per DESIGN.md §5) and `wenku segment`.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/strings.h"
#include "http/error_words.h"
#include "library/document_json.h"
#include "text/segment_command.h"

namespace wenku::cli {


int search_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku search [--data DIR] [--json] [--limit N] [--category PATH] QUERY\n"
      "       wenku search [--data DIR] --json [--limit N] --queries FILE\n\n"
      "  --queries FILE   one query per line; one JSON object per line on stdout, in order\n";
  auto args = parse_args(argv, with_common({{"json"}, {"limit", "category", "format", "queries", "sort", "page"}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  bool many = args->options.count("queries") > 0;
  if (!many && args->positionals.empty()) return usage_error("search needs a query", usage);
  int limit = std::atoi(args->get("limit", "10").c_str());
  if (limit <= 0 || limit > 1000) return usage_error("--limit must be 1..1000", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  auto lib = open_library(*settings, {.workers = false});
  if (!lib) return kExitFailure;

  auto run = [&](const std::string& q) -> Result<library::SearchResponse> {
    library::SearchRequest req;
    req.query = q;
    req.category = args->get("category");
    req.format = args->get("format");
    req.sort = args->get("sort");
    req.per_page = limit;
    req.page = std::max(1, std::atoi(args->get("page", "1").c_str()));
    return lib->search().search(req);
  };
  auto print = [&](const library::SearchResponse& r) {
    if (args->has("json")) {
      std::cout << library::search_response_json(r, r.total).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    std::cout << "找到 " << r.total << " 个结果 / " << r.total << " results (" << r.took_ms << " ms)\n";
    for (const auto& h : r.hits) {
      std::cout << "#" << h.doc.id << " " << h.doc.title;
      if (!h.pages.empty()) {
        std::cout << "  第";
        for (size_t i = 0; i < h.pages.size() && i < 5; ++i) std::cout << (i ? "," : "") << h.pages[i];
        std::cout << "页";
      }
      std::cout << "\n    " << h.snippet << "\n";
    }
  };

  if (many) {
    std::ifstream in(args->get("queries"));
    if (!in) {
      std::cerr << "wenku: cannot read " << args->get("queries") << "\n";
      return kExitFailure;
    }
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto r = run(line);
      if (!r.ok()) {
        // One bad query must not shift the lines of the others.
        library::SearchResponse empty;
        empty.query = line;
        print(empty);
        std::cerr << "wenku: query '" << line << "': " << http::error_words_both(r.error()) << "\n";
        continue;
      }
      print(*r);
    }
    return kExitOk;
  }
  std::string q;
  for (const auto& p : args->positionals) q += (q.empty() ? "" : " ") + p;
  auto r = run(q);
  if (!r.ok()) {
    std::cerr << "wenku: " << http::error_words_both(r.error()) << "\n";
    return kExitFailure;
  }
  print(*r);
  return kExitOk;
}

int segment_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku segment [--mode index|query]\n\n"
      "Reads UTF-8 lines on stdin; writes each line's words separated by spaces.\n";
  auto args = parse_args(argv, {{"help"}, {"mode"}});
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  std::string mode = args->get("mode", "index");
  if (mode != "index" && mode != "query") return usage_error("--mode is index or query", usage);
  std::ios::sync_with_stdio(false);
  return text::run_segment_command(std::cin, std::cout,
                                    mode == "index" ? text::SegmentMode::kIndex : text::SegmentMode::kQuery);
}

}  // namespace wenku::cli
