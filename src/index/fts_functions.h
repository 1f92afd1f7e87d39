// What wenku adds to SQLite FTS5 on every index connection: the `wenku_ws` tokenizer (tokens
// arrive pre-analysed, separated by single spaces) and the `wenku_rank` function (BM25 per
// phrase and column, with the terms each document has).
#pragma once

#include <cstdint>

#include "core/result.h"
#include "sqlite/database.h"

namespace wenku::index {

// The FTS5 table's columns: t tg k kg b bg u (title words and grams, keywords+description
// words and grams, body words and grams, single characters of all fields).
constexpr int kColumns = 7;
constexpr int kBodyGrams = 5;  // its size: the body's length in characters, roughly

constexpr int kExcludePhrase = -1;  // in the term map: a phrase that only excludes
constexpr int kBonusPhrase = -2;    // in the term map: a phrase that only adds score

struct RankResult {
  uint64_t matched;  // bitmask of the query terms found (at most kMaxQueryTerms)
  double score;
};

// Registers the tokenizer and the rank function on `c`. Errors: kUnavailable (SQLite was
// built without FTS5), kIo.
Result<void> register_fts_functions(sqlite::Connection& c);

}  // namespace wenku::index
