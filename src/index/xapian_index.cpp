// Xapian implementation of SearchIndex: opening (local or shards over xapian-tcpsrv),
// documents as Xapian terms, values and metadata, and writes one writer per shard at a
// time. Queries are in xapian_index_search.cpp.
#include "index/xapian_index.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/strings.h"
#include "index/xapian_index_impl.h"

namespace wenku::index {
namespace {

// Words and bigrams weighted by field through their wdf (title, keywords+description,
// body), what bench/xapian_bench measured: one term space for all fields.
struct FieldWdf {
  Xapian::termcount word, gram;
};
constexpr FieldWdf kTitleWdf{6, 3}, kMetaWdf{3, 2}, kBodyWdf{1, 1};
constexpr Xapian::termpos kFieldGap = 100;  // no phrase spans two fields
constexpr auto kLockWait = std::chrono::seconds(30);  // another process's write on a shard

std::string prefixed(std::string_view prefix, std::string_view token) {
  std::string t(prefix);
  t += token;
  return t;
}

// Adds one analysed field: words and grams each at consecutive positions from `pos` (two
// term spaces, one position counter), single characters without positions.
Xapian::termpos add_field(Xapian::Document& d, const AnalyzedField& a, FieldWdf wdf, Xapian::termpos pos) {
  Xapian::termpos p = pos, end = pos;
  for (const std::string& w : split(a.words, ' ')) {
    if (w.empty()) continue;
    ++p;
    if (w.size() <= kMaxTermBytes) d.add_posting(prefixed(kWordPrefix, w), p, wdf.word);
  }
  end = std::max(end, p);
  p = pos;
  for (const std::string& g : split(a.grams, ' ')) {
    if (g.empty()) continue;
    ++p;
    if (g.size() <= kMaxTermBytes) d.add_posting(prefixed(kGramPrefix, g), p, wdf.gram);
  }
  end = std::max(end, p);
  for (const std::string& c : split(a.chars, ' ')) {
    if (!c.empty()) d.add_term(prefixed(kCharPrefix, c), 1);
  }
  return end + kFieldGap;
}

std::string join_normalized(const std::vector<AlignedText>& pages) {
  std::string out;
  for (const AlignedText& p : pages) {
    if (!out.empty()) out += '\n';
    out += p.normalized;
  }
  return out;
}

}  // namespace

void put_string(std::string& out, std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  out += s;
}

bool get_string(std::string_view& in, std::string& out) {
  if (in.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[static_cast<size_t>(i)])) << (8 * i);
  in.remove_prefix(4);
  if (in.size() < n) return false;
  out.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

std::string hit_key(int64_t id, Xapian::termcount length) {
  std::string k;
  uint64_t u = static_cast<uint64_t>(id) ^ (uint64_t{1} << 63);
  for (int i = 7; i >= 0; --i) k += static_cast<char>((u >> (8 * i)) & 0xff);
  for (int i = 3; i >= 0; --i) k += static_cast<char>((length >> (8 * i)) & 0xff);
  return k;
}

bool parse_hit_key(std::string_view key, int64_t& id, double& length) {
  if (key.size() != 12) return false;
  uint64_t u = 0;
  uint32_t n = 0;
  for (size_t i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(key[i]);
  for (size_t i = 8; i < 12; ++i) n = (n << 8) | static_cast<unsigned char>(key[i]);
  id = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  length = n;
  return true;
}

Error xapian_error(const Xapian::Error& e, const std::string& what) {
  std::string msg = "index: " + what + ": " + e.get_description();
  std::string type = e.get_type();  // Xapian::Error is not polymorphic: its class by name
  if (starts_with(type, "Network") || type == "DatabaseLockError") return make_error(ErrorCode::kUnavailable, msg);
  if (type == "DatabaseCorruptError") return make_error(ErrorCode::kCorrupt, msg);
  return make_error(ErrorCode::kIo, msg);
}

Result<XapianLocation> parse_xapian_location(const std::string& rest, bool remote) {
  XapianLocation out;
  if (!remote) {
    if (rest.empty() || rest[0] != '/') {
      return make_error(ErrorCode::kInvalidArgument, "index: xapian:// URL needs an absolute path (xapian:///path)");
    }
    out.path = rest;
    return out;
  }
  for (const std::string& part : split(rest, ',')) {
    size_t colon = part.rfind(':');
    if (part.empty() || colon == std::string::npos || colon == 0 || colon + 1 == part.size()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "index: '" + part + "' is not host:port (xapian+tcp://host1:port1,host2:port2)");
    }
    unsigned long port = 0;
    try {
      size_t used = 0;
      port = std::stoul(part.substr(colon + 1), &used);
      if (used != part.size() - colon - 1) port = 0;
    } catch (const std::exception&) {
      port = 0;
    }
    if (port == 0 || port > 65535) {
      return make_error(ErrorCode::kInvalidArgument, "index: bad port in '" + part + "'");
    }
    out.shards.push_back({part.substr(0, colon), static_cast<unsigned>(port)});
  }
  if (out.shards.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "index: xapian+tcp:// URL without a shard address");
  }
  return out;
}

XapianSearchIndex::XapianSearchIndex(XapianLocation where, const text::Normalizer& n, const text::Segmenter& s)
    : where_(std::move(where)), analyzer_(n, s) {
  size_t n_shards = where_.shards.empty() ? 1 : where_.shards.size();
  for (size_t i = 0; i < n_shards; ++i) writers_.push_back(std::make_unique<Writer>());
}

Result<void> XapianSearchIndex::init() {
  if (!where_.path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(where_.path).parent_path(), ec);
    Writer& w = *writers_[0];
    std::lock_guard lock(w.mu);
    WENKU_ASSIGN_OR_RETURN(Xapian::WritableDatabase db, open_writer(0));
    w.db = std::move(db);  // a local index keeps its writer (one process owns the data directory)
    return {};
  }
  // Every shard must answer now, not at the first search.
  WENKU_ASSIGN_OR_RETURN(Reader r, open_reader());
  std::lock_guard lock(pool_mu_);
  ++readers_;
  idle_.push_back(std::make_unique<Reader>(std::move(r)));
  return {};
}

size_t XapianSearchIndex::shard_of(int64_t id) const {
  auto n = static_cast<int64_t>(writers_.size());
  return static_cast<size_t>(((id % n) + n) % n);
}

Result<Xapian::WritableDatabase> XapianSearchIndex::open_writer(size_t shard) const {
  auto deadline = std::chrono::steady_clock::now() + kLockWait;
  for (;;) {
    try {
      if (!where_.path.empty()) {
        return Xapian::WritableDatabase(where_.path, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
      }
      const XapianLocation::Shard& s = where_.shards[shard];
      return Xapian::Remote::open_writable(s.host, s.port, 0, 10000);
    } catch (const Xapian::DatabaseLockError& e) {
      // Another process is writing this shard: its write is short, wait for it.
      if (std::chrono::steady_clock::now() > deadline) return xapian_error(e, "the index is locked by another writer");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } catch (const Xapian::Error& e) {
      std::string what = where_.path.empty() ? "shard " + where_.shards[shard].host + ":" +
                                                   std::to_string(where_.shards[shard].port) + " does not answer"
                                             : "cannot open " + where_.path;
      return xapian_error(e, what);
    }
  }
}

Result<XapianSearchIndex::Reader> XapianSearchIndex::open_reader() const {
  Reader r;
  if (!where_.path.empty()) {
    try {
      r.shards.emplace_back(where_.path);
    } catch (const Xapian::DatabaseModifiedError&) {
      throw;  // a writer committed while the database opened: the caller's retry loop opens it again
    } catch (const Xapian::Error& e) {
      return xapian_error(e, "cannot open " + where_.path);
    }
  } else {
    for (const XapianLocation::Shard& s : where_.shards) {
      try {
        r.shards.push_back(Xapian::Remote::open(s.host, s.port, 10000, 5000));
      } catch (const Xapian::Error& e) {
        return xapian_error(e, "shard " + s.host + ":" + std::to_string(s.port) + " does not answer");
      }
    }
  }
  for (const Xapian::Database& d : r.shards) r.all.add_database(d);
  return r;
}

Result<void> XapianSearchIndex::write(size_t shard, const std::function<Result<void>(Xapian::WritableDatabase&)>& f) {
  Writer& w = *writers_[shard];
  std::lock_guard lock(w.mu);
  bool remote = where_.path.empty();
  for (int attempt = 0;; ++attempt) {
    bool in_transaction = false;
    try {
      if (!w.db) {
        WENKU_ASSIGN_OR_RETURN(Xapian::WritableDatabase db, open_writer(shard));
        w.db = std::move(db);
      }
      // A transaction: all of `f` or nothing, even when it stops half way with an error.
      w.db->begin_transaction(true);
      in_transaction = true;
      Result<void> r = f(*w.db);
      if (!r.ok()) {
        w.db->cancel_transaction();
        if (remote) w.db.reset();
        return r;
      }
      w.db->commit_transaction();  // flushed: durable on return
      in_transaction = false;
      if (remote) {
        w.db->close();  // let the other processes' writers have the shard
        w.db.reset();
      }
      return {};
    } catch (const Xapian::NetworkError& e) {
      // The server closed the connection (its idle timeout) or restarted: connect again and
      // write again (every write here replaces whole documents, so running it twice is safe).
      w.db.reset();
      if (attempt < 1) continue;
      return xapian_error(e, "write to shard " + std::to_string(shard));
    } catch (const Xapian::Error& e) {
      try {
        if (in_transaction) w.db->cancel_transaction();
      } catch (const Xapian::Error&) {
      }
      w.db.reset();
      return xapian_error(e, "write");
    }
  }
}

Xapian::Document XapianSearchIndex::make_document(const IndexDocument& doc, std::string& pages_blob) const {
  std::string title = utf8_prefix(sanitize_utf8(doc.title), kMaxFieldBytes);
  std::string keywords = utf8_prefix(sanitize_utf8(doc.keywords), kMaxFieldBytes);
  std::string meta = utf8_prefix(sanitize_utf8(doc.keywords + "\n" + doc.description), kMaxFieldBytes);
  std::vector<AlignedText> pages;
  for (const std::string& p : doc.pages) {
    std::string original = sanitize_utf8(p);
    pages.push_back(analyzer_.normalize_aligned(original));
    put_string(pages_blob, original);
    put_string(pages_blob, pages.back().aligned);
  }
  std::string title_norm = analyzer_.normalize(title);
  Xapian::Document d;
  Xapian::termpos pos = 0;
  pos = add_field(d, analyzer_.analyze_normalized(title_norm), kTitleWdf, pos);
  pos = add_field(d, analyzer_.analyze_normalized(analyzer_.normalize(meta)), kMetaWdf, pos);
  add_field(d, analyzer_.analyze_normalized(join_normalized(pages)), kBodyWdf, pos);
  Xapian::termcount length = 0;
  for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t) length += t.get_wdf();

  d.add_boolean_term(prefixed(kIdPrefix, std::to_string(doc.id)));
  if (!doc.listed) d.add_boolean_term(std::string(kUnlistedTerm));
  std::string format = to_lower_ascii(utf8_prefix(sanitize_utf8(doc.format), 64));
  if (!format.empty()) d.add_boolean_term(prefixed(kFormatPrefix, format));
  std::string category = sanitize_utf8(doc.category_path);
  while (!category.empty() && category.back() == '/') category.pop_back();
  for (size_t at = 0; at <= category.size() && !category.empty();) {
    size_t slash = category.find('/', at);
    if (slash == std::string::npos) slash = category.size();
    if (slash <= kMaxTermBytes) d.add_boolean_term(prefixed(kCategoryPrefix, category.substr(0, slash)));
    at = slash + 1;
  }
  std::u32string t32 = utf8_to_u32(title_norm);
  for (size_t k = 2; k <= std::min(t32.size(), kTitlePrefixChars); ++k) {
    std::string p = u32_to_utf8(t32.substr(0, k));
    if (p.size() <= kMaxTermBytes) d.add_boolean_term(prefixed(kTitlePrefix, p));
  }
  d.add_value(kSlotId, Xapian::sortable_serialise(static_cast<double>(doc.id)));
  d.add_value(kSlotCreated, Xapian::sortable_serialise(static_cast<double>(doc.created_at)));
  d.add_value(kSlotViews, Xapian::sortable_serialise(static_cast<double>(doc.views)));
  d.add_value(kSlotLength, Xapian::sortable_serialise(static_cast<double>(length)));
  d.add_value(kSlotHitKey, hit_key(doc.id, length));
  // Small page texts travel in a value; the caller writes the rest to the metadata (and
  // clears the metadata of a document whose texts are in the value).
  if (pages_blob.size() <= kInlinePagesBytes) {
    d.add_value(kSlotPages, hit_key(doc.id, length) + pages_blob);
    pages_blob.clear();
  }
  std::string data;
  put_string(data, title);
  put_string(data, keywords);
  d.set_data(data);
  return d;
}

Result<void> XapianSearchIndex::upsert_batch(const std::vector<IndexDocument>& docs) {
  // Analysis first, outside any writer: it is the slow part.
  struct Made {
    int64_t id;
    Xapian::Document doc;
    std::string pages;
  };
  std::vector<std::vector<Made>> by_shard(writers_.size());
  for (const IndexDocument& doc : docs) {
    size_t total = 0;
    for (const std::string& p : doc.pages) total += p.size();
    if (total > kMaxDocumentBytes || doc.pages.size() > kMaxPages) {
      return make_error(ErrorCode::kTooLarge, "index: document " + std::to_string(doc.id) + " has too much text to index");
    }
    Made m{doc.id, {}, {}};
    m.doc = make_document(doc, m.pages);
    by_shard[shard_of(doc.id)].push_back(std::move(m));
  }
  for (size_t s = 0; s < by_shard.size(); ++s) {
    if (by_shard[s].empty()) continue;
    WENKU_TRY(write(s, [&](Xapian::WritableDatabase& db) -> Result<void> {
      for (const Made& m : by_shard[s]) {
        std::string id = std::to_string(m.id);
        db.replace_document(prefixed(kIdPrefix, id), m.doc);
        db.set_metadata(prefixed(kPagesKey, id), m.pages);
      }
      return {};
    }));
  }
  return {};
}

Result<void> XapianSearchIndex::remove(int64_t id) {
  return write(shard_of(id), [&](Xapian::WritableDatabase& db) -> Result<void> {
    std::string s = std::to_string(id);
    db.delete_document(prefixed(kIdPrefix, s));
    db.set_metadata(prefixed(kPagesKey, s), "");
    return {};
  });
}

Result<void> XapianSearchIndex::set_listed(int64_t id, bool listed) {
  return write(shard_of(id), [&](Xapian::WritableDatabase& db) -> Result<void> {
    std::string term = prefixed(kIdPrefix, std::to_string(id));
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return make_error(ErrorCode::kNotFound, "index: no document " + std::to_string(id));
    Xapian::docid did = *p;
    Xapian::Document d = db.get_document(did);
    Xapian::TermIterator t = d.termlist_begin();
    t.skip_to(std::string(kUnlistedTerm));
    bool unlisted = t != d.termlist_end() && *t == kUnlistedTerm;
    if (unlisted == !listed) return {};
    if (listed) {
      d.remove_term(std::string(kUnlistedTerm));
    } else {
      d.add_boolean_term(std::string(kUnlistedTerm));
    }
    db.replace_document(did, d);
    return {};
  });
}

Result<std::vector<int64_t>> XapianSearchIndex::all_ids() const {
  return read<std::vector<int64_t>>([&](Reader& r) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> out;
    std::string prefix(kIdPrefix);
    for (auto t = r.all.allterms_begin(prefix); t != r.all.allterms_end(prefix); ++t) {
      std::string term = *t;
      try {
        out.push_back(std::stoll(term.substr(prefix.size())));
      } catch (const std::exception&) {
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  });
}

Result<void> XapianSearchIndex::flush() {
  // Every write is committed before it returns.
  return {};
}

Result<std::unique_ptr<SearchIndex>> open_xapian_index(const XapianLocation& where, const text::Normalizer& normalizer,
                                                       const text::Segmenter& segmenter) {
  auto index = std::make_unique<XapianSearchIndex>(where, normalizer, segmenter);
  WENKU_TRY(index->init());
  return std::unique_ptr<SearchIndex>(std::move(index));
}

}  // namespace wenku::index
