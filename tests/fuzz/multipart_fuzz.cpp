// libFuzzer target: the upload path. A real httplib::Server reads a POST whose multipart
// body (and boundary) come from the input, delivered in input-chosen chunk sizes, and its
// ContentReader drives read_upload_form (src/http/upload_form.h), the code behind
// receive_upload, which parses the raw body with http::MultipartParser. cpp-httplib itself
// (request line, headers, chunked decoding) is Debian's uninstrumented library.
//
// Input: byte 0 = options (bit 7: reads of up to 4 KB as a socket gives them, else reads of
// 1-61 bytes starting at bits 0-4 + 1; bit 6: chunked transfer encoding; bit 5: a formats
// policy), then the boundary up to the first '\n', then the body.
//
// Found with this target: cpp-httplib 0.11.4 rejects a valid multipart body whose first
// read ends inside the first "--boundary\r\n" (upstream #2159, fixed in 0.23.0). The upload
// form now reads the raw body and parses it with our own http::MultipartParser
// (src/http/multipart.h), which is instrumented here too. A valid body is accepted at any
// read size, so the seeds that must be accepted use small varying reads again.
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_entries.h"
#include "http/upload_form.h"

namespace wenku::fuzz {
namespace {

constexpr uint64_t kMaxFile = 256 * 1024;  // small, so the size limit is reached too
size_t g_accepted = 0;

// The request, read in chunks: a socket that never gives more than `chunk_` bytes at a time.
class ChunkedStream final : public httplib::Stream {
 public:
  ChunkedStream(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  bool is_readable() const override { return pos_ < data_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min({size, chunk_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, n, ptr);
    pos_ += n;
    // Vary the next chunk so boundaries land everywhere across one input.
    if (chunk_ < 4096) chunk_ = chunk_ * 7 % 61 + 1;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* /*ptr*/, size_t size) override { return static_cast<ssize_t>(size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t chunk_;
};

// Checks the promises read_upload_form makes to its sink.
class CheckingSink final : public http::UploadSink {
 public:
  Result<void> begin(const std::string& original_name) override {
    if (begun_ || original_name.size() > 255 * 4)
      fail("multipart", "begin twice, or a name over 255 characters");
    begun_ = true;
    return {};
  }
  Result<void> write(std::string_view chunk) override {
    if (!begun_) fail("multipart", "write before begin");
    bytes_ += chunk.size();
    if (bytes_ > kMaxFile) fail("multipart", "the file went past the policy's limit");
    return {};
  }

 private:
  bool begun_ = false;
  uint64_t bytes_ = 0;
};

// A server whose protected process_request we may call with our own stream.
class FuzzServer final : public httplib::Server {
 public:
  FuzzServer() {
    set_payload_max_length(kMaxFile + (1 << 20));  // as server.cpp: max upload + 1 MB
    // The production handler answers 500; here an exception is a bug to report.
    set_exception_handler([](const httplib::Request&, httplib::Response&, std::exception_ptr ep) {
      std::string what = "none";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
        what = "of unknown type";
      }
      fail("multipart", "exception caught by the HTTP boundary: " + what);
    });
    Post("/api/v1/documents",
         [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
           CheckingSink sink;
           auto form = http::read_upload_form(req, reader, policy_, sink);
           if (form.ok()) {
             if (form->title.size() > 200 * 4 || form->tags.size() > 20 || form->file_bytes > kMaxFile)
               fail("multipart", "a form over its limits was accepted");
             res.status = 202;
             ++g_accepted;
           } else {
             check_not_internal("multipart", form.error());
             res.status = 400;
           }
         });
  }
  void run(httplib::Stream& s, bool restrict_formats) {
    policy_.max_bytes = kMaxFile;
    policy_.formats = restrict_formats ? "pdf,docx,txt" : "";
    bool closed = false;
    process_request(s, true, closed, [](httplib::Request&) {});
  }

 private:
  http::UploadPolicy policy_;
};

}  // namespace

size_t multipart_accepted() { return g_accepted; }

int multipart_one(const uint8_t* data, size_t size) {
  static FuzzServer server;
  if (size < 1) return 0;
  uint8_t opts = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos || nl > 200) return 0;
  std::string_view boundary = in.substr(0, nl);
  std::string_view body = in.substr(nl + 1);
  std::string request = "POST /api/v1/documents HTTP/1.1\r\nHost: localhost\r\n";
  request += "Content-Type: multipart/form-data; boundary=";
  request += boundary;
  request += "\r\n";
  if ((opts & 0x40) == 0) {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  } else {
    // Chunked transfer encoding: the other way cpp-httplib reads a body.
    request += "Transfer-Encoding: chunked\r\n\r\n";
    for (size_t p = 0; p < body.size(); p += 100) {
      std::string_view piece = body.substr(p, 100);
      char len[16];
      std::snprintf(len, sizeof(len), "%zx\r\n", piece.size());
      request += len;
      request += piece;
      request += "\r\n";
    }
    request += "0\r\n\r\n";
    body = {};
  }
  if ((opts & 0x40) == 0) {
    request += "\r\n";
    request += body;
  }
  return guarded("multipart", [&] {
    ChunkedStream stream(std::move(request), (opts & 0x80) != 0 ? 4096 : (opts & 0x1f) + 1);
    server.run(stream, (opts & 0x20) != 0);
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN(multipart_one)
