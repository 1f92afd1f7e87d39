// Encoding and decoding of fts_src, the stored source of each document's FTS5 row.
#include "index/source_codec.h"

#include <zlib.h>

#include "index/fts_functions.h"

namespace wenku::index {
namespace {

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

bool source3_columns(std::string_view blob, std::vector<std::string>& cols,
                     const std::function<std::string()>& pages_body) {
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

}  // namespace

// The seven FTS5 columns (t tg k kg b bg u) from the three analysed fields.
std::vector<std::string> fts_columns(const AnalyzedField& t, const AnalyzedField& k, const AnalyzedField& b) {
  return {t.words, t.grams, k.words, k.grams, b.words, b.grams, t.chars + " " + k.chars + " " + b.chars};
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

// The FTS5 columns a stored source blob stands for: format 1 as stored; format 2 with the
// grams derived again and checked (the body's text from `pages_body()` when it was left
// out). False when damaged or when the derivation now differs.
bool source_columns(std::string_view blob, std::vector<std::string>& cols,
                    const std::function<std::string()>& pages_body) {
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

}  // namespace wenku::index
