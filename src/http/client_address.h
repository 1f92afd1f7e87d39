// Who is asking, behind a reverse proxy: the `trusted_proxies` setting (IPv4 and IPv6
// addresses and CIDR blocks) and the walk of X-Forwarded-For that finds the client. Only a
// peer in the list is believed; its X-Forwarded-For is read from the right, and the first hop
// that is not itself a trusted proxy is the client. Everything else is the peer's own address.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::http {

// An address as 16 bytes: IPv4 (and IPv4-mapped IPv6, ::ffff:a.b.c.d) as ::ffff:a.b.c.d, so
// "127.0.0.1" and "::ffff:127.0.0.1" are the same client.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;

  // "192.0.2.1", "2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1"; surrounding blanks are
  // ignored. nullopt for anything else (ports, zone ids, names, garbage).
  static std::optional<IpAddress> parse(std::string_view text);
  // The canonical text: dotted quad for IPv4, RFC 5952 for IPv6.
  std::string str() const;
  bool operator==(const IpAddress&) const = default;
};

// One entry of trusted_proxies: an address and a prefix length (/32 or /128 when none).
struct IpNetwork {
  IpAddress base;  // with the bits after the prefix cleared
  int prefix = 0;  // in bits of the address's own family (0..32 for IPv4, 0..128 for IPv6)

  // "10.0.0.0/8", "fd00::/8", "127.0.0.1". nullopt when malformed or the prefix is out of
  // range for the family.
  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // A comma-separated list (blanks allowed, empty = trust nobody). Errors: kInvalidArgument
  // naming the bad entry.
  static Result<TrustedProxies> parse(std::string_view list);

  bool empty() const { return networks_.empty(); }
  bool trusts(const IpAddress& a) const;
  bool trusts(std::string_view address) const;

  // The client's address for a connection from `peer` carrying the X-Forwarded-For values
  // `forwarded_for` (every such header, in order). When the peer is not trusted: the peer.
  // Otherwise the right-most hop that is not a trusted proxy; when every hop is trusted, the
  // left-most; a malformed hop ends the walk at the proxy that sent it. Canonical text
  // (IpAddress::str), or `peer` unchanged when it does not parse.
  std::string client_address(std::string_view peer, const std::vector<std::string>& forwarded_for) const;

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace wenku::http
