// The embedded SearchIndex: SQLite FTS5 over pre-analysed text (words and CJK bigrams),
// ranked by a BM25 variant that counts how many of the query's terms each document has.
#pragma once

#include <memory>
#include <string>

#include "index/search_index.h"

namespace wenku::index {

// Ranking knobs; the defaults are what bench/search_eval measured best (bench/README.md).
struct RankParams {
  // BM25 column weights: title words, title grams, keywords+description words and grams,
  // body words, body grams.
  double w_title = 6.0, w_title_grams = 3.0, w_meta = 3.0, w_meta_grams = 1.5;
  double w_body = 1.0, w_body_grams = 0.5;
  double w_chars = 0.3;  // single characters (all fields)
  double w_pair = 8.0;   // adjacent query words found together (a multiplier of their idf)
  double k1 = 1.2, b = 1.0;  // full length normalisation: +0.015 keyword, +0.0004 dev (bench/README.md)
  // A relaxed (not all words) match is scored as score * coverage^coverage_power.
  double coverage_power = 3.0;
  // Terms a query of n terms must match before the relaxed set is used: all when
  // n <= strict_terms, else ceil(n * min_share). Longer queries are mostly questions in
  // natural language, where some words never occur in the answer: they rank by coverage.
  int strict_terms = 3;
  double min_share = 0.0;
  // A relaxed query looks only at documents holding its rarest terms, as many terms as
  // fit in this many documents (their document frequencies summed); the rest only score.
  double relaxed_budget = 1000;
  // In an index of 1000+ documents, terms in more than this share of them are taken as
  // present instead of looked up (they cost the most and score ~0); > 1 turns it off.
  double assume_share = 0.5;
  // A bare one-word query (not a question reduced to one word) asks what a document is
  // about: a long document that uses the word many times is about many things, and BM25's
  // saturating tf let it outscore a short one built around the word. Its score is divided
  // by 1 + len_prior * ln(1 + body length / average): a document prior from length (keyword
  // MRR 0.633 -> 0.674, bench/README.md "Ranking"). Questions and longer queries keep plain
  // BM25: their answers are often long passages. 0 turns it off.
  double len_prior = 2.0;
};

// Opens (creating if needed) the index database at `path`.
Result<std::unique_ptr<SearchIndex>> open_sqlite_index(const std::string& path,
                                                       const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter,
                                                       const RankParams& params = {});

}  // namespace wenku::index
