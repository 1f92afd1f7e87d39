// What only the S3 store has: URL parsing, credentials, multipart upload, paged listing,
// retries through a fault-injecting proxy, and clear errors on bad configuration. Against
// s3rver started by the test (skips with a message when s3rver is not installed).
#include "blob/s3_blob_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "core/hash.h"
#include "s3/s3_server.h"
#include "support/test_support.h"

namespace wenku::blob {
namespace {

namespace fs = std::filesystem;

#define WENKU_REQUIRE_S3(var)                        \
  std::string var##_why;                             \
  auto* var = testing::shared_s3_server(&var##_why); \
  if (!var) GTEST_SKIP() << var##_why

class S3Store : public ::testing::Test {
 protected:
  std::string url(const testing::S3Server& server, const std::string& extra = "") {
    static int n = 0;
    auto creds = testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER");
    return "s3://wenku-test/s3test-" + std::to_string(++n) + "?endpoint=" + server.endpoint() +
           "&credentials_file=" + creds.string() + extra;
  }
  std::string pattern(size_t n) {
    std::string s;
    s.reserve(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; ++i) {
      x = x * 1103515245u + 12345u;
      s += static_cast<char>(x >> 24);
    }
    return s;
  }
  testing::TempDir dir_;
};

TEST(S3Url, ParsesEveryParameter) {
  auto c = parse_s3_url(
      "s3://my-bucket/a/b/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=cn-north-1"
      "&style=virtual&part_size=5242880&max_keys=2&retries=1&credentials_file=/x/y");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->bucket, "my-bucket");
  EXPECT_EQ(c->prefix, "a/b");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c->region, "cn-north-1");
  EXPECT_FALSE(c->path_style);
  EXPECT_EQ(c->part_size, 5242880u);
  EXPECT_EQ(c->max_keys, 2);
  EXPECT_EQ(c->retries, 1);
  EXPECT_EQ(c->credentials_file, "/x/y");
  auto aws = parse_s3_url("s3://bucket?region=eu-west-1");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(aws->path_style);
  EXPECT_EQ(aws->prefix, "");
  auto custom = parse_s3_url("s3://bucket/p?endpoint=https://oss-cn-hangzhou.aliyuncs.com");
  ASSERT_TRUE(custom.ok());
  EXPECT_TRUE(custom->path_style);
}

TEST(S3Url, BadUrlsNameTheSetting) {
  for (const char* bad : {"s3://B/x", "s3://ok-bucket?endpoint=ftp://h", "s3://ok-bucket?style=sideways",
                          "s3://ok-bucket?part_size=12", "s3://ok-bucket?colour=blue",
                          "s3://ok-bucket?endpoint=http://h:1/path"}) {
    auto c = parse_s3_url(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(c.error().message.rfind("blob_url: ", 0), 0u) << c.error().message;
  }
}

TEST(S3Credentials, FromTheEnvironmentOrAProfileOfAFile) {
  testing::TempDir dir;
  S3Config c;
  c.credentials_file = testing::write_s3_credentials(dir.path(), "AKID", "SECRET").string();
  auto cr = load_s3_credentials(c);
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->access_key_id, "AKID");
  EXPECT_EQ(cr->secret_access_key, "SECRET");
  c.profile = "other";
  EXPECT_EQ(load_s3_credentials(c)->access_key_id, "WRONG");
  c.profile = "missing";
  EXPECT_EQ(load_s3_credentials(c).error().code, ErrorCode::kInvalidArgument);
  // The message names where to put them and never the secret.
  c.credentials_file.clear();
  ::setenv("AWS_ACCESS_KEY_ID", "ENVID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  ::setenv("AWS_SESSION_TOKEN", "TOKEN", 1);
  cr = load_s3_credentials(c);
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_SESSION_TOKEN");
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->access_key_id, "ENVID");
  EXPECT_EQ(cr->session_token, "TOKEN");
  auto none = load_s3_credentials(c);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST_F(S3Store, LargeFilesGoUpInPartsAndReadBackByRange) {
  WENKU_REQUIRE_S3(server);
  auto store = open_blob_store(url(*server, "&part_size=4096"));
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::string data = pattern(4096 * 3 + 1000);  // four parts, the last one short
  auto tmp = dir_ / "big.tmp";
  testing::write_file(tmp, data);
  std::string key = sha256_hex(data);
  auto put = (*store)->put_file(tmp, key);
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ((*store)->size(key).value(), data.size());
  EXPECT_EQ((*store)->read_all(key).value(), data);
  std::string range;
  ASSERT_TRUE((*store)
                  ->read_range(key, 4090, 20,
                               [&](std::string_view c) {
                                 range += c;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(range, data.substr(4090, 20));
  EXPECT_TRUE((*store)->verify(key).ok());
  auto local = (*store)->local_path(key, dir_.path());
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->parent_path(), dir_.path());
  EXPECT_EQ(testing::read_file(*local), data);
}

TEST_F(S3Store, AFileThatDoesNotMatchItsKeyIsRefusedAndNotStored) {
  WENKU_REQUIRE_S3(server);
  for (const char* part : {"", "&part_size=4096"}) {
    auto store = open_blob_store(url(*server, part));
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto tmp = dir_ / "bad.tmp";
    testing::write_file(tmp, pattern(10000));
    std::string claimed = sha256_hex("something else");
    auto put = (*store)->put_file(tmp, claimed);
    ASSERT_FALSE(put.ok());
    EXPECT_EQ(put.error().code, ErrorCode::kCorrupt);
    EXPECT_FALSE((*store)->exists(claimed).value());
    EXPECT_TRUE(fs::exists(tmp));  // the caller still has its upload
  }
}

TEST_F(S3Store, ListingFollowsContinuationTokens) {
  WENKU_REQUIRE_S3(server);
  auto store = open_blob_store(url(*server, "&max_keys=2"));
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::set<std::string> put;
  for (int i = 0; i < 7; ++i) put.insert((*store)->put_bytes("page " + std::to_string(i)).value());
  std::set<std::string> seen;
  int calls = 0;
  auto listed = (*store)->for_each([&](const std::string& k, int64_t) {
    seen.insert(k);
    ++calls;
  });
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(seen, put);
  EXPECT_EQ(calls, 7);
}

TEST_F(S3Store, VirtualHostStyleAddressing) {
  WENKU_REQUIRE_S3(server);
  // s3rver takes <bucket>.s3.localhost as virtual-host style; curl resolves *.localhost
  // to loopback itself.
  auto creds = testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER");
  std::string u = "s3://wenku-test/vhost?endpoint=http://s3.localhost:" + std::to_string(server->port()) +
                  "&style=virtual&credentials_file=" + creds.string();
  auto store = open_blob_store(u);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto key = (*store)->put_bytes("virtual host");
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*store)->read_all(*key).value(), "virtual host");
  // The same object is visible path-style under the same prefix.
  auto path_store = open_blob_store("s3://wenku-test/vhost?endpoint=" + server->endpoint() +
                                    "&credentials_file=" + creds.string());
  ASSERT_TRUE(path_store.ok());
  EXPECT_TRUE((*path_store)->exists(*key).value());
}

TEST_F(S3Store, RetriesThroughSlowDownsAndDroppedConnections) {
  WENKU_REQUIRE_S3(server);
  std::string first;
  std::string why;
  auto proxy = testing::Child::start({"python3", (testing::source_dir() / "tests/s3/fault_proxy.py").string(),
                                      std::to_string(server->port()), "2", "--drop", "--verify", "S3RVER"},
                                     &first, &why);
  ASSERT_TRUE(proxy) << why;
  ASSERT_EQ(first.rfind("PORT ", 0), 0u) << first;
  auto creds = testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER");
  std::string u = "s3://wenku-test/retry?endpoint=http://127.0.0.1:" + first.substr(5) +
                  "&credentials_file=" + creds.string() + "&retries=3&backoff_ms=5&part_size=4096";
  auto store = open_blob_store(u);
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::string data = pattern(10000);
  auto tmp = dir_ / "retry.tmp";
  testing::write_file(tmp, data);
  auto key = (*store)->put_file(tmp, sha256_hex(data));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*store)->read_all(*key).value(), data);
  EXPECT_EQ((*store)->size(*key).value(), data.size());
  int listed = 0;
  ASSERT_TRUE((*store)->for_each([&](const std::string&, int64_t) { ++listed; }).ok());
  EXPECT_EQ(listed, 1);
  ASSERT_TRUE((*store)->remove(*key).ok());
  EXPECT_FALSE((*store)->exists(*key).value());
  std::string rest = proxy->stop();
  size_t at = rest.find("FAULTS ");
  ASSERT_NE(at, std::string::npos) << rest;
  EXPECT_GE(std::atoi(rest.c_str() + at + 7), 5) << "the proxy injected too few faults to prove anything";
  EXPECT_NE(rest.find("BADSIG 0"), std::string::npos) << rest;
}

// A GET whose connection breaks mid-body resumes from the first byte not yet delivered:
// the sink sees every byte once, in order.
TEST_F(S3Store, ReadsResumeAfterAConnectionBreaksMidBody) {
  WENKU_REQUIRE_S3(server);
  std::string first;
  std::string why;
  auto proxy = testing::Child::start({"python3", (testing::source_dir() / "tests/s3/fault_proxy.py").string(),
                                      std::to_string(server->port()), "2", "--cut", "--verify", "S3RVER"},
                                     &first, &why);
  ASSERT_TRUE(proxy) << why;
  auto creds = testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER");
  auto store = open_blob_store("s3://wenku-test/cut?endpoint=http://127.0.0.1:" + first.substr(5) +
                               "&credentials_file=" + creds.string() + "&retries=2&backoff_ms=5");
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::string data = pattern(200000);
  auto key = (*store)->put_bytes(data);
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto all = (*store)->read_all(*key);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_TRUE(*all == data);
  std::string range;
  auto r = (*store)->read_range(*key, 1000, 150000, [&](std::string_view c) {
    range += c;
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(range == data.substr(1000, 150000));
  EXPECT_TRUE((*store)->verify(*key).ok());
  std::string rest = proxy->stop();
  size_t at = rest.find("FAULTS ");
  ASSERT_NE(at, std::string::npos) << rest;
  EXPECT_GE(std::atoi(rest.c_str() + at + 7), 3) << rest;
  EXPECT_NE(rest.find("BADSIG 0"), std::string::npos) << rest;
}

// s3rver does not check v4 signatures: the proxy does, with its own (Python) SigV4 over
// the bytes curl sent, for every kind of request the store makes.
TEST_F(S3Store, EveryRequestCarriesAValidSignature) {
  WENKU_REQUIRE_S3(server);
  std::string first;
  std::string why;
  auto proxy = testing::Child::start({"python3", (testing::source_dir() / "tests/s3/fault_proxy.py").string(),
                                      std::to_string(server->port()), "0", "--verify", "S3RVER"},
                                     &first, &why);
  ASSERT_TRUE(proxy) << why;
  std::string endpoint = "http://127.0.0.1:" + first.substr(5);
  auto creds = testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER");
  auto store = open_blob_store("s3://wenku-test/signed/deeper?endpoint=" + endpoint + "&credentials_file=" +
                               creds.string() + "&part_size=4096&max_keys=2&region=cn-north-1");
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::string data = pattern(9000);
  auto tmp = dir_ / "signed.tmp";
  testing::write_file(tmp, data);
  auto big = (*store)->put_file(tmp, sha256_hex(data));  // initiate, parts, complete
  ASSERT_TRUE(big.ok()) << big.error().message;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*store)->put_bytes("signed " + std::to_string(i)).ok());
  int listed = 0;  // continuation tokens carry '+', '/' and '='
  auto l = (*store)->for_each([&](const std::string&, int64_t) { ++listed; });
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(listed, 6);
  std::string range;
  ASSERT_TRUE((*store)
                  ->read_range(*big, 100, 50,
                               [&](std::string_view c) {
                                 range += c;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(range, data.substr(100, 50));
  EXPECT_EQ((*store)->size(*big).value(), data.size());
  EXPECT_TRUE((*store)->verify(*big).ok());
  EXPECT_TRUE((*store)->remove(*big).ok());
  EXPECT_FALSE((*store)->exists(*big).value());

  // The check bites: a wrong secret is refused, as a real provider would.
  auto wrong = testing::write_s3_credentials(dir_.path(), "S3RVER", "NOT-THE-SECRET");
  auto denied =
      open_blob_store("s3://wenku-test/signed?endpoint=" + endpoint + "&credentials_file=" + wrong.string());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message.find("SignatureDoesNotMatch"), std::string::npos)
      << denied.error().message;
  EXPECT_EQ(denied.error().message.find("NOT-THE-SECRET"), std::string::npos);
  std::string rest = proxy->stop();
  EXPECT_NE(rest.find("BADSIG 1\n"), std::string::npos) << rest;
}

TEST_F(S3Store, GivesUpWhenEveryAnswerIsAFault) {
  WENKU_REQUIRE_S3(server);
  std::string first;
  std::string why;
  auto proxy = testing::Child::start({"python3", (testing::source_dir() / "tests/s3/fault_proxy.py").string(),
                                      std::to_string(server->port()), "1"},
                                     &first, &why);
  ASSERT_TRUE(proxy) << why;
  std::string u = "s3://wenku-test/down?endpoint=http://127.0.0.1:" + first.substr(5) + "&credentials_file=" +
                  testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER").string() +
                  "&retries=2&backoff_ms=5";
  auto store = open_blob_store(u);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find("SlowDown"), std::string::npos) << store.error().message;
  std::string rest = proxy->stop();
  EXPECT_NE(rest.find("FAULTS 3"), std::string::npos) << rest;  // first try + 2 retries
}

TEST_F(S3Store, BadConfigurationGetsAClearError) {
  WENKU_REQUIRE_S3(server);
  auto creds = testing::write_s3_credentials(dir_.path(), "S3RVER", "S3RVER");
  // Nothing listens on port 1 of loopback.
  auto down = open_blob_store(
      "s3://wenku-test?endpoint=http://127.0.0.1:1&retries=1&backoff_ms=5"
      "&credentials_file=" +
      creds.string());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(down.error().message.find("blob_url"), std::string::npos);
  EXPECT_NE(down.error().message.find("127.0.0.1:1"), std::string::npos) << down.error().message;

  auto wrong = testing::write_s3_credentials(dir_.path(), "NOT-A-KEY", "S3CR3T-VALUE");
  auto denied = open_blob_store("s3://wenku-test?endpoint=" + server->endpoint() +
                                "&credentials_file=" + wrong.string());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message.find("blob_url"), std::string::npos);
  EXPECT_EQ(denied.error().message.find("S3CR3T-VALUE"), std::string::npos) << "a secret in a message";

  auto missing = open_blob_store("s3://no-such-bucket?endpoint=" + server->endpoint() +
                                 "&credentials_file=" + creds.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("NoSuchBucket"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("blob_url"), std::string::npos);
}

}  // namespace
}  // namespace wenku::blob
