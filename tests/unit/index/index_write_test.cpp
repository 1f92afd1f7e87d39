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

  // The marker that opens document `id`'s stored source (which format it was kept in).
  std::string source_marker(int64_t id) {
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
    if (blob.size() < 4) return "";
    std::string raw(blob.size() * 50 + 1024, '\0');
    uLongf n = static_cast<uLongf>(raw.size());
    if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &n, reinterpret_cast<const Bytef*>(blob.data() + 4),
                   static_cast<uLong>(blob.size() - 4)) != Z_OK || n < 4) {
      return "";
    }
    size_t len = static_cast<unsigned char>(raw[0]) | (static_cast<size_t>(static_cast<unsigned char>(raw[1])) << 8);
    return raw.substr(4, std::min<size_t>(len, n - 4));
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
  // Both kinds of format 2: the body left to the pages, and kept where NFKC changed the
  // length of a line (ß -> ss, ½ -> 1⁄2), so the aligned page text is not the body.
  EXPECT_EQ(source_marker(1), "\x02wenku-src-pages");
  EXPECT_EQ(source_marker(2), "\x02wenku-src");
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
  Analyzer a(*normalizer_, *segmenter_);
  auto docs = corpus();
  for (const auto& d : docs) ASSERT_TRUE(index_->upsert(d).ok());
  for (const auto& d : docs) {
    std::string body;
    for (const auto& p : d.pages) {
      if (!body.empty()) body += '\n';
      body += a.normalize_aligned(sanitize_utf8(p)).normalized;
    }
    AnalyzedField t = a.analyze_normalized(a.normalize(d.title));
    AnalyzedField k = a.analyze_normalized(a.normalize(d.keywords + "\n" + d.description));
    AnalyzedField b = a.analyze_normalized(body);
    std::string raw;
    auto put = [&](const std::string& s) {
      for (int i = 0; i < 4; ++i) raw += static_cast<char>((s.size() >> (8 * i)) & 0xFF);
      raw += s;
    };
    for (const std::string& c : {t.words, t.grams, k.words, k.grams, b.words, b.grams,
                                 t.chars + " " + k.chars + " " + b.chars}) {
      put(c);
    }
    uLongf bound = compressBound(static_cast<uLong>(raw.size()));
    std::string blob;
    for (int i = 0; i < 4; ++i) blob += static_cast<char>((raw.size() >> (8 * i)) & 0xFF);
    blob.resize(4 + bound);
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(blob.data() + 4), &bound,
                        reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 1),
              Z_OK);
    blob.resize(4 + bound);
    exec_blob("UPDATE fts_src SET data=?1 WHERE id=?2", d.id, blob);
  }
  for (const auto& d : docs) ASSERT_TRUE(index_->remove(d.id).ok());
  ASSERT_TRUE(index_->optimize().ok());
  EXPECT_EQ(scalar("SELECT count(*) FROM fts_vocab"), 0);
}

// A source whose derived tokens no longer match its checksum is refused, not used to
// delete tokens that were never indexed (which would corrupt FTS5's index).
TEST_F(IndexWriteTest, ASourceThatDerivesDifferentlyIsRefused) {
  ASSERT_TRUE(index_->upsert(corpus()[0]).ok());
  // Replace the stored source by the one of another document, then fix the checksum
  // bytes to something else: either way the derivation does not give what was indexed.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "index.db").string().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT data FROM fts_src WHERE id=1", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  std::string blob(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                   static_cast<size_t>(sqlite3_column_bytes(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::string raw(4 + blob.size() * 20, '\0');
  uLongf n = static_cast<uLongf>(raw.size());
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &n, reinterpret_cast<const Bytef*>(blob.data() + 4),
                       static_cast<uLong>(blob.size() - 4)),
            Z_OK);
  raw.resize(n);
  raw[raw.size() - 1] = static_cast<char>(raw.back() ^ 0x5A);  // the checksum's last byte
  uLongf bound = compressBound(static_cast<uLong>(raw.size()));
  std::string changed = blob.substr(0, 4);
  changed.resize(4 + bound);
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(changed.data() + 4), &bound, reinterpret_cast<const Bytef*>(raw.data()),
                      static_cast<uLong>(raw.size()), 1),
            Z_OK);
  changed.resize(4 + bound);
  exec_blob("UPDATE fts_src SET data=?1 WHERE id=?2", 1, changed);
  auto r = index_->remove(1);
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
