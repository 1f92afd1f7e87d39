// Query plans of the index: each query term as FTS5 phrases over the word and character
// columns, and the MATCH expression with the term map `wenku_rank` scores by.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::index {

// A query as FTS5 runs it: the MATCH expression and the term map of its phrases
// (fts_functions.h: which query term each phrase stands for, and its idf).
struct Expr {
  std::string match;
  std::string term_map;
  int n_terms = 0;
  bool length_prior = false;  // rank with RankParams::len_prior
};

// One query term as the engine will look for it.
struct TermPlan {
  std::string text;  // the term's normalised text
  // When the word and its character sequence are the same token (two-character words,
  // lone characters), one phrase over both column groups: fewer phrases, faster queries.
  std::string merged;
  std::string word_phrase;  // FTS5 phrase over the word columns
  std::string gram_phrase;  // FTS5 column filter and phrase that decides matching: the
                            // gram columns, or the character column for one character
  double word_df = 0, gram_df = 0;  // documents holding it (gram: an upper bound)
};

// A document matching a query, as the rank function scored it.
struct Candidate {
  int64_t id;
  uint64_t mask;  // terms found
  int matched;    // how many
  double score;
  int64_t created_at;
  int64_t views;
};

// A token as an FTS5 string: quoted, its quotes doubled.
std::string quote(std::string_view token);
// Phrase of tokens in FTS5 syntax: "a" + "b" + "c" *.
std::string phrase_expr(const std::vector<std::string>& tokens, bool prefix_last);
// The expression that finds `normalized` as a character sequence: a lone character in
// the character column, anything longer as a phrase of grams.
// A lone character closing a longer sequence ("2011年") is matched where it ends a run,
// not as a prefix: a prefix scan over every bigram that starts with 年 costs tens of
// milliseconds, and the word column still finds "2011年" inside longer runs.
std::string char_expr(const std::vector<std::string>& grams, bool prefix_last);
// The columns char_expr looks in.
std::string char_columns(const std::vector<std::string>& grams, bool prefix_last);

// The idf of a token in `df` of `n` documents.
double idf_of(double df, double n);

// A term matches its words in the word columns or its characters, in order, in the gram
// columns; the second always holds when the first does, so it decides matching and the
// first adds score for matching on word boundaries. `rare` (indexes into plans), when not
// empty, makes the query "any rare term, scored by all terms", which bounds the work of
// a relaxed query to the documents of its selective terms.
Expr build_expr(const std::vector<TermPlan>& plans, const std::vector<size_t>& rare, bool all_terms,
                const std::vector<std::string>& excluded, double n_docs,
                const std::vector<TermPlan>& pairs = {}, double pair_weight = 0);

}  // namespace wenku::index
