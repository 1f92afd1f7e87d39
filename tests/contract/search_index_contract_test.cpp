// Contract of SearchIndex, run against every implementation: Chinese words and single
// characters, mixed scripts, numbers, full-width and traditional input, phrases,
// exclusion, filters, sorts, paging, snippets, pages, related, listing and restarts.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "index/search_index.h"
#include "support/test_support.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::index {
namespace {

struct SqliteBackend {
  static bool available(std::string*) { return true; }
  static std::string url(const std::filesystem::path& dir) { return "sqlite://" + (dir / "index.db").string(); }
};

struct XapianLocalBackend {
  static bool available(std::string*) { return true; }
  static std::string url(const std::filesystem::path& dir) { return "xapian://" + (dir / "xapian").string(); }
};

// A stock `xapian-tcpsrv --writable` on a free loopback port, serving the database dir/db;
// in its own session (on SIGTERM it signals its whole process group), stopped at the end.
class TcpServer {
 public:
  TcpServer(const std::filesystem::path& dir, int idle_timeout_ms) {
    port_ = free_port();
    pid_ = fork();
    if (pid_ == 0) {
      setsid();
      // Its messages (connections closed at the end of a test) go to a log beside the data.
      std::string log = (dir / "tcpsrv.log").string();
      if (!std::freopen(log.c_str(), "a", stdout) || !std::freopen(log.c_str(), "a", stderr)) _exit(126);
      std::string db = (dir / "db").string();
      std::string port = std::to_string(port_), idle = std::to_string(idle_timeout_ms);
      execlp("xapian-tcpsrv", "xapian-tcpsrv", "--writable", "--quiet", "--interface", "127.0.0.1", "--port",
             port.c_str(), "--idle-timeout", idle.c_str(), db.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~TcpServer() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) usleep(50 * 1000);
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, WNOHANG);
  }
  // Waits until it accepts connections.
  bool ready() const {
    for (int i = 0; i < 200; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port_));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      close(fd);
      if (ok) return true;
      if (waitpid(pid_, nullptr, WNOHANG) != 0) return false;  // exited
      usleep(50 * 1000);
    }
    return false;
  }
  int port() const { return port_; }

 private:
  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
  }
  pid_t pid_ = -1;
  int port_ = 0;
};

// Two shards over xapian-tcpsrv, started for each test's directory; a short idle timeout
// makes the servers close idle connections during the suite (the index reconnects).
struct XapianTcpBackend {
  static std::map<std::string, std::vector<std::unique_ptr<TcpServer>>>& servers() {
    static std::map<std::string, std::vector<std::unique_ptr<TcpServer>>> s;
    return s;
  }
  static bool available(std::string* why) {
    if (std::system("xapian-tcpsrv --version >/dev/null 2>&1") != 0) {
      *why = "xapian-tcpsrv not installed (Debian xapian-tools)";
      return false;
    }
    return true;
  }
  static std::string url(const std::filesystem::path& dir) {
    auto& all = servers();
    auto& mine = all[dir.string()];
    if (mine.empty()) {
      for (int s = 0; s < 2; ++s) {
        std::filesystem::path d = dir / ("shard" + std::to_string(s));
        std::filesystem::create_directories(d);
        mine.push_back(std::make_unique<TcpServer>(d, 1500));
        if (!mine.back()->ready()) return "xapian+tcp://127.0.0.1:1";  // fails to open: the test says so
      }
    }
    return "xapian+tcp://127.0.0.1:" + std::to_string(mine[0]->port()) + ",127.0.0.1:" + std::to_string(mine[1]->port());
  }
};

// The dictionary takes a moment to load: once for the whole suite.
struct TextTools {
  std::unique_ptr<text::Normalizer> normalizer;
  std::unique_ptr<text::Segmenter> segmenter;
  static TextTools& get() {
    static TextTools t = [] {
      TextTools x;
      auto n = text::make_normalizer();
      auto s = text::make_segmenter();
      if (n.ok()) x.normalizer = std::move(*n);
      if (s.ok()) x.segmenter = std::move(*s);
      return x;
    }();
    return t;
  }
};

IndexDocument doc(int64_t id, std::string title, std::vector<std::string> pages) {
  IndexDocument d;
  d.id = id;
  d.title = std::move(title);
  d.pages = std::move(pages);
  d.created_at = 1600000000 + id;
  return d;
}

SearchQuery query(std::string text) {
  SearchQuery q;
  q.text = std::move(text);
  return q;
}

template <typename Backend>
class SearchIndexContract : public ::testing::Test {
 protected:
  void SetUp() override {
    TextTools& t = TextTools::get();
    if (!t.normalizer || !t.segmenter) GTEST_SKIP() << "text data (ICU, OpenCC, jieba) not installed";
    std::string why;
    if (!Backend::available(&why)) GTEST_SKIP() << why;
    reopen();
  }
  void reopen() {
    index_.reset();
    auto s = open_search_index(Backend::url(dir_.path()), *TextTools::get().normalizer,
                               *TextTools::get().segmenter);
    ASSERT_TRUE(s.ok()) << s.error().message;
    index_ = std::move(s).value();
  }
  void add(const IndexDocument& d) { ASSERT_TRUE(index_->upsert(d).ok()); }
  std::vector<int64_t> ids(const std::string& text, int limit = 10) {
    SearchQuery q;
    q.text = text;
    q.limit = limit;
    return ids(q);
  }
  std::vector<int64_t> ids(const SearchQuery& q) {
    auto r = index_->search(q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<int64_t> out;
    if (r.ok()) {
      for (const auto& h : r->hits) out.push_back(h.id);
    }
    return out;
  }
  static bool has(const std::vector<int64_t>& v, int64_t id) { return std::find(v.begin(), v.end(), id) != v.end(); }

  testing::TempDir dir_;
  std::unique_ptr<SearchIndex> index_;
};

using Backends = ::testing::Types<SqliteBackend, XapianLocalBackend, XapianTcpBackend>;
TYPED_TEST_SUITE(SearchIndexContract, Backends);

TYPED_TEST(SearchIndexContract, FindsOneAndTwoCharacterQueries) {
  this->add(doc(1, "工作总结", {"今年我们推进教育改革，办人民满意的教育。"}));
  this->add(doc(2, "会议纪要", {"本次会议讨论了预算和人事安排。"}));
  this->add(doc(3, "宗教史", {"这本书讲宗教"}));  // 教 ends a run here
  auto one = this->ids("教");
  EXPECT_TRUE(this->has(one, 1));
  EXPECT_TRUE(this->has(one, 3));
  EXPECT_FALSE(this->has(one, 2));
  auto two = this->ids("教育");
  ASSERT_FALSE(two.empty());
  EXPECT_EQ(two[0], 1);
  EXPECT_FALSE(this->has(two, 2));
  EXPECT_FALSE(this->has(two, 3));
}

TYPED_TEST(SearchIndexContract, FindsMixedLatinAndChineseQueries) {
  this->add(doc(1, "稳定性理论", {"本文用Lyapunov函数证明了系统的渐近稳定性。"}));
  this->add(doc(2, "函数入门", {"函数是数学的基本概念。"}));
  this->add(doc(3, "俄国数学家", {"Lyapunov 是俄国数学家。"}));
  auto r = this->ids("Lyapunov函数");
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r[0], 1);
  auto lower = this->ids("lyapunov");
  EXPECT_TRUE(this->has(lower, 1));
  EXPECT_TRUE(this->has(lower, 3));
  EXPECT_FALSE(this->has(lower, 2));
}

TYPED_TEST(SearchIndexContract, FindsNumbersAndDates) {
  this->add(doc(1, "通知", {"会议定于2019年7月18日召开，地点在302室。"}));
  this->add(doc(2, "通知", {"会议定于2020年3月1日召开。"}));
  auto year = this->ids("2019年");
  ASSERT_EQ(year.size(), 1u);
  EXPECT_EQ(year[0], 1);
  auto room = this->ids("302");
  ASSERT_EQ(room.size(), 1u);
  EXPECT_EQ(room[0], 1);
  auto date = this->ids("2020年3月1日");
  ASSERT_FALSE(date.empty());
  EXPECT_EQ(date[0], 2);
}

TYPED_TEST(SearchIndexContract, FullWidthAndCaseMeet) {
  this->add(doc(1, "标准", {"本标准适用于ABC公司的GB/T 7714格式。"}));
  this->add(doc(2, "其他", {"无关的内容。"}));
  auto full = this->ids("ＡＢＣ");
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0], 1);
  EXPECT_EQ(this->ids("abc"), full);
  EXPECT_EQ(this->ids("７７１４"), full);
}

TYPED_TEST(SearchIndexContract, TraditionalAndSimplifiedFindEachOther) {
  this->add(doc(1, "學校簡介", {"本校大班額問題已經解決，學生們非常滿意。"}));
  this->add(doc(2, "学校概况", {"学校位于市中心，择校热持续。"}));
  this->add(doc(3, "其他", {"今天天气很好。"}));
  auto s = this->ids("大班额");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], 1);
  auto t = this->ids("擇校");
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t[0], 2);
  auto both = this->ids("学校");
  EXPECT_TRUE(this->has(both, 1));
  EXPECT_TRUE(this->has(both, 2));
  EXPECT_FALSE(this->has(both, 3));
}

TYPED_TEST(SearchIndexContract, QuotedPhraseNeedsTheWordsTogether) {
  this->add(doc(1, "讲话", {"办人民满意的教育是我们的目标。"}));
  this->add(doc(2, "讲话", {"人民群众对教育的意见，大家都很满意。"}));
  auto words = this->ids("人民 满意 教育");
  EXPECT_TRUE(this->has(words, 1));
  EXPECT_TRUE(this->has(words, 2));
  auto phrase = this->ids("\"人民满意的教育\"");
  ASSERT_EQ(phrase.size(), 1u);
  EXPECT_EQ(phrase[0], 1);
}

TYPED_TEST(SearchIndexContract, MinusExcludesAWord) {
  this->add(doc(1, "苹果", {"苹果手机的价格。"}));
  this->add(doc(2, "苹果", {"苹果是一种水果。"}));
  auto r = this->ids("苹果 -手机");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], 2);
}

TYPED_TEST(SearchIndexContract, FiltersByCategorySubtreeFormatAndDate) {
  auto a = doc(1, "报告", {"年度工作报告"});
  a.category_path = "办公文档/事务文书";
  a.format = "docx";
  a.created_at = 1000;
  auto b = doc(2, "报告", {"年度工作报告"});
  b.category_path = "办公文档事务";  // shares a prefix string, not the subtree
  b.format = "pdf";
  b.created_at = 2000;
  auto c = doc(3, "报告", {"年度工作报告"});
  c.category_path = "办公文档";
  c.format = "pdf";
  c.created_at = 3000;
  this->add(a);
  this->add(b);
  this->add(c);
  SearchQuery q;
  q.text = "工作报告";
  q.category_prefix = "办公文档";
  auto cat = this->ids(q);
  EXPECT_EQ(std::set<int64_t>(cat.begin(), cat.end()), (std::set<int64_t>{1, 3}));
  q.category_prefix = "";
  q.format = "PDF";
  auto fmt = this->ids(q);
  EXPECT_EQ(std::set<int64_t>(fmt.begin(), fmt.end()), (std::set<int64_t>{2, 3}));
  q.format = "";
  q.from = 1500;
  q.to = 2500;
  EXPECT_EQ(this->ids(q), std::vector<int64_t>{2});
}

TYPED_TEST(SearchIndexContract, SortsAndPages) {
  for (int i = 1; i <= 25; ++i) {
    auto d = doc(i, "文档" + std::to_string(i), {"通用的测试文本，编号" + std::to_string(i)});
    d.created_at = 1000 + (i * 7) % 25;
    d.views = (i * 11) % 25;
    this->add(d);
  }
  SearchQuery q;
  q.text = "测试";
  q.sort = SortOrder::kNewest;
  q.limit = 10;
  auto r = this->index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 25);
  ASSERT_EQ(r->hits.size(), 10u);
  EXPECT_EQ(r->hits[0].id, 7);  // (7*7)%25 = 24, the newest
  q.sort = SortOrder::kMostViewed;
  r = this->index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits[0].id, 9);  // (9*11)%25 = 24
  std::set<int64_t> seen;
  for (int offset = 0; offset < 30; offset += 10) {
    q.offset = offset;
    for (int64_t id : this->ids(q)) EXPECT_TRUE(seen.insert(id).second) << "page overlap at " << id;
  }
  EXPECT_EQ(seen.size(), 25u);
  q.offset = -1;
  EXPECT_FALSE(this->index_->search(q).ok());
}

TYPED_TEST(SearchIndexContract, SnippetMarksMatchesInOriginalTextAndEscapesHtml) {
  this->add(doc(1, "標題", {"我們討論了<b>擇校</b>問題 & 大班額。"}));
  SearchQuery q;
  q.text = "择校";
  auto r = this->index_->search(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  const std::string& s = r->hits[0].snippet;
  EXPECT_NE(s.find("<em>擇校</em>"), std::string::npos) << s;  // the original characters
  EXPECT_NE(s.find("&lt;b&gt;<em>擇校</em>&lt;/b&gt;"), std::string::npos) << s;
  EXPECT_EQ(s.find("<b>"), std::string::npos) << s;
  EXPECT_NE(s.find("&amp;"), std::string::npos) << s;
}

TYPED_TEST(SearchIndexContract, NamesMatchingPagesBestFirst) {
  this->add(doc(1, "讲话稿", {"第一页：开场白。", "第二页：择校问题。", "第三页：结束语。",
                              "第四页：择校问题的治理，择校与大班额。"}));
  SearchQuery q;
  q.text = "择校";
  auto r = this->index_->search(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].pages, (std::vector<int>{4, 2}));
  EXPECT_NE(r->hits[0].snippet.find("第四页"), std::string::npos) << r->hits[0].snippet;
}

TYPED_TEST(SearchIndexContract, LongAndShortDocumentsNameTheirPages) {
  // Xapian keeps page texts over 16 KB apart from the document (small ones travel with the
  // hits): both kinds, and a document replaced by one of the other kind, name their pages.
  std::string filler;
  while (filler.size() < 40000) filler += "教育改革的一般性讨论。";
  this->add(doc(1, "长文", {filler, "第二页：择校问题。", filler}));
  this->add(doc(2, "短文", {"开场白。", "第二页：择校问题的治理。"}));
  auto pages_of = [&](int64_t id) {
    auto r = this->index_->search(query("择校"));
    EXPECT_TRUE(r.ok());
    if (r.ok()) {
      for (const auto& h : r->hits) {
        if (h.id != id) continue;
        EXPECT_NE(h.snippet.find("<em>择校</em>"), std::string::npos) << h.snippet;
        return h.pages;
      }
    }
    return std::vector<int>{};
  };
  EXPECT_EQ(pages_of(1), (std::vector<int>{2}));
  EXPECT_EQ(pages_of(2), (std::vector<int>{2}));
  this->add(doc(1, "长文", {"择校在第一页。"}));
  this->add(doc(2, "短文", {filler, filler, "第三页：择校。"}));
  EXPECT_EQ(pages_of(1), (std::vector<int>{1}));
  EXPECT_EQ(pages_of(2), (std::vector<int>{3}));
}

TYPED_TEST(SearchIndexContract, AllWordsFirstThenRelaxes) {
  this->add(doc(1, "甲", {"机器学习与数据挖掘"}));
  this->add(doc(2, "乙", {"机器学习"}));
  auto strict = this->index_->search(query("机器学习 数据挖掘"));
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->relaxed);
  ASSERT_EQ(strict->hits.size(), 1u);
  EXPECT_EQ(strict->hits[0].id, 1);
  auto relaxed = this->index_->search(query("机器学习 量子计算"));
  ASSERT_TRUE(relaxed.ok());
  EXPECT_TRUE(relaxed->relaxed);
  EXPECT_EQ(relaxed->hits.size(), 2u);
}

TYPED_TEST(SearchIndexContract, AQueryWithAChineseCharacterIsNeverEmptyWhenOneIsShared) {
  this->add(doc(1, "甲", {"天气晴朗"}));
  auto r = this->ids("晴天霹雳");  // no word in common, characters 晴 and 天 are
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], 1);
  EXPECT_TRUE(this->ids("霹雳").empty());
}

TYPED_TEST(SearchIndexContract, UpsertReplacesAndRemoveDeletes) {
  this->add(doc(1, "旧标题", {"旧的内容：天文学"}));
  this->add(doc(2, "其他", {"天文学入门"}));
  this->add(doc(1, "新标题", {"新的内容：地质学"}));
  EXPECT_EQ(this->ids("天文学"), std::vector<int64_t>{2});
  EXPECT_EQ(this->ids("地质学"), std::vector<int64_t>{1});
  ASSERT_TRUE(this->index_->remove(1).ok());
  EXPECT_FALSE(this->has(this->ids("地质学"), 1));
  auto missing = this->index_->remove(12345);
  EXPECT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_EQ(*this->index_->all_ids(), std::vector<int64_t>{2});
}

TYPED_TEST(SearchIndexContract, BatchUpsertWritesEveryDocument) {
  std::vector<IndexDocument> batch;
  for (int i = 1; i <= 50; ++i) batch.push_back(doc(i, "批量" + std::to_string(i), {"批量写入的文档"}));
  batch.push_back(doc(3, "替换", {"同一批中后来的版本"}));  // the later version wins
  ASSERT_TRUE(this->index_->upsert_batch(batch).ok());
  EXPECT_EQ(this->index_->all_ids()->size(), 50u);
  auto r = this->index_->search(query("批量写入"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 49);
  EXPECT_EQ(this->ids("后来的版本"), std::vector<int64_t>{3});
}

TYPED_TEST(SearchIndexContract, UnlistedDocumentsAreNeverReturned) {
  auto hidden = doc(1, "机密", {"内部资料"});
  hidden.listed = false;
  this->add(hidden);
  this->add(doc(2, "公开", {"公开资料"}));
  EXPECT_EQ(this->ids("资料"), std::vector<int64_t>{2});
  ASSERT_TRUE(this->index_->set_listed(1, true).ok());
  EXPECT_EQ(this->ids("资料").size(), 2u);
  ASSERT_TRUE(this->index_->set_listed(2, false).ok());
  EXPECT_EQ(this->ids("资料"), std::vector<int64_t>{1});
  EXPECT_EQ(this->index_->set_listed(99, true).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*this->index_->all_ids(), (std::vector<int64_t>{1, 2}));  // unlisted still indexed
}

TYPED_TEST(SearchIndexContract, RelatedFindsSimilarDocuments) {
  this->add(doc(1, "教育改革工作总结", {"推进教育改革，解决择校热和大班额问题，办人民满意的教育。"}));
  this->add(doc(2, "教育改革经验交流", {"教育改革中择校热、大班额问题的经验。"}));
  this->add(doc(3, "水果种植技术", {"苹果和梨的种植技术，施肥与修剪。"}));
  auto r = this->index_->related(1, 5);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0], 2);
  EXPECT_FALSE(this->has(*r, 1));
  EXPECT_FALSE(this->has(*r, 3));
  EXPECT_EQ(this->index_->related(42, 5).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(SearchIndexContract, SurvivesReopen) {
  this->add(doc(7, "持久化", {"重新打开之后仍然可以搜索"}));
  ASSERT_TRUE(this->index_->flush().ok());
  this->reopen();
  EXPECT_EQ(this->ids("搜索"), std::vector<int64_t>{7});
  EXPECT_EQ(*this->index_->all_ids(), std::vector<int64_t>{7});
}

TYPED_TEST(SearchIndexContract, WorksAgainAfterAnIdlePause) {
  // Over xapian-tcpsrv the servers close connections idle for 1.5 s: the index reconnects.
  this->add(doc(1, "第一篇", {"暂停之前写入的文档"}));
  EXPECT_EQ(this->ids("暂停"), std::vector<int64_t>{1});
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  EXPECT_EQ(this->ids("暂停"), std::vector<int64_t>{1});
  this->add(doc(2, "第二篇", {"暂停之后写入的文档"}));
  EXPECT_EQ(this->ids("之后写入"), std::vector<int64_t>{2});
}

TYPED_TEST(SearchIndexContract, HostileQueriesAndTextDoNotBreakIt) {
  this->add(doc(1, "\xff\xfe bad", {std::string("\0\x01\xe4\xb8", 4) + "正常文字", ""}));
  for (std::string q : std::vector<std::string>{"\"", "\"\"", "-", "- -", "\"unterminated", "***", "NEAR(a b)", "a AND OR NOT",
                        "{t}:x", std::string(5000, 'x'), "\xe4\xb8", "。，、", "-正常", "\"正常\" -\"文字\""}) {
    auto r = this->index_->search(query(q));
    EXPECT_TRUE(r.ok()) << q << ": " << (r.ok() ? "" : r.error().message);
  }
  EXPECT_EQ(this->ids("正常"), std::vector<int64_t>{1});
}

// Upserts are atomic per document: a SIGKILL in the middle of indexing leaves exactly the
// documents that were committed, each whole.
TYPED_TEST(SearchIndexContract, KillDuringIndexingLeavesWholeDocuments) {
  std::string url = TypeParam::url(this->dir_.path());
  this->index_.reset();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto idx = open_search_index(url, *TextTools::get().normalizer, *TextTools::get().segmenter);
    if (!idx.ok()) _exit(2);
    for (int i = 1; i < 100000; ++i) {
      std::vector<std::string> pages;
      for (int p = 0; p < 20; ++p) pages.push_back("崩溃测试文档第" + std::to_string(p) + "页，共同的词语。");
      if (!(*idx)->upsert(doc(i, "文档", pages)).ok()) _exit(3);
    }
    _exit(0);
  }
  usleep(700 * 1000);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  this->reopen();
  // With a server between (xapian-tcpsrv), the commit the child sent just before it died
  // may still land: wait until the index stops changing.
  auto all = this->index_->all_ids();
  for (int i = 0; i < 50 && all.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto again = this->index_->all_ids();
    if (again.ok() && *again == *all) break;
    all = std::move(again);
  }
  ASSERT_TRUE(all.ok());
  ASSERT_FALSE(all->empty()) << "the child indexed nothing before it was killed";
  SearchQuery q;
  q.text = "共同";
  q.limit = 1;
  auto r = this->index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, static_cast<int64_t>(all->size()));  // search and ids agree
  for (int64_t i = 1; i <= static_cast<int64_t>(all->size()); ++i) EXPECT_EQ((*all)[static_cast<size_t>(i - 1)], i);
  // The last document is whole: all 20 pages are there.
  SearchQuery last;
  last.text = "\"第19页\"";
  last.limit = 1000;
  auto l = this->index_->search(last);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, static_cast<int64_t>(all->size()));
}

TYPED_TEST(SearchIndexContract, ConcurrentSearchesWhileIndexing) {
  // Searches from several threads at once (the web server's) while documents are added:
  // each search sees whole documents, never an error, and finds what was there before.
  for (int64_t i = 1; i <= 20; ++i) this->add(doc(i, "旧文档", {"教育改革的经验总结，第" + std::to_string(i) + "篇"}));
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0}, misses{0}, searches{0};
  std::mutex first_error_mu;
  std::string first_error;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        SearchQuery q;
        q.text = "教育改革";
        q.limit = 100;
        auto r = this->index_->search(q);
        if (!r.ok()) {
          if (errors++ == 0) {
            std::lock_guard lock(first_error_mu);
            first_error = r.error().message;
          }
        } else if (r->total < 20 || r->hits.size() != static_cast<size_t>(r->total)) {
          ++misses;
        }
        ++searches;
      }
    });
  }
  for (int64_t i = 21; i <= 60; ++i) {
    ASSERT_TRUE(this->index_->upsert(doc(i, "新文档", {"教育改革的新进展，第" + std::to_string(i) + "篇"})).ok());
  }
  while (searches < 8) std::this_thread::yield();
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(errors, 0) << first_error;
  EXPECT_EQ(misses, 0);
  EXPECT_EQ(this->ids("教育改革", 100).size(), 60u);  // every commit visible to readers
}

TYPED_TEST(SearchIndexContract, CommonCharactersInLargeIndexStillRank) {
  // In a large index a term in most documents (here 的) is not looked up; the query's
  // other words still decide, and a query of only that character still finds documents.
  std::vector<IndexDocument> docs;
  for (int64_t i = 1; i <= 1200; ++i) {
    docs.push_back(doc(i, "报告" + std::to_string(i), {"这是第" + std::to_string(i) + "份的报告，讲的是日常工作。"}));
  }
  docs.push_back(doc(1201, "长江的水文", {"长江的水文资料的整理。"}));
  ASSERT_TRUE(this->index_->upsert_batch(docs).ok());
  auto r = this->ids("长江的水文");
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r[0], 1201);
  EXPECT_FALSE(this->ids("的").empty());
  auto w = this->ids("的 日常工作");
  ASSERT_FALSE(w.empty());
  EXPECT_NE(w[0], 1201);
}

TYPED_TEST(SearchIndexContract, SuggestsTitlesByPrefix) {
  IndexDocument a = doc(1, "教育學原理", {"正文"});
  a.views = 5;
  IndexDocument b = doc(2, "教育统计学", {"正文"});
  b.views = 50;
  IndexDocument c = doc(3, "高等教育研究", {"正文"});  // 教育 inside, not at the start
  IndexDocument d = doc(4, "Lyapunov函数", {"正文"});
  IndexDocument hidden = doc(5, "教育秘密", {"正文"});
  hidden.listed = false;
  for (const auto& x : {a, b, c, d, hidden}) this->add(x);
  auto s = this->index_->suggest_titles("教育", 10);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0], "教育统计学");  // most viewed first
  EXPECT_EQ((*s)[1], "教育學原理");  // traditional title, simplified prefix
  auto trad = this->index_->suggest_titles("教育學", 10);
  ASSERT_TRUE(trad.ok());
  ASSERT_EQ(trad->size(), 1u);
  EXPECT_EQ((*trad)[0], "教育學原理");
  auto latin = this->index_->suggest_titles("lyap", 10);
  ASSERT_TRUE(latin.ok());
  ASSERT_EQ(latin->size(), 1u);
  EXPECT_EQ((*latin)[0], "Lyapunov函数");
  auto one = this->index_->suggest_titles("教", 10);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->empty());
  auto none = this->index_->suggest_titles("统计", 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace wenku::index
