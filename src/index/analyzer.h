// Text analysis shared by indexing and querying: normalise, segment into words, and derive
// the character-level tokens (CJK bigrams) that guarantee recall where words disagree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::text {
class Normalizer;
class Segmenter;
}  // namespace wenku::text

namespace wenku::index {

// A field as the index stores it: tokens joined by single spaces.
struct AnalyzedField {
  std::string words;  // segmenter words (index mode), punctuation dropped
  std::string grams;  // per CJK run: bigrams starting at each character, the last
                      // character alone; other runs (Latin words, numbers) as they are
  std::string chars;  // every CJK character alone: a one-character query finds it anywhere
  // Where each of `words` is in the analysed text: byte offset and length, in pairs. The
  // index keeps these instead of the words (they are always substrings of the text).
  std::vector<uint32_t> word_spans;
};

// A page as the index keeps it for snippets: the original and a normalised copy with
// exactly the same number of code points, so a match found in one maps onto the other.
struct AlignedText {
  std::string normalized;  // what the index tokenises (true normalisation)
  std::string aligned;     // code point i of `aligned` is the normalised original code point i
};

// One thing a query asks for: a word, or a quoted phrase (several words in order).
struct QueryTerm {
  std::string text;                // normalised text of the word or phrase
  std::vector<std::string> words;  // its words (query mode); one entry for a plain word
  bool phrase = false;
};

struct ParsedQuery {
  std::vector<QueryTerm> terms;     // must match (all, then relaxed to most)
  std::vector<QueryTerm> excluded;  // -word / -"phrase"
  std::vector<std::string> highlight;  // normalised strings to mark in snippets
  // Adjacent pairs of query words ("盘古" "大陆" -> "盘古大陆"): documents that keep
  // them together score higher; they never decide what matches.
  std::vector<std::string> pairs;
  // Stop and question words were left out (什么是民主化 -> 民主化): the query is a question,
  // not a bare keyword.
  bool dropped_words = false;
};

class Analyzer {
 public:
  Analyzer(const text::Normalizer& normalizer, const text::Segmenter& segmenter);

  std::string normalize(std::string_view s) const;
  // Normalises line by line so the aligned copy keeps the original's code point count.
  AlignedText normalize_aligned(std::string_view original) const;
  // Words and grams of already-normalised text.
  AnalyzedField analyze_normalized(std::string_view normalized) const;
  // Splits the user's query into terms, phrases and exclusions, normalised and segmented
  // with the query mode. Stop words are dropped unless nothing else is left.
  ParsedQuery parse_query(std::string_view query) const;
  // Segments normalised text in query mode, without punctuation.
  std::vector<std::string> query_words(std::string_view normalized) const;
  // The dictionary words a normalised word is made of (桥梁工程 -> 桥梁 工程), content
  // words only; empty when the word does not split into two or more.
  std::vector<std::string> sub_words(std::string_view normalized_word) const;
  // Function and question words, compared after normalisation (the normaliser may change
  // them too, as tw2s does with 么).
  bool is_stop_word(std::string_view normalized_word) const;
  // What a document is about, as query words for related(): `source` is its title, a
  // newline, then its keywords and the start of its text. The title's words first, then
  // the most frequent (twice or more) words of two or more characters, at most 12.
  std::vector<std::string> related_words(std::string_view source) const;

 private:
  const text::Normalizer& normalizer_;
  const text::Segmenter& segmenter_;
  std::vector<std::string> stop_words_;  // normalised, sorted
};

// The grams and chars of already-normalised text (`out.words` is left alone): a function of
// the text alone, no dictionary, so the index can derive them again instead of storing them.
void add_grams(std::string_view normalized, AnalyzedField& out);

// True for scripts written without spaces (Han, kana, Hangul): indexed as bigrams.
bool is_cjk(char32_t c);
// True when a token has a letter, digit or ideograph (not only punctuation).
bool is_content_token(std::string_view token);
// The gram tokens that, in order, match `normalized` as a character sequence anywhere in
// a text. `prefix_last` is set when the last token must be matched as a prefix (a lone
// final CJK character, which starts a bigram or stands alone at the end of a run).
std::vector<std::string> query_gram_tokens(std::string_view normalized, bool& prefix_last);

}  // namespace wenku::index
