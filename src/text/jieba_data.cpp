// Finds python3-jieba's data and builds the word dictionary from dict.txt.
#include "text/jieba_data.h"

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
  size_t cap = 1024;
  while (cap < code_points) cap <<= 1;  // bytes ~ 3 x code points: load stays under ~0.5
  dict.entries_.assign(cap, Entry{});
  dict.mask_ = cap - 1;
  double log_total = std::log(total);
  dict.unknown_logp_ = static_cast<float>(-log_total);
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
      if (last && w.freq > 0) {
        dict.put(h, static_cast<float>(std::log(w.freq) - log_total), true);
      } else {
        dict.put(h, kPrefixMarker - 1, false);
      }
    }
    if (w.freq > 0) {
      ++dict.words_;
      if (len > dict.max_len_) dict.max_len_ = len;
    }
  }
  return dict;
}

void WordDictionary::put(uint64_t h, float logp, bool word) {
  if (h == 0) h = 1;
  size_t i = slot(h);
  while (entries_[i].key != 0 && entries_[i].key != h) i = (i + 1) & mask_;
  Entry& e = entries_[i];
  e.key = h;
  if (word) e.logp = logp;  // a prefix never overwrites a word
}

bool WordDictionary::contains(std::string_view utf8) const {
  uint64_t h = kWordHashSeed;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t n = 1;
    h = word_hash_step(h, decode_utf8_at(utf8, i, n));
    i += n;
  }
  if (h == 0) h = 1;
  float logp = 0;
  return probe(h, logp) == Probe::kWord;
}

}  // namespace wenku::text
