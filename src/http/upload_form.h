// Reading a multipart upload form (the raw body from cpp-httplib's ContentReader) into its
// file stream and its small text fields, with the site's limits; no library, so it can be fuzzed on its own.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::http {

// Limits of one upload, from the site settings and the uploader.
struct UploadPolicy {
  uint64_t max_bytes = 0;
  std::string formats;       // comma-separated extensions, "" = any
  bool review = false;       // hide until a moderator approves
};

// Where the bytes of the `file` part go: begin() once, with the sanitised original name,
// then write() for each chunk. An error from either stops reading the body.
class UploadSink {
 public:
  virtual ~UploadSink() = default;
  virtual Result<void> begin(const std::string& original_name) = 0;
  virtual Result<void> write(std::string_view chunk) = 0;
};

// The form fields other than the file, sanitised (valid UTF-8, trimmed, length-capped).
struct UploadForm {
  std::string original_name;  // at most 255 characters
  std::string title;          // at most 200 characters
  std::string category;       // at most 200 characters
  std::string description;    // at most 5000 characters
  std::vector<std::string> tags;  // at most 20 of at most 40 characters
  std::string visibility;     // as sent ("public", "unlisted", "private" or anything)
  uint64_t file_bytes = 0;
};

// Reads a multipart/form-data body: the first `file` part streams to `sink` (a second one
// is ignored), other fields are kept up to 64 KB each and 32 fields. The raw body is parsed
// by MultipartParser (http/multipart.h), not by cpp-httplib, whose 0.11 parser refuses valid
// bodies read in small pieces; the request's Content-Type is masked while the body is read
// (the Request must be the server's own, as handlers get it) and restored before returning.
// Errors: kInvalidArgument (not multipart, bad boundary, malformed body, over 64 parts or
// 16 KB of part headers, interrupted, no file), kTooLarge (file over policy.max_bytes, a
// field over 64 KB), kUnsupportedFormat (extension not in policy.formats), and whatever
// the sink returns.
Result<UploadForm> read_upload_form(const httplib::Request& req, const httplib::ContentReader& reader,
                                    const UploadPolicy& policy, UploadSink& sink);

}  // namespace wenku::http
