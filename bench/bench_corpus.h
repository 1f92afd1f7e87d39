// The benchmark documents shared by search_eval and xapian_bench: passages.jsonl read, pages
// and descriptions made as the library imports a manifest, synthesised volume (--synthesize).
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace wenku::bench {

// Pages of about `chars` characters, cut at line ends (a long line is cut anywhere).
inline std::vector<std::string> paginate(const std::string& text, size_t chars) {
  std::vector<std::string> pages;
  std::string current;
  size_t n = 0;
  for (const std::string& line : wenku::split(text, '\n')) {
    std::u32string u = wenku::utf8_to_u32(line);
    for (size_t at = 0; at < u.size() || (at == 0 && u.empty()); at += chars) {
      std::u32string_view piece = std::u32string_view(u).substr(at, chars);
      if (n > 0 && n + piece.size() + 1 > chars) {
        pages.push_back(std::move(current));
        current.clear();
        n = 0;
      }
      current += wenku::u32_to_utf8(piece);
      current += '\n';
      n += piece.size() + 1;
      if (u.empty()) break;
    }
  }
  if (!current.empty() || pages.empty()) pages.push_back(std::move(current));
  return pages;
}

// A judged query of a queries*.jsonl file: its text, type and relevant passage ids.
struct JudgedQuery {
  std::string text, type;
  std::set<std::string> relevant;
};

inline std::vector<JudgedQuery> read_queries(const std::string& file) {
  std::vector<JudgedQuery> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    JudgedQuery q{j["query"].get<std::string>(), j.value("type", "all"), {}};
    for (auto& r : j["relevant_ids"]) q.relevant.insert(r.is_string() ? r.get<std::string>() : r.dump());
    out.push_back(std::move(q));
  }
  return out;
}

// 1/rank of the first relevant hit in the top `hits` (document numbers; synthesised documents
// have no external id), 0 when none is.
inline double reciprocal_rank(const std::vector<size_t>& hits, const std::vector<std::string>& ext_of,
                              const std::set<std::string>& relevant) {
  for (size_t k = 0; k < hits.size(); ++k) {
    if (hits[k] < ext_of.size() && relevant.count(ext_of[hits[k]])) return 1.0 / static_cast<double>(k + 1);
  }
  return 0;
}

// MRR@10 and latency over one query file, printed the same way by search_eval and
// xapian_bench so their lines compare directly.
struct QueryStats {
  std::map<std::string, std::pair<double, int>> by_type;
  std::vector<double> took, cpu;  // ms per query: wall inside the engine, thread CPU
  double mrr = 0;
  int n = 0, empty = 0;

  void add(const std::string& type, double rr, bool no_hit) {
    if (no_hit) ++empty;
    mrr += rr;
    ++n;
    auto& t = by_type[type];
    t.first += rr;
    t.second += 1;
  }
  void print(const std::string& query_file, double seconds) {
    std::sort(took.begin(), took.end());
    std::sort(cpu.begin(), cpu.end());
    auto pct = [](const std::vector<double>& v, double p) {
      return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
    };
    std::printf("%s: MRR@10=%.4f over %d queries (no hit %d); took_ms p50=%.2f p99=%.2f max=%.2f; "
                "CPU ms p50=%.2f p99=%.2f max=%.2f; %.1f s\n ",
                std::filesystem::path(query_file).filename().c_str(), n ? mrr / n : 0, n, empty, pct(took, 0.5),
                pct(took, 0.99), took.empty() ? 0 : took.back(), pct(cpu, 0.5), pct(cpu, 0.99),
                cpu.empty() ? 0 : cpu.back(), seconds);
    for (auto& [t, v] : by_type) std::printf(" %s=%.4f", t.c_str(), v.first / v.second);
    std::printf("\n");
  }
};

// The passages of the corpus: doc number i + 1 is line i; ext_of maps numbers to the
// corpus ids the relevance judgments use (ext_of[0] is unused).
struct Passages {
  std::map<std::string, int64_t> id_of;
  std::vector<std::string> ext_of{""};
  std::vector<std::pair<std::string, std::string>> docs;  // title, text
};

inline Passages load_passages(const std::vector<std::string>& files) {
  Passages p;
  for (const std::string& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line);
      std::string ext = j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump();
      p.id_of[ext] = static_cast<int64_t>(p.ext_of.size());
      p.ext_of.push_back(ext);
      p.docs.emplace_back(j.value("title", ""), j.value("text", ""));
    }
  }
  return p;
}

// One document as the library would hand it to the index.
struct BenchDoc {
  int64_t id = 0;
  std::string title;
  std::string all;  // the whole text, before pagination
  std::vector<std::string> pages;
  std::string description;
};

// Documents 1..count(): the passages, then (up to `synthesize`) new documents made of
// paragraphs (~150-character pieces) of the real ones, shuffled, with titles of other
// documents. next() must be called in order: the same seed gives the same documents.
class DocMaker {
 public:
  DocMaker(const Passages& passages, size_t synthesize) : docs_(passages.docs), synthesize_(synthesize) {
    if (synthesize_ > docs_.size()) {
      for (const auto& d : docs_) {
        std::u32string u = wenku::utf8_to_u32(d.second);
        for (size_t i = 0; i < u.size(); i += 150) {
          pieces_.push_back(wenku::u32_to_utf8(std::u32string_view(u).substr(i, 150)));
        }
      }
    }
  }

  size_t count() const { return std::max(synthesize_, docs_.size()); }

  BenchDoc next() {
    size_t i = next_++;
    BenchDoc d;
    d.id = static_cast<int64_t>(i + 1);
    if (i < docs_.size()) {
      d.title = docs_[i].first;
      d.all = docs_[i].second;
    } else {
      d.title = docs_[rng_() % docs_.size()].first;
      size_t n = 1 + rng_() % 2;
      for (size_t k = 0; k < n; ++k) d.all += pieces_[rng_() % pieces_.size()] + "\n";
    }
    // As the library imports a manifest's text: pages of about 1200 characters cut at
    // line ends, and the first 200 characters as the description.
    d.pages = paginate(d.all, 1200);
    d.description = wenku::utf8_prefix(d.all, 200);
    return d;
  }

 private:
  const std::vector<std::pair<std::string, std::string>>& docs_;
  size_t synthesize_;
  std::vector<std::string> pieces_;
  std::mt19937_64 rng_{42};
  size_t next_ = 0;
};

}  // namespace wenku::bench
