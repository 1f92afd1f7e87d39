// Finds python3-jieba's data and builds the word dictionary from dict.txt.
#include "text/jieba_data.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "text/utf8_scan.h"

namespace wenku::text {

Result<std::filesystem::path> find_jieba_dir() {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("WENKU_JIEBA_DIR"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  candidates.emplace_back("/usr/lib/python3/dist-packages/jieba");
  candidates.emplace_back("/usr/local/lib/python3/dist-packages/jieba");
  std::string searched;
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / "dict.txt", ec)) return dir;
    if (!searched.empty()) searched += ", ";
    searched += dir.string();
  }
  return make_error(ErrorCode::kUnavailable,
                    "jieba dictionary (dict.txt) not found in " + searched +
                        "; install the Debian package python3-jieba or set WENKU_JIEBA_DIR");
}

Result<std::string> read_data_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kUnavailable, "cannot open " + path.string());
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) return make_error(ErrorCode::kIo, "cannot read " + path.string());
  std::string data(static_cast<size_t>(size), '\0');
  in.seekg(0);
  in.read(data.data(), size);
  if (!in) return make_error(ErrorCode::kIo, "cannot read " + path.string());
  return data;
}

namespace {

struct RawWord {
  std::string_view text;
  double freq;
};

}  // namespace

Result<WordDictionary> WordDictionary::parse(std::string_view dict_txt) {
  std::vector<RawWord> raw;
  raw.reserve(dict_txt.size() / 12);
  double total = 0;
  size_t code_points = 0;
  size_t pos = 0;
  while (pos < dict_txt.size()) {
    size_t eol = dict_txt.find('\n', pos);
    if (eol == std::string_view::npos) eol = dict_txt.size();
    std::string_view line = dict_txt.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp = line.find(' ');
    if (sp == 0 || line.empty()) continue;
    std::string_view word = line.substr(0, sp);
    double freq = 1;  // jieba's user dictionaries may omit it; treat as rare
    if (sp != std::string_view::npos) {
      freq = 0;
      size_t k = sp + 1;
      while (k < line.size() && line[k] >= '0' && line[k] <= '9') {
        freq = freq * 10 + (line[k] - '0');
        ++k;
      }
    }
    raw.push_back({word, freq});
    total += freq;
    code_points += word.size();  // bytes: an upper bound on code points, for sizing
  }
  if (raw.empty() || total <= 0) {
    return make_error(ErrorCode::kCorrupt, "jieba dictionary holds no words");
  }
  WordDictionary dict;
  double log_total = std::log(total);
  dict.unknown_logp_ = static_cast<float>(-log_total);
  dict.chars_.assign(kCharTable, kAbsentValue);
  // Every word and prefix as (hash, value), then one slot per distinct hash; a word's
  // value wins over a prefix's.
  struct Item {
    uint64_t hash;
    float value;
  };
  std::vector<Item> items;
  items.reserve(code_points / 2);
  for (const auto& w : raw) {
    uint64_t h = kWordHashSeed;
    size_t i = 0;
    size_t len = 0;
    while (i < w.text.size()) {
      size_t n = 1;
      char32_t cp = decode_utf8_at(w.text, i, n);
      i += n;
      ++len;
      h = word_hash_step(h, cp);
      bool last = i >= w.text.size();
      float value = last && w.freq > 0 ? static_cast<float>(std::log(w.freq) - log_total) : kPrefixValue;
      if (value > 0) value = kPrefixValue;  // never above 0 for a word; guards the marker
      if (len == 1 && cp < kCharTable) {
        float& c = dict.chars_[cp];
        if (value <= 0 || c == kAbsentValue) c = value;
      } else {
        items.push_back({h, value});
      }
    }
    if (w.freq > 0) {
      ++dict.words_;
      if (len > dict.max_len_) dict.max_len_ = len;
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.value < b.value;  // words (<= 0) first
  });
  size_t distinct = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    if (k == 0 || items[k].hash != items[k - 1].hash) ++distinct;
  }
  size_t cap = 1024;
  while (static_cast<double>(distinct) > 0.7 * static_cast<double>(cap)) cap <<= 1;
  dict.entries_.assign(cap, Entry{});
  dict.mask_ = cap - 1;
  for (size_t k = 0; k < items.size(); ++k) {
    if (k > 0 && items[k].hash == items[k - 1].hash) continue;  // the first is the word, if any
    uint64_t m = mix(items[k].hash);
    size_t i = static_cast<size_t>(m) & dict.mask_;
    while (dict.entries_[i].tag != 0) i = (i + 1) & dict.mask_;
    dict.entries_[i] = Entry{tag_of(m), items[k].value};
  }
  return dict;
}

bool WordDictionary::contains(std::string_view utf8) const {
  uint64_t h = kWordHashSeed;
  size_t i = 0;
  size_t len = 0;
  char32_t first = 0;
  while (i < utf8.size()) {
    size_t n = 1;
    char32_t cp = decode_utf8_at(utf8, i, n);
    if (len++ == 0) first = cp;
    h = word_hash_step(h, cp);
    i += n;
  }
  if (len == 0) return false;
  float logp = 0;
  return (len == 1 ? probe_char(first, h, logp) : probe(h, logp)) == Probe::kWord;
}

}  // namespace wenku::text
