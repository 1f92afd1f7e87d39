// read_upload_form behind a real httplib::Server (its protected process_request) fed by a
// stream that returns the request in reads of a chosen size: every read size is accepted,
// including those that split the first delimiter (cpp-httplib 0.11.4's own parser refuses
// those), and the fields, limits and errors are what receive_upload relies on.
#include "http/upload_form.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "support/test_support.h"

namespace wenku::http {
namespace {

// A socket that never gives more than `chunk_` bytes per read.
class ChunkStream final : public httplib::Stream {
 public:
  ChunkStream(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  bool is_readable() const override { return pos_ < data_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min({size, chunk_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, n, ptr);
    pos_ += n;
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

class MemorySink final : public UploadSink {
 public:
  Result<void> begin(const std::string& original_name) override {
    ++begins;
    name = original_name;
    return {};
  }
  Result<void> write(std::string_view chunk) override {
    bytes.append(chunk);
    return {};
  }
  int begins = 0;
  std::string name;
  std::string bytes;
};

struct Outcome {
  std::optional<Result<UploadForm>> form;
  MemorySink sink;
  std::string content_type_after;  // the request's Content-Type once the form was read
};

class TestServer final : public httplib::Server {
 public:
  TestServer() {
    Post("/up", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
      out_->form = read_upload_form(req, reader, policy_, out_->sink);
      out_->content_type_after = req.get_header_value("Content-Type");
      res.status = out_->form->ok() ? 202 : 400;
    });
  }
  Outcome run(const std::string& request, size_t chunk, UploadPolicy policy = {}) {
    Outcome out;
    out_ = &out;
    policy_ = std::move(policy);
    ChunkStream s(request, chunk);
    bool closed = false;
    process_request(s, true, closed, [](httplib::Request&) {});
    out_ = nullptr;
    return out;
  }

 private:
  Outcome* out_ = nullptr;
  UploadPolicy policy_;
};

std::string request(const std::string& content_type, const std::string& body, bool chunked = false) {
  std::string r = "POST /up HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + content_type + "\r\n";
  if (!chunked) return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  r += "Transfer-Encoding: chunked\r\n\r\n";
  for (size_t p = 0; p < body.size(); p += 37) {
    std::string piece = body.substr(p, 37);
    char len[16];
    std::snprintf(len, sizeof(len), "%zx\r\n", piece.size());
    r += len + piece + "\r\n";
  }
  return r + "0\r\n\r\n";
}

const std::string kType = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW";
const std::string kDelim = "------WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string field(const std::string& name, const std::string& value) {
  return kDelim + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
}
std::string file_part(const std::string& filename, const std::string& data) {
  return kDelim + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n";
}

std::string upload_body(const std::string& data) {
  return field("title", "  年度报告  ") + field("tags", "财务, 2023,,报告") + field("visibility", "unlisted") +
         file_part("年度报告.pdf", data) + field("description", "说明") + kDelim + "--\r\n";
}

std::string file_data() {
  std::string d = "%PDF-1.4\r\n\r\n--" + kDelim.substr(2, 20) + "\r\n" + kDelim.substr(0, 30) + "\r\n";
  for (int i = 0; i < 256; ++i) d += static_cast<char>(i);
  return d;
}

void expect_upload(const Outcome& o, const std::string& data) {
  ASSERT_TRUE(o.form.has_value());
  ASSERT_TRUE(o.form->ok()) << o.form->error().message;
  const UploadForm& f = o.form->value();
  EXPECT_EQ(f.title, "年度报告");
  EXPECT_EQ(f.description, "说明");
  EXPECT_EQ(f.visibility, "unlisted");
  EXPECT_EQ(f.tags, (std::vector<std::string>{"财务", "2023", "报告"}));
  EXPECT_EQ(f.original_name, "年度报告.pdf");
  EXPECT_EQ(f.file_bytes, data.size());
  EXPECT_EQ(o.sink.bytes, data);
  EXPECT_EQ(o.sink.begins, 1);
  EXPECT_EQ(o.content_type_after, kType);
}

TEST(UploadForm, EveryReadSizeIsAccepted) {
  TestServer server;
  std::string data = file_data();
  std::string req = request(kType, upload_body(data));
  // 1..80 covers every split of the first "------WebKit...\r\n" line; 4096 is a socket read.
  for (size_t chunk = 1; chunk <= 80; ++chunk) {
    Outcome o = server.run(req, chunk);
    expect_upload(o, data);
    if (::testing::Test::HasFailure()) FAIL() << "read size " << chunk;
  }
  expect_upload(server.run(req, 4096), data);
}

TEST(UploadForm, ChunkedTransferEncoding) {
  TestServer server;
  std::string data = file_data();
  for (size_t chunk : {1, 7, 4096}) expect_upload(server.run(request(kType, upload_body(data), true), chunk), data);
}

TEST(UploadForm, CorpusFileRoundTrips) {
  WENKU_REQUIRE_CORPUS(corpus);
  std::filesystem::path pdf;
  for (const auto& e : std::filesystem::directory_iterator(*corpus_opt / "docs" / "pdf")) {
    if (e.is_regular_file() && e.file_size() > 10000 && e.file_size() < 2000000) {
      pdf = e.path();
      break;
    }
  }
  if (pdf.empty()) GTEST_SKIP() << "no PDF of 10 KB - 2 MB in the corpus";
  std::string data = testing::read_file(pdf);
  TestServer server;
  for (size_t chunk : {3, 4096}) expect_upload(server.run(request(kType, upload_body(data)), chunk), data);
}

TEST(UploadForm, SecondFileIsIgnored) {
  TestServer server;
  std::string body = file_part("a.txt", "first") + file_part("b.txt", "second") + kDelim + "--\r\n";
  Outcome o = server.run(request(kType, body), 5);
  ASSERT_TRUE(o.form->ok()) << o.form->error().message;
  EXPECT_EQ(o.sink.bytes, "first");
  EXPECT_EQ(o.form->value().original_name, "a.txt");
}

TEST(UploadForm, Errors) {
  TestServer server;
  UploadPolicy small{10, "", false};
  Outcome o = server.run(request(kType, file_part("a.txt", std::string(11, 'x')) + kDelim + "--\r\n"), 4096, small);
  EXPECT_EQ(o.form->error().code, ErrorCode::kTooLarge);
  o = server.run(request(kType, file_part("a.txt", std::string(10, 'x')) + kDelim + "--\r\n"), 3, small);
  EXPECT_TRUE(o.form->ok());

  UploadPolicy formats{0, "pdf, docx", false};
  o = server.run(request(kType, file_part("x.exe", "MZ") + kDelim + "--\r\n"), 4096, formats);
  EXPECT_EQ(o.form->error().code, ErrorCode::kUnsupportedFormat);
  EXPECT_EQ(o.sink.begins, 0);
  o = server.run(request(kType, file_part("x.DOCX", "PK") + kDelim + "--\r\n"), 4096, formats);
  EXPECT_TRUE(o.form->ok());

  o = server.run(request(kType, field("title", "t") + kDelim + "--\r\n"), 4096);
  EXPECT_EQ(o.form->error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(o.form->error().message.find("no file"), std::string::npos);

  o = server.run(request(kType, field("title", std::string(64 * 1024 + 1, 't')) + file_part("a", "b") + kDelim + "--\r\n"), 4096);
  EXPECT_EQ(o.form->error().code, ErrorCode::kTooLarge);
  EXPECT_NE(o.form->error().message.find("form field too long: title"), std::string::npos);

  std::string truncated = upload_body("data");
  o = server.run(request(kType, truncated.substr(0, truncated.size() - 10)), 4096);
  EXPECT_EQ(o.form->error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(o.content_type_after, kType);

  o = server.run(request("multipart/form-data", upload_body("data")), 4096);
  EXPECT_EQ(o.form->error().code, ErrorCode::kInvalidArgument);
  o = server.run(request("application/octet-stream", "data"), 4096);
  EXPECT_EQ(o.form->error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace wenku::http
