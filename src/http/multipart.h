// An incremental multipart/form-data parser (RFC 7578 over RFC 2046) fed arbitrary chunks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wenku::http {

// Limits on what one body may make us hold or do; the file data itself is never held.
struct MultipartLimits {
  size_t max_header_block = 16 * 1024;  // the headers of one part, up to the blank line
  size_t max_parts = 64;
  size_t max_field_bytes = 64 * 1024;   // the value of a part the handler calls a field
};

// The headers of one part, as parsed from its Content-Disposition and Content-Type.
struct MultipartPart {
  std::string name;
  std::string filename;       // filename*=UTF-8''... when present and valid, else filename=
  bool has_filename = false;  // a filename parameter was sent (even an empty one)
  std::string content_type;   // trimmed, "" when absent
};

// What the handler wants done with the data of a part.
enum class PartMode {
  kStream,  // every byte goes to on_data as it arrives, no size limit here
  kField,   // as kStream, but more than max_field_bytes in all is an error (kTooLarge)
  kSkip,    // the data is dropped
};

// Receives the parts in order: on_part, on_data zero or more times, on_part_end. An error
// returned from any of them stops the parser and comes back from feed().
class MultipartHandler {
 public:
  virtual ~MultipartHandler() = default;
  virtual Result<PartMode> on_part(const MultipartPart& part) = 0;
  virtual Result<void> on_data(std::string_view bytes) = 0;
  virtual Result<void> on_part_end() = 0;
};

// The boundary of a Content-Type header value ("multipart/form-data; boundary=..." with the
// boundary quoted or not), checked against RFC 2046: 1-70 characters of its set, no
// trailing space. kInvalidArgument when the type is not multipart/form-data or the boundary
// is missing or malformed.
Result<std::string> parse_multipart_boundary(std::string_view content_type);

// Parses one body. Feed the bytes in chunks of any size (a delimiter may be split at any
// byte), then call finish(). Between feeds it keeps only what may still be a delimiter
// (fewer than boundary + 4 bytes) or the unfinished header block of a part (limited).
// Errors are kInvalidArgument (malformed, too many parts, header block too large, no close
// delimiter), kTooLarge for a field over its limit, or the handler's own; after one, every
// later call returns it again.
class MultipartParser {
 public:
  MultipartParser(std::string_view boundary, MultipartHandler& handler, MultipartLimits limits = {});

  Result<void> feed(std::string_view bytes);
  // The body ended: an error unless the close delimiter "--boundary--" was seen.
  Result<void> finish();

  // True once the close delimiter has been read (what follows it is ignored).
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kDone, kFailed };

  Result<void> run();
  Result<void> fail(Error e);
  Result<void> start_part(std::string_view block);
  Result<void> emit(std::string_view bytes);
  Result<void> end_part();

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartHandler& handler_;
  MultipartLimits limits_;
  State state_ = State::kPreamble;
  std::string buf_;        // bytes received and not yet consumed
  size_t padding_ = 0;     // transport padding seen after the current delimiter
  size_t scanned_ = 0;     // bytes of an unfinished header block already searched
  size_t parts_ = 0;
  PartMode mode_ = PartMode::kSkip;
  bool in_part_ = false;
  size_t field_bytes_ = 0;
  std::string part_name_;
  Error error_;
};

}  // namespace wenku::http
