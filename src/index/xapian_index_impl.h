// The Xapian SearchIndex's class, for its implementation files only: xapian_index.cpp
// (documents as Xapian terms, shards, writers, readers) and xapian_index_search.cpp
// (queries, the re-rank, snippets, related documents and suggestions).
#pragma once

#include <xapian.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "index/analyzer.h"
#include "index/limits.h"
#include "index/xapian_index.h"

namespace wenku::index {

// Term prefixes: words and CJK bigrams (with positions: phrases), single characters, and
// boolean terms for the id, filters and title prefixes.
inline constexpr std::string_view kWordPrefix = "W";
inline constexpr std::string_view kGramPrefix = "G";
inline constexpr std::string_view kCharPrefix = "C";
inline constexpr std::string_view kIdPrefix = "Q";         // Q<id>: one per document
inline constexpr std::string_view kUnlistedTerm = "XU";    // present on unlisted documents
inline constexpr std::string_view kFormatPrefix = "XF";    // XF<format, lower case>
inline constexpr std::string_view kCategoryPrefix = "XA";  // XA<path> for the path and each ancestor
inline constexpr std::string_view kTitlePrefix = "XP";     // XP<first k characters of the title>
inline constexpr std::string_view kPagesKey = "P";         // metadata P<id>: the page texts

// Value slots (sortable_serialise'd numbers), and the hit key: the id (8 bytes, big-endian,
// sign bit flipped) then the length (4 bytes, big-endian), the relevance sort's tie-break,
// so each hit of the MSet carries both without fetching its document.
// kSlotPages: the hit key then the page texts when they are small (unique per document,
// so as a collapse key it collapses nothing and every hit of a match carries it).
enum Slot : Xapian::valueno {
  kSlotId = 0, kSlotCreated = 1, kSlotViews = 2, kSlotLength = 3, kSlotHitKey = 4, kSlotPages = 5
};
std::string hit_key(int64_t id, Xapian::termcount length);
bool parse_hit_key(std::string_view key, int64_t& id, double& length);

// Page texts up to this size go in the value kSlotPages (one match brings those of a page of
// hits); longer ones in the metadata P<id>, one round trip each.
constexpr size_t kInlinePagesBytes = 16 * 1024;

constexpr size_t kMaxTermBytes = 200;  // Xapian refuses terms over 245 bytes
constexpr size_t kTitlePrefixChars = 24;

// Xapian's errors as ours: a server that does not answer is kUnavailable, the rest kIo.
Error xapian_error(const Xapian::Error& e, const std::string& what);

class XapianSearchIndex : public SearchIndex {
 public:
  XapianSearchIndex(XapianLocation where, const text::Normalizer& n, const text::Segmenter& s);
  Result<void> init();

  Result<void> upsert(const IndexDocument& doc) override { return upsert_batch({doc}); }
  Result<void> upsert_batch(const std::vector<IndexDocument>& docs) override;
  Result<void> remove(int64_t id) override;
  Result<void> set_listed(int64_t id, bool listed) override;
  Result<SearchResult> search(const SearchQuery& q) const override;
  Result<std::vector<int64_t>> related(int64_t id, int limit) const override;
  Result<std::vector<int64_t>> all_ids() const override;
  Result<void> flush() override;
  Result<std::vector<std::string>> suggest_titles(const std::string& prefix, int limit) const override;

  // A reader: every shard, and all of them as one database (global statistics).
  struct Reader {
    Xapian::Database all;
    std::vector<Xapian::Database> shards;
  };

 private:
  struct Writer {
    std::mutex mu;
    std::optional<Xapian::WritableDatabase> db;
  };

  size_t shard_of(int64_t id) const;
  Xapian::Document make_document(const IndexDocument& doc, std::string& pages_blob) const;

  // Runs `f` on the shard's writer and commits: one writer per shard at a time (in this
  // process a mutex; across processes Xapian's database lock, waited for). A remote writer
  // is opened for the write and closed after it, so other processes can write in between;
  // a lost connection (the server's idle timeout) is reopened and `f` run again.
  Result<void> write(size_t shard, const std::function<Result<void>(Xapian::WritableDatabase&)>& f);
  Result<Xapian::WritableDatabase> open_writer(size_t shard) const;
  Result<Reader> open_reader() const;

  // Runs `f` on a reader brought up to date; reconnects once when a server went away.
  template <typename T>
  Result<T> read(const std::function<Result<T>(Reader&)>& f) const;

  // Search parts (xapian_index_search.cpp).
  Xapian::Query chars_query(const std::string& text) const;
  Xapian::Query term_query(const QueryTerm& t) const;
  Xapian::Query filters(const SearchQuery& q) const;
  double term_df(const Reader& r, const Xapian::MSet& stats, const std::string& text) const;
  Result<SearchResult> search_on(Reader& r, const SearchQuery& q) const;
  void fill_hit(SearchHit& hit, const std::string& pages, const std::vector<std::string>& highlight) const;
  // The page texts of documents: those in kSlotPages from one match, the rest (long, or
  // indexed before the slot) from each shard's metadata.
  std::unordered_map<int64_t, std::string> pages_of(const Reader& r, const std::vector<int64_t>& ids) const;

  XapianLocation where_;
  Analyzer analyzer_;
  std::vector<std::unique_ptr<Writer>> writers_;
  mutable std::mutex pool_mu_;
  mutable std::condition_variable pool_cv_;
  mutable std::vector<std::unique_ptr<Reader>> idle_;
  mutable int readers_ = 0;
  static constexpr int kMaxReaders = 8;
};

template <typename T>
Result<T> XapianSearchIndex::read(const std::function<Result<T>(Reader&)>& f) const {
  std::unique_ptr<Reader> r;
  {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || readers_ < kMaxReaders; });
    if (!idle_.empty()) {
      r = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++readers_;
    }
  }
  // Back to the pool when done; a reader that failed is dropped (its slot freed).
  auto release = [&] {
    std::lock_guard lock(pool_mu_);
    if (r) {
      idle_.push_back(std::move(r));
    } else {
      --readers_;
    }
    pool_cv_.notify_one();
  };
  for (int attempt = 0;; ++attempt) {
    try {
      if (!r) {
        Result<Reader> opened = open_reader();
        if (!opened.ok()) {
          release();
          return opened.error();
        }
        r = std::make_unique<Reader>(std::move(opened).value());
      }
      r->all.reopen();  // see every commit, of this process or another
      Result<T> out = f(*r);
      release();
      return out;
    } catch (const Xapian::DatabaseModifiedError& e) {
      // Writers committed twice while we read (Xapian keeps one old revision): reopen and
      // run again, after a pause that grows, so a stream of commits cannot starve a search.
      if (attempt < 30) {
        std::this_thread::sleep_for(std::chrono::milliseconds(attempt));
        continue;
      }
      r.reset();
      release();
      return xapian_error(e, "search");
    } catch (const Xapian::NetworkError& e) {
      r.reset();  // the server closed an idle connection, or restarted: connect again
      if (attempt < 1) continue;
      release();
      return xapian_error(e, "search");
    } catch (const Xapian::Error& e) {
      r.reset();
      release();
      return xapian_error(e, "search");
    }
  }
}

// Length-prefixed strings: the document data and the page texts.
void put_string(std::string& out, std::string_view s);
bool get_string(std::string_view& in, std::string& out);

}  // namespace wenku::index
