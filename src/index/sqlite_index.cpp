// SQLite FTS5 implementation of SearchIndex: schema, custom tokenizer and rank function,
// atomic per-document upserts, strict-then-relaxed query evaluation, snippets, related.
#include "index/sqlite_index.h"

#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/log.h"
#include "core/strings.h"
#include "index/analyzer.h"
#include "index/snippet.h"
#include "sqlite/database.h"

namespace wenku::index {
namespace {

// Limits: uploaded text is hostile and queries come from anyone.
constexpr size_t kMaxFieldBytes = 64 * 1024;          // title, keywords, description, ...
constexpr size_t kMaxDocumentBytes = 64 * 1024 * 1024;  // all pages together
constexpr size_t kMaxPages = 100000;
constexpr size_t kMaxQueryBytes = 1024;
constexpr size_t kMaxQueryTerms = 32;
constexpr int kMaxLimit = 1000;
constexpr int kMaxOffset = 100000;
constexpr size_t kMaxCandidates = 2000000;  // rows a query may score
constexpr int kSchemaVersion = 3;
constexpr int kColumns = 7;  // t tg k kg b bg u
constexpr int kBodyGrams = 5;  // its size: the body's length in characters, roughly

// ---- SQLite helpers -------------------------------------------------------------------

using sqlite::Connection;
using sqlite::Statement;

// Steps `s` once: true when a row is available. For the few reads whose caller has no error
// to report (a best effort: counts kept in memory, snippets, estimates), an error ends them
// as if there were no more rows.
bool has_row(Statement& s) {
  Result<bool> row = s.step();
  return row.ok() && *row;
}

// ---- stored analysed text: length-prefixed columns, deflated --------------------------

constexpr size_t kMaxPackedBytes = 1024u * 1024u * 1024u;  // never more than we could write

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
uint32_t get_u32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + static_cast<size_t>(i)])) << (8 * i);
  return v;
}

// What a document's FTS5 row was made of, kept so that the row can be deleted (FTS5's
// 'delete' needs every token back, in order). Format 2 keeps the words of title,
// keywords+description and body and their normalised texts; the grams and the character
// column are derived from the texts again (a function of the text, no dictionary), and a
// checksum of them says whether that still gives what was indexed. Format 1 (schema 3
// before format 2) kept all seven columns; both are read.
constexpr std::string_view kSourceFormat2 = "\x02wenku-src";
// The same, with the body's normalised text left out: it equals the pages' aligned texts
// joined by newlines (nearly always: they differ only where NFKC changed a line's length),
// which the pages table holds anyway and which are still there when a delete needs them.
constexpr std::string_view kSourceFormat2Pages = "\x02wenku-src-pages";

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return (h ^ 0xFF) * 0x100000001b3ULL;  // a separator, so that ("ab","c") != ("a","bc")
}

// The seven FTS5 columns (t tg k kg b bg u) from the three analysed fields.
std::vector<std::string> fts_columns(const AnalyzedField& t, const AnalyzedField& k, const AnalyzedField& b) {
  return {t.words, t.grams, k.words, k.grams, b.words, b.grams, t.chars + " " + k.chars + " " + b.chars};
}

uint64_t derived_checksum(const std::vector<std::string>& cols) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t c : {1, 3, 5, 6}) h = fnv1a(h, cols[c]);
  return h;
}

std::string checksum_bytes(uint64_t h) {
  std::string out;
  put_u32(out, static_cast<uint32_t>(h));
  put_u32(out, static_cast<uint32_t>(h >> 32));
  return out;
}

bool unpack_columns(std::string_view blob, std::vector<std::string>& cols) {
  if (blob.size() < 4) return false;
  uLongf size = get_u32(blob, 0);
  if (size > kMaxPackedBytes) return false;
  std::string raw(size, '\0');
  if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &size, reinterpret_cast<const Bytef*>(blob.data() + 4),
                 static_cast<uLong>(blob.size() - 4)) != Z_OK || size != raw.size()) {
    return false;
  }
  for (size_t at = 0; at < raw.size();) {
    if (at + 4 > raw.size()) return false;
    size_t n = get_u32(raw, at);
    at += 4;
    if (at + n > raw.size()) return false;
    cols.emplace_back(raw.substr(at, n));
    at += n;
  }
  return true;
}

// True when `body` is the pages' aligned texts joined by newlines.
bool body_is_aligned_pages(std::string_view body, const std::vector<AlignedText>& pages) {
  size_t at = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    if (i > 0) {
      if (at >= body.size() || body[at] != '\n') return false;
      ++at;
    }
    const std::string& a = pages[i].aligned;
    if (body.compare(at, a.size(), a) != 0) return false;
    at += a.size();
  }
  return at == body.size();
}

// Format 3 (schema 3 since this round): not deflated. The normalised texts, and each
// field's words as (offset, length) spans into its text instead of the words themselves:
// the words are always substrings of the text they were cut from, so spans take ~2 bytes
// a word and no compression, which was 7% of the indexing CPU. Layout: the marker, a
// byte saying whether the body is left to the pages, then varint-prefixed sections (title,
// meta, body, t spans, k spans, b spans) and an 8-byte checksum of all seven columns.
constexpr std::string_view kSourceFormat3 = "\x03wenku3";

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
bool get_varint(std::string_view s, size_t& at, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && at < s.size(); shift += 7) {
    auto b = static_cast<unsigned char>(s[at++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}
void put_section(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
bool get_section(std::string_view s, size_t& at, std::string_view& out) {
  uint64_t n = 0;
  if (!get_varint(s, at, n) || n > s.size() - at) return false;
  out = s.substr(at, n);
  at += n;
  return true;
}

// Spans as varints: the offset as a zig-zag difference from the previous word's (sub-words
// may start before the word that contains them), then the length.
std::string encode_spans(const std::vector<uint32_t>& spans) {
  std::string out;
  out.reserve(spans.size() + spans.size() / 4);
  int64_t prev = 0;
  for (size_t i = 0; i + 1 < spans.size(); i += 2) {
    int64_t d = static_cast<int64_t>(spans[i]) - prev;
    put_varint(out, (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63));
    put_varint(out, spans[i + 1]);
    prev = spans[i];
  }
  return out;
}
// The words the spans cut from `text`, joined by spaces; false if a span falls outside it.
bool decode_spans(std::string_view spans, std::string_view text, std::string& words) {
  words.clear();
  int64_t prev = 0;
  for (size_t at = 0; at < spans.size();) {
    uint64_t z = 0, len = 0;
    if (!get_varint(spans, at, z) || !get_varint(spans, at, len)) return false;
    int64_t off = prev + static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
    if (off < 0 || static_cast<uint64_t>(off) > text.size() || len > text.size() - static_cast<uint64_t>(off)) {
      return false;
    }
    if (!words.empty()) words += ' ';
    words.append(text.substr(static_cast<size_t>(off), len));
    prev = off;
  }
  return true;
}

uint64_t all_columns_checksum(const std::vector<std::string>& cols) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string& c : cols) h = fnv1a(h, c);
  return h;
}

std::string pack_source3(const std::string& title, const std::string& meta, const std::string& body,
                         bool body_from_pages, const AnalyzedField& t, const AnalyzedField& k,
                         const AnalyzedField& b, const std::vector<std::string>& cols) {
  std::string out(kSourceFormat3);
  out += body_from_pages ? '\1' : '\0';
  put_section(out, title);
  put_section(out, meta);
  put_section(out, body_from_pages ? std::string_view() : std::string_view(body));
  put_section(out, encode_spans(t.word_spans));
  put_section(out, encode_spans(k.word_spans));
  put_section(out, encode_spans(b.word_spans));
  out += checksum_bytes(all_columns_checksum(cols));
  return out;
}

template <typename PagesBody>
bool source3_columns(std::string_view blob, std::vector<std::string>& cols, PagesBody pages_body) {
  size_t at = kSourceFormat3.size();
  if (at >= blob.size()) return false;
  bool from_pages = blob[at++] == '\1';
  std::string_view title, meta, body, ts, ks, bs;
  if (!get_section(blob, at, title) || !get_section(blob, at, meta) || !get_section(blob, at, body) ||
      !get_section(blob, at, ts) || !get_section(blob, at, ks) || !get_section(blob, at, bs) ||
      blob.size() - at != 8) {
    return false;
  }
  std::string body_text = from_pages ? pages_body() : std::string(body);
  AnalyzedField t, k, b;
  if (!decode_spans(ts, title, t.words) || !decode_spans(ks, meta, k.words) ||
      !decode_spans(bs, body_text, b.words)) {
    return false;
  }
  add_grams(title, t);
  add_grams(meta, k);
  add_grams(body_text, b);
  cols = fts_columns(t, k, b);
  return checksum_bytes(all_columns_checksum(cols)) == blob.substr(at);
}

// The FTS5 columns a stored source blob stands for: format 1 as stored; format 2 with the
// grams derived again and checked (the body's text from `pages_body()` when it was left
// out). False when damaged or when the derivation now differs.
template <typename PagesBody>
bool source_columns(std::string_view blob, std::vector<std::string>& cols, PagesBody pages_body) {
  if (blob.substr(0, kSourceFormat3.size()) == kSourceFormat3) return source3_columns(blob, cols, pages_body);
  std::vector<std::string> parts;
  if (!unpack_columns(blob, parts)) return false;
  if (parts.size() == static_cast<size_t>(kColumns)) {
    cols = std::move(parts);
    return true;
  }
  // kSourceFormat2, t.words, k.words, b.words, title, meta, body (normalised), checksum
  if (parts.size() != 8 || (parts[0] != kSourceFormat2 && parts[0] != kSourceFormat2Pages) ||
      parts[7].size() != 8) {
    return false;
  }
  if (parts[0] == kSourceFormat2Pages) parts[6] = pages_body();
  AnalyzedField t, k, b;
  t.words = std::move(parts[1]);
  k.words = std::move(parts[2]);
  b.words = std::move(parts[3]);
  add_grams(parts[4], t);
  add_grams(parts[5], k);
  add_grams(parts[6], b);
  cols = fts_columns(t, k, b);
  return checksum_bytes(derived_checksum(cols)) == parts[7];
}

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

constexpr int kExcludePhrase = -1;  // in the term map: a phrase that only excludes
constexpr int kBonusPhrase = -2;    // in the term map: a phrase that only adds score

struct RankResult {
  uint64_t matched;  // bitmask of the query terms found (at most kMaxQueryTerms)
  double score;
};

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

// ---- query expressions ----------------------------------------------------------------

std::string quote(std::string_view token) {
  std::string out = "\"";
  for (char c : token) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Phrase of tokens in FTS5 syntax: "a" + "b" + "c" *.
std::string phrase_expr(const std::vector<std::string>& tokens, bool prefix_last) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += " + ";
    out += quote(tokens[i]);
  }
  if (prefix_last && !tokens.empty()) out += " *";
  return out;
}

// The expression that finds `normalized` as a character sequence: a lone character in
// the character column, anything longer as a phrase of grams.
// A lone character closing a longer sequence ("2011年") is matched where it ends a run,
// not as a prefix: a prefix scan over every bigram that starts with 年 costs tens of
// milliseconds, and the word column still finds "2011年" inside longer runs.
std::string char_columns(const std::vector<std::string>& grams, bool prefix_last) {
  return grams.size() == 1 && prefix_last ? "u" : "tg kg bg";
}
std::string char_expr(const std::vector<std::string>& grams, bool prefix_last) {
  return "{" + char_columns(grams, prefix_last) + "} : " + phrase_expr(grams, false);
}

struct Expr {
  std::string match;
  std::string term_map;
  int n_terms = 0;
  bool length_prior = false;  // rank with RankParams::len_prior
};

// One query term as the engine will look for it.
struct TermPlan {
  std::string text;  // the term's normalised text
  // When the word and its character sequence are the same token (two-character words,
  // lone characters), one phrase over both column groups: fewer phrases, faster queries.
  std::string merged;
  std::string word_phrase;  // FTS5 phrase over the word columns
  std::string gram_phrase;  // FTS5 column filter and phrase that decides matching: the
                            // gram columns, or the character column for one character
  double word_df = 0, gram_df = 0;  // documents holding it (gram: an upper bound)
};

double idf_of(double df, double n) { return std::max(1e-6, std::log((n - df + 0.5) / (df + 0.5))); }

// A term matches its words in the word columns or its characters, in order, in the gram
// columns; the second always holds when the first does, so it decides matching and the
// first adds score for matching on word boundaries. `rare` (indexes into plans), when not
// empty, makes the query "any rare term, scored by all terms", which bounds the work of
// a relaxed query to the documents of its selective terms.
Expr build_expr(const std::vector<TermPlan>& plans, const std::vector<size_t>& rare, bool all_terms,
                const std::vector<std::string>& excluded, double n_docs,
                const std::vector<TermPlan>& pairs = {}, double pair_weight = 0) {
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

struct Candidate {
  int64_t id;
  uint64_t mask;  // terms found
  int matched;    // how many
  double score;
  int64_t created_at;
  int64_t views;
};

std::string join_pages_normalized(const std::vector<AlignedText>& pages) {
  std::string out;
  for (const AlignedText& p : pages) {
    if (!out.empty()) out += '\n';
    out += p.normalized;
  }
  return out;
}

// ---- the index ------------------------------------------------------------------------

class SqliteSearchIndex : public SearchIndex {
 public:
  SqliteSearchIndex(std::string path, std::unique_ptr<Connection> writer, const text::Normalizer& n,
                    const text::Segmenter& s, const RankParams& params)
      : path_(std::move(path)), w_(std::move(writer)), analyzer_(n, s), params_(params) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%g,%g,%g,%g,%g,%g,%g,%g,%g", params.k1, params.b, params.w_title,
                  params.w_title_grams, params.w_meta, params.w_meta_grams, params.w_body,
                  params.w_body_grams, params.w_chars);
    weights_ = buf;
    std::snprintf(buf, sizeof buf, ",%g", params.len_prior);
    weights_prior_ = weights_ + buf;
  }

  Result<void> init() {
    // The default page cache (2 MB): a larger one made every commit slower (SQLite walks
    // the cache's hash table; 25% of the indexing CPU at 64 MB), and reads go through mmap.
    WENKU_TRY(w_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"));
    WENKU_TRY(setup_connection(*w_));
    WENKU_TRY(w_->exec(
                   "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
                   "CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, title TEXT, keywords TEXT,"
                   " description TEXT, category TEXT, format TEXT, uploader TEXT, created_at INTEGER,"
                   " views INTEGER, listed INTEGER, npages INTEGER);"
                   "CREATE INDEX IF NOT EXISTS docs_created ON docs(created_at);"
                   "CREATE INDEX IF NOT EXISTS docs_views ON docs(views);"
                   "CREATE INDEX IF NOT EXISTS docs_category ON docs(category);"
                   "CREATE TABLE IF NOT EXISTS pages(doc_id INTEGER, page INTEGER, text TEXT,"
                   " aligned TEXT, PRIMARY KEY(doc_id, page)) WITHOUT ROWID;"
                   // Contentless: the analysed text is kept once, compressed, in fts_src
                   // (FTS5 needs it back to delete a row), not uncompressed in FTS5.
                   "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(t, tg, k, kg, b, bg, u,"
                   " tokenize='wenku_ws', content='');"
                   "CREATE TABLE IF NOT EXISTS fts_src(id INTEGER PRIMARY KEY, data BLOB);"
                   "CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');"));
    recount();
    // Each upsert is its own transaction, so FTS5 writes a small segment per document;
    // merging 16 at a time instead of 4 halves the indexing time (bench/README.md).
    WENKU_TRY(w_->exec("INSERT INTO fts(fts, rank) VALUES('automerge', 16)"));
    auto v = w_->prepare("SELECT value FROM meta WHERE key='schema'");
    WENKU_ASSIGN_OR_RETURN(bool have_schema, v.step());
    if (have_schema) {
      if (std::atoi(v.text(0).c_str()) != kSchemaVersion) {
        return make_error(ErrorCode::kUnavailable,
                          "index: the index was made by another version of wenku; delete it to rebuild");
      }
    } else {
      auto ins = w_->prepare("INSERT OR REPLACE INTO meta VALUES('schema', ?1)");
      ins.bind(1, std::to_string(kSchemaVersion));
      WENKU_TRY(ins.run());
    }
    return {};
  }

  Result<void> upsert(const IndexDocument& doc) override { return upsert_all({&doc}); }

  Result<void> upsert_batch(const std::vector<IndexDocument>& docs) override {
    std::vector<const IndexDocument*> all;
    all.reserve(docs.size());
    for (const IndexDocument& d : docs) all.push_back(&d);
    return upsert_all(all);
  }

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

  Result<void> upsert_all(const std::vector<const IndexDocument*>& docs) {
    // Analysis runs outside the lock: it is the slow part and needs no database.
    std::vector<Prepared> prepared;
    prepared.reserve(docs.size());
    for (const IndexDocument* doc : docs) {
      WENKU_ASSIGN_OR_RETURN(Prepared p, prepare(*doc));
      prepared.push_back(std::move(p));
    }
    Pending me;
    me.docs = &prepared;
    std::unique_lock ql(group_mu_);
    group_.push_back(&me);
    while (!me.done) {
      if (group_writing_) {
        group_cv_.wait(ql);
        continue;
      }
      group_writing_ = true;
      std::vector<Pending*> group;
      group.swap(group_);
      ql.unlock();
      write_group(group);
      ql.lock();
      for (Pending* p : group) p->done = true;
      group_writing_ = false;
      group_cv_.notify_all();
    }
    return me.result;
  }

  // One transaction for the whole group; if it fails, each caller's documents are tried
  // in a transaction of their own, so that one bad call does not fail the others.
  void write_group(const std::vector<Pending*>& group) {
    std::lock_guard lock(mu_);
    Result<void> r = write_transaction(group);
    if (r.ok() || group.size() == 1) {
      for (Pending* p : group) p->result = r;
      return;
    }
    for (Pending* p : group) p->result = write_transaction({p});
  }

  Result<void> write_transaction(const std::vector<Pending*>& group) {
    WENKU_TRY(w_->exec("BEGIN IMMEDIATE"));
    for (const Pending* p : group) {
      for (const Prepared& d : *p->docs) {
        Result<void> r = write_document(d);
        if (!r.ok()) {
          (void)w_->exec("ROLLBACK");
          recount();
          return r;
        }
      }
    }
    Result<void> c = w_->exec("COMMIT");
    if (!c.ok()) {
      (void)w_->exec("ROLLBACK");
      recount();
    }
    return c;
  }

  // A document analysed and ready to write.
  struct Prepared {
    const IndexDocument* doc;
    std::string title;
    std::string title_norm, meta_norm, body_norm;  // what t, k and b were analysed from
    AnalyzedField t, k, b;
    std::vector<std::string> originals;
    std::vector<AlignedText> pages;
  };

  Result<Prepared> prepare(const IndexDocument& doc) const {
    size_t total = 0;
    for (const std::string& p : doc.pages) total += p.size();
    if (total > kMaxDocumentBytes || doc.pages.size() > kMaxPages) {
      return make_error(ErrorCode::kTooLarge, "index: document " + std::to_string(doc.id) +
                                                  " has too much text to index");
    }
    std::string title = utf8_prefix(sanitize_utf8(doc.title), kMaxFieldBytes);
    std::string meta = utf8_prefix(sanitize_utf8(doc.keywords + "\n" + doc.description), kMaxFieldBytes);
    std::vector<std::string> originals;
    std::vector<AlignedText> pages;
    for (const std::string& p : doc.pages) {
      originals.push_back(sanitize_utf8(p));
      pages.push_back(analyzer_.normalize_aligned(originals.back()));
    }
    Prepared out{&doc, std::move(title), {}, {}, {}, {}, {}, {}, std::move(originals), std::move(pages)};
    out.title_norm = analyzer_.normalize(out.title);
    out.meta_norm = analyzer_.normalize(meta);
    out.body_norm = join_pages_normalized(out.pages);
    out.t = analyzer_.analyze_normalized(out.title_norm);
    out.k = analyzer_.analyze_normalized(out.meta_norm);
    out.b = analyzer_.analyze_normalized(out.body_norm);
    return out;
  }

 public:

  Result<void> remove(int64_t id) override {
    std::lock_guard lock(mu_);
    WENKU_TRY(w_->exec("BEGIN IMMEDIATE"));
    Result<void> r = delete_document(id);
    if (!r.ok()) {
      (void)w_->exec("ROLLBACK");
      recount();
      return r;
    }
    return w_->exec("COMMIT");
  }

  Result<void> set_listed(int64_t id, bool listed) override {
    std::lock_guard lock(mu_);
    auto s = w_->prepare("UPDATE docs SET listed=?1 WHERE id=?2");
    s.bind(1, int64_t{listed ? 1 : 0});
    s.bind(2, id);
    WENKU_TRY(s.run());
    if (w_->changes() == 0) {
      return make_error(ErrorCode::kNotFound, "index: no document " + std::to_string(id));
    }
    mark_listed(id, listed);
    return {};
  }

  Result<SearchResult> search(const SearchQuery& q) const override;
  Result<std::vector<int64_t>> related(int64_t id, int limit) const override;
  Result<std::vector<std::string>> suggest_titles(const std::string& prefix, int limit) const override;

  Result<std::vector<int64_t>> all_ids() const override {
    WENKU_ASSIGN_OR_RETURN(Lease c, reader());
    std::vector<int64_t> out;
    auto s = (*c).prepare("SELECT id FROM docs ORDER BY id");
    for (;;) {
      WENKU_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      out.push_back(s.int64(0));
    }
    return out;
  }

  Result<void> flush() override {
    std::lock_guard lock(mu_);
    return w_->exec("PRAGMA wal_checkpoint(FULL)");
  }

  Result<void> optimize() override {
    std::lock_guard lock(mu_);
    WENKU_TRY(w_->exec("INSERT INTO fts(fts) VALUES('optimize')"));
    return w_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

 private:
  void recount() {
    auto count = w_->prepare("SELECT count(*), max(id) FROM docs");
    if (has_row(count)) {
      n_docs_ = count.int64(0);
      max_id_ = count.int64(1);
    }
    std::unordered_set<int64_t> unlisted;
    auto u = w_->prepare("SELECT id FROM docs WHERE listed = 0");
    while (has_row(u)) unlisted.insert(u.int64(0));
    std::unique_lock lock(unlisted_mu_);
    unlisted_ = std::move(unlisted);
  }
  void mark_listed(int64_t id, bool listed) {
    std::unique_lock lock(unlisted_mu_);
    if (listed) {
      unlisted_.erase(id);
    } else {
      unlisted_.insert(id);
    }
  }

  Result<void> delete_document(int64_t id) {
    auto src = w_->prepare("SELECT data FROM fts_src WHERE id=?1");
    src.bind(1, id);
    WENKU_ASSIGN_OR_RETURN(bool have_src, src.step());
    if (have_src) {
      std::string_view blob = src.blob(0);
      std::vector<std::string> cols;
      auto pages_body = [&] {
        std::string body;
        auto p = w_->prepare("SELECT aligned FROM pages WHERE doc_id=?1 ORDER BY page");
        p.bind(1, id);
        for (bool first = true; has_row(p); first = false) {
          if (!first) body += '\n';
          body += p.text_view(0);
        }
        return body;  // a read error leaves it short: the checksum then refuses it
      };
      if (!source_columns(blob, cols, pages_body)) {
        return make_error(ErrorCode::kCorrupt, "index: stored text of document " + std::to_string(id) +
                                                   " is damaged or no longer analyses as indexed;"
                                                   " delete the index to rebuild it");
      }
      auto del = w_->prepare("INSERT INTO fts(fts,rowid,t,tg,k,kg,b,bg,u) VALUES('delete',?1,?2,?3,?4,?5,?6,?7,?8)");
      del.bind(1, id);
      for (size_t c = 0; c < cols.size(); ++c) del.bind(static_cast<int>(c + 2), cols[c]);
      WENKU_TRY(del.run());
    }
    for (const char* sql : {"DELETE FROM fts_src WHERE id=?1", "DELETE FROM pages WHERE doc_id=?1",
                            "DELETE FROM docs WHERE id=?1"}) {
      auto s = w_->prepare(sql);
      s.bind(1, id);
      WENKU_TRY(s.run());
    }
    n_docs_ -= w_->changes();  // the last statement deleted the docs row, or nothing
    mark_listed(id, true);
    return {};
  }

  Result<void> write_document(const Prepared& prepared) {
    const IndexDocument& doc = *prepared.doc;
    const std::string& title = prepared.title;
    const std::vector<std::string>& originals = prepared.originals;
    const std::vector<AlignedText>& pages = prepared.pages;
    WENKU_TRY(delete_document(doc.id));
    auto d = w_->prepare(
        "INSERT INTO docs(id,title,keywords,description,category,format,uploader,created_at,views,"
        "listed,npages) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    d.bind(1, doc.id);
    d.bind(2, title);
    d.bind(3, utf8_prefix(sanitize_utf8(doc.keywords), kMaxFieldBytes));
    d.bind(4, utf8_prefix(sanitize_utf8(doc.description), kMaxFieldBytes));
    d.bind(5, utf8_prefix(sanitize_utf8(doc.category_path), kMaxFieldBytes));
    d.bind(6, to_lower_ascii(utf8_prefix(sanitize_utf8(doc.format), 64)));
    d.bind(7, utf8_prefix(sanitize_utf8(doc.uploader), kMaxFieldBytes));
    d.bind(8, doc.created_at);
    d.bind(9, doc.views);
    d.bind(10, int64_t{doc.listed ? 1 : 0});
    mark_listed(doc.id, doc.listed);  // a rolled-back batch reloads the set (recount)
    d.bind(11, static_cast<int64_t>(doc.pages.size()));
    WENKU_TRY(d.run());
    ++n_docs_;
    if (doc.id > max_id_) max_id_ = doc.id;
    auto p = w_->prepare("INSERT INTO pages(doc_id,page,text,aligned) VALUES(?1,?2,?3,?4)");
    for (size_t i = 0; i < pages.size(); ++i) {
      p.reset();
      p.bind(1, doc.id);
      p.bind(2, static_cast<int64_t>(i + 1));
      p.bind(3, originals[i]);
      p.bind(4, pages[i].aligned);
      WENKU_TRY(p.run());
    }
    std::vector<std::string> cols = fts_columns(prepared.t, prepared.k, prepared.b);
    auto f = w_->prepare("INSERT INTO fts(rowid,t,tg,k,kg,b,bg,u) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    f.bind(1, doc.id);
    for (size_t c = 0; c < cols.size(); ++c) f.bind(static_cast<int>(c + 2), cols[c]);
    WENKU_TRY(f.run());
    // Format 3: normalised texts and word spans; the grams, over half the tokens, are
    // derived again on delete. The body's text is left out when the pages hold it.
    bool from_pages = body_is_aligned_pages(prepared.body_norm, pages);
    std::string packed = pack_source3(prepared.title_norm, prepared.meta_norm, prepared.body_norm, from_pages,
                                      prepared.t, prepared.k, prepared.b, cols);
    auto src = w_->prepare("INSERT INTO fts_src(id,data) VALUES(?1,?2)");
    src.bind(1, doc.id);
    src.bind_blob(2, packed);
    return src.run();
  }

  // Scores every listed document matching `expr` under the query's filters.
  // Without filters or another sort, the documents table is not joined: the few unlisted
  // ids are held in memory, and a lookup per matching row was a third of a common word's
  // query time at 1M documents.
  Result<std::vector<Candidate>> candidates(Connection& c, const Expr& expr, const SearchQuery& q) const {
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

  static void append_filters(std::string& sql, const SearchQuery& q) {
    if (!q.format.empty()) sql += " AND docs.format = ?4";
    if (!q.category_prefix.empty()) {
      sql += " AND (docs.category = ?5 OR (docs.category >= ?5 || '/' AND docs.category < ?5 || '0'))";
    }
    if (q.from) sql += " AND docs.created_at >= ?6";
    if (q.to) sql += " AND docs.created_at <= ?7";
  }
  static void bind_filters(Statement& s, const SearchQuery& q, int) {
    if (!q.format.empty()) s.bind(4, to_lower_ascii(q.format));
    if (!q.category_prefix.empty()) {
      std::string c = q.category_prefix;
      while (!c.empty() && c.back() == '/') c.pop_back();
      s.bind(5, c);
    }
    if (q.from) s.bind(6, q.from);
    if (q.to) s.bind(7, q.to);
  }

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
  static Result<void> setup_connection(Connection& c) {
    WENKU_TRY(c.exec("PRAGMA mmap_size=4294967296;"));
    fts5_api* api = fts5_api_of(c.raw());
    if (!api) return make_error(ErrorCode::kUnavailable, "index: SQLite was built without FTS5");
    fts5_tokenizer tok{ws_create, ws_delete, ws_tokenize};
    if (api->xCreateTokenizer(api, "wenku_ws", nullptr, &tok, nullptr) != SQLITE_OK ||
        api->xCreateFunction(api, "wenku_rank", nullptr, rank_fn, nullptr) != SQLITE_OK) {
      return sqlite::error_of(c.raw(), "index: registering FTS5 extensions");
    }
    return {};
  }

  // Searches run on a pool of reader connections (WAL: they see every commit and never
  // wait for the writer), so concurrent searches do not queue behind one mutex.
  Result<Lease> reader() const {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || readers_ < kMaxReaders; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    ++readers_;
    lock.unlock();
    auto c = Connection::open(path_, {.create = false, .busy_timeout_ms = 5000});
    Result<void> ok = c.ok() ? setup_connection(**c) : Result<void>(c.error());
    if (ok.ok()) ok = (*c)->exec("PRAGMA query_only=1");
    if (!ok.ok()) {
      lock.lock();
      --readers_;
      pool_cv_.notify_one();
      return ok.error();
    }
    return Lease(this, std::move(c).value());
  }
  void give_back(std::unique_ptr<Connection> c) const {
    std::lock_guard lock(pool_mu_);
    idle_.push_back(std::move(c));
    pool_cv_.notify_one();
  }

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
  // The document's own words: its title and keywords first, then its most frequent body
  // words of two or more characters.
  std::string norm = analyzer_.normalize(source);
  std::vector<std::string> words = analyzer_.query_words(norm);
  size_t title_end = analyzer_.query_words(analyzer_.normalize(source.substr(0, source.find('\n')))).size();
  std::vector<std::string> picked;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < title_end && i < words.size(); ++i) {
    if (utf8_length(words[i]) >= 2 && !analyzer_.is_stop_word(words[i]) && seen.insert(words[i]).second) {
      picked.push_back(words[i]);
    }
  }
  std::unordered_map<std::string, int> freq;
  for (size_t i = title_end; i < words.size(); ++i) {
    if (utf8_length(words[i]) >= 2 && !analyzer_.is_stop_word(words[i])) ++freq[words[i]];
  }
  std::vector<std::pair<int, std::string>> by_freq;
  for (auto& [w, f] : freq) {
    if (f >= 2 && !seen.count(w)) by_freq.emplace_back(f, w);
  }
  std::sort(by_freq.begin(), by_freq.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (size_t i = 0; i < by_freq.size() && picked.size() < 12; ++i) picked.push_back(by_freq[i].second);
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

}  // namespace

Result<std::unique_ptr<SearchIndex>> open_sqlite_index(const std::string& path,
                                                       const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter,
                                                       const RankParams& params) {
  WENKU_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::open(path, {.create = true, .busy_timeout_ms = 5000}));
  auto index = std::make_unique<SqliteSearchIndex>(path, std::move(writer), normalizer, segmenter, params);
  WENKU_TRY(index->init());
  return std::unique_ptr<SearchIndex>(std::move(index));
}

}  // namespace wenku::index
