// text_lane_bench: the library's text lane with a backlog, end to end from an uploaded text
// to searchable (detect, extract, the store's writes, keywords and SimHash, the search
// index, the category), in MB of text per CPU-second of this process.
//
//   text_lane_bench PASSAGES.jsonl DATA_DIR [--docs N] [--batch B] [--join K]
//
// --join K makes each document of K passages in a row (a document of ~2 KB is a passage; a
// ten-page report is nearer 30-60 KB), so the per-document costs weigh as they would.
// The passages are uploaded first (workers off), then their extract jobs are run the way
// the text lane runs a backlog: one at a time (--batch 1) or B at once (run_extract_batch).
// Only the second part is timed.
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/settings.h"
#include "library/library.h"

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: text_lane_bench PASSAGES.jsonl DATA_DIR [--docs N] [--batch B]\n";
    return 2;
  }
  size_t max_docs = 3000;
  size_t batch = 1;
  size_t join = 1;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--docs") max_docs = std::stoul(argv[i + 1]);
    if (a == "--batch") batch = std::max<size_t>(1, std::stoul(argv[i + 1]));
    if (a == "--join") join = std::max<size_t>(1, std::stoul(argv[i + 1]));
  }
  std::filesystem::remove_all(argv[2]);
  wenku::Settings settings;
  if (!settings.set("data", argv[2]).ok() || !settings.set("log_level", "warn").ok()) return 1;
  auto lib = wenku::library::Library::open(settings, {.workers = false});
  if (!lib.ok()) {
    std::cerr << lib.error().message << "\n";
    return 1;
  }
  std::ifstream in(argv[1]);
  std::string line;
  std::vector<int64_t> ids;
  size_t bytes = 0;
  std::string title, text;
  size_t joined = 0;
  auto upload = [&] {
    wenku::library::ImportRequest r;
    r.title = title;
    bytes += title.size() + text.size();
    auto out = (*lib)->ingest().import_text(text, r);
    if (out.ok() && !out->duplicate) ids.push_back(out->id);
    title.clear();
    text.clear();
    joined = 0;
  };
  while (ids.size() < max_docs && std::getline(in, line)) {
    auto p = nlohmann::json::parse(line);
    if (title.empty()) title = p["title"].get<std::string>();
    text += p["text"].get<std::string>() + "\n";
    if (++joined == join) upload();
  }
  if (!text.empty() && ids.size() < max_docs) upload();
  double t0 = cpu_seconds();
  auto w0 = std::chrono::steady_clock::now();
  size_t failed = 0;
  for (size_t at = 0; at < ids.size(); at += batch) {
    std::vector<int64_t> part(ids.begin() + static_cast<std::ptrdiff_t>(at),
                              ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), at + batch)));
    if (batch == 1) {
      failed += (*lib)->pipeline().run_extract(part[0]).ok() ? 0 : 1;
    } else {
      for (const auto& r : (*lib)->pipeline().run_extract_batch(part)) failed += r.ok() ? 0 : 1;
    }
  }
  double cpu = cpu_seconds() - t0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%zu documents, %.2f MB of text, batch %zu: CPU %.2f s (%.2f MB/s per core), wall %.2f s, %zu failed\n",
              ids.size(), mb, batch, cpu, mb / cpu, wall, failed);
  return failed == 0 ? 0 : 1;
}
