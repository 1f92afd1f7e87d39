// AWS Signature Version 4 for S3 requests, computed with OpenSSL (HMAC-SHA256), because
// curl 7.88's CURLOPT_AWS_SIGV4 does not canonicalise query strings (curl#9717).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wenku::blob::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// One request as it will be sent. `path` is the URI path not yet encoded ("/bucket/a b");
// `query` the decoded parameters; `headers` every header to sign (names in any case; `host`
// and `x-amz-date` and `x-amz-content-sha256` included by the caller).
struct Request {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_sha256;  // hex, or "UNSIGNED-PAYLOAD"
};

// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX
// (upper-case); '/' kept when `keep_slash` (paths), encoded otherwise (query values).
std::string uri_encode(std::string_view s, bool keep_slash);
// "a=1&b=%20" sorted by encoded name then value; the same string serves the URL.
std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query);
// The S3 canonical request (paths are encoded once, not normalised).
std::string canonical_request(const Request& r, std::string* signed_headers);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// The signing key HMAC chain, raw bytes.
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);
// The value of the Authorization header. `amz_date` is "YYYYMMDDTHHMMSSZ".
std::string authorization(const Credentials& c, std::string_view region, std::string_view service,
                          std::string_view amz_date, const Request& r);
// "YYYYMMDDTHHMMSSZ" for a unix time.
std::string amz_date(int64_t unix_seconds);

std::string hex(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace wenku::blob::sigv4
