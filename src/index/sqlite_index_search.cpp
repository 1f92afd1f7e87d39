// SqliteSearchIndex's queries: strict-then-relaxed evaluation, document frequencies,
// browsing, snippets, related documents and title suggestions.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/log.h"
#include "core/strings.h"
#include "index/fts_functions.h"
#include "index/snippet.h"
#include "index/sqlite_index_impl.h"

namespace wenku::index {

Result<std::vector<Candidate>> SqliteSearchIndex::candidates(Connection& c, const Expr& expr, const SearchQuery& q) const {
  bool plain = q.format.empty() && q.category_prefix.empty() && !q.from && !q.to && q.sort == SortOrder::kRelevance;
  std::string sql = plain ? "SELECT fts.rowid, wenku_rank(fts, ?1, ?2), 0, 0 FROM fts WHERE fts MATCH ?3"
                          : "SELECT fts.rowid, wenku_rank(fts, ?1, ?2), docs.created_at, docs.views FROM fts"
                            " JOIN docs ON docs.id = fts.rowid WHERE fts MATCH ?3 AND docs.listed = 1";
  if (!plain) append_filters(sql, q);
  auto s = c.prepare(sql);
  s.bind(1, expr.term_map);
  s.bind(2, expr.length_prior ? weights_prior_ : weights_);
  s.bind(3, expr.match);
  bind_filters(s, q, 4);
  std::vector<Candidate> out;
  while (out.size() < kMaxCandidates) {
    WENKU_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    RankResult r{0, 0};
    std::string_view rank = s.blob(1);
    if (rank.size() == sizeof r) std::memcpy(&r, rank.data(), sizeof r);
    out.push_back({s.int64(0), r.matched, __builtin_popcountll(r.matched), r.score, s.int64(2), s.int64(3)});
  }
  if (plain) {
    std::shared_lock lock(unlisted_mu_);
    if (!unlisted_.empty()) std::erase_if(out, [&](const Candidate& x) { return unlisted_.count(x.id) > 0; });
  }
  return out;
}

void SqliteSearchIndex::append_filters(std::string& sql, const SearchQuery& q) {
  if (!q.format.empty()) sql += " AND docs.format = ?4";
  if (!q.category_prefix.empty()) {
    sql += " AND (docs.category = ?5 OR (docs.category >= ?5 || '/' AND docs.category < ?5 || '0'))";
  }
  if (q.from) sql += " AND docs.created_at >= ?6";
  if (q.to) sql += " AND docs.created_at <= ?7";
}

void SqliteSearchIndex::bind_filters(Statement& s, const SearchQuery& q, int) {
  if (!q.format.empty()) s.bind(4, to_lower_ascii(q.format));
  if (!q.category_prefix.empty()) {
    std::string c = q.category_prefix;
    while (!c.empty() && c.back() == '/') c.pop_back();
    s.bind(5, c);
  }
  if (q.from) s.bind(6, q.from);
  if (q.to) s.bind(7, q.to);
}

Result<SearchResult> SqliteSearchIndex::browse(Connection& conn, const SearchQuery& q) const {
  SearchResult out;
  std::string where = " WHERE docs.listed = 1";
  append_filters(where, q);
  const char* order = q.sort == SortOrder::kMostViewed ? " ORDER BY views DESC, id DESC"
                                                       : " ORDER BY created_at DESC, id DESC";
  auto c = conn.prepare("SELECT count(*) FROM docs" + where);
  bind_filters(c, q, 4);
  WENKU_ASSIGN_OR_RETURN(bool counted, c.step());
  if (counted) out.total = c.int64(0);
  auto s = conn.prepare("SELECT id FROM docs" + where + order + " LIMIT ?8 OFFSET ?9");
  bind_filters(s, q, 4);
  s.bind(8, int64_t{q.limit});
  s.bind(9, int64_t{q.offset});
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    SearchHit h;
    h.id = s.int64(0);
    out.hits.push_back(std::move(h));
  }
  for (SearchHit& h : out.hits) fill_hit(conn, h, ParsedQuery{});
  return out;
}

void SqliteSearchIndex::fill_hit(Connection& c, SearchHit& hit, const ParsedQuery& pq) const {
  auto s = c.prepare("SELECT page, text, aligned FROM pages WHERE doc_id=?1 ORDER BY page");
  s.bind(1, hit.id);
  std::vector<std::string> storage;
  std::vector<std::pair<std::string, std::string>> texts;
  std::vector<int> numbers;
  while (has_row(s)) {
    numbers.push_back(s.integer(0));
    texts.emplace_back(s.text(1), s.text(2));
  }
  std::vector<PageText> pages;
  for (size_t i = 0; i < texts.size(); ++i) pages.push_back({numbers[i], texts[i].first, texts[i].second});
  PageMatch m = match_pages(pages, pq.highlight);
  hit.pages = std::move(m.pages);
  hit.snippet = std::move(m.snippet);
}

std::vector<TermPlan> SqliteSearchIndex::plan_terms(Connection& c, const std::vector<QueryTerm>& terms,
                                                    bool word_df) const {
  std::vector<TermPlan> plans;
  for (const QueryTerm& term : terms) {
    bool prefix = false;
    std::vector<std::string> grams = query_gram_tokens(term.text, prefix);
    if (grams.empty() || term.words.empty()) continue;
    TermPlan p;
    p.text = term.text;
    p.word_phrase = phrase_expr(term.words, false);
    p.gram_phrase = char_expr(grams, prefix);
    if (term.words.size() == 1 && grams.size() == 1 && term.words[0] == grams[0]) {
      p.merged = "{t k b " + char_columns(grams, prefix) + "} : " + quote(grams[0]);
    }
    p.gram_df = static_cast<double>(n_docs_);
    for (const std::string& g : grams) p.gram_df = std::min(p.gram_df, token_df(c, g));
    p.word_df = static_cast<double>(n_docs_);
    if (word_df && p.merged.empty()) {
      for (const std::string& w : term.words) p.word_df = std::min(p.word_df, token_df(c, w));
    }
    p.word_df = std::min(p.word_df, p.gram_df);
    plans.push_back(std::move(p));
  }
  return plans;
}

// The most selective terms whose documents, together, fit the relaxed budget (at least
// one; with must_occur, at least one that occurs at all); empty when that is every term.
std::vector<size_t> SqliteSearchIndex::rarest(const std::vector<TermPlan>& plans, bool must_occur) const {
  std::vector<size_t> order(plans.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return plans[a].gram_df < plans[b].gram_df; });
  std::vector<size_t> rare;
  double sum = 0;
  for (size_t i : order) {
    if ((sum > 0 || !must_occur) && !rare.empty() && sum + plans[i].gram_df > params_.relaxed_budget) break;
    sum += plans[i].gram_df;
    rare.push_back(i);
  }
  if (rare.size() == plans.size()) rare.clear();
  return rare;
}

// Documents holding `token`: exact when few, else estimated from samples. fts5vocab
// counts exactly but walks the whole doclist and its positions (tens of milliseconds for
// common grams at 100k documents); idf and the relaxed budget need no more than an
// estimate. The id range is cut into kDfStrata slices and each is read up to its share of
// kDfSample documents, the rest of a slice extrapolated from the density found: ids follow
// upload order, and a sample from the start alone would misjudge a library whose topics
// change over time. Most tokens occur in fewer than kDfSample documents: one read of up to
// kDfSample + 1 rows counts them exactly, and only the commoner ones cost the slices.
// Estimates are cached while the index stays about the same size.
double SqliteSearchIndex::token_df(Connection& c, const std::string& token) const {
  int64_t n_docs = n_docs_;
  {
    std::lock_guard lock(df_mu_);
    if (std::abs(n_docs - df_cache_docs_) > df_cache_docs_ / 20 || df_cache_.size() > kMaxDfCache) {
      df_cache_.clear();
      df_cache_docs_ = n_docs;
    }
    auto it = df_cache_.find(token);
    if (it != df_cache_.end()) return it->second;
  }
  int64_t max_id = std::max<int64_t>(max_id_, 1);
  int64_t strata = n_docs > kDfSample ? kDfStrata : 1;
  int64_t per = kDfSample / strata;
  auto s = c.prepare("SELECT rowid FROM fts WHERE fts MATCH ?1 AND rowid > ?2 AND rowid <= ?3 LIMIT ?4");
  double df = 0;
  if (strata > 1) {
    // Most tokens are rarer than the sample: one read counts them exactly, where the
    // slices would cost a query each.
    s.bind(1, quote(token));
    s.bind(2, std::numeric_limits<int64_t>::min());
    s.bind(3, std::numeric_limits<int64_t>::max());
    s.bind(4, kDfSample + 1);
    int64_t count = 0;
    while (has_row(s)) ++count;
    if (count <= kDfSample) strata = 0;
    df = static_cast<double>(count);
  }
  if (strata > 0) df = 0;
  for (int64_t i = 0; i < strata; ++i) {
    int64_t lo = i == 0 ? std::numeric_limits<int64_t>::min() : max_id * i / strata;
    int64_t hi = i + 1 == strata ? std::numeric_limits<int64_t>::max() : max_id * (i + 1) / strata;
    s.reset();
    s.bind(1, quote(token));
    s.bind(2, lo);
    s.bind(3, hi);
    s.bind(4, strata == 1 ? std::numeric_limits<int64_t>::max() : per);
    int64_t count = 0, last = 0;
    while (has_row(s)) {
      ++count;
      last = s.int64(0);
    }
    double slice = static_cast<double>(count);
    int64_t from = std::max<int64_t>(lo, 0);
    if (strata > 1 && count >= per && last > from) {
      slice *= static_cast<double>(std::min(hi, max_id) - from) / static_cast<double>(last - from);
    }
    df += slice;
  }
  df = std::min(df, static_cast<double>(std::max<int64_t>(n_docs, 1)));
  std::lock_guard lock(df_mu_);
  df_cache_[token] = df;
  return df;
}

Result<SearchResult> SqliteSearchIndex::search(const SearchQuery& query) const {
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  if (query.limit < 0 || query.offset < 0 || query.offset > kMaxOffset) {
    return make_error(ErrorCode::kInvalidArgument, "search: offset or limit out of range");
  }
  SearchQuery q = query;
  q.limit = std::min(q.limit, kMaxLimit);
  q.text = utf8_prefix(sanitize_utf8(q.text), kMaxQueryBytes / 3);
  ParsedQuery pq = analyzer_.parse_query(q.text);
  if (pq.terms.size() > kMaxQueryTerms) pq.terms.resize(kMaxQueryTerms);
  if (pq.excluded.size() > kMaxQueryTerms) pq.excluded.resize(kMaxQueryTerms);

  WENKU_ASSIGN_OR_RETURN(Lease lease, reader());
  Connection& conn = *lease;
  SearchResult out;
  if (pq.terms.empty()) {
    if (pq.excluded.empty()) {
      WENKU_ASSIGN_OR_RETURN(out, browse(conn, q));
    }
    out.took_ms = elapsed();
    return out;
  }
  std::vector<std::string> excluded;
  for (const QueryTerm& t : pq.excluded) {
    bool prefix = false;
    std::vector<std::string> grams = query_gram_tokens(t.text, prefix);
    if (!grams.empty()) excluded.push_back(char_expr(grams, prefix));
  }
  std::vector<TermPlan> plans = plan_terms(conn, pq.terms);
  std::vector<QueryTerm> pair_terms;
  for (const std::string& p : pq.pairs) pair_terms.push_back({p, {p}, false});
  std::vector<TermPlan> pair_plans = plan_terms(conn, pair_terms, false);
  std::erase_if(pair_plans, [](const TermPlan& p) { return p.gram_df == 0; });  // nowhere
  double n_docs = static_cast<double>(std::max<int64_t>(n_docs_, 1));
  int n = static_cast<int>(plans.size());
  std::vector<Candidate> cands;
  Expr expr;
  // Strict, then relaxed evaluation of `ps` into `cands`.
  auto evaluate = [&](const std::vector<TermPlan>& ps, const std::vector<TermPlan>& bonus) -> Result<void> {
    // Terms in more than half the documents (idf ~ 0: 中, 不, 的) have the longest position
    // lists, so they cost the most to match and score, and add nothing to the score: in a
    // large index they are taken as present instead of looked up, while another term remains.
    std::vector<size_t> kept;  // indexes into ps of the terms looked up
    uint64_t assumed = 0;      // the terms taken as present
    for (size_t t = 0; t < ps.size(); ++t) {
      if (n_docs >= kMinDocsToAssume && ps[t].gram_df > n_docs * params_.assume_share) {
        assumed |= uint64_t{1} << t;
      } else {
        kept.push_back(t);
      }
    }
    if (kept.empty()) {
      assumed = 0;
      for (size_t t = 0; t < ps.size(); ++t) kept.push_back(t);
    }
    std::vector<TermPlan> live;
    for (size_t t : kept) live.push_back(ps[t]);
    auto remap = [&](std::vector<Candidate>& cs) {
      if (assumed == 0) return;
      for (Candidate& c : cs) {
        uint64_t m = assumed;
        for (size_t k = 0; k < kept.size(); ++k) {
          if (c.mask & (uint64_t{1} << k)) m |= uint64_t{1} << kept[k];
        }
        c.mask = m;
        c.matched = __builtin_popcountll(m);
      }
    };
    int terms = static_cast<int>(ps.size());
    bool prior = terms == 1 && !pq.dropped_words && params_.len_prior > 0;
    // Short queries: every word must match, which FTS5 answers by intersecting.
    if (terms <= params_.strict_terms) {
      expr = build_expr(live, {}, true, excluded, n_docs, bonus, params_.w_pair);
      expr.length_prior = prior;
      WENKU_ASSIGN_OR_RETURN(cands, candidates(conn, expr, q));
      remap(cands);
    }
    if (cands.empty() && terms > 0) {
      // Relaxed: documents holding any of the most selective terms, scored by all terms.
      // At least one term that occurs: a name found nowhere (a transliteration) must not
      // leave the relaxed query with nothing to start from.
      std::vector<size_t> rare = rarest(live, true);
      expr = build_expr(live, rare, false, excluded, n_docs, bonus, params_.w_pair);
      expr.length_prior = prior;
      WENKU_ASSIGN_OR_RETURN(cands, candidates(conn, expr, q));
      remap(cands);
    }
    return {};
  };
  WENKU_TRY(evaluate(plans, pair_plans));
  // A compound word found nowhere as a whole (桥梁工程, 计算机视觉: a discipline the text
  // never names) stands for the dictionary words it is made of: all of them, then most,
  // before single characters. Each part must occur somewhere, or the split is no help.
  if (cands.empty()) {
    std::vector<QueryTerm> split;
    std::vector<std::string> highlight;
    bool changed = false;
    auto add = [&](QueryTerm t) {
      if (std::none_of(split.begin(), split.end(), [&](const QueryTerm& o) { return o.text == t.text; })) {
        highlight.push_back(t.text);
        split.push_back(std::move(t));
      }
    };
    auto df_of = [&](const QueryTerm& t) {
      std::vector<TermPlan> one = plan_terms(conn, {t});
      return one.empty() ? -1.0 : one.front().gram_df;
    };
    for (const QueryTerm& t : pq.terms) {
      std::vector<std::string> parts = t.phrase ? std::vector<std::string>{} : analyzer_.sub_words(t.text);
      bool nowhere = !parts.empty() && df_of(t) == 0;
      if (nowhere) {
        std::vector<QueryTerm> sub;
        for (const std::string& w : parts) sub.push_back({w, {w}, false});
        nowhere = std::all_of(sub.begin(), sub.end(), [&](const QueryTerm& x) { return df_of(x) > 0; });
        if (nowhere) {
          for (QueryTerm& s : sub) add(std::move(s));
          changed = true;
          continue;
        }
      }
      add(t);
    }
    if (changed && split.size() <= kMaxQueryTerms) {
      std::vector<TermPlan> split_plans = plan_terms(conn, split);
      WENKU_TRY(evaluate(split_plans, {}));
      if (!cands.empty()) {
        plans = std::move(split_plans);
        n = static_cast<int>(plans.size());
        pq.highlight = std::move(highlight);
      }
    }
  }
  // No word matched anywhere: a query with Chinese characters falls back to any of its
  // characters, so it never comes back empty while a document shares one with it.
  if (cands.empty()) {
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
      plans = plan_terms(conn, chars);
      n = static_cast<int>(plans.size());
      expr = build_expr(plans, rarest(plans, true), false, excluded, n_docs);
      WENKU_ASSIGN_OR_RETURN(cands, candidates(conn, expr, q));
      pq.highlight.clear();
      for (const QueryTerm& t : chars) pq.highlight.push_back(t.text);
    }
  }
  // Short queries keep only documents with every term when there are any; longer ones
  // those with at least need terms (min_share), when there are any.
  int need = n <= params_.strict_terms ? n : static_cast<int>(std::ceil(n * params_.min_share));
  int64_t full = std::count_if(cands.begin(), cands.end(), [&](const Candidate& c) { return c.matched >= n; });
  int64_t enough = std::count_if(cands.begin(), cands.end(), [&](const Candidate& c) { return c.matched >= need; });
  out.relaxed = full == 0;
  if (enough > 0) std::erase_if(cands, [&](const Candidate& c) { return c.matched < need; });
  // Coverage weighs each term by its rarity: missing 人 costs little, missing 韩国国会 much.
  std::vector<double> weight;
  double all_weight = 0;
  for (const TermPlan& p : plans) {
    weight.push_back(idf_of(p.gram_df, n_docs) + 0.1);
    all_weight += weight.back();
  }
  for (Candidate& c : cands) {
    double have = 0;
    for (size_t t = 0; t < weight.size(); ++t) {
      if (c.mask & (uint64_t{1} << t)) have += weight[t];
    }
    double coverage = all_weight > 0 ? have / all_weight : 1.0;
    c.score *= std::pow(coverage, params_.coverage_power);
  }
  out.total = static_cast<int64_t>(cands.size());
  auto better = [&](const Candidate& a, const Candidate& b) {
    switch (q.sort) {
      case SortOrder::kNewest:
        if (a.created_at != b.created_at) return a.created_at > b.created_at;
        break;
      case SortOrder::kMostViewed:
        if (a.views != b.views) return a.views > b.views;
        break;
      case SortOrder::kRelevance:
        break;
    }
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  };
  size_t want = std::min(cands.size(), static_cast<size_t>(q.offset) + static_cast<size_t>(q.limit));
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(want), cands.end(), better);
  double t_cand = elapsed();
  for (size_t i = static_cast<size_t>(q.offset); i < want; ++i) {
    SearchHit h;
    h.id = cands[i].id;
    h.score = cands[i].score;
    fill_hit(conn, h, pq);
    out.hits.push_back(std::move(h));
  }
  out.took_ms = elapsed();
  log::debug("search took_ms={:.2f} rank_ms={:.2f} candidates={} terms={} match={}", out.took_ms, t_cand,
             cands.size(), n, expr.match);
  return out;
}

Result<std::vector<int64_t>> SqliteSearchIndex::related(int64_t id, int limit) const {
  WENKU_ASSIGN_OR_RETURN(Lease lease, reader());
  Connection& conn = *lease;
  std::string source;
  {
    auto d = conn.prepare("SELECT title, keywords FROM docs WHERE id=?1");
    d.bind(1, id);
    WENKU_ASSIGN_OR_RETURN(bool found, d.step());
    if (!found) {
      return make_error(ErrorCode::kNotFound, "index: no document " + std::to_string(id));
    }
    source = d.text(0) + "\n" + d.text(1);
    auto p = conn.prepare("SELECT substr(aligned, 1, 3000) FROM pages WHERE doc_id=?1 AND page=1");
    p.bind(1, id);
    if (has_row(p)) source += "\n" + p.text(0);
  }
  std::vector<std::string> picked = analyzer_.related_words(source);
  if (picked.empty()) return std::vector<int64_t>{};
  std::vector<QueryTerm> terms;
  for (const std::string& w : picked) terms.push_back({w, {w}, false});
  std::vector<TermPlan> plans = plan_terms(conn, terms);
  Expr expr = build_expr(plans, {}, false, {}, static_cast<double>(std::max<int64_t>(n_docs_, 1)));
  WENKU_ASSIGN_OR_RETURN(std::vector<Candidate> cands, candidates(conn, expr, SearchQuery{}));
  std::erase_if(cands, [&](const Candidate& c) { return c.id == id; });
  for (Candidate& c : cands) c.score *= std::pow(static_cast<double>(c.matched) / expr.n_terms, 2.0);
  size_t want = std::min(cands.size(), static_cast<size_t>(std::max(0, limit)));
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(want), cands.end(),
                    [](const Candidate& a, const Candidate& b) {
                      return a.score != b.score ? a.score > b.score : a.id < b.id;
                    });
  std::vector<int64_t> out;
  for (size_t i = 0; i < want; ++i) out.push_back(cands[i].id);
  return out;
}

// Titles starting with the prefix: the title's character sequence (grams column) anchored
// at its first token; the last token a prefix when typing may not have finished it (a
// Latin word, or a lone character ending the text).
Result<std::vector<std::string>> SqliteSearchIndex::suggest_titles(const std::string& prefix, int limit) const {
  std::vector<std::string> out;
  std::string norm = analyzer_.normalize(utf8_prefix(sanitize_utf8(prefix), kMaxQueryBytes / 3));
  bool lone_last = false;
  std::vector<std::string> grams = query_gram_tokens(norm, lone_last);
  if (grams.empty() || limit <= 0) return out;
  std::u32string last = utf8_to_u32(grams.back());
  bool latin_last = !last.empty() && !is_cjk(last[0]);
  size_t chars = 0;
  for (char32_t ch : utf8_to_u32(norm)) chars += is_content_token(u32_to_utf8(std::u32string(1, ch))) ? 1 : 0;
  if (chars < 2 || (latin_last && last.size() < 2)) return out;
  std::string match = "{tg} : ^ " + phrase_expr(grams, lone_last || latin_last);
  WENKU_ASSIGN_OR_RETURN(Lease lease, reader());
  auto s = (*lease).prepare(
      "SELECT docs.title FROM fts JOIN docs ON docs.id = fts.rowid WHERE fts MATCH ?1 AND docs.listed = 1"
      " ORDER BY docs.views DESC, docs.id DESC LIMIT ?2");
  s.bind(1, match);
  s.bind(2, int64_t{std::min(limit, kMaxLimit)} * 4);
  std::unordered_set<std::string> seen;
  while (out.size() < static_cast<size_t>(limit)) {
    WENKU_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    std::string title = s.text(0);
    if (seen.insert(title).second) out.push_back(std::move(title));
  }
  return out;
}

}  // namespace wenku::index
