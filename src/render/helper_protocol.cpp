// Framing and field encoding shared by BoxedDocument and wenku-render-helper.
#include "render/helper_protocol.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <type_traits>
#include <cstring>

namespace wenku::render::wire {

void Writer::raw(uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::put(float v) {
  uint32_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  raw(bits, 4);
}

void Writer::put(std::string_view s) {
  put(static_cast<int32_t>(s.size()));
  buf_.append(s);
}

void Writer::put(const std::vector<std::string>& list) {
  put(static_cast<int32_t>(list.size()));
  for (const auto& s : list) put(std::string_view(s));
}

uint64_t Reader::raw(int bytes) {
  if (!ok_ || data_.size() - pos_ < static_cast<size_t>(bytes)) {
    ok_ = false;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += static_cast<size_t>(bytes);
  return v;
}

void Reader::get(uint8_t& v) { v = static_cast<uint8_t>(raw(1)); }
void Reader::get(bool& v) { v = raw(1) != 0; }
void Reader::get(int32_t& v) { v = static_cast<int32_t>(static_cast<uint32_t>(raw(4))); }
void Reader::get(int64_t& v) { v = static_cast<int64_t>(raw(8)); }

void Reader::get(float& v) {
  const auto bits = static_cast<uint32_t>(raw(4));
  std::memcpy(&v, &bits, sizeof v);
}

void Reader::get(std::string& s) {
  int32_t n = 0;
  get(n);
  if (!ok_ || n < 0 || data_.size() - pos_ < static_cast<size_t>(n)) {
    ok_ = false;
    s.clear();
    return;
  }
  s.assign(data_.substr(pos_, static_cast<size_t>(n)));
  pos_ += static_cast<size_t>(n);
}

void Reader::get(std::vector<std::string>& list) {
  int32_t n = 0;
  get(n);
  list.clear();
  // Each string takes at least its 4-byte length: a count beyond that is malformed.
  if (!ok_ || n < 0 || static_cast<size_t>(n) > (data_.size() - pos_) / 4) {
    ok_ = false;
    return;
  }
  list.resize(static_cast<size_t>(n));
  for (auto& s : list) get(s);
}

void put(Writer& w, const RenderOptions& o) {
  for_each_field(o, [&w](const auto& field) { w.put(field); });
}

void get(Reader& r, RenderOptions& o) {
  for_each_field(o, [&r](auto& field) { r.get(field); });
}

void put_status(Writer& w, const Error* error) {
  w.put(error == nullptr);
  if (error != nullptr) {
    w.put(static_cast<int32_t>(error->code));
    w.put(std::string_view(error->message));
  }
}

bool get_status(Reader& r, Error& error) {
  bool ok = false;
  r.get(ok);
  if (ok && r.ok()) return true;
  int32_t code = 0;
  std::string message;
  r.get(code);
  r.get(message);
  if (!r.ok() || code < 0 || code > static_cast<int32_t>(ErrorCode::kInternal)) {
    error = keyed_error(ErrorCode::kInternal, "pdf.malformed_reply_from_render_helper");
  } else {
    error = make_error(static_cast<ErrorCode>(code), std::move(message));
  }
  return false;
}

void put(Writer& w, const PageImages& images) {
  w.put(std::string_view(images.preview_webp));
  w.put(std::string_view(images.thumb_webp));
  w.put(static_cast<int32_t>(images.width));
  w.put(static_cast<int32_t>(images.height));
}

void get(Reader& r, PageImages& images) {
  int32_t width = 0;
  int32_t height = 0;
  r.get(images.preview_webp);
  r.get(images.thumb_webp);
  r.get(width);
  r.get(height);
  images.width = width;
  images.height = height;
}

void put(Writer& w, const OcrImage& image) {
  w.put(image.embedded);
  w.put(static_cast<int32_t>(image.raster.width));
  w.put(static_cast<int32_t>(image.raster.height));
  w.put(static_cast<int32_t>(image.raster.channels));
  w.put(static_cast<int32_t>(image.raster.dpi));
  w.put(std::string_view(reinterpret_cast<const char*>(image.raster.pixels.data()), image.raster.pixels.size()));
}

void get(Reader& r, OcrImage& image) {
  int32_t width = 0;
  int32_t height = 0;
  int32_t channels = 0;
  int32_t dpi = 0;
  std::string pixels;
  r.get(image.embedded);
  r.get(width);
  r.get(height);
  r.get(channels);
  r.get(dpi);
  r.get(pixels);
  image.raster.width = width;
  image.raster.height = height;
  image.raster.channels = channels;
  image.raster.dpi = dpi;
  image.raster.pixels.assign(pixels.begin(), pixels.end());
}

namespace {

// Every field of OcrOptions and of OcrPage, in wire order (as for_each_field of RenderOptions).
template <class Options, class F>
void ocr_option_fields(Options& o, F&& f) {
  f(o.tessdata_dir);
  f(o.timeout_ms);
  f(o.max_pixels);
  f(o.language);
  f(o.detect_orientation);
  f(o.deskew);
}

template <class Page, class F>
void ocr_page_fields(Page& p, F&& f) {
  f(p.text);
  f(p.language);
  f(p.rotated);
  f(p.skew_degrees);
  f(p.confidence);
  f(p.script_vote);
  f(p.read_twice);
  f(p.ms);
  f(p.prepare_cpu_ms);
  f(p.choose_cpu_ms);
  f(p.read_cpu_ms);
}

// int fields travel as i32, int64_t as i64, strings with their length.
template <class T>
void put_field(Writer& w, const T& v) {
  if constexpr (std::is_same_v<T, int>) {
    w.put(static_cast<int32_t>(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.put(std::string_view(v));
  } else {
    w.put(v);
  }
}

template <class T>
void get_field(Reader& r, T& v) {
  if constexpr (std::is_same_v<T, int>) {
    int32_t x = 0;
    r.get(x);
    v = x;
  } else {
    r.get(v);
  }
}

}  // namespace

void put(Writer& w, const ocr::OcrOptions& o) {
  ocr_option_fields(o, [&w](const auto& field) { put_field(w, field); });
}

void get(Reader& r, ocr::OcrOptions& o) {
  ocr_option_fields(o, [&r](auto& field) { get_field(r, field); });
}

void put(Writer& w, const ocr::OcrPage& page) {
  ocr_page_fields(page, [&w](const auto& field) { put_field(w, field); });
}

void get(Reader& r, ocr::OcrPage& page) {
  ocr_page_fields(page, [&r](auto& field) { get_field(r, field); });
}

bool write_frame(int fd, std::string_view payload) {
  if (payload.size() > kMaxFrame) return false;
  const auto n = static_cast<uint32_t>(payload.size());
  char head[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                  static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  for (std::string_view part : {std::string_view(head, 4), payload}) {
    size_t done = 0;
    while (done < part.size()) {
      ssize_t w = send(fd, part.data() + done, part.size() - done, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      done += static_cast<size_t>(w);
    }
  }
  return true;
}

namespace {

ReadResult read_exact(int fd, char* out, size_t size, std::chrono::steady_clock::time_point deadline) {
  size_t done = 0;
  const bool forever = deadline == std::chrono::steady_clock::time_point::max();
  while (done < size) {
    if (!forever) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return ReadResult::kTimedOut;
      pollfd p{fd, POLLIN, 0};
      int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30)));
      if (rc < 0 && errno == EINTR) continue;
      if (rc == 0) continue;  // the deadline check above decides
      if (rc < 0) return ReadResult::kClosed;
    }
    ssize_t n = read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ReadResult::kClosed;
    done += static_cast<size_t>(n);
  }
  return ReadResult::kOk;
}

}  // namespace

ReadResult read_frame(int fd, std::string& payload, std::chrono::steady_clock::time_point deadline) {
  unsigned char head[4];
  if (auto r = read_exact(fd, reinterpret_cast<char*>(head), 4, deadline); r != ReadResult::kOk) return r;
  const uint32_t n = head[0] | (uint32_t{head[1]} << 8) | (uint32_t{head[2]} << 16) | (uint32_t{head[3]} << 24);
  if (n > kMaxFrame) return ReadResult::kClosed;
  payload.resize(n);
  return read_exact(fd, payload.data(), n, deadline);
}

}  // namespace wenku::render::wire
