// The FTS5 tokenizer and rank function of the index.
#include "index/fts_functions.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/strings.h"

namespace wenku::index {
namespace {

// ---- FTS5 tokenizer: tokens arrive pre-analysed, separated by single spaces ------------

int ws_create(void*, const char**, int, Fts5Tokenizer** out) {
  static int dummy;
  *out = reinterpret_cast<Fts5Tokenizer*>(&dummy);
  return SQLITE_OK;
}
void ws_delete(Fts5Tokenizer*) {}
int ws_tokenize(Fts5Tokenizer*, void* ctx, int, const char* text, int n,
                int (*token)(void*, int, const char*, int, int, int)) {
  int i = 0;
  while (i < n) {
    while (i < n && text[i] == ' ') ++i;
    int start = i;
    while (i < n && text[i] != ' ') ++i;
    if (i > start) {
      int rc = token(ctx, 0, text + start, i - start, start, i);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

// ---- FTS5 rank function ---------------------------------------------------------------
// wenku_rank(fts, term_map, weights): term_map is "n_terms;t0,t1,..." giving the query
// term of each phrase (-1 for phrases that only exclude); weights are
// "k1,b,w0..w6,len_prior". It returns a RankResult blob: the terms found and a BM25 score
// summed over phrases (a term's word and character-sequence forms, and bonus phrases) and
// columns.

struct RankState {
  int n_terms = 0;
  std::vector<int> term_of_phrase;
  std::vector<double> idf;
  double k1 = 1.2, b = 0.75;
  double weight[kColumns] = {1, 1, 1, 1, 1, 1, 1};
  double len_prior = 0;  // RankParams::len_prior
  double avg_len[kColumns] = {1, 1, 1, 1, 1, 1, 1};
  std::vector<int> tf;  // scratch, phrases x columns
};

int count_rows(const Fts5ExtensionApi*, Fts5Context*, void* user) {
  ++*static_cast<int64_t*>(user);
  return SQLITE_OK;
}

RankState* rank_state(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_value** args,
                      int nargs) {
  auto* st = static_cast<RankState*>(api->xGetAuxdata(fts, 0));
  if (st) return st;
  auto owned = std::make_unique<RankState>();
  st = owned.get();
  int phrases = api->xPhraseCount(fts);
  st->term_of_phrase.assign(static_cast<size_t>(phrases), -1);
  bool have_idf = false;
  if (nargs >= 1) {
    // "n_terms;term,term,...;idf,idf,..."
    const char* map = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
    std::vector<std::string> parts = split(map ? map : "", ';');
    if (!parts.empty()) st->n_terms = std::atoi(parts[0].c_str());
    if (parts.size() >= 2) {
      std::vector<std::string> terms = split(parts[1], ',');
      for (size_t i = 0; i < terms.size() && i < st->term_of_phrase.size(); ++i) {
        st->term_of_phrase[i] = std::atoi(terms[i].c_str());
      }
    }
    if (parts.size() >= 3) {
      std::vector<std::string> idfs = split(parts[2], ',');
      if (idfs.size() == st->term_of_phrase.size()) {
        st->idf.resize(idfs.size());
        for (size_t i = 0; i < idfs.size(); ++i) st->idf[i] = std::atof(idfs[i].c_str());
        have_idf = true;
      }
    }
  }
  if (nargs >= 2) {
    const char* w = reinterpret_cast<const char*>(sqlite3_value_text(args[1]));
    std::vector<std::string> parts = split(w ? w : "", ',');
    if (parts.size() >= 2 + kColumns) {
      st->k1 = std::atof(parts[0].c_str());
      st->b = std::atof(parts[1].c_str());
      for (int c = 0; c < kColumns; ++c) st->weight[c] = std::atof(parts[2 + static_cast<size_t>(c)].c_str());
    }
    if (parts.size() >= 3 + kColumns) st->len_prior = std::atof(parts[2 + kColumns].c_str());
  }
  sqlite3_int64 rows = 0;
  api->xRowCount(fts, &rows);
  if (rows < 1) rows = 1;
  for (int c = 0; c < kColumns; ++c) {
    sqlite3_int64 total = 0;
    api->xColumnTotalSize(fts, c, &total);
    st->avg_len[c] = std::max(1.0, static_cast<double>(total) / static_cast<double>(rows));
  }
  if (!have_idf) st->idf.assign(static_cast<size_t>(phrases), 0);
  for (int p = 0; p < phrases && !have_idf; ++p) {
    if (st->term_of_phrase[static_cast<size_t>(p)] == kExcludePhrase) continue;
    int64_t hits = 0;
    api->xQueryPhrase(fts, p, &hits, count_rows);
    double n = static_cast<double>(rows), h = static_cast<double>(hits);
    st->idf[static_cast<size_t>(p)] = std::max(1e-6, std::log((n - h + 0.5) / (h + 0.5)));
  }
  st->tf.assign(static_cast<size_t>(phrases) * kColumns, 0);
  // On failure xSetAuxdata runs the deleter itself, so ownership passes in either case.
  if (api->xSetAuxdata(fts, owned.release(), [](void* p) { delete static_cast<RankState*>(p); }) !=
      SQLITE_OK) {
    return nullptr;
  }
  return st;
}

void rank_fn(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int nargs,
             sqlite3_value** args) {
  RankState* st = rank_state(api, fts, args, nargs);
  if (!st) {
    sqlite3_result_error(ctx, "wenku_rank: out of memory", -1);
    return;
  }
  std::fill(st->tf.begin(), st->tf.end(), 0);
  // Each phrase's own position list, walked once. xInstCount/xInst would merge every
  // phrase's instances into one position order first, at a cost of instances x phrases
  // per row (most of the time of long queries); ranking needs only counts per column.
  for (size_t p = 0; p < st->term_of_phrase.size(); ++p) {
    if (st->term_of_phrase[p] == kExcludePhrase) continue;
    Fts5PhraseIter it;
    int col = -1, off = 0;
    if (api->xPhraseFirst(fts, static_cast<int>(p), &it, &col, &off) != SQLITE_OK) {
      sqlite3_result_error(ctx, "wenku_rank: instances unavailable", -1);
      return;
    }
    for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off)) {
      if (col < kColumns) ++st->tf[p * kColumns + static_cast<size_t>(col)];
    }
  }
  double len_norm[kColumns];
  int body_len = 0;
  for (int c = 0; c < kColumns; ++c) {
    int len = 0;
    api->xColumnSize(fts, c, &len);
    if (c == kBodyGrams) body_len = len;
    len_norm[c] = st->k1 * (1 - st->b + st->b * len / st->avg_len[c]);
  }
  RankResult out{0, 0};
  for (size_t p = 0; p < st->term_of_phrase.size(); ++p) {
    int term = st->term_of_phrase[p];
    if (term == kExcludePhrase) continue;
    for (int c = 0; c < kColumns; ++c) {
      int tf = st->tf[p * kColumns + static_cast<size_t>(c)];
      if (tf == 0) continue;
      if (term >= 0) out.matched |= uint64_t{1} << term;
      out.score += st->weight[c] * st->idf[p] * tf * (st->k1 + 1) / (tf + len_norm[c]);
    }
  }
  // A length prior, for bare one-word queries only (the planner passes it): see
  // RankParams::len_prior. The logarithm keeps a document of hundreds of pages within reach
  // of a title hit.
  if (st->len_prior > 0) {
    out.score /= 1 + st->len_prior * std::log(1 + body_len / st->avg_len[kBodyGrams]);
  }
  sqlite3_result_blob(ctx, &out, sizeof out, SQLITE_TRANSIENT);
}

fts5_api* fts5_api_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api;
}

}  // namespace

Result<void> register_fts_functions(sqlite::Connection& c) {
  fts5_api* api = fts5_api_of(c.raw());
  if (!api) return make_error(ErrorCode::kUnavailable, "index: SQLite was built without FTS5");
  fts5_tokenizer tok{ws_create, ws_delete, ws_tokenize};
  if (api->xCreateTokenizer(api, "wenku_ws", nullptr, &tok, nullptr) != SQLITE_OK ||
      api->xCreateFunction(api, "wenku_rank", nullptr, rank_fn, nullptr) != SQLITE_OK) {
    return sqlite::error_of(c.raw(), "index: registering FTS5 extensions");
  }
  return {};
}

}  // namespace wenku::index
