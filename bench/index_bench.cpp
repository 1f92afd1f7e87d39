// index_bench: indexing throughput end to end (a document's text -> searchable), in MB of
// text per CPU-second (user+sys of this process), and the index's size on disk.
//
//   index_bench PASSAGES.jsonl DB_DIR [--docs N] [--batch B] [--threads T] [--stages]
//
// Documents are the corpus passages as the library imports them: pages of ~1200 characters
// cut at line ends, the first 200 characters as the description. "Text" is title + pages,
// the bytes of UTF-8 the uploader's document holds. --batch 1 is what the library does
// (one upsert, one commit per document); --threads T calls upsert from T threads at once
// (the library's workers), which the index commits in groups; --stages also times normalisation, segmentation
// and the analysis of the same documents without the database (CPU time too).
#include <sys/resource.h>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_corpus.h"
#include "core/strings.h"
#include "index/analyzer.h"
#include "index/sqlite_index.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace {

using wenku::index::IndexDocument;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

uintmax_t file_size_or_zero(const std::string& p) {
  std::error_code ec;
  uintmax_t n = std::filesystem::file_size(p, ec);
  return ec ? 0 : n;
}

// Free pages of the database file (left by FTS5's merges until reused or vacuumed).
double free_mb(const std::string& path) {
  sqlite3* db = nullptr;
  double out = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size",
                           -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      out = static_cast<double>(sqlite3_column_int64(st, 0)) / 1e6;
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: index_bench PASSAGES.jsonl DB_DIR [--docs N] [--batch B] [--stages]\n";
    return 2;
  }
  std::string passages = argv[1];
  std::string dir = argv[2];
  size_t max_docs = 3000;
  size_t batch = 1;
  bool stages = false;
  size_t threads = 1;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--docs" && i + 1 < argc) max_docs = std::stoul(argv[++i]);
    else if (a == "--batch" && i + 1 < argc) batch = std::max<size_t>(1, std::stoul(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) threads = std::max<size_t>(1, std::stoul(argv[++i]));
    else if (a == "--stages") stages = true;
    else {
      std::cerr << "unknown argument " << a << "\n";
      return 2;
    }
  }
  auto norm = wenku::text::make_normalizer();
  auto seg = wenku::text::make_segmenter();
  if (!norm.ok() || !seg.ok()) {
    std::cerr << "text analysis unavailable\n";
    return 1;
  }
  std::vector<IndexDocument> docs;
  size_t bytes = 0;
  {
    std::ifstream in(passages);
    std::string line;
    while (docs.size() < max_docs && std::getline(in, line)) {
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line);
      IndexDocument d;
      d.id = static_cast<int64_t>(docs.size() + 1);
      d.title = j.value("title", "");
      std::string all = j.value("text", "");
      d.pages = wenku::bench::paginate(all, 1200);
      d.description = wenku::utf8_prefix(all, 200);
      d.created_at = static_cast<int64_t>(1600000000 + docs.size());
      bytes += d.title.size() + all.size();
      docs.push_back(std::move(d));
    }
  }
  if (docs.empty()) {
    std::cerr << "no passages in " << passages << "\n";
    return 1;
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%zu documents, %.2f MB of text\n", docs.size(), mb);

  if (stages) {
    wenku::index::Analyzer analyzer(**norm, **seg);
    double c0 = cpu_seconds();
    size_t sink = 0;
    for (const auto& d : docs) {
      for (const auto& p : d.pages) sink += (*norm)->normalize(p).size();
    }
    double c1 = cpu_seconds();
    for (const auto& d : docs) {
      for (const auto& p : d.pages) sink += (*seg)->segment(p, wenku::text::SegmentMode::kIndex).size();
    }
    double c2 = cpu_seconds();
    for (const auto& d : docs) {
      for (const auto& p : d.pages) {
        auto a = analyzer.normalize_aligned(p);
        sink += analyzer.analyze_normalized(a.normalized).words.size();
      }
    }
    double c3 = cpu_seconds();
    std::printf("stages (CPU): normalise %.2f s (%.1f MB/s), segment (index mode) %.2f s (%.1f MB/s), "
                "analyse page (aligned normalisation + words/grams/chars) %.2f s (%.1f MB/s) [%zu]\n",
                c1 - c0, mb / (c1 - c0), c2 - c1, mb / (c2 - c1), c3 - c2, mb / (c3 - c2), sink);
  }

  std::filesystem::create_directories(dir);
  std::string db = dir + "/index_bench.db";
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(db + ext);
  auto opened = wenku::index::open_sqlite_index(db, **norm, **seg);
  if (!opened.ok()) {
    std::cerr << opened.error().message << "\n";
    return 1;
  }
  auto& index = *opened;
  double c0 = cpu_seconds();
  double w0 = wall_seconds();
  // Thread k upserts documents k, k + T, k + 2T, ... in groups of `batch`.
  std::atomic<bool> failed{false};
  auto work = [&](size_t first) {
    std::vector<IndexDocument> group;
    for (size_t i = first; i < docs.size(); i += threads) {
      group.push_back(docs[i]);
      if (group.size() >= batch || i + threads >= docs.size()) {
        auto r = batch == 1 ? index->upsert(group[0]) : index->upsert_batch(group);
        if (!r.ok()) {
          std::cerr << "upsert: " << r.error().message << "\n";
          failed = true;
        }
        group.clear();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();
  if (failed) return 1;
  double cpu = cpu_seconds() - c0;
  double wall = wall_seconds() - w0;
  // Searchable at once: one query must find the last document's title.
  wenku::index::SearchQuery q;
  q.text = docs.back().title;
  auto found = index->search(q);
  bool last_found = false;
  if (found.ok()) {
    for (const auto& h : found->hits) last_found = last_found || h.id == docs.back().id;
  }
  (void)index->flush();
  uintmax_t size = file_size_or_zero(db) + file_size_or_zero(db + "-wal");
  std::printf("batch %zu, %zu thread(s): CPU %.2f s (%.2f MB/s per core), wall %.2f s; last document found: %s\n",
              batch, threads, cpu, mb / cpu, wall, last_found ? "yes" : "NO");
  std::printf("index %.1f MB = %.2fx the text (database %.1f MB, of which free pages %.1f MB; WAL %.1f MB)\n",
              static_cast<double>(size) / 1e6, static_cast<double>(size) / static_cast<double>(bytes),
              static_cast<double>(file_size_or_zero(db)) / 1e6, free_mb(db),
              static_cast<double>(file_size_or_zero(db + "-wal")) / 1e6);
  double o0 = cpu_seconds();
  (void)index->optimize();
  uintmax_t osize = file_size_or_zero(db) + file_size_or_zero(db + "-wal");
  std::printf("after optimize (%.2f s CPU): %.1f MB = %.2fx the text\n", cpu_seconds() - o0,
              static_cast<double>(osize) / 1e6, static_cast<double>(osize) / static_cast<double>(bytes));
  return last_found ? 0 : 1;
}
