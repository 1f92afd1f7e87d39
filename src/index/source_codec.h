// The stored source of a document's FTS5 row (table fts_src). FTS5 is contentless, and its
// 'delete' needs every token back, in order: fts_src keeps what the row was made of. Format 3
// (written): the normalised texts and each field's words as spans of them, the grams derived
// again on delete and checked against a checksum. Formats 1 and 2 (deflated) are still read.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "index/analyzer.h"

namespace wenku::index {

// The seven FTS5 columns (t tg k kg b bg u) from the three analysed fields.
std::vector<std::string> fts_columns(const AnalyzedField& t, const AnalyzedField& k, const AnalyzedField& b);

// True when `body` is the pages' aligned texts joined by newlines.
bool body_is_aligned_pages(std::string_view body, const std::vector<AlignedText>& pages);

// A document's source in format 3: `title`, `meta` and `body` are the normalised texts t, k
// and b were analysed from, `cols` the seven columns indexed; the body's text is left out
// when `body_from_pages` (the pages hold it).
std::string pack_source3(const std::string& title, const std::string& meta, const std::string& body,
                         bool body_from_pages, const AnalyzedField& t, const AnalyzedField& k,
                         const AnalyzedField& b, const std::vector<std::string>& cols);

// The FTS5 columns a stored source blob stands for: format 1 as stored; format 2 with the
// grams derived again and checked (the body's text from `pages_body()` when it was left
// out). False when damaged or when the derivation now differs.
bool source_columns(std::string_view blob, std::vector<std::string>& cols,
                    const std::function<std::string()>& pages_body);

}  // namespace wenku::index
