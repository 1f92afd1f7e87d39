// xapian_bench: Xapian 1.4 (BM25Weight) over the same documents and the same wenku analysis
// as search_eval's FTS5 index, so the two engines compare with nothing else different.
//
//   xapian_bench --passages P.jsonl --queries Q.jsonl [--queries Q2.jsonl] --db DIR
//                [--reuse] [--synthesize N] [--fields wdf|prefix] [--relax elite|or]
//                [--strict-terms N] [--pair-weight W] [--k1 K] [--b B] [--no-data]
//                [--shard-docs N]
//
// Documents (bench_corpus.h): pages of ~1200 characters, the first 200 characters as the
// description. Analysis (index/analyzer.h): the index's normalisation, segmenter words
// (index mode), CJK bigrams with positions, and single characters, per field.
// --fields wdf (default): one term space, a field's weight as its within-document
// frequency (title words 6, grams 3; description 3 / 2; body 1 / 1), the usual Xapian way.
// --fields prefix: each field and stream its own prefix, the query weighting them as
// FTS5's columns are weighted (OP_SCALE_WEIGHT 6 / 3 / 3 / 1.5 / 1 / 0.5).
// Query plan: each query word matches as the phrase of its bigrams OR its word term; all
// words AND (up to --strict-terms), relaxed to ELITE_SET of 10 (or OR) when nothing matches;
// then a compound found nowhere as its dictionary sub-words, then any of the query's
// Chinese characters, as in SqliteIndex::search. Adjacent word pairs as an AND_MAYBE bonus.
// The database is built, committed, then compacted (Database::compact) into DIR.compact,
// which the queries use. --shard-docs N builds databases of N documents each and merges
// them in the compaction (Xapian's advice for bulk builds: each flush into a large
// database rewrites more of its posting lists). Hits read their stored page texts (the snippet's input), no snippet.
#include <sys/resource.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench_corpus.h"
#include "core/strings.h"
#include "index/analyzer.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace {

using Clock = std::chrono::steady_clock;
using wenku::index::Analyzer;
using wenku::index::AnalyzedField;
using wenku::index::ParsedQuery;
using wenku::index::QueryTerm;

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// User + system CPU of the process, seconds: what building costs, whatever the load.
double process_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uintmax_t dir_size(const std::filesystem::path& p) {
  if (std::filesystem::is_regular_file(p)) return std::filesystem::file_size(p);
  uintmax_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

enum class Fields { kWdf, kPrefix };
enum class Relax { kOr, kElite };

// Field f's prefix for words, grams; one character prefix for single characters (all fields).
struct FieldSpec {
  const char* word_prefix;
  const char* gram_prefix;
  Xapian::termcount word_wdf, gram_wdf;  // --fields wdf
  double word_scale, gram_scale;         // --fields prefix: FTS5's column weights
};
// Title, keywords+description, body.
constexpr FieldSpec kWdfFields[3] = {{"W", "G", 6, 3, 1, 1}, {"W", "G", 3, 2, 1, 1}, {"W", "G", 1, 1, 1, 1}};
constexpr FieldSpec kPrefixFields[3] = {
    {"T", "TG", 1, 1, 6.0, 3.0}, {"K", "KG", 1, 1, 3.0, 1.5}, {"B", "BG", 1, 1, 1.0, 0.5}};
constexpr const char* kCharPrefix = "C";
constexpr Xapian::termpos kFieldGap = 100;  // no phrase spans two fields

struct Options {
  Fields fields = Fields::kWdf;
  Relax relax = Relax::kElite;  // same MRR as OR, p99 CPU /8 at 100k (bench/README.md)
  size_t strict_terms = 32;  // AND for every query (the brief's plan); 3 is FTS5's
  double pair_weight = 1.0;
  double k1 = 1.2, b = 1.0;  // FTS5's BM25 parameters (RankParams)
  bool store_data = true;
  size_t shard_docs = 0;  // 0: one database
};

const FieldSpec* field_specs(Fields f) { return f == Fields::kWdf ? kWdfFields : kPrefixFields; }

// Adds one analysed field's tokens: words and grams each at consecutive positions from
// `pos` (separate term spaces, so one position counter serves both), characters without.
Xapian::termpos add_field(Xapian::Document& doc, const AnalyzedField& a, const FieldSpec& spec,
                          Xapian::termpos pos) {
  Xapian::termpos p = pos, end = pos;
  for (const std::string& w : wenku::split(a.words, ' ')) {
    if (w.empty()) continue;
    doc.add_posting(spec.word_prefix + w, ++p, spec.word_wdf);
  }
  end = std::max(end, p);
  p = pos;
  for (const std::string& g : wenku::split(a.grams, ' ')) {
    if (g.empty()) continue;
    doc.add_posting(spec.gram_prefix + g, ++p, spec.gram_wdf);
  }
  end = std::max(end, p);
  for (const std::string& c : wenku::split(a.chars, ' ')) {
    if (!c.empty()) doc.add_term(kCharPrefix + c, 1);
  }
  return end + kFieldGap;
}

// A sequence of terms as a query: one term, or a phrase of them.
Xapian::Query sequence(const std::string& prefix, const std::vector<std::string>& tokens) {
  std::vector<Xapian::Query> qs;
  for (const std::string& t : tokens) qs.emplace_back(prefix + t);
  if (qs.size() == 1) return qs[0];
  return Xapian::Query(Xapian::Query::OP_PHRASE, qs.begin(), qs.end(), static_cast<Xapian::termcount>(qs.size()));
}

class QueryBuilder {
 public:
  QueryBuilder(const Analyzer& analyzer, const Options& opt) : analyzer_(analyzer), opt_(opt) {}

  // The character sequence of normalised text: a lone character as its own term, anything
  // longer as the phrase of its grams (where SqliteIndex uses its u column / gram columns).
  Xapian::Query chars_query(const std::string& text) const {
    bool prefix_last = false;
    std::vector<std::string> grams = wenku::index::query_gram_tokens(text, prefix_last);
    if (grams.empty()) return Xapian::Query();
    if (grams.size() == 1 && prefix_last) return Xapian::Query(kCharPrefix + grams[0]);
    const FieldSpec* specs = field_specs(opt_.fields);
    if (opt_.fields == Fields::kWdf) return sequence(specs[0].gram_prefix, grams);
    std::vector<Xapian::Query> qs;
    for (int f = 0; f < 3; ++f) {
      qs.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, sequence(specs[f].gram_prefix, grams), specs[f].gram_scale);
    }
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
  }

  // One query term: its characters in order (decides matching) OR its words (scores
  // matches on word boundaries).
  Xapian::Query term_query(const QueryTerm& t) const {
    std::vector<Xapian::Query> qs;
    Xapian::Query c = chars_query(t.text);
    if (!c.empty()) qs.push_back(c);
    const FieldSpec* specs = field_specs(opt_.fields);
    if (opt_.fields == Fields::kWdf) {
      qs.push_back(sequence(specs[0].word_prefix, t.words));
    } else {
      for (int f = 0; f < 3; ++f) {
        qs.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, sequence(specs[f].word_prefix, t.words), specs[f].word_scale);
      }
    }
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
  }

  Xapian::Query combine(const std::vector<QueryTerm>& terms, bool all) const {
    std::vector<Xapian::Query> qs;
    for (const QueryTerm& t : terms) qs.push_back(term_query(t));
    if (all) return Xapian::Query(Xapian::Query::OP_AND, qs.begin(), qs.end());
    if (opt_.relax == Relax::kElite) {
      return Xapian::Query(Xapian::Query::OP_ELITE_SET, qs.begin(), qs.end(), 10);
    }
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
  }

  // Exclusions and the adjacent-pair bonus around the matching part.
  Xapian::Query finish(Xapian::Query q, const ParsedQuery& pq, bool pairs) const {
    if (pairs && !pq.pairs.empty() && opt_.pair_weight > 0) {
      std::vector<Xapian::Query> ps;
      for (const std::string& p : pq.pairs) {
        Xapian::Query c = chars_query(p);
        if (!c.empty()) ps.push_back(c);
      }
      if (!ps.empty()) {
        Xapian::Query bonus(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(Xapian::Query::OP_OR, ps.begin(), ps.end()),
                            opt_.pair_weight);
        q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, bonus);
      }
    }
    if (!pq.excluded.empty()) {
      std::vector<Xapian::Query> ex;
      for (const QueryTerm& t : pq.excluded) {
        Xapian::Query c = chars_query(t.text);
        if (!c.empty()) ex.push_back(c);
      }
      if (!ex.empty()) q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(Xapian::Query::OP_OR, ex.begin(), ex.end()));
    }
    return q;
  }

  const Analyzer& analyzer() const { return analyzer_; }
  const Options& options() const { return opt_; }

 private:
  const Analyzer& analyzer_;
  const Options& opt_;
};

// Runs one user query the way SqliteIndex::search plans it: strict, relaxed, sub-words,
// characters. Returns the top 10 document ids.
std::vector<Xapian::docid> search(Xapian::Enquire& enquire, const Xapian::Database& db, const QueryBuilder& qb,
                                  const std::string& text, bool read_data) {
  ParsedQuery pq = qb.analyzer().parse_query(text);
  if (pq.terms.empty()) return {};
  auto run = [&](const Xapian::Query& q) {
    enquire.set_query(q);
    return enquire.get_mset(0, 10);
  };
  auto occurs = [&](const QueryTerm& t) {
    Xapian::Enquire e(db);
    e.set_query(qb.term_query(t));
    e.set_weighting_scheme(Xapian::BoolWeight());
    return !e.get_mset(0, 1).empty();
  };
  Xapian::MSet mset;
  if (pq.terms.size() <= qb.options().strict_terms) mset = run(qb.finish(qb.combine(pq.terms, true), pq, true));
  if (mset.empty()) mset = run(qb.finish(qb.combine(pq.terms, false), pq, true));
  if (mset.empty()) {
    // A compound found nowhere as a whole stands for its dictionary words (all, then any).
    std::vector<QueryTerm> split;
    bool changed = false;
    for (const QueryTerm& t : pq.terms) {
      std::vector<std::string> parts = t.phrase ? std::vector<std::string>{} : qb.analyzer().sub_words(t.text);
      if (!parts.empty()) {
        std::vector<QueryTerm> sub;
        for (const std::string& w : parts) sub.push_back({w, {w}, false});
        if (std::all_of(sub.begin(), sub.end(), occurs)) {
          split.insert(split.end(), sub.begin(), sub.end());
          changed = true;
          continue;
        }
      }
      split.push_back(t);
    }
    if (changed) {
      if (split.size() <= qb.options().strict_terms) mset = run(qb.finish(qb.combine(split, true), pq, false));
      if (mset.empty()) mset = run(qb.finish(qb.combine(split, false), pq, false));
    }
  }
  if (mset.empty()) {
    // Any of the query's Chinese characters: a query with one never comes back empty.
    std::vector<Xapian::Query> chars;
    std::set<std::string> seen;
    for (const QueryTerm& t : pq.terms) {
      for (char32_t c : wenku::utf8_to_u32(t.text)) {
        if (!wenku::index::is_cjk(c)) continue;
        std::string one;
        wenku::append_utf8(one, c);
        if (seen.insert(one).second) chars.emplace_back(kCharPrefix + one);
      }
    }
    if (!chars.empty()) mset = run(qb.finish(Xapian::Query(Xapian::Query::OP_OR, chars.begin(), chars.end()), pq, false));
  }
  std::vector<Xapian::docid> out;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    // The hit's page texts, what a snippet is cut from (SqliteIndex reads its pages table).
    if (read_data) (void)it.get_document().get_data();
    out.push_back(*it);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> passages_files, query_files;
  std::string db_path = "xapian_bench.db";
  bool reuse = false;
  size_t synthesize = 0;
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--passages") passages_files.push_back(next());
    else if (a == "--queries") query_files.push_back(next());
    else if (a == "--db") db_path = next();
    else if (a == "--reuse") reuse = true;
    else if (a == "--synthesize") synthesize = std::stoul(next());
    else if (a == "--fields") opt.fields = next() == "prefix" ? Fields::kPrefix : Fields::kWdf;
    else if (a == "--relax") opt.relax = next() == "or" ? Relax::kOr : Relax::kElite;
    else if (a == "--strict-terms") opt.strict_terms = std::stoul(next());
    else if (a == "--pair-weight") opt.pair_weight = std::stod(next());
    else if (a == "--k1") opt.k1 = std::stod(next());
    else if (a == "--b") opt.b = std::stod(next());
    else if (a == "--no-data") opt.store_data = false;
    else if (a == "--shard-docs") opt.shard_docs = std::stoul(next());
    else {
      std::cerr << "usage: xapian_bench --passages P --queries Q --db DIR [--reuse] [--synthesize N] "
                   "[--fields wdf|prefix] [--relax elite|or] [--strict-terms N] [--pair-weight W] "
                   "[--k1 K] [--b B] [--no-data] [--shard-docs N]\n";
      return 2;
    }
  }
  auto norm = wenku::text::make_normalizer();
  auto seg = wenku::text::make_segmenter();
  if (!norm.ok() || !seg.ok()) {
    std::cerr << "text module unavailable\n";
    return 1;
  }
  Analyzer analyzer(**norm, **seg);
  wenku::bench::Passages passages = wenku::bench::load_passages(passages_files);
  const std::vector<std::string>& ext_of = passages.ext_of;
  std::string compact_path = db_path + ".compact";
  bool build = !(reuse && std::filesystem::exists(compact_path));
  try {
    if (build) {
      std::filesystem::remove_all(db_path);
      std::filesystem::remove_all(compact_path);
      wenku::bench::DocMaker maker(passages, synthesize);
      const FieldSpec* specs = field_specs(opt.fields);
      size_t total_docs = maker.count();
      size_t bytes = 0;
      double cpu0 = process_cpu_s();
      auto t0 = Clock::now();
      std::vector<std::string> shards;
      {
        std::filesystem::create_directories(db_path);
        Xapian::WritableDatabase wdb;
        for (size_t i = 0; i < total_docs; ++i) {
          if (i == 0 || (opt.shard_docs > 0 && i % opt.shard_docs == 0)) {
            if (i > 0) wdb.commit();
            shards.push_back(db_path + "/shard" + std::to_string(shards.size()));
            wdb = Xapian::WritableDatabase(shards.back(), Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
          }
          wenku::bench::BenchDoc d = maker.next();
          bytes += d.title.size() + d.all.size();
          // The same analysis as SqliteIndex's prepare(): aligned page normalisation (the
          // index keeps it for snippets), then words, grams and characters per field.
          std::string body_norm;
          for (const std::string& p : d.pages) {
            if (!body_norm.empty()) body_norm += '\n';
            body_norm += analyzer.normalize_aligned(p).normalized;
          }
          AnalyzedField t = analyzer.analyze_normalized(analyzer.normalize(d.title));
          AnalyzedField k = analyzer.analyze_normalized(analyzer.normalize("\n" + d.description));
          AnalyzedField b = analyzer.analyze_normalized(body_norm);
          Xapian::Document doc;
          Xapian::termpos pos = 0;
          pos = add_field(doc, t, specs[0], pos);
          pos = add_field(doc, k, specs[1], pos);
          (void)add_field(doc, b, specs[2], pos);
          if (opt.store_data) {
            // Title and page texts (form feeds between pages): what hits and snippets need.
            std::string data = d.title;
            for (const std::string& p : d.pages) data += "\f" + p;
            doc.set_data(data);
          }
          // Document ids 1..N in order, also across shards (merged in order by compact).
          wdb.add_document(doc);
        }
        wdb.commit();
      }
      double cpu = process_cpu_s() - cpu0;
      double s = seconds_since(t0);
      uintmax_t size = dir_size(db_path);
      std::printf("indexed %zu docs, %.1f MB text in %.1f s: %.2f MB/s; index %.1f MB (%.2fx text)\n", total_docs,
                  static_cast<double>(bytes) / 1e6, s, static_cast<double>(bytes) / 1e6 / s,
                  static_cast<double>(size) / 1e6, static_cast<double>(size) / static_cast<double>(bytes));
      std::printf("build CPU %.1f s: %.2f MB/s per CPU-second\n", cpu, static_cast<double>(bytes) / 1e6 / cpu);
      cpu0 = process_cpu_s();
      t0 = Clock::now();
      Xapian::Database all;
      for (const std::string& sh : shards) all.add_database(Xapian::Database(sh));
      // Shards renumbered one after the other: ids stay 1..N in build order.
      all.compact(compact_path, Xapian::DBCOMPACT_MULTIPASS);
      cpu = process_cpu_s() - cpu0;
      s = seconds_since(t0);
      uintmax_t csize = dir_size(compact_path);
      std::printf("compact: %.1f s (%.1f s CPU); index %.1f MB (%.2fx text):", s, cpu, static_cast<double>(csize) / 1e6,
                  static_cast<double>(csize) / static_cast<double>(bytes));
      for (const auto& e : std::filesystem::directory_iterator(compact_path)) {
        if (e.path().extension() == ".glass") {
          std::printf(" %s %.1f MB", e.path().stem().c_str(), static_cast<double>(e.file_size()) / 1e6);
        }
      }
      std::printf("\n");
      std::filesystem::remove_all(db_path);  // the queries use the compacted copy
    }
    std::fflush(stdout);

    Xapian::Database db(compact_path);
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BM25Weight(opt.k1, 0, 1, opt.b, 0.5));
    QueryBuilder qb(analyzer, opt);
    for (const std::string& qf : query_files) {
      wenku::bench::QueryStats stats;
      auto t0 = Clock::now();
      for (const wenku::bench::JudgedQuery& jq : wenku::bench::read_queries(qf)) {
        double cpu0 = thread_cpu_ms();
        auto q0 = Clock::now();
        std::vector<Xapian::docid> hits = search(enquire, db, qb, jq.text, opt.store_data);
        stats.took.push_back(seconds_since(q0) * 1e3);
        stats.cpu.push_back(thread_cpu_ms() - cpu0);
        double rr = wenku::bench::reciprocal_rank(std::vector<size_t>(hits.begin(), hits.end()), ext_of, jq.relevant);
        stats.add(jq.type, rr, hits.empty());
      }
      double s = seconds_since(t0);
      stats.print(qf, s);
    }
  } catch (const Xapian::Error& e) {
    std::cerr << "xapian: " << e.get_description() << "\n";
    return 1;
  }
  return 0;
}
