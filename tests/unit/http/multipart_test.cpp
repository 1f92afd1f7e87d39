// MultipartParser on bodies made here: every split of the same body gives the same parts,
// delimiter look-alikes stay in the data, headers and limits are checked, truncation fails.
#include "http/multipart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wenku::http {
namespace {

struct Part {
  MultipartPart head;
  std::string data;
  bool ended = false;
};

// Keeps what the parser reports; parts named "file" stream, "skip" is dropped, others are fields.
class Recorder final : public MultipartHandler {
 public:
  Result<PartMode> on_part(const MultipartPart& part) override {
    if (!parts.empty() && !parts.back().ended) ADD_FAILURE() << "on_part before on_part_end";
    parts.push_back({part, "", false});
    if (part.name == "fail") return make_error(ErrorCode::kIo, "handler refused");
    if (part.name == "skip") return PartMode::kSkip;
    return part.name == "file" ? PartMode::kStream : PartMode::kField;
  }
  Result<void> on_data(std::string_view bytes) override {
    if (parts.empty() || parts.back().ended) ADD_FAILURE() << "data outside a part";
    if (bytes.empty()) ADD_FAILURE() << "empty data callback";
    parts.back().data.append(bytes);
    ++calls;
    return {};
  }
  Result<void> on_part_end() override {
    parts.back().ended = true;
    return {};
  }
  std::vector<Part> parts;
  size_t calls = 0;
};

std::string part(std::string_view boundary, std::string_view headers, std::string_view data) {
  return "--" + std::string(boundary) + "\r\n" + std::string(headers) + "\r\n\r\n" + std::string(data) + "\r\n";
}

// Binary file data full of things that look like the start of a delimiter.
std::string tricky_data() {
  std::string d = "%PDF-1.4\r\n";
  d += "\r\n--bounda";           // a delimiter cut short
  d += "\r\n--boundar\r\n";      // one byte short, then CRLF
  d += "\r\r\n-\r\n--\r\n--b";   // CRs and dashes
  d += "x--boundary123\r\n";     // the boundary without CRLF before it
  d += std::string("\0\xff\r", 3);
  d += "\n-- boundary123";       // a space breaks it
  d += "\r";                     // a CR right before the real delimiter
  return d;
}

const std::string kBoundary = "boundary123";

std::string sample_body() {
  std::string b = "This is the preamble, ignored.\r\n";
  b += part(kBoundary, "Content-Disposition: form-data; name=\"title\"", "标题 title");
  b += part(kBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"文档 1.pdf\"\r\nContent-Type: application/pdf",
            tricky_data());
  b += part(kBoundary, "content-disposition: form-data; name=empty", "");
  b += "--" + kBoundary + "--\r\nepilogue, ignored --" + kBoundary + "\r\n";
  return b;
}

void expect_sample(const Recorder& r) {
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(r.parts[0].head.name, "title");
  EXPECT_FALSE(r.parts[0].head.has_filename);
  EXPECT_EQ(r.parts[0].data, "标题 title");
  EXPECT_EQ(r.parts[1].head.name, "file");
  EXPECT_TRUE(r.parts[1].head.has_filename);
  EXPECT_EQ(r.parts[1].head.filename, "文档 1.pdf");
  EXPECT_EQ(r.parts[1].head.content_type, "application/pdf");
  EXPECT_EQ(r.parts[1].data, tricky_data());
  EXPECT_EQ(r.parts[2].head.name, "empty");
  EXPECT_EQ(r.parts[2].data, "");
  for (const auto& p : r.parts) EXPECT_TRUE(p.ended);
}

Result<void> parse_in_chunks(std::string_view body, std::vector<size_t> cuts, Recorder& r,
                             std::string_view boundary = kBoundary, MultipartLimits limits = {}) {
  MultipartParser parser(boundary, r, limits);
  size_t pos = 0;
  cuts.push_back(body.size());
  for (size_t c : cuts) {
    WENKU_TRY(parser.feed(body.substr(pos, c - pos)));
    pos = c;
  }
  return parser.finish();
}

TEST(Multipart, WholeBody) {
  Recorder r;
  auto res = parse_in_chunks(sample_body(), {}, r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  expect_sample(r);
}

TEST(Multipart, SplitAtEveryOffset) {
  std::string body = sample_body();
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    Recorder r;
    auto res = parse_in_chunks(body, {cut}, r);
    ASSERT_TRUE(res.ok()) << "cut " << cut << ": " << res.error().message;
    expect_sample(r);
    if (::testing::Test::HasFailure()) FAIL() << "cut at " << cut;
  }
}

TEST(Multipart, SplitAtEveryPairOfOffsetsAroundTheFilePart) {
  // Two cuts land inside one delimiter and its CRLF in every combination.
  std::string body = sample_body();
  size_t file_end = body.find("\r\n--" + kBoundary + "\r\ncontent-disposition");
  ASSERT_NE(file_end, std::string::npos);
  for (size_t a = file_end - 20; a < file_end + 20; ++a) {
    for (size_t b = a; b < file_end + 20; ++b) {
      Recorder r;
      auto res = parse_in_chunks(body, {a, b}, r);
      ASSERT_TRUE(res.ok()) << a << "," << b << ": " << res.error().message;
      expect_sample(r);
      if (::testing::Test::HasFailure()) FAIL() << "cuts " << a << "," << b;
    }
  }
}

TEST(Multipart, OneByteChunks) {
  std::string body = sample_body();
  std::vector<size_t> cuts;
  for (size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
  Recorder r;
  auto res = parse_in_chunks(body, cuts, r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  expect_sample(r);
}

TEST(Multipart, NoPreambleAndTransportPadding) {
  std::string body = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b \t \r\n"
                     "Content-Disposition: form-data; name=b\r\n\r\ny\r\n--b--";
  Recorder r;
  ASSERT_TRUE(parse_in_chunks(body, {}, r, "b").ok());
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].data, "x");
  EXPECT_EQ(r.parts[1].data, "y");
}

TEST(Multipart, FileDataIsStreamedNotHeld) {
  // 1 MB of data fed in 4 KB reads: by the time the last read before the delimiter is fed,
  // all but a delimiter's length of it has reached the handler.
  std::string data(1 << 20, 'a');
  for (size_t i = 0; i < data.size(); i += 997) data[i] = '\r';
  std::string body = part("xyz", "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"", data) + "--xyz--\r\n";
  Recorder r;
  MultipartParser parser("xyz", r);
  size_t end_of_data = body.find("\r\n--xyz--");
  size_t pos = 0;
  while (pos + 4096 <= end_of_data) {
    ASSERT_TRUE(parser.feed(std::string_view(body).substr(pos, 4096)).ok());
    pos += 4096;
  }
  ASSERT_EQ(r.parts.size(), 1u);
  size_t data_start = body.find("\r\n\r\n") + 4;
  EXPECT_GE(r.parts[0].data.size() + 7, pos - data_start);  // held back: less than "\r\n--xyz"
  ASSERT_TRUE(parser.feed(std::string_view(body).substr(pos)).ok());
  ASSERT_TRUE(parser.finish().ok());
  EXPECT_EQ(r.parts[0].data, data);
  EXPECT_TRUE(parser.done());
}

TEST(Multipart, BoundaryFromContentType) {
  auto b = parse_multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "----WebKitFormBoundary7MA4YWxkTrZu0gW");
  b = parse_multipart_boundary("Multipart/Form-Data;charset=utf-8;  BOUNDARY=\"a b:c?\"");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "a b:c?");
  b = parse_multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'x'));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 70u);
  for (const std::string& bad : std::vector<std::string>{"multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                          "multipart/form-data; boundary=" + std::string(71, 'x'), "multipart/form-data; boundary=a\"b",
                          "multipart/form-data; boundary=\"ends with space \"", "multipart/form-data; boundary=\"open",
                          "multipart/mixed; boundary=abc", "text/plain; boundary=abc", "multipart/form-data; boundary=a\x01"}) {
    auto r = parse_multipart_boundary(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(" / "), std::string::npos) << "bilingual: " << r.error().message;
  }
}

TEST(Multipart, QuotedBoundaryWithSpaceParses) {
  auto b = parse_multipart_boundary("multipart/form-data; boundary=\"my boundary\"");
  ASSERT_TRUE(b.ok());
  std::string body = part(*b, "Content-Disposition: form-data; name=\"t\"", "v") + "--my boundary--\r\n";
  Recorder r;
  ASSERT_TRUE(parse_in_chunks(body, {5}, r, *b).ok());
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].data, "v");
}

TEST(Multipart, FilenameForms) {
  struct Case {
    std::string disposition;
    std::string filename;
    bool has_filename;
  };
  std::vector<Case> cases = {
      {"form-data; name=\"file\"; filename=\"报告.docx\"", "报告.docx", true},
      {"form-data; name=\"file\"; filename=\"a.pdf\"; filename*=UTF-8''%E6%96%87%E6%A1%A3.pdf", "文档.pdf", true},
      {"form-data; name=\"file\"; filename*=utf-8'zh'%E4%B8%AD.txt", "中.txt", true},
      {"form-data; name=\"file\"; filename=\"b.pdf\"; filename*=UTF-8''%E6%9", "b.pdf", true},    // bad escape
      {"form-data; name=\"file\"; filename=\"c.pdf\"; filename*=UTF-8''%FF.pdf", "c.pdf", true},   // not UTF-8
      {"form-data; name=\"file\"; filename=\"d.pdf\"; filename*=ISO-8859-1''%E9.pdf", "d.pdf", true},
      {"form-data; name=\"file\"; filename=\"say \\\"hi\\\".txt\"", "say \"hi\".txt", true},
      {"form-data; name=\"file\"; filename=\"C:\\dir\\e.pdf\"", "C:\\dir\\e.pdf", true},
      {"form-data; name=\"file\"; filename=\"\"><img src=x>.txt\"", "\"><img src=x>.txt", true},  // raw quotes
      {"form-data; name=\"file\"; filename=\"a\"b\" ; x=1", "a\"b", true},
      {"form-data; name=\"file\"; filename=\"semi;colon.txt\"", "semi;colon.txt", true},
      {"form-data; name=\"file\"; filename=\"\"", "", true},
      {"form-data; name=file; filename=plain.txt", "plain.txt", true},
      {"form-data; name=\"file\"", "", false},
  };
  for (const auto& c : cases) {
    std::string body = part("q", "Content-Disposition: " + c.disposition, "x") + "--q--";
    Recorder r;
    auto res = parse_in_chunks(body, {}, r, "q");
    ASSERT_TRUE(res.ok()) << c.disposition << ": " << res.error().message;
    ASSERT_EQ(r.parts.size(), 1u);
    EXPECT_EQ(r.parts[0].head.name, "file") << c.disposition;
    EXPECT_EQ(r.parts[0].head.filename, c.filename) << c.disposition;
    EXPECT_EQ(r.parts[0].head.has_filename, c.has_filename) << c.disposition;
  }
}

TEST(Multipart, MalformedBodiesAreRejected) {
  std::vector<std::string> bad = {
      "",                                                                           // nothing
      "no delimiter at all",                                                        // preamble only
      "--q\r\n\r\nx\r\n--q--",                                                      // no headers
      "--q\r\nContent-Type: text/plain\r\n\r\nx\r\n--q--",                          // no disposition
      "--q\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--q--",           // not form-data
      "--q\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n--q--",        // no name
      "--q\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--q--",          // open quote
      "--q\r\nno colon here\r\n\r\nx\r\n--q--",                                     // bad header line
      "--qX\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q--",           // bad delimiter line
      "--q\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q-",             // close cut short
      "--q\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q\r\n",          // never closed
  };
  for (const auto& body : bad) {
    Recorder r;
    auto res = parse_in_chunks(body, {}, r, "q");
    ASSERT_FALSE(res.ok()) << body;
    EXPECT_EQ(res.error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_NE(res.error().message.find(" / "), std::string::npos) << res.error().message;
  }
}

TEST(Multipart, EveryTruncationFails) {
  std::string body = sample_body();
  size_t close = body.find("--" + kBoundary + "--");
  for (size_t n = 0; n < close + kBoundary.size() + 4; ++n) {
    Recorder r;
    auto res = parse_in_chunks(body.substr(0, n), {n / 2}, r);
    ASSERT_FALSE(res.ok()) << "truncated at " << n;
    EXPECT_EQ(res.error().code, ErrorCode::kInvalidArgument);
  }
  Recorder r;
  EXPECT_TRUE(parse_in_chunks(body.substr(0, close + kBoundary.size() + 4), {}, r).ok());
}

TEST(Multipart, HeaderBlockLimit) {
  auto with_header = [](size_t pad) {
    return "--q\r\nContent-Disposition: form-data; name=a\r\nX-Pad: " + std::string(pad, 'p') + "\r\n\r\nx\r\n--q--";
  };
  // "Content-Disposition: form-data; name=a\r\n" is 40 bytes, "X-Pad: " 7, then CRLF CRLF.
  size_t fits = 16 * 1024 - 40 - 7 - 4;
  Recorder ok;
  auto res = parse_in_chunks(with_header(fits), {100, 9000}, ok, "q");
  EXPECT_TRUE(res.ok()) << res.error().message;
  for (std::vector<size_t> cuts : {std::vector<size_t>{}, std::vector<size_t>{100, 9000}}) {
    Recorder r;
    res = parse_in_chunks(with_header(fits + 1), cuts, r, "q");
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(r.parts.empty());
  }
  // A header block that never ends is refused once it passes the limit, not held forever.
  Recorder r;
  MultipartParser parser("q", r);
  ASSERT_TRUE(parser.feed("--q\r\nX: ").ok());
  Result<void> fed;
  size_t total = 0;
  while (fed.ok() && total < (1 << 20)) {
    fed = parser.feed(std::string(1000, 'h'));
    total += 1000;
  }
  EXPECT_FALSE(fed.ok());
  EXPECT_LT(total, 20000u);
}

TEST(Multipart, PartCountLimit) {
  auto body_with = [](size_t n) {
    std::string b;
    for (size_t i = 0; i < n; ++i) b += part("q", "Content-Disposition: form-data; name=f" + std::to_string(i), "v");
    return b + "--q--";
  };
  Recorder ok;
  EXPECT_TRUE(parse_in_chunks(body_with(64), {}, ok, "q").ok());
  EXPECT_EQ(ok.parts.size(), 64u);
  Recorder r;
  auto res = parse_in_chunks(body_with(65), {}, r, "q");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.parts.size(), 64u);
}

TEST(Multipart, FieldLimitButNotFileLimit) {
  std::string big(64 * 1024, 'v');
  Recorder ok;
  EXPECT_TRUE(parse_in_chunks(part("q", "Content-Disposition: form-data; name=t", big) + "--q--", {1000}, ok, "q").ok());
  Recorder r;
  auto res = parse_in_chunks(part("q", "Content-Disposition: form-data; name=t", big + "v") + "--q--", {1000}, r, "q");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kTooLarge);
  Recorder file;
  std::string huge(200 * 1024, 'f');
  EXPECT_TRUE(parse_in_chunks(part("q", "Content-Disposition: form-data; name=file; filename=a", huge) + "--q--", {7}, file, "q").ok());
  EXPECT_EQ(file.parts.at(0).data, huge);
  Recorder skipped;
  EXPECT_TRUE(parse_in_chunks(part("q", "Content-Disposition: form-data; name=skip", huge) + "--q--", {}, skipped, "q").ok());
  EXPECT_EQ(skipped.parts.at(0).data, "");
}

TEST(Multipart, HandlerErrorStopsAndSticks) {
  std::string body = part("q", "Content-Disposition: form-data; name=fail", "x") +
                     part("q", "Content-Disposition: form-data; name=after", "y") + "--q--";
  Recorder r;
  MultipartParser parser("q", r);
  auto res = parser.feed(body);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kIo);
  EXPECT_EQ(r.parts.size(), 1u);
  EXPECT_FALSE(parser.feed("more").ok());
  EXPECT_EQ(parser.finish().error().code, ErrorCode::kIo);
}

TEST(Multipart, MutatedBodiesParseTheSameInAnyChunking) {
  // Damaged bodies: whole or byte by byte, the parser reaches the same verdict and parts.
  std::string base = sample_body();
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  const std::string pieces[] = {"\r", "\n", "-", "--", "\r\n--" + kBoundary, "\"", ";", "\r\n\r\n", "boundary123--"};
  for (int round = 0; round < 400; ++round) {
    std::string body = base;
    for (int m = 0; m < 3; ++m) {
      size_t at = next() % body.size();
      switch (next() % 3) {
        case 0: body.erase(at, next() % 8); break;
        case 1: body.insert(at, pieces[next() % std::size(pieces)]); break;
        default: body[at] = static_cast<char>(next()); break;
      }
    }
    Recorder whole;
    auto a = parse_in_chunks(body, {}, whole);
    std::vector<size_t> cuts;
    for (size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
    Recorder bytes;
    auto b = parse_in_chunks(body, cuts, bytes);
    ASSERT_EQ(a.ok(), b.ok()) << "round " << round;
    if (!a.ok()) {
      EXPECT_EQ(a.error().code, b.error().code) << "round " << round;
      continue;
    }
    ASSERT_EQ(whole.parts.size(), bytes.parts.size()) << "round " << round;
    for (size_t i = 0; i < whole.parts.size(); ++i) {
      EXPECT_EQ(whole.parts[i].head.name, bytes.parts[i].head.name);
      EXPECT_EQ(whole.parts[i].head.filename, bytes.parts[i].head.filename);
      EXPECT_EQ(whole.parts[i].data, bytes.parts[i].data);
    }
  }
}

}  // namespace
}  // namespace wenku::http
