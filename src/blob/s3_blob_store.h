// The S3 BlobStore: blobs as objects PREFIX/aa/bb/<sha256> in a bucket of any S3-compatible
// object store, over libcurl, signed with SigV4 (sigv4.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "blob/blob_store.h"
#include "blob/sigv4.h"

namespace wenku::blob {

// Everything `s3://bucket/prefix?...` says, parsed.
struct S3Config {
  std::string bucket;
  std::string prefix;    // without leading or trailing '/'; may be empty
  std::string endpoint;  // "https://host[:port]" or "http://host[:port]"
  std::string region = "us-east-1";
  bool path_style = true;
  std::string credentials_file;  // ~/.aws/credentials form; empty: the environment
  std::string profile = "default";
  uint64_t part_size = 16ull << 20;  // multipart above this; each part this big (>= 5 MiB on AWS)
  int max_keys = 1000;               // ListObjectsV2 page size
  int retries = 4;                   // attempts after the first, with exponential back-off
  int backoff_ms = 200;              // first back-off; doubles each time
  int connect_timeout_s = 10;
  int idle_timeout_s = 60;  // a transfer that moves no byte this long fails
};

// Parses the URL (see README.md for the parameters). Errors: kInvalidArgument (naming blob_url).
Result<S3Config> parse_s3_url(const std::string& url);
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or the profile of
// `credentials_file` when set. Errors: kInvalidArgument.
Result<sigv4::Credentials> load_s3_credentials(const S3Config& config);

// Opens the store and checks the bucket answers (a one-key listing). Errors:
// kInvalidArgument (bad URL, no credentials, no such bucket), kPermissionDenied (403),
// kUnavailable (endpoint unreachable).
Result<std::unique_ptr<BlobStore>> open_s3_blob_store(const std::string& url);

}  // namespace wenku::blob
