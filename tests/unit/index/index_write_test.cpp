// The index's write path: deletes take out exactly the tokens an upsert put in, for the
// stored source of both formats, and a source that no longer derives the same is refused.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zlib.h>

#include <thread>

#include "core/strings.h"
#include "index/analyzer.h"
#include "index/sqlite_index.h"
#include "support/test_support.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::index {
namespace {

class IndexWriteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = text::make_normalizer();
    auto s = text::make_segmenter();
    if (n.ok() && s.ok()) {
      normalizer_ = std::move(*n).release();
      segmenter_ = std::move(*s).release();
    }
  }
  void SetUp() override {
    if (!normalizer_ || !segmenter_) GTEST_SKIP() << "text data (ICU, OpenCC, jieba) not installed";
    auto opened = open_sqlite_index((dir_ / "index.db").string(), *normalizer_, *segmenter_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    index_ = std::move(*opened);
  }

  // FTS5 needs the index's tokenizer to open its table (and fts_vocab): tokens split at
  // spaces, as the index's own.
  static int ws_create(void*, const char**, int, Fts5Tokenizer** out) {
    static int dummy;
    *out = reinterpret_cast<Fts5Tokenizer*>(&dummy);
    return SQLITE_OK;
  }
  static void ws_delete(Fts5Tokenizer*) {}
  static int ws_tokenize(Fts5Tokenizer*, void* ctx, int, const char* text, int n,
                         int (*token)(void*, int, const char*, int, int, int)) {
    for (int i = 0; i < n;) {
      while (i < n && text[i] == ' ') ++i;
      int start = i;
      while (i < n && text[i] != ' ') ++i;
      if (i > start && token(ctx, 0, text + start, i - start, start, i) != SQLITE_OK) return SQLITE_ERROR;
    }
    return SQLITE_OK;
  }
  static void register_tokenizer(sqlite3* db) {
    fts5_api* api = nullptr;
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr), SQLITE_OK);
    sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(st);
    sqlite3_finalize(st);
    ASSERT_NE(api, nullptr);
    fts5_tokenizer tok{ws_create, ws_delete, ws_tokenize};
    ASSERT_EQ(api->xCreateTokenizer(api, "wenku_ws", nullptr, &tok, nullptr), SQLITE_OK);
  }

  // Runs a one-value query on the index file through a connection of the test's own.
  int64_t scalar(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "index.db").string().c_str(), &db), SQLITE_OK);
    register_tokenizer(db);
    sqlite3_stmt* st = nullptr;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }
  void exec_blob(const std::string& sql, int64_t id, const std::string& blob) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "index.db").string().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }

  // Document `id`'s stored source blob, as the index wrote it.
  std::string source_blob(int64_t id) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "index.db").string().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::string blob;
    if (sqlite3_prepare_v2(db, ("SELECT data FROM fts_src WHERE id=" + std::to_string(id)).c_str(), -1, &st,
                           nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      blob.assign(static_cast<const char*>(sqlite3_column_blob(st, 0)), static_cast<size_t>(sqlite3_column_bytes(st, 0)));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return blob;
  }
  // The marker that opens document `id`'s stored source (format 3: "\x03wenku3" and a
  // byte, 1 when the body is left to the pages).
  std::string source_marker(int64_t id) { return source_blob(id).substr(0, 8); }

  // Deflates length-prefixed columns the way formats 1 and 2 stored them.
  static std::string deflated_columns(const std::vector<std::string>& cols) {
    std::string raw;
    for (const std::string& c : cols) {
      for (int i = 0; i < 4; ++i) raw += static_cast<char>((c.size() >> (8 * i)) & 0xFF);
      raw += c;
    }
    uLongf bound = compressBound(static_cast<uLong>(raw.size()));
    std::string blob;
    for (int i = 0; i < 4; ++i) blob += static_cast<char>((raw.size() >> (8 * i)) & 0xFF);
    blob.resize(4 + bound);
    EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(blob.data() + 4), &bound,
                        reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 1),
              Z_OK);
    blob.resize(4 + bound);
    return blob;
  }

  // What the index analyses a document into: title, keywords+description, body.
  struct Analysed {
    std::string title, meta, body;
    AnalyzedField t, k, b;
  };
  static Analysed analyse(const IndexDocument& d) {
    Analyzer a(*normalizer_, *segmenter_);
    Analysed out;
    for (const auto& p : d.pages) {
      if (!out.body.empty() || &p != &d.pages.front()) out.body += '\n';
      out.body += a.normalize_aligned(sanitize_utf8(p)).normalized;
    }
    out.title = a.normalize(d.title);
    out.meta = a.normalize(d.keywords + "\n" + d.description);
    out.t = a.analyze_normalized(out.title);
    out.k = a.analyze_normalized(out.meta);
    out.b = a.analyze_normalized(out.body);
    return out;
  }

  static IndexDocument doc(int64_t id, std::string title, std::vector<std::string> pages) {
    IndexDocument d;
    d.id = id;
    d.title = std::move(title);
    d.keywords = "关键词 Keyword";
    d.description = "ＡＢＣ 全角描述，繁體「說明」";
    d.pages = std::move(pages);
    return d;
  }
  static std::vector<IndexDocument> corpus() {
    return {doc(1, "教育改革 2019年", {"人民满意的教育。\n择校热与大班额问题", "第二页：Lyapunov函数 3.14"}),
            doc(2, "學校與發展", {"頭髮與發展，看著他著名的巨著。乾隆皇帝", "e\xCC\x81t\xC3\xA9 Stra\xC3\x9f" "e ½"}),
            doc(3, "混合 C++ 与 emoji 😀👍🏽", {"——……！！ 中文，English, 123,456.78; 二○○一年"}),
            doc(4, "", {""}),
            doc(5, "长文", {std::string(3000, 'x') + " 中华人民共和国成立了 " + std::string(50, '\n')})};
  }

  static inline text::Normalizer* normalizer_ = nullptr;
  static inline text::Segmenter* segmenter_ = nullptr;
  testing::TempDir dir_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(IndexWriteTest, RemovingEverythingLeavesNoTokens) {
  for (const auto& d : corpus()) ASSERT_TRUE(index_->upsert(d).ok());
  EXPECT_GT(scalar("SELECT count(*) FROM fts_vocab"), 50);
  // Both kinds of format 3: the body left to the pages, and kept where NFKC changed the
  // length of a line (ß -> ss, ½ -> 1⁄2), so the aligned page text is not the body.
  EXPECT_EQ(source_marker(1), std::string("\x03wenku3\x01", 8));
  EXPECT_EQ(source_marker(2), std::string("\x03wenku3\x00", 8));
  // Replacing documents deletes their old tokens first.
  auto again = corpus();
  again[0].pages = {"完全不同的正文"};
  again[1].title = "新標題";
  ASSERT_TRUE(index_->upsert_batch(again).ok());
  for (const auto& d : corpus()) ASSERT_TRUE(index_->remove(d.id).ok());
  ASSERT_TRUE(index_->optimize().ok());
  EXPECT_EQ(scalar("SELECT count(*) FROM fts_vocab"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM fts_src"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM pages"), 0);
}

// Indexes written before format 2 kept all seven columns deflated; they still delete.
TEST_F(IndexWriteTest, SourcesOfTheFirstFormatStillDelete) {
  auto docs = corpus();
  for (const auto& d : docs) ASSERT_TRUE(index_->upsert(d).ok());
  for (const auto& d : docs) {
    Analysed x = analyse(d);
    exec_blob("UPDATE fts_src SET data=?1 WHERE id=?2", d.id,
              deflated_columns({x.t.words, x.t.grams, x.k.words, x.k.grams, x.b.words, x.b.grams,
                                x.t.chars + " " + x.k.chars + " " + x.b.chars}));
  }
  for (const auto& d : docs) ASSERT_TRUE(index_->remove(d.id).ok());
  ASSERT_TRUE(index_->optimize().ok());
  EXPECT_EQ(scalar("SELECT count(*) FROM fts_vocab"), 0);
}

// Format 2 (this version's predecessor) kept the words and the normalised texts deflated,
// with a checksum of the grams and characters; its indexes still delete.
TEST_F(IndexWriteTest, SourcesOfTheSecondFormatStillDelete) {
  auto docs = corpus();
  for (const auto& d : docs) ASSERT_TRUE(index_->upsert(d).ok());
  for (const auto& d : docs) {
    Analysed x = analyse(d);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const std::string* c : {&x.t.grams, &x.k.grams, &x.b.grams}) {
      for (char ch : *c) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
      h = (h ^ 0xFF) * 0x100000001b3ULL;
    }
    std::string u = x.t.chars + " " + x.k.chars + " " + x.b.chars;
    for (char ch : u) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
    h = (h ^ 0xFF) * 0x100000001b3ULL;
    std::string sum;
    for (int i = 0; i < 8; ++i) sum += static_cast<char>((h >> (8 * i)) & 0xFF);
    exec_blob("UPDATE fts_src SET data=?1 WHERE id=?2", d.id,
              deflated_columns({"\x02wenku-src", x.t.words, x.k.words, x.b.words, x.title, x.meta, x.body, sum}));
  }
  for (const auto& d : docs) ASSERT_TRUE(index_->remove(d.id).ok());
  ASSERT_TRUE(index_->optimize().ok());
  EXPECT_EQ(scalar("SELECT count(*) FROM fts_vocab"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM fts_src"), 0);
}

// A source whose derived tokens no longer match its checksum is refused, not used to
// delete tokens that were never indexed (which would corrupt FTS5's index).
TEST_F(IndexWriteTest, ASourceThatDerivesDifferentlyIsRefused) {
  ASSERT_TRUE(index_->upsert(corpus()[0]).ok());
  // Change the checksum: the derivation no longer gives what it says was indexed.
  std::string changed = source_blob(1);
  ASSERT_GT(changed.size(), 16u);
  changed.back() = static_cast<char>(changed.back() ^ 0x5A);  // the checksum's last byte
  exec_blob("UPDATE fts_src SET data=?1 WHERE id=?2", 1, changed);
  auto r = index_->remove(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  // A source cut short (its word spans run out of the sections) is refused too.
  std::string cut = source_blob(1);
  exec_blob("UPDATE fts_src SET data=?1 WHERE id=?2", 1, cut.substr(0, cut.size() / 2));
  r = index_->remove(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  // Nothing was half done: the document is still there and still found.
  auto ids = index_->all_ids();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<int64_t>{1});
  SearchQuery q;
  q.text = "择校";
  auto found = index_->search(q);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->hits.size(), 1u);
}

// Upserts from several threads are committed in groups; every one lands, whole, and is
// searchable when its call returns.
TEST_F(IndexWriteTest, ConcurrentUpsertsAllLandAndAreSearchableOnReturn) {
  constexpr int kThreads = 4, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int64_t id = t * 1000 + i + 1;
        std::string marker = "标记" + std::to_string(id) + "号";
        if (!index_->upsert(doc(id, "并发文档", {"正文 " + marker})).ok()) ++failures;
        SearchQuery q;
        q.text = std::to_string(id) + "号";
        auto r = index_->search(q);
        bool found = false;
        if (r.ok()) {
          for (const auto& h : r->hits) found = found || h.id == id;
        }
        if (!found) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto ids = index_->all_ids();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace wenku::index
