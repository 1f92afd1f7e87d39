// Query plans: FTS5 phrase and MATCH expressions.
#include "index/query_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "index/fts_functions.h"

namespace wenku::index {

std::string quote(std::string_view token) {
  std::string out = "\"";
  for (char c : token) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string phrase_expr(const std::vector<std::string>& tokens, bool prefix_last) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += " + ";
    out += quote(tokens[i]);
  }
  if (prefix_last && !tokens.empty()) out += " *";
  return out;
}

std::string char_columns(const std::vector<std::string>& grams, bool prefix_last) {
  return grams.size() == 1 && prefix_last ? "u" : "tg kg bg";
}
std::string char_expr(const std::vector<std::string>& grams, bool prefix_last) {
  return "{" + char_columns(grams, prefix_last) + "} : " + phrase_expr(grams, false);
}

double idf_of(double df, double n) {
  return std::max(1e-6, std::log((n - df + 0.5) / (df + 0.5)));
}

Expr build_expr(const std::vector<TermPlan>& plans, const std::vector<size_t>& rare, bool all_terms,
                const std::vector<std::string>& excluded, double n_docs,
                const std::vector<TermPlan>& pairs, double pair_weight) {
  Expr e;
  std::vector<int> map;
  std::vector<double> idf;
  std::string rare_sql;
  for (size_t r : rare) {
    if (!rare_sql.empty()) rare_sql += " OR ";
    rare_sql += plans[r].gram_phrase;
    map.push_back(kExcludePhrase);
    idf.push_back(0);
  }
  std::string terms_sql;
  for (size_t t = 0; t < plans.size(); ++t) {
    if (!terms_sql.empty()) terms_sql += all_terms ? " AND " : " OR ";
    if (!plans[t].merged.empty()) {
      terms_sql += plans[t].merged;
      map.push_back(static_cast<int>(t));
      idf.push_back(idf_of(plans[t].gram_df, n_docs));
      continue;
    }
    terms_sql += "({t k b} : " + plans[t].word_phrase + " OR " + plans[t].gram_phrase + ")";
    map.push_back(static_cast<int>(t));
    idf.push_back(idf_of(plans[t].word_df, n_docs));
    map.push_back(static_cast<int>(t));
    idf.push_back(idf_of(plans[t].gram_df, n_docs));
  }
  e.n_terms = static_cast<int>(plans.size());
  // Pairs of adjacent words only add score; the clause that carries them is implied by
  // the first term (in every way it can match), so what matches stays the same.
  if (!pairs.empty() && !plans.empty() && pair_weight > 0) {
    std::string bonus;
    if (all_terms) {
      bonus = plans[0].gram_phrase;
      map.push_back(kBonusPhrase);
      idf.push_back(0);
    }
    for (const TermPlan& p : pairs) {
      if (!bonus.empty()) bonus += " OR ";
      bonus += p.gram_phrase;
      map.push_back(kBonusPhrase);
      idf.push_back(pair_weight * idf_of(p.gram_df, n_docs));
    }
    terms_sql = all_terms ? terms_sql + ") AND (" + bonus : terms_sql + " OR " + bonus;
  }
  std::string not_sql;
  for (const std::string& x : excluded) {
    if (!not_sql.empty()) not_sql += " OR ";
    not_sql += x;
    map.push_back(kExcludePhrase);
    idf.push_back(0);
  }
  e.match = "(" + terms_sql + ")";
  if (!rare_sql.empty()) e.match = "(" + rare_sql + ") AND " + e.match;
  if (!not_sql.empty()) e.match += " NOT (" + not_sql + ")";
  e.term_map = std::to_string(plans.size()) + ";";
  for (size_t i = 0; i < map.size(); ++i) e.term_map += (i ? "," : "") + std::to_string(map[i]);
  e.term_map += ";";
  char buf[32];
  for (size_t i = 0; i < idf.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.5f", i ? "," : "", idf[i]);
    e.term_map += buf;
  }
  return e;
}

}  // namespace wenku::index
