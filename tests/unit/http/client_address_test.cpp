// trusted_proxies and the client address behind a reverse proxy: addresses and CIDR blocks of
// both families, the right-most untrusted X-Forwarded-For hop, and headers from untrusted peers
// or with forged and malformed hops.
#include "http/client_address.h"

#include <gtest/gtest.h>

#include "http/site.h"
#include "support/test_support.h"

namespace wenku::http {
namespace {

TrustedProxies proxies(std::string_view list) {
  auto t = TrustedProxies::parse(list);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? *t : TrustedProxies{};
}

TEST(IpAddress, ParsesBothFamiliesToCanonicalText) {
  EXPECT_EQ(IpAddress::parse("192.0.2.7")->str(), "192.0.2.7");
  EXPECT_EQ(IpAddress::parse(" 192.0.2.7 ")->str(), "192.0.2.7");
  EXPECT_EQ(IpAddress::parse("2001:DB8:0:0:0:0:0:1")->str(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("[2001:db8::1]")->str(), "2001:db8::1");
  // An IPv4 client on a dual-stack socket is the same client as over IPv4.
  EXPECT_EQ(IpAddress::parse("::ffff:192.0.2.7")->str(), "192.0.2.7");
  EXPECT_EQ(*IpAddress::parse("::ffff:192.0.2.7"), *IpAddress::parse("192.0.2.7"));
  for (const char* bad : {"", "unknown", "192.0.2", "192.0.2.256", "192.0.2.7:80", "[2001:db8::1]:80",
                          "fe80::1%eth0", "2001:db8::1::2", "1.2.3.4.5", "<script>", "_hidden"}) {
    EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
  }
}

TEST(IpNetwork, MatchesPrefixesOfEachFamily) {
  auto net = IpNetwork::parse("10.1.0.0/16");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(*IpAddress::parse("10.1.255.3")));
  EXPECT_FALSE(net->contains(*IpAddress::parse("10.2.0.1")));
  // Host bits in the base are ignored; /0 is everything of the family.
  EXPECT_TRUE(IpNetwork::parse("192.0.2.77/24")->contains(*IpAddress::parse("192.0.2.1")));
  EXPECT_TRUE(IpNetwork::parse("0.0.0.0/0")->contains(*IpAddress::parse("203.0.113.9")));
  EXPECT_FALSE(IpNetwork::parse("0.0.0.0/0")->contains(*IpAddress::parse("2001:db8::1")));
  auto v6 = IpNetwork::parse("2001:db8:abcd::/48");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*IpAddress::parse("2001:db8:abcd:12::5")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("2001:db8:abce::5")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("10.0.0.1")));
  EXPECT_TRUE(IpNetwork::parse("fd00::/7")->contains(*IpAddress::parse("fdff::1")));
  EXPECT_FALSE(IpNetwork::parse("fd00::/7")->contains(*IpAddress::parse("fe00::1")));
  // An odd prefix inside a byte.
  EXPECT_TRUE(IpNetwork::parse("172.16.0.0/12")->contains(*IpAddress::parse("172.31.255.255")));
  EXPECT_FALSE(IpNetwork::parse("172.16.0.0/12")->contains(*IpAddress::parse("172.32.0.0")));
  // A single address without a prefix.
  EXPECT_TRUE(IpNetwork::parse("::1")->contains(*IpAddress::parse("::1")));
  EXPECT_FALSE(IpNetwork::parse("::1")->contains(*IpAddress::parse("::2")));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0/8", "x/8",
                          "10.0.0.0/ 8a"}) {
    EXPECT_FALSE(IpNetwork::parse(bad).has_value()) << bad;
  }
}

TEST(TrustedProxies, ParsesTheSettingAndNamesABadEntry) {
  auto t = proxies(" 127.0.0.1, ::1 ,10.0.0.0/8,, fd00::/8 ");
  EXPECT_TRUE(t.trusts("127.0.0.1"));
  EXPECT_TRUE(t.trusts("::ffff:127.0.0.1"));
  EXPECT_TRUE(t.trusts("::1"));
  EXPECT_TRUE(t.trusts("10.200.3.4"));
  EXPECT_TRUE(t.trusts("fd12::9"));
  EXPECT_FALSE(t.trusts("127.0.0.2"));
  EXPECT_FALSE(t.trusts("not an address"));
  EXPECT_TRUE(proxies("").empty());
  auto bad = TrustedProxies::parse("127.0.0.1, localhost");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'localhost'"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/40").ok());
}

TEST(TrustedProxies, TheRightMostUntrustedHopIsTheClient) {
  auto t = proxies("127.0.0.1,10.0.0.0/8");
  // nginx on loopback appended the client it saw.
  EXPECT_EQ(t.client_address("127.0.0.1", {"203.0.113.5"}), "203.0.113.5");
  // A chain of trusted proxies is walked back to the first address none of them is.
  EXPECT_EQ(t.client_address("127.0.0.1", {"203.0.113.5, 10.1.1.1, 10.2.2.2"}), "203.0.113.5");
  // Whatever the client wrote itself lies to the left of the hop nginx appended: ignored.
  EXPECT_EQ(t.client_address("127.0.0.1", {"1.1.1.1, 203.0.113.5"}), "203.0.113.5");
  EXPECT_EQ(t.client_address("127.0.0.1", {"10.9.9.9, 198.51.100.1, 10.1.1.1"}), "198.51.100.1");
  // Several headers count as one list, in order.
  EXPECT_EQ(t.client_address("127.0.0.1", {"1.1.1.1", "203.0.113.5"}), "203.0.113.5");
  // Every hop trusted: the left-most.
  EXPECT_EQ(t.client_address("127.0.0.1", {"10.0.0.7, 10.0.0.8"}), "10.0.0.7");
  // No header from a trusted peer: the peer itself.
  EXPECT_EQ(t.client_address("127.0.0.1", {}), "127.0.0.1");
  EXPECT_EQ(t.client_address("127.0.0.1", {""}), "127.0.0.1");
  EXPECT_EQ(t.client_address("::ffff:127.0.0.1", {"203.0.113.5"}), "203.0.113.5");
}

TEST(TrustedProxies, IPv6HopsAndPeers) {
  auto t = proxies("::1, fd00::/8");
  EXPECT_EQ(t.client_address("::1", {"2001:db8::42"}), "2001:db8::42");
  EXPECT_EQ(t.client_address("::1", {"2001:DB8:0::42, fd00::3"}), "2001:db8::42");
  EXPECT_EQ(t.client_address("::1", {"[2001:db8::7]"}), "2001:db8::7");
  EXPECT_EQ(t.client_address("::1", {"192.0.2.4"}), "192.0.2.4");
  EXPECT_EQ(t.client_address("2001:db8::99", {"192.0.2.4"}), "2001:db8::99");
}

TEST(TrustedProxies, SpoofedHeadersFromUntrustedPeersAreIgnored) {
  auto t = proxies("127.0.0.1");
  EXPECT_EQ(t.client_address("198.51.100.20", {"127.0.0.1"}), "198.51.100.20");
  EXPECT_EQ(t.client_address("198.51.100.20", {"203.0.113.5, 127.0.0.1"}), "198.51.100.20");
  EXPECT_EQ(t.client_address("::ffff:198.51.100.20", {"203.0.113.5"}), "198.51.100.20");
  // Nobody is trusted by default.
  EXPECT_EQ(TrustedProxies{}.client_address("127.0.0.1", {"203.0.113.5"}), "127.0.0.1");
}

TEST(TrustedProxies, MalformedHopsStopTheWalk) {
  auto t = proxies("127.0.0.1, 10.0.0.0/8");
  // Garbage right after the trusted peer: the peer is the client, not the garbage.
  EXPECT_EQ(t.client_address("127.0.0.1", {"203.0.113.5, unknown"}), "127.0.0.1");
  EXPECT_EQ(t.client_address("127.0.0.1", {"<script>"}), "127.0.0.1");
  EXPECT_EQ(t.client_address("127.0.0.1", {"203.0.113.5:4711"}), "127.0.0.1");
  // Garbage further left than the client is never reached.
  EXPECT_EQ(t.client_address("127.0.0.1", {"unknown, 203.0.113.5"}), "203.0.113.5");
  // Garbage behind a trusted hop: that hop (the last address vouched for).
  EXPECT_EQ(t.client_address("127.0.0.1", {"x, 10.0.0.5"}), "10.0.0.5");
  // A peer that does not parse (a Unix socket) is left as it is.
  EXPECT_EQ(t.client_address("", {"203.0.113.5"}), "");
}

TEST(FrontSettings, ChecksPublicUrlAndPrefix) {
  Settings s;
  auto f = FrontSettings::from(s);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_TRUE(f->trusted_proxies.empty());
  EXPECT_EQ(f->public_url, "");
  EXPECT_FALSE(f->accel_redirect);
  EXPECT_EQ(f->accel_prefix, "/_wenku_blobs/");
  ASSERT_TRUE(s.set("public_url", "https://wenku.example.cn/").ok());
  ASSERT_TRUE(s.set("trusted_proxies", "127.0.0.1,::1").ok());
  ASSERT_TRUE(s.set("accel_redirect", "true").ok());
  f = FrontSettings::from(s);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->public_url, "https://wenku.example.cn");
  EXPECT_TRUE(f->accel_redirect);
  EXPECT_TRUE(f->trusted_proxies.trusts("::1"));
  for (const char* bad : {"wenku.example.cn", "ftp://x", "https://", "https://x/\"><script>", "https://x/?a=1",
                          "https://x/#f", "https://x y"}) {
    ASSERT_TRUE(s.set("public_url", bad).ok());
    auto r = FrontSettings::from(s);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("public_url"), std::string::npos);
    }
  }
  ASSERT_TRUE(s.set("public_url", "").ok());
  for (const char* bad : {"_wenku/", "/_wenku", "/../blobs/", "/a b/", "/"}) {
    ASSERT_TRUE(s.set("accel_redirect_prefix", bad).ok());
    EXPECT_FALSE(FrontSettings::from(s).ok()) << bad;
  }
  ASSERT_TRUE(s.set("accel_redirect_prefix", "/internal/blobs/").ok());
  EXPECT_TRUE(FrontSettings::from(s).ok());
  ASSERT_TRUE(s.set("trusted_proxies", "127.0.0.1, nginx").ok());
  EXPECT_FALSE(FrontSettings::from(s).ok());
}

// The Site of a real library reads the settings: the visitor's address and scheme, and the
// origin of absolute URLs, for requests from nginx and from anyone else.
class SiteFront : public ::testing::Test {
 protected:
  std::unique_ptr<library::Library> open(const std::map<std::string, std::string>& values) {
    EXPECT_TRUE(settings_.set("data", (dir_ / "data").string()).ok());
    for (const auto& [k, v] : values) EXPECT_TRUE(settings_.set(k, v).ok()) << k;
    auto lib = library::Library::open(settings_, {.workers = false});
    EXPECT_TRUE(lib.ok()) << lib.error().message;
    return std::move(lib).value();
  }
  static httplib::Request request(const std::string& peer, const std::vector<std::pair<std::string, std::string>>& headers) {
    httplib::Request req;
    req.remote_addr = peer;
    for (const auto& [k, v] : headers) req.headers.emplace(k, v);
    return req;
  }
  testing::TempDir dir_;
  Settings settings_;
};

TEST_F(SiteFront, BehindATrustedProxy) {
  auto lib = open({{"trusted_proxies", "127.0.0.1, ::1"}});
  Site site(*lib);
  auto from_nginx = request("127.0.0.1", {{"Host", "wenku.example.cn"},
                                          {"X-Forwarded-For", "1.2.3.4, 203.0.113.5"},
                                          {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(site.client_address(from_nginx), "203.0.113.5");
  EXPECT_TRUE(site.client_https(from_nginx));
  EXPECT_EQ(site.origin(from_nginx), "https://wenku.example.cn");
  Visitor v = site.visitor(from_nginx);
  EXPECT_EQ(v.ip, "203.0.113.5");
  EXPECT_TRUE(v.https);
  EXPECT_NE(v.key().find("ip:203.0.113.5|"), std::string::npos);
  // Two X-Forwarded-For headers are one list.
  auto two = request("::1", {{"X-Forwarded-For", "1.2.3.4"}, {"X-Forwarded-For", "2001:db8::5"}});
  EXPECT_EQ(site.client_address(two), "2001:db8::5");
  // The same headers from anyone else are the visitor's own words: ignored.
  auto spoofed = request("198.51.100.9", {{"Host", "wenku.example.cn"},
                                          {"X-Forwarded-For", "203.0.113.5"},
                                          {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(site.client_address(spoofed), "198.51.100.9");
  EXPECT_FALSE(site.client_https(spoofed));
  EXPECT_EQ(site.origin(spoofed), "http://wenku.example.cn");
  EXPECT_FALSE(site.visitor(spoofed).https);
  // A forged Host cannot put markup or a path into absolute URLs.
  EXPECT_EQ(site.origin(request("127.0.0.1", {{"Host", "evil\"><x"}})), "http://localhost");
}

TEST_F(SiteFront, PublicUrlWinsOverHostAndNobodyIsTrustedByDefault) {
  auto lib = open({{"public_url", "https://wenku.example.cn/"}});
  Site site(*lib);
  auto req = request("127.0.0.1", {{"Host", "attacker.example"},
                                   {"X-Forwarded-For", "203.0.113.5"},
                                   {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(site.origin(req), "https://wenku.example.cn");
  EXPECT_EQ(site.client_address(req), "127.0.0.1");
  EXPECT_FALSE(site.client_https(req));
}

TEST_F(SiteFront, BadSettingsStopTheSite) {
  // The library does not read them; the site refuses to start (`wenku serve` says why first).
  auto lib = open({{"trusted_proxies", "10.0.0.1, nginx"}});
  EXPECT_FALSE(FrontSettings::from(lib->settings()).ok());
  EXPECT_THROW(Site site(*lib), std::invalid_argument);
}

}  // namespace
}  // namespace wenku::http
