// Trusted proxies and the X-Forwarded-For walk (client_address.h).
#include "http/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/strings.h"

namespace wenku::http {

namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_mapped_v4(const std::array<uint8_t, 16>& b) {
  return std::memcmp(b.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s = trim(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 45) return std::nullopt;
  IpAddress a;
  if (s.find(':') == std::string::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) != 1) return std::nullopt;
    std::memcpy(a.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    a.v4 = true;
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
  std::memcpy(a.bytes.data(), &v6, 16);
  a.v4 = is_mapped_v4(a.bytes);
  return a;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  std::string s = trim(text);
  size_t slash = s.find('/');
  auto addr = IpAddress::parse(s.substr(0, slash));
  if (!addr) return std::nullopt;
  int bits = addr->v4 ? 32 : 128;
  int prefix = bits;
  if (slash != std::string::npos) {
    std::string digits = s.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    prefix = std::atoi(digits.c_str());
    if (prefix > bits) return std::nullopt;
  }
  IpNetwork n;
  n.base = *addr;
  n.prefix = prefix;
  // Clear the host bits, counted over the 16-byte form (IPv4 sits in the last 32 bits).
  int keep = prefix + (addr->v4 ? 96 : 0);
  for (int i = 0; i < 16; ++i) {
    int byte_keep = std::clamp(keep - 8 * i, 0, 8);
    n.base.bytes[static_cast<size_t>(i)] &= static_cast<uint8_t>(0xff00u >> byte_keep);
  }
  return n;
}

bool IpNetwork::contains(const IpAddress& a) const {
  if (a.v4 != base.v4) return false;
  int keep = prefix + (a.v4 ? 96 : 0);
  for (int i = 0; i < 16; ++i) {
    int byte_keep = std::clamp(keep - 8 * i, 0, 8);
    auto mask = static_cast<uint8_t>(0xff00u >> byte_keep);
    if ((a.bytes[static_cast<size_t>(i)] & mask) != base.bytes[static_cast<size_t>(i)]) return false;
  }
  return true;
}

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies t;
  for (const auto& part : split(list, ',')) {
    std::string entry = trim(part);
    if (entry.empty()) continue;
    auto n = IpNetwork::parse(entry);
    if (!n) {
      return make_error(ErrorCode::kInvalidArgument,
                        "trusted_proxies: '" + entry + "' is not an IPv4 or IPv6 address or CIDR block");
    }
    t.networks_.push_back(*n);
  }
  return t;
}

bool TrustedProxies::trusts(const IpAddress& a) const {
  for (const auto& n : networks_) {
    if (n.contains(a)) return true;
  }
  return false;
}

bool TrustedProxies::trusts(std::string_view address) const {
  auto a = IpAddress::parse(address);
  return a && trusts(*a);
}

std::string TrustedProxies::client_address(std::string_view peer, const std::vector<std::string>& forwarded_for) const {
  auto current = IpAddress::parse(peer);
  if (!current) return std::string(peer);
  if (!trusts(*current)) return current->str();
  std::vector<std::string> hops;
  for (const auto& header : forwarded_for) {
    for (auto& hop : split(header, ',')) hops.push_back(std::move(hop));
  }
  // From the right: each hop was written by the proxy after it. A trusted proxy's word is
  // taken for the hop before it; the first hop that is not a trusted proxy is the client.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (trim(*it).empty()) continue;  // "a, , b" (an empty header value)
    auto hop = IpAddress::parse(*it);
    if (!hop) break;  // garbage: believe nothing further left than the proxy that sent it
    current = hop;
    if (!trusts(*current)) break;
  }
  return current->str();
}

}  // namespace wenku::http
