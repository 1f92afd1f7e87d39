// The SearchIndex on Xapian: a local database (`xapian:///path`) or shards served by stock
// `xapian-tcpsrv --writable` (`xapian+tcp://h1:p1,h2:p2`). It indexes the terms wenku's own
// analyser produces and re-ranks the merged top hits with what Xapian's BM25 lacks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "index/search_index.h"

namespace wenku::index {

// Where a Xapian index lives: one local directory, or one address per shard.
struct XapianLocation {
  std::string path;  // local database directory (created if missing)
  struct Shard {
    std::string host;
    unsigned port = 0;
  };
  std::vector<Shard> shards;  // remote: documents go to shard (id mod shards.size())
};

// Parses the part of a URL after the scheme: "/path" for xapian://, "h1:p1,h2:p2" for
// xapian+tcp://. Errors: kInvalidArgument.
Result<XapianLocation> parse_xapian_location(const std::string& rest, bool remote);

// Opens the index (a local one is created if needed; every shard must answer).
// Errors: kUnavailable (a shard does not answer), kIo.
Result<std::unique_ptr<SearchIndex>> open_xapian_index(const XapianLocation& where,
                                                       const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter);

}  // namespace wenku::index
