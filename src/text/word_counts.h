// How often each word of a segmented text occurs: the one pass over a document's words that
// its keywords (TF-IDF) and its SimHash both start from.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "text/segmenter.h"

namespace wenku::text {

// Distinct tokens with their counts, in no particular order; the views point into the text
// the tokens were cut from. Each consumer picks the words it wants from these.
using WordCounts = std::vector<std::pair<std::string_view, double>>;

WordCounts count_words(const std::vector<Token>& words);

}  // namespace wenku::text
