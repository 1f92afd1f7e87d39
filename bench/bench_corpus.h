// The benchmark documents shared by search_eval and xapian_bench: passages.jsonl read, pages
// and descriptions made as the library imports a manifest, synthesised volume (--synthesize).
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
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
