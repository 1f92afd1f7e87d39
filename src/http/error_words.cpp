// Worded errors: the tables of web/templates/i18n/errors.{zh-CN,en}.json, read once.
#include "http/error_words.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http/assets.h"

namespace wenku::http {

namespace {

using Table = std::map<std::string, std::string, std::less<>>;

Table load(std::string_view lang) {
  auto a = asset("templates/i18n/errors." + std::string(lang) + ".json");
  if (!a) throw std::logic_error("missing error words for " + std::string(lang));
  Table t;
  auto j = nlohmann::json::parse(*a);
  for (auto it = j.begin(); it != j.end(); ++it) t[it.key()] = it.value().get<std::string>();
  return t;
}

const Table& table(std::string_view lang) {
  static const Table zh = load("zh-CN");
  static const Table en = load("en");
  return lang == "en" ? en : zh;
}

std::string word_line(const ErrorLine& line, std::string_view lang, int depth) {
  const Table& t = table(lang);
  auto it = t.find(line.key);
  if (it == t.end()) return line.key;
  const std::string& words = it->second;
  std::string out;
  for (size_t i = 0; i < words.size();) {
    if (words[i] == '{') {
      size_t close = words.find('}', i);
      if (close != std::string::npos) {
        std::string_view name = std::string_view(words).substr(i + 1, close - i - 1);
        for (const auto& p : line.params) {
          if (p.name != name) continue;
          auto inner = depth < 4 ? parse_error_line(p.value) : std::nullopt;
          out += inner ? word_line(*inner, lang, depth + 1) : p.value;
          break;
        }
        i = close + 1;
        continue;
      }
    }
    out += words[i++];
  }
  return out;
}

// Where a line starts in `text`: 0 for a line, the position after "prefix: " for a message
// that ends in one, npos for plain text.
size_t line_start(std::string_view text, std::optional<ErrorLine>& line) {
  for (size_t at = text.find("err:"); at != std::string_view::npos; at = text.find("err:", at + 1)) {
    if (at != 0 && text[at - 1] != ' ') continue;
    line = parse_error_line(text.substr(at));
    if (line) return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::string error_words(std::string_view text, std::string_view lang) {
  std::optional<ErrorLine> line;
  size_t at = line_start(text, line);
  if (at == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, at)) + word_line(*line, lang, 0);
}

std::string error_words_both(std::string_view text) {
  std::optional<ErrorLine> line;
  size_t at = line_start(text, line);
  if (at == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, at)) + word_line(*line, "zh-CN", 0) + " / " + word_line(*line, "en", 0);
}

std::vector<std::string> error_word_keys(std::string_view lang) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : table(lang)) keys.push_back(k);
  return keys;
}

}  // namespace wenku::http
