// XapianSearchIndex's queries: the query plan of the FTS5 index as Xapian queries (strict,
// relaxed, compound split, characters), run over every shard as one database so that term
// statistics are global, then a re-rank of the merged top hits with what stock servers
// cannot weigh (term coverage, adjacent query words, the length prior); snippets, related
// documents and title suggestions.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/strings.h"
#include "index/query_plan.h"
#include "index/snippet.h"
#include "index/xapian_index_impl.h"

namespace wenku::index {
namespace {

constexpr size_t kRerank = 100;        // top hits re-ranked
constexpr double kK1 = 1.2, kB = 1.0;  // the FTS5 index's BM25 (RankParams)
constexpr double kCoveragePower = 3.0;
constexpr double kPairWeight = 1.0;  // adjacent words found together: + this x their idf
constexpr double kLenPrior = 2.0;    // a bare one-word query: / (1 + this ln(1 + len / avg))
constexpr size_t kBitsPerMatch = 48;  // queries whose holders one coverage match tells apart

std::string prefixed(std::string_view prefix, std::string_view token) {
  std::string t(prefix);
  t += token;
  return t;
}

// A sequence of tokens: one term, or the phrase of them.
Xapian::Query sequence(std::string_view prefix, const std::vector<std::string>& tokens) {
  std::vector<Xapian::Query> qs;
  for (const std::string& t : tokens) {
    if (t.size() > kMaxTermBytes) return Xapian::Query();
    qs.emplace_back(prefixed(prefix, t));
  }
  if (qs.empty()) return Xapian::Query();
  if (qs.size() == 1) return qs[0];
  return Xapian::Query(Xapian::Query::OP_PHRASE, qs.begin(), qs.end(), static_cast<Xapian::termcount>(qs.size()));
}

Xapian::Query combine(Xapian::Query::op op, const std::vector<Xapian::Query>& qs) {
  if (qs.empty()) return Xapian::Query();
  if (qs.size() == 1) return qs[0];
  return Xapian::Query(op, qs.begin(), qs.end());
}

double number(const Xapian::Document& d, Xapian::valueno slot) {
  std::string v = d.get_value(slot);
  return v.empty() ? 0 : Xapian::sortable_unserialise(v);
}

// A hit of the merged result, before and after the re-rank.
struct Hit {
  Xapian::docid did;
  int64_t id;
  double score;
  double length;
};

}  // namespace

Xapian::Query XapianSearchIndex::chars_query(const std::string& text) const {
  bool prefix_last = false;
  std::vector<std::string> grams = query_gram_tokens(text, prefix_last);
  if (grams.empty()) return Xapian::Query();
  if (grams.size() == 1 && prefix_last) {
    return grams[0].size() <= kMaxTermBytes ? Xapian::Query(prefixed(kCharPrefix, grams[0])) : Xapian::Query();
  }
  return sequence(kGramPrefix, grams);
}

// A query term: its characters in order decide matching, its words on word boundaries
// add score.
Xapian::Query XapianSearchIndex::term_query(const QueryTerm& t) const {
  Xapian::Query c = chars_query(t.text);
  if (c.empty()) return c;
  Xapian::Query w = sequence(kWordPrefix, t.words);
  if (w.empty()) return c;
  return Xapian::Query(Xapian::Query::OP_OR, c, w);
}

Xapian::Query XapianSearchIndex::filters(const SearchQuery& q) const {
  std::vector<Xapian::Query> f;
  if (!q.format.empty()) f.emplace_back(prefixed(kFormatPrefix, to_lower_ascii(sanitize_utf8(q.format))));
  if (!q.category_prefix.empty()) {
    std::string c = sanitize_utf8(q.category_prefix);
    while (!c.empty() && c.back() == '/') c.pop_back();
    f.emplace_back(prefixed(kCategoryPrefix, c));
  }
  if (q.from) {
    f.emplace_back(Xapian::Query::OP_VALUE_GE, kSlotCreated, Xapian::sortable_serialise(static_cast<double>(q.from)));
  }
  if (q.to) {
    f.emplace_back(Xapian::Query::OP_VALUE_LE, kSlotCreated, Xapian::sortable_serialise(static_cast<double>(q.to)));
  }
  return combine(Xapian::Query::OP_AND, f);
}

// Documents holding a term's characters: the rarest of its grams (an upper bound). Read from
// the match's statistics: the grams were in its query, so over remote shards this costs no
// round trip (the MSet asks the database only for a term it has not seen).
double XapianSearchIndex::term_df(const Reader& r, const Xapian::MSet& stats, const std::string& text) const {
  bool prefix_last = false;
  std::vector<std::string> grams = query_gram_tokens(text, prefix_last);
  double df = static_cast<double>(r.all.get_doccount());
  std::string_view prefix = grams.size() == 1 && prefix_last ? kCharPrefix : kGramPrefix;
  for (const std::string& g : grams) df = std::min(df, static_cast<double>(stats.get_termfreq(prefixed(prefix, g))));
  return df;
}

std::unordered_map<int64_t, std::string> XapianSearchIndex::pages_of(const Reader& r,
                                                                     const std::vector<int64_t>& ids) const {
  std::unordered_map<int64_t, std::string> out;
  if (ids.empty()) return out;
  // One match over every shard (two messages a shard, sent to all before any answer is
  // read) instead of a document fetch per hit: kSlotPages as the collapse key comes back
  // with each hit.
  std::vector<Xapian::Query> qs;
  for (int64_t id : ids) qs.emplace_back(prefixed(kIdPrefix, std::to_string(id)));
  Xapian::Enquire e(r.all);
  e.set_query(Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end()));
  e.set_weighting_scheme(Xapian::BoolWeight());
  e.set_collapse_key(kSlotPages, static_cast<Xapian::doccount>(ids.size()));
  Xapian::MSet m = e.get_mset(0, static_cast<Xapian::doccount>(ids.size()));
  for (auto it = m.begin(); it != m.end(); ++it) {
    std::string key = it.get_collapse_key();
    int64_t id = 0;
    double length = 0;
    if (parse_hit_key(std::string_view(key).substr(0, 12), id, length)) out[id] = key.substr(12);
  }
  for (int64_t id : ids) {
    if (!out.count(id)) out[id] = r.shards[shard_of(id)].get_metadata(prefixed(kPagesKey, std::to_string(id)));
  }
  return out;
}

void XapianSearchIndex::fill_hit(SearchHit& hit, const std::string& blob, const std::vector<std::string>& highlight) const {
  std::string_view in = blob;
  std::vector<std::string> texts;
  std::string original, aligned;
  while (get_string(in, original) && get_string(in, aligned)) {
    texts.push_back(std::move(original));
    texts.push_back(std::move(aligned));
  }
  std::vector<PageText> pages;
  for (size_t i = 0; i + 1 < texts.size(); i += 2) pages.push_back({static_cast<int>(i / 2 + 1), texts[i], texts[i + 1]});
  PageMatch m = match_pages(pages, highlight);
  hit.pages = std::move(m.pages);
  hit.snippet = std::move(m.snippet);
}

Result<SearchResult> XapianSearchIndex::search(const SearchQuery& query) const {
  if (query.limit < 0 || query.offset < 0 || query.offset > kMaxOffset) {
    return make_error(ErrorCode::kInvalidArgument, "search: offset or limit out of range");
  }
  return read<SearchResult>([&](Reader& r) { return search_on(r, query); });
}

Result<SearchResult> XapianSearchIndex::search_on(Reader& r, const SearchQuery& query) const {
  auto start = std::chrono::steady_clock::now();
  SearchQuery q = query;
  q.limit = std::min(q.limit, kMaxLimit);
  q.text = utf8_prefix(sanitize_utf8(q.text), kMaxQueryBytes / 3);
  ParsedQuery pq = analyzer_.parse_query(q.text);
  if (pq.terms.size() > kMaxQueryTerms) pq.terms.resize(kMaxQueryTerms);
  if (pq.excluded.size() > kMaxQueryTerms) pq.excluded.resize(kMaxQueryTerms);
  const Xapian::Database& db = r.all;
  Xapian::doccount n_docs = db.get_doccount();
  Xapian::Query filter = filters(q);
  // Filters, listing and exclusions around the matching part.
  auto finish = [&](Xapian::Query m) {
    if (!filter.empty()) m = Xapian::Query(Xapian::Query::OP_FILTER, m, filter);
    std::vector<Xapian::Query> ex{Xapian::Query(std::string(kUnlistedTerm))};
    for (const QueryTerm& t : pq.excluded) {
      Xapian::Query c = chars_query(t.text);
      if (!c.empty()) ex.push_back(c);
    }
    return Xapian::Query(Xapian::Query::OP_AND_NOT, m, combine(Xapian::Query::OP_OR, ex));
  };
  Xapian::Enquire enquire(db);
  enquire.set_weighting_scheme(Xapian::BM25Weight(kK1, 0, 1, kB, 0.5));
  if (q.sort == SortOrder::kNewest) enquire.set_sort_by_value_then_relevance(kSlotCreated, true);
  if (q.sort == SortOrder::kMostViewed) enquire.set_sort_by_value_then_relevance(kSlotViews, true);
  // Relevance ties broken by the hit key (the id): each hit then carries its id and length.
  if (q.sort == SortOrder::kRelevance) enquire.set_sort_by_relevance_then_value(kSlotHitKey, false);
  size_t window = static_cast<size_t>(q.offset) + static_cast<size_t>(q.limit);
  if (q.sort == SortOrder::kRelevance) window = std::max(window, kRerank);
  auto run = [&](const Xapian::Query& m) {
    enquire.set_query(finish(m));
    return enquire.get_mset(0, static_cast<Xapian::doccount>(window), n_docs);
  };
  SearchResult out;
  auto elapsed = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  if (pq.terms.empty()) {
    if (pq.excluded.empty()) {
      // Browsing: every listed document under the filters, newest or most viewed first.
      if (q.sort == SortOrder::kRelevance) enquire.set_sort_by_value_then_relevance(kSlotCreated, true);
      Xapian::MSet m = run(Xapian::Query::MatchAll);
      out.total = m.get_matches_estimated();
      std::vector<int64_t> ids;
      for (Xapian::doccount i = static_cast<Xapian::doccount>(q.offset); i < m.size(); ++i) {
        ids.push_back(static_cast<int64_t>(number(m[i].get_document(), kSlotId)));
      }
      std::unordered_map<int64_t, std::string> pages = pages_of(r, ids);
      for (int64_t id : ids) {
        SearchHit h;
        h.id = id;
        fill_hit(h, pages[id], {});
        out.hits.push_back(std::move(h));
      }
    }
    out.took_ms = elapsed();
    return out;
  }
  auto occurs = [&](const QueryTerm& t) {
    Xapian::Query tq = term_query(t);
    if (tq.empty()) return false;
    Xapian::Enquire e(db);
    e.set_query(tq);
    e.set_weighting_scheme(Xapian::BoolWeight());
    return !e.get_mset(0, 1).empty();
  };
  std::vector<QueryTerm> terms = pq.terms;
  std::erase_if(terms, [&](const QueryTerm& t) { return term_query(t).empty(); });
  auto evaluate = [&](const std::vector<QueryTerm>& ts, bool& strict) {
    std::vector<Xapian::Query> qs;
    for (const QueryTerm& t : ts) qs.push_back(term_query(t));
    Xapian::MSet m;
    strict = ts.size() <= 3;
    if (strict) m = run(combine(Xapian::Query::OP_AND, qs));
    if (m.empty()) {
      strict = false;
      m = run(combine(Xapian::Query::OP_OR, qs));
    }
    return m;
  };
  bool strict = false;
  Xapian::MSet mset;
  if (!terms.empty()) mset = evaluate(terms, strict);
  // A compound found nowhere as a whole (桥梁工程) stands for its dictionary words.
  if (mset.empty() && !terms.empty()) {
    std::vector<QueryTerm> split;
    std::vector<std::string> highlight;
    bool changed = false;
    for (const QueryTerm& t : terms) {
      std::vector<std::string> parts = t.phrase ? std::vector<std::string>{} : analyzer_.sub_words(t.text);
      if (!parts.empty() && !occurs(t)) {
        std::vector<QueryTerm> sub;
        for (const std::string& w : parts) sub.push_back({w, {w}, false});
        if (std::all_of(sub.begin(), sub.end(), occurs)) {
          for (QueryTerm& s : sub) {
            highlight.push_back(s.text);
            split.push_back(std::move(s));
          }
          changed = true;
          continue;
        }
      }
      highlight.push_back(t.text);
      split.push_back(t);
    }
    if (changed && split.size() <= kMaxQueryTerms) {
      Xapian::MSet m = evaluate(split, strict);
      if (!m.empty()) {
        mset = m;
        terms = std::move(split);
        pq.highlight = std::move(highlight);
      }
    }
  }
  // Nothing: any of the query's Chinese characters, so that it never comes back empty
  // while a document shares one with it.
  if (mset.empty()) {
    std::vector<QueryTerm> chars;
    for (const QueryTerm& t : pq.terms) {
      for (char32_t c : utf8_to_u32(t.text)) {
        if (!is_cjk(c)) continue;
        std::string one;
        append_utf8(one, c);
        if (chars.size() < kMaxQueryTerms &&
            std::none_of(chars.begin(), chars.end(), [&](const QueryTerm& o) { return o.text == one; })) {
          chars.push_back({one, {one}, false});
        }
      }
    }
    if (!chars.empty()) {
      std::vector<Xapian::Query> qs;
      for (const QueryTerm& t : chars) qs.push_back(term_query(t));
      mset = run(combine(Xapian::Query::OP_OR, qs));
      strict = false;
      terms = chars;
      pq.highlight.clear();
      for (const QueryTerm& t : chars) pq.highlight.push_back(t.text);
    }
  }
  out.total = mset.get_matches_estimated();
  std::vector<Hit> hits;
  bool fetched = false;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    Hit h{*it, 0, it.get_weight(), 0};
    if (q.sort != SortOrder::kRelevance || !parse_hit_key(it.get_sort_key(), h.id, h.length)) {
      // Sorted by a value, or a document indexed before the hit key: its values, fetched.
      if (!fetched) mset.fetch();
      fetched = true;
      Xapian::Document d = it.get_document();
      h.id = static_cast<int64_t>(number(d, kSlotId));
      h.length = number(d, kSlotLength);
    }
    hits.push_back(h);
  }
  out.relaxed = !strict;
  if (q.sort == SortOrder::kRelevance && !hits.empty()) {
    // The re-rank of the merged top hits: stock servers weigh by BM25 alone.
    size_t top = std::min(hits.size(), std::max(kRerank, static_cast<size_t>(q.offset) + static_cast<size_t>(q.limit)));
    std::vector<Xapian::Query> ids;
    for (size_t i = 0; i < top; ++i) ids.emplace_back(prefixed(kIdPrefix, std::to_string(hits[i].id)));
    Xapian::Query among = combine(Xapian::Query::OP_OR, ids);
    // Which of the top hits (their merged docids) hold each of `qs`, in one match per 48 of
    // them: query j, counted once per document (a synonym) and scaled by 2^j under
    // CoordWeight, sets bit j of a hit's weight. Their MSets' statistics give term_df.
    std::vector<Xapian::MSet> stats;
    auto holding = [&](const std::vector<Xapian::Query>& qs) {
      std::vector<std::unordered_set<Xapian::docid>> have(qs.size());
      for (size_t base = 0; base < qs.size(); base += kBitsPerMatch) {
        size_t end = std::min(qs.size(), base + kBitsPerMatch);
        std::vector<Xapian::Query> parts;
        for (size_t j = base; j < end; ++j) {
          Xapian::Query once(Xapian::Query::OP_SYNONYM, &qs[j], &qs[j] + 1);
          parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, once, std::ldexp(1.0, static_cast<int>(j - base)));
        }
        Xapian::Enquire e(db);
        e.set_query(Xapian::Query(Xapian::Query::OP_FILTER, combine(Xapian::Query::OP_OR, parts), among));
        e.set_weighting_scheme(Xapian::CoordWeight());
        Xapian::MSet hm = e.get_mset(0, static_cast<Xapian::doccount>(top));
        for (auto it = hm.begin(); it != hm.end(); ++it) {
          auto bits = static_cast<uint64_t>(std::llround(it.get_weight()));
          for (size_t j = base; j < end; ++j) {
            if ((bits >> (j - base)) & 1) have[j].insert(*it);
          }
        }
        stats.push_back(hm);
      }
      return have;
    };
    auto stats_of = [&](size_t j) -> const Xapian::MSet& { return stats[j / kBitsPerMatch]; };
    double n = static_cast<double>(std::max<Xapian::doccount>(n_docs, 1));
    std::vector<double> have(top, 0), bonus(top, 0);
    double all_weight = 0;
    size_t n_full = 0;
    std::vector<size_t> matched(top, 0);
    // One coverage match for the terms (relaxed only) and the adjacent pairs together.
    std::vector<Xapian::Query> asked;
    if (!strict) {
      for (const QueryTerm& t : terms) asked.push_back(term_query(t));
    }
    std::vector<std::string> pairs;
    for (const std::string& p : pq.pairs) {
      Xapian::Query c = chars_query(p);
      if (c.empty()) continue;
      pairs.push_back(p);
      asked.push_back(c);
    }
    std::vector<std::unordered_set<Xapian::docid>> held;
    if (!asked.empty()) held = holding(asked);
    size_t j = 0;
    if (!strict) {
      // Coverage: each query term weighed by its rarity (missing 人 costs little).
      for (const QueryTerm& t : terms) {
        double w = idf_of(term_df(r, stats_of(j), t.text), n) + 0.1;
        all_weight += w;
        const std::unordered_set<Xapian::docid>& h = held[j++];
        for (size_t i = 0; i < top; ++i) {
          if (h.count(hits[i].did)) {
            have[i] += w;
            ++matched[i];
          }
        }
      }
      for (size_t i = 0; i < top; ++i) n_full += matched[i] == terms.size() ? 1 : 0;
    }
    // Adjacent query words kept together.
    for (const std::string& p : pairs) {
      double idf = idf_of(term_df(r, stats_of(j), p), n);
      const std::unordered_set<Xapian::docid>& h = held[j++];
      for (size_t i = 0; i < top; ++i) {
        if (h.count(hits[i].did)) bonus[i] += kPairWeight * idf;
      }
    }
    bool prior = terms.size() == 1 && !pq.dropped_words;
    double avg = std::max(db.get_avlength(), 1.0);
    for (size_t i = 0; i < top; ++i) {
      Hit& h = hits[i];
      h.score += bonus[i];
      if (all_weight > 0) h.score *= std::pow(have[i] / all_weight, kCoveragePower);
      if (prior) h.score /= 1 + kLenPrior * std::log(1 + h.length / avg);
    }
    std::stable_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(top), [](const Hit& a, const Hit& b) {
      return a.score != b.score ? a.score > b.score : a.id < b.id;
    });
    if (n_full > 0) out.relaxed = false;
  }
  size_t first = std::min(static_cast<size_t>(q.offset), hits.size());
  size_t last = std::min(hits.size(), first + static_cast<size_t>(q.limit));
  std::vector<int64_t> ids;
  for (size_t i = first; i < last; ++i) ids.push_back(hits[i].id);
  std::unordered_map<int64_t, std::string> pages = pages_of(r, ids);
  for (size_t i = first; i < last; ++i) {
    SearchHit h;
    h.id = hits[i].id;
    h.score = hits[i].score;
    fill_hit(h, pages[h.id], pq.highlight);
    out.hits.push_back(std::move(h));
  }
  out.took_ms = elapsed();
  return out;
}

Result<std::vector<int64_t>> XapianSearchIndex::related(int64_t id, int limit) const {
  return read<std::vector<int64_t>>([&](Reader& r) -> Result<std::vector<int64_t>> {
    const Xapian::Database& shard = r.shards[shard_of(id)];
    std::string id_term = prefixed(kIdPrefix, std::to_string(id));
    Xapian::PostingIterator p = shard.postlist_begin(id_term);
    if (p == shard.postlist_end(id_term)) return make_error(ErrorCode::kNotFound, "index: no document " + std::to_string(id));
    std::string_view data_in;
    Xapian::Document doc = shard.get_document(*p);
    std::string data = doc.get_data();
    data_in = data;
    std::string title, keywords;
    (void)(get_string(data_in, title) && get_string(data_in, keywords));
    std::string source = title + "\n" + keywords;
    std::string blob = doc.get_value(kSlotPages);  // fetched with the document: small texts
    blob = blob.size() >= 12 ? blob.substr(12) : shard.get_metadata(prefixed(kPagesKey, std::to_string(id)));
    std::string_view in = blob;
    std::string original, aligned;
    if (get_string(in, original) && get_string(in, aligned)) source += "\n" + utf8_prefix(aligned, 3000);
    std::vector<std::string> words = analyzer_.related_words(source);
    std::vector<Xapian::Query> qs;
    for (const std::string& w : words) {
      Xapian::Query t = term_query({w, {w}, false});
      if (!t.empty()) qs.push_back(t);
    }
    std::vector<int64_t> out;
    if (qs.empty() || limit <= 0) return out;
    Xapian::Query m(Xapian::Query::OP_AND_NOT, combine(Xapian::Query::OP_OR, qs),
                    Xapian::Query(Xapian::Query::OP_OR, Xapian::Query(id_term), Xapian::Query(std::string(kUnlistedTerm))));
    Xapian::Enquire e(r.all);
    e.set_weighting_scheme(Xapian::BM25Weight(kK1, 0, 1, kB, 0.5));
    e.set_query(m);
    Xapian::MSet ms = e.get_mset(0, static_cast<Xapian::doccount>(std::min(limit, kMaxLimit)));
    for (auto it = ms.begin(); it != ms.end(); ++it) {
      out.push_back(static_cast<int64_t>(number(it.get_document(), kSlotId)));
    }
    return out;
  });
}

Result<std::vector<std::string>> XapianSearchIndex::suggest_titles(const std::string& prefix, int limit) const {
  std::vector<std::string> out;
  std::string norm = analyzer_.normalize(utf8_prefix(sanitize_utf8(prefix), kMaxQueryBytes / 3));
  while (!norm.empty() && (norm.back() == ' ' || norm.back() == '\t')) norm.pop_back();
  while (!norm.empty() && (norm.front() == ' ' || norm.front() == '\t')) norm.erase(0, 1);
  std::u32string n32 = utf8_to_u32(norm);
  size_t chars = 0;
  for (char32_t ch : n32) chars += is_content_token(u32_to_utf8(std::u32string(1, ch))) ? 1 : 0;
  if (chars < 2 || limit <= 0 || n32.size() > kTitlePrefixChars) return out;
  std::string term = prefixed(kTitlePrefix, norm);
  if (term.size() > kMaxTermBytes) return out;
  return read<std::vector<std::string>>([&](Reader& r) -> Result<std::vector<std::string>> {
    Xapian::Enquire e(r.all);
    e.set_query(Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query(term), Xapian::Query(std::string(kUnlistedTerm))));
    e.set_weighting_scheme(Xapian::BoolWeight());
    e.set_sort_by_value(kSlotViews, true);
    Xapian::MSet ms = e.get_mset(0, static_cast<Xapian::doccount>(std::min(limit, kMaxLimit)) * 4);
    std::unordered_set<std::string> seen;
    std::vector<std::string> titles;
    for (auto it = ms.begin(); it != ms.end() && titles.size() < static_cast<size_t>(limit); ++it) {
      std::string data = it.get_document().get_data();
      std::string_view in = data;
      std::string title;
      if (get_string(in, title) && seen.insert(title).second) titles.push_back(std::move(title));
    }
    return titles;
  });
}

}  // namespace wenku::index
