// The embedded SearchIndex's class, for its implementation files only: sqlite_index.cpp
// (opening, connections, writes) and sqlite_index_search.cpp (search, related, suggestions).
// The stored source codec, the FTS5 functions and the query plans are files of their own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "index/analyzer.h"
#include "index/limits.h"
#include "index/query_plan.h"
#include "index/sqlite_index.h"
#include "sqlite/database.h"

namespace wenku::index {

using sqlite::Connection;
using sqlite::Statement;

constexpr size_t kMaxCandidates = 2000000;  // rows a query may score
constexpr int kSchemaVersion = 3;

// Steps `s` once: true when a row is available. For the few reads whose caller has no error
// to report (a best effort: counts kept in memory, snippets, estimates), an error ends them
// as if there were no more rows.
inline bool has_row(Statement& s) {
  Result<bool> row = s.step();
  return row.ok() && *row;
}

class SqliteSearchIndex : public SearchIndex {
 public:
  SqliteSearchIndex(std::string path, std::unique_ptr<Connection> writer, const text::Normalizer& n,
                    const text::Segmenter& s, const RankParams& params);

  Result<void> init();

  Result<void> upsert(const IndexDocument& doc) override { return upsert_all({&doc}); }

  Result<void> upsert_batch(const std::vector<IndexDocument>& docs) override;

 private:
  // Group commit: what callers on other threads (the library's workers) hand in while a
  // commit is running goes into the next commit together. A commit per document costs
  // a third of the indexing CPU (FTS5 writes a segment and the WAL its pages per commit:
  // bench/README.md "Indexing and size"); each caller still returns only once its
  // documents are committed, so they are searchable when upsert() returns, and each
  // call's documents are whole or absent after a crash.
  struct Prepared;
  struct Pending {
    std::vector<Prepared>* docs = nullptr;
    Result<void> result;
    bool done = false;
  };

  Result<void> upsert_all(const std::vector<const IndexDocument*>& docs);

  // One transaction for the whole group; if it fails, each caller's documents are tried
  // in a transaction of their own, so that one bad call does not fail the others.
  void write_group(const std::vector<Pending*>& group);

  Result<void> write_transaction(const std::vector<Pending*>& group);

  // A document analysed and ready to write.
  struct Prepared {
    const IndexDocument* doc;
    std::string title;
    std::string title_norm, meta_norm, body_norm;  // what t, k and b were analysed from
    AnalyzedField t, k, b;
    std::vector<std::string> originals;
    std::vector<AlignedText> pages;
  };

  Result<Prepared> prepare(const IndexDocument& doc) const;

 public:
  Result<void> remove(int64_t id) override;

  Result<void> set_listed(int64_t id, bool listed) override;

  Result<SearchResult> search(const SearchQuery& q) const override;
  Result<std::vector<int64_t>> related(int64_t id, int limit) const override;
  Result<std::vector<std::string>> suggest_titles(const std::string& prefix, int limit) const override;

  Result<std::vector<int64_t>> all_ids() const override;

  Result<void> flush() override;

  Result<void> optimize() override;

 private:
  void recount();
  void mark_listed(int64_t id, bool listed);

  Result<void> delete_document(int64_t id);

  Result<void> write_document(const Prepared& prepared);

  // Scores every listed document matching `expr` under the query's filters.
  // Without filters or another sort, the documents table is not joined: the few unlisted
  // ids are held in memory, and a lookup per matching row was a third of a common word's
  // query time at 1M documents.
  Result<std::vector<Candidate>> candidates(Connection& c, const Expr& expr, const SearchQuery& q) const;

  static void append_filters(std::string& sql, const SearchQuery& q);
  static void bind_filters(Statement& s, const SearchQuery& q, int);

  Result<SearchResult> browse(Connection& c, const SearchQuery& q) const;
  // `word_df`: look up the words' own document frequencies too (pairs need only the
  // character sequence's: each lookup is a query).
  std::vector<TermPlan> plan_terms(Connection& c, const std::vector<QueryTerm>& terms, bool word_df = true) const;
  double token_df(Connection& c, const std::string& token) const;
  std::vector<size_t> rarest(const std::vector<TermPlan>& plans, bool must_occur) const;
  void fill_hit(Connection& c, SearchHit& hit, const ParsedQuery& pq) const;

  // A reader connection lent to one call; back to the pool when it goes.
  class Lease {
   public:
    Lease(const SqliteSearchIndex* owner, std::unique_ptr<Connection> c) : owner_(owner), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) owner_->give_back(std::move(c_));
    }
    Connection& operator*() const { return *c_; }

   private:
    const SqliteSearchIndex* owner_;
    std::unique_ptr<Connection> c_;
  };

  // Registers our tokenizer and rank function and maps the file (every connection).
  static Result<void> setup_connection(Connection& c);

  // Searches run on a pool of reader connections (WAL: they see every commit and never
  // wait for the writer), so concurrent searches do not queue behind one mutex.
  Result<Lease> reader() const;
  void give_back(std::unique_ptr<Connection> c) const;

  static constexpr int kMaxReaders = 8;
  static constexpr int64_t kDfSample = 1000;
  static constexpr int64_t kDfStrata = 8;
  static constexpr double kMinDocsToAssume = 1000;  // below, every term is looked up
  static constexpr size_t kMaxDfCache = 200000;

  std::string path_;
  std::unique_ptr<Connection> w_;  // the writer, guarded by mu_
  Analyzer analyzer_;
  RankParams params_;
  std::string weights_;
  std::string weights_prior_;  // weights_ and the length prior
  mutable std::mutex mu_;  // writes: one at a time on the writer connection
  std::mutex group_mu_;    // guards group_ and group_writing_
  std::condition_variable group_cv_;
  std::vector<Pending*> group_;  // documents waiting for the next commit
  bool group_writing_ = false;   // a caller is writing a group now
  mutable std::mutex pool_mu_;
  mutable std::condition_variable pool_cv_;
  mutable std::vector<std::unique_ptr<Connection>> idle_;  // reader connections not lent out
  mutable int readers_ = 0;                          // reader connections open
  std::atomic<int64_t> n_docs_{0};  // documents in the index, kept in step with writes
  std::atomic<int64_t> max_id_{0};   // the largest document id ever indexed (an upper bound)
  mutable std::shared_mutex unlisted_mu_;
  std::unordered_set<int64_t> unlisted_;  // ids of documents never to return (listed = 0)
  mutable std::mutex df_mu_;
  mutable std::unordered_map<std::string, double> df_cache_;  // token -> documents (estimate)
  mutable int64_t df_cache_docs_ = 0;                          // n_docs_ when it was filled
};

}  // namespace wenku::index
