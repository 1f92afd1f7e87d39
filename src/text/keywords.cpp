// TF-IDF over segmented words, as jieba.analyse.extract_tags does it.
#include "text/keywords.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_set>

#include "core/strings.h"
#include "text/jieba_data.h"
#include "text/utf8_scan.h"

namespace wenku::text {

namespace {

// Function words and fillers that TF-IDF would otherwise rank for long texts; jieba's own
// English list plus common Chinese ones.
const std::unordered_set<std::string_view>& stop_words() {
  static const std::unordered_set<std::string_view> words = {
      "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as",
      "on", "with", "can", "if", "from", "which", "you", "it", "this", "then", "at", "have",
      "all", "not", "one", "has", "or", "was", "were", "will", "its", "their", "these", "those",
      "我们", "你们", "他们", "她们", "它们", "自己", "这个", "那个", "这些", "那些", "这样",
      "那样", "一个", "一些", "没有", "不是", "就是", "还是", "可以", "因为", "所以", "但是",
      "如果", "虽然", "而且", "并且", "或者", "以及", "及其", "之一", "其中", "通过", "进行",
      "对于", "关于", "由于", "为了", "已经", "正在", "可能", "应该", "需要", "能够", "什么",
      "怎么", "为什么", "如何", "这里", "那里", "现在", "时候", "之后", "以后", "以前", "之前",
      "以上", "以下", "之间", "方面", "问题", "情况", "部分", "其他", "其它", "一样", "一直",
      "还有", "只有", "只是", "于是", "然后", "而是", "不过", "此外", "另外", "同时", "根据",
      "按照", "有关", "相关", "各种", "任何", "每个", "所有", "许多", "很多", "非常", "比较",
      "更加", "特别", "主要", "一般", "本文", "研究", "提出", "采用", "利用", "使用", "具有",
  };
  return words;
}

// A word is worth ranking when it holds a Han character or a letter and is not a number.
bool is_content_word(std::string_view w) {
  size_t i = 0;
  bool content = false;
  size_t chars = 0;
  while (i < w.size()) {
    size_t len = 1;
    char32_t cp = decode_utf8_at(w, i, len);
    i += len;
    ++chars;
    if (is_han(cp) || (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'))) content = true;
  }
  return content && chars >= 2;
}

}  // namespace

bool is_stop_word(std::string_view word) {
  const auto& sw = stop_words();
  if (sw.count(word) != 0) return true;
  bool ascii = std::all_of(word.begin(), word.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return ascii && sw.count(to_lower_ascii(word)) != 0;
}

Result<KeywordExtractor> KeywordExtractor::load(const std::filesystem::path& jieba_dir) {
  std::filesystem::path dir = jieba_dir;
  if (dir.empty()) {
    WENKU_ASSIGN_OR_RETURN(dir, find_jieba_dir());
  }
  auto data = read_data_file(dir / "analyse" / "idf.txt");
  if (!data) {
    return make_error(ErrorCode::kUnavailable, "jieba IDF table missing: " +
                                                   (dir / "analyse" / "idf.txt").string() +
                                                   " (install python3-jieba)");
  }
  KeywordExtractor k;
  std::vector<double> values;
  std::string_view text = *data;
  k.idf_.reserve(300000);
  values.reserve(300000);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    size_t sp = line.rfind(' ');
    if (sp == std::string_view::npos || sp == 0) continue;
    std::string num(line.substr(sp + 1));
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (end == num.c_str()) continue;
    k.idf_.emplace(std::string(line.substr(0, sp)), v);
    values.push_back(v);
  }
  if (values.empty()) return make_error(ErrorCode::kCorrupt, "jieba IDF table holds no weights");
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(values.size() / 2), values.end());
  k.median_idf_ = values[values.size() / 2];
  return k;
}

double KeywordExtractor::idf(std::string_view word) const {
  auto it = idf_.find(word);
  return it == idf_.end() ? median_idf_ : it->second;
}

std::vector<Keyword> KeywordExtractor::extract(const Segmenter& segmenter, std::string_view text,
                                               size_t top_n) const {
  return extract(segmenter.segment(text, SegmentMode::kQuery), top_n);
}

std::vector<Keyword> KeywordExtractor::extract(const std::vector<Token>& words, size_t top_n) const {
  return extract(count_words(words), top_n);
}

std::vector<Keyword> KeywordExtractor::extract(const WordCounts& counts, size_t top_n) const {
  WordCounts tf;
  double total = 0;
  for (const auto& [w, n] : counts) {
    if (!is_content_word(w) || is_stop_word(w)) continue;
    tf.emplace_back(w, n);
    total += n;
  }
  // Weights first, strings for the top words only: a long text has tens of thousands.
  for (auto& [w, weight] : tf) weight = weight / total * idf(w);
  auto better = [](const std::pair<std::string_view, double>& a, const std::pair<std::string_view, double>& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  size_t n = std::min(top_n, tf.size());
  std::partial_sort(tf.begin(), tf.begin() + static_cast<ptrdiff_t>(n), tf.end(), better);
  std::vector<Keyword> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(Keyword{std::string(tf[i].first), tf[i].second});
  return out;
}

}  // namespace wenku::text
