// search_eval: builds an index from passages.jsonl with the real engine and measures
// ranking (MRR@10 per query type), query latency (took_ms p50/p99), indexing speed and size.
//
//   search_eval --passages P.jsonl --queries Q.jsonl [--queries Q2.jsonl] --db DIR/index.db
//               [--reuse] [--synthesize N] [--param name=value ...] [--dump OUT.tsv]
//               [--keywords N] [--no-description]
//   search_eval ... --url URL     any SearchIndex the library opens (xapian:///DIR,
//                                 xapian+tcp://h1:p1,h2:p2) instead of the FTS5 file --db;
//                                 --param applies to FTS5 only, sizes are not reported
//
// --dump writes one line per query: type, reciprocal rank, query, the top hits' ids.
// --keywords N indexes N TF-IDF keywords per document, as the library does (8);
// --no-description leaves out the description the library computes (the text's start).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench_corpus.h"
#include "core/strings.h"
#include "index/sqlite_index.h"
#include "text/keywords.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace {

using Clock = std::chrono::steady_clock;
using wenku::index::IndexDocument;

// CPU time of this thread: took_ms is wall time, which a loaded machine inflates.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

bool set_param(wenku::index::RankParams& p, const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos) return false;
  std::string k = kv.substr(0, eq);
  double v = std::stod(kv.substr(eq + 1));
  std::map<std::string, double*> m = {
      {"w_title", &p.w_title}, {"w_title_grams", &p.w_title_grams}, {"w_meta", &p.w_meta},
      {"w_meta_grams", &p.w_meta_grams}, {"w_body", &p.w_body}, {"w_body_grams", &p.w_body_grams}, {"w_chars", &p.w_chars}, {"w_pair", &p.w_pair},
      {"k1", &p.k1}, {"b", &p.b}, {"coverage_power", &p.coverage_power}, {"min_share", &p.min_share},
      {"relaxed_budget", &p.relaxed_budget}, {"assume_share", &p.assume_share},
      {"len_prior", &p.len_prior}};
  if (k == "strict_terms") {
    p.strict_terms = static_cast<int>(v);
    return true;
  }
  auto it = m.find(k);
  if (it == m.end()) return false;
  *it->second = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> passages_files, query_files;
  std::string db_path = "search_eval.db";
  bool reuse = false;
  size_t synthesize = 0;
  bool no_description = false;  // index no computed description (the library's is the body's start)
  size_t n_keywords = 0;  // TF-IDF keywords per document, as the library may compute them
  bool optimize = false;  // merge the index after building it
  std::string dump_path;  // per-query results, for looking at misses
  std::string url;        // another backend by URL (index::open_search_index)
  size_t batch_size = 1;  // documents per commit (upsert_batch)
  wenku::index::RankParams params;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--passages") passages_files.push_back(next());
    else if (a == "--queries") query_files.push_back(next());
    else if (a == "--db") db_path = next();
    else if (a == "--url") url = next();
    else if (a == "--reuse") reuse = true;
    else if (a == "--synthesize") synthesize = std::stoul(next());
    else if (a == "--keywords") n_keywords = std::stoul(next());
    else if (a == "--optimize") optimize = true;
    else if (a == "--no-description") no_description = true;
    else if (a == "--dump") dump_path = next();
    else if (a == "--batch") batch_size = std::max<size_t>(1, std::stoul(next()));
    else if (a == "--param") {
      if (!set_param(params, next())) {
        std::cerr << "unknown --param\n";
        return 2;
      }
    } else {
      std::cerr << "usage: search_eval --passages P --queries Q --db PATH [--reuse] "
                   "[--synthesize N] [--param k=v]\n";
      return 2;
    }
  }
  auto norm = wenku::text::make_normalizer();
  auto seg = wenku::text::make_segmenter();
  if (!norm.ok() || !seg.ok()) {
    std::cerr << "text module unavailable\n";
    return 1;
  }
  bool build = url.empty() ? !(reuse && std::filesystem::exists(db_path)) : !reuse;
  if (build && url.empty()) {
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + ext);
  }
  auto opened = url.empty() ? wenku::index::open_sqlite_index(db_path, **norm, **seg, params)
                            : wenku::index::open_search_index(url, **norm, **seg);
  if (!opened.ok()) {
    std::cerr << opened.error().message << "\n";
    return 1;
  }
  auto& index = *opened;

  // Passages: external id -> doc number (1-based line order).
  wenku::bench::Passages passages = wenku::bench::load_passages(passages_files);
  const std::vector<std::string>& ext_of = passages.ext_of;
  if (build) {
    // Synthesised volume (--synthesize): bench_corpus.h.
    wenku::bench::DocMaker maker(passages, synthesize);
    std::optional<wenku::text::KeywordExtractor> extractor;
    if (n_keywords) {
      auto k = wenku::text::KeywordExtractor::load();
      if (k.ok()) extractor.emplace(std::move(*k));
    }
    size_t total_docs = maker.count();
    size_t bytes = 0;
    auto t0 = Clock::now();
    std::vector<IndexDocument> batch;
    for (size_t i = 0; i < total_docs; ++i) {
      wenku::bench::BenchDoc made = maker.next();
      IndexDocument d;
      d.id = made.id;
      d.title = std::move(made.title);
      d.created_at = static_cast<int64_t>(1600000000 + i);
      d.pages = std::move(made.pages);
      if (!no_description) d.description = std::move(made.description);
      const std::string& all = made.all;
      if (n_keywords && extractor) {
        for (auto& k : extractor->extract(**seg, d.title + "\n" + all, n_keywords)) {
          d.keywords += (d.keywords.empty() ? "" : " ") + k.word;
        }
      }
      bytes += d.title.size() + all.size();
      batch.push_back(std::move(d));
      if (batch.size() >= batch_size || i + 1 == total_docs) {
        auto r = batch_size == 1 ? index->upsert(batch[0]) : index->upsert_batch(batch);
        if (!r.ok()) {
          std::cerr << "upsert: " << r.error().message << "\n";
          return 1;
        }
        batch.clear();
      }
    }
    (void)index->flush();
    double s = seconds_since(t0);
    uintmax_t size = url.empty() ? std::filesystem::file_size(db_path) : 0;
    std::printf("indexed %zu docs, %.1f MB text in %.1f s: %.2f MB/s; index %.1f MB (%.2fx text)\n",
                total_docs, static_cast<double>(bytes) / 1e6, s, static_cast<double>(bytes) / 1e6 / s,
                static_cast<double>(size) / 1e6, static_cast<double>(size) / static_cast<double>(bytes));
  }
  if (optimize) {
    auto t0 = Clock::now();
    auto r = index->optimize();
    uintmax_t size = url.empty() ? std::filesystem::file_size(db_path) : 0;
    std::printf("optimize: %s in %.1f s; index %.1f MB\n", r.ok() ? "done" : r.error().message.c_str(),
                seconds_since(t0), static_cast<double>(size) / 1e6);
  }
  std::fflush(stdout);
  std::ofstream dump;
  if (!dump_path.empty()) dump.open(dump_path);
  for (const std::string& qf : query_files) {
    wenku::bench::QueryStats stats;
    std::vector<double>& took = stats.took;
    std::vector<double>& cpu = stats.cpu;
    auto t0 = Clock::now();
    for (const wenku::bench::JudgedQuery& jq : wenku::bench::read_queries(qf)) {
      wenku::index::SearchQuery q;
      q.text = jq.text;
      q.limit = 10;
      double cpu0 = thread_cpu_ms();
      auto res = index->search(q);
      cpu.push_back(thread_cpu_ms() - cpu0);
      if (!res.ok()) {
        std::cerr << "search: " << res.error().message << "\n";
        return 1;
      }
      took.push_back(res->took_ms);
      std::vector<size_t> hits;
      for (const auto& h : res->hits) hits.push_back(static_cast<size_t>(h.id));
      double rr = wenku::bench::reciprocal_rank(hits, ext_of, jq.relevant);
      if (dump.is_open()) {
        dump << jq.type << '\t' << rr << '\t' << q.text << '\t' << cpu.back() << '\t';
        for (const auto& h : res->hits) {
          size_t id = static_cast<size_t>(h.id);
          dump << (id < ext_of.size() ? ext_of[id] : "syn" + std::to_string(id)) << ' ';
        }
        dump << '\n';
      }
      if (std::getenv("EVAL_VERBOSE") && rr < 0.3) {
        std::printf("MISS rr=%.2f %s | %s\n", rr, q.text.c_str(),
                    res->hits.empty() ? "" : res->hits[0].snippet.substr(0, 200).c_str());
      }
      stats.add(jq.type, rr, res->hits.empty());
    }
    double s = seconds_since(t0);
    stats.print(qf, s);
  }
  return 0;
}
