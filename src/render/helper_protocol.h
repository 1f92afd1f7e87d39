// The binary protocol between a BoxedDocument (boxed_document.h) and its wenku-render-helper.
//
// Every message is one frame: a 4-byte little-endian length, then that many payload bytes
// (WebP images, text and rasters travel as they are: no escaping). Inside a payload, numbers
// are little-endian fixed-width integers and strings are a 4-byte length and their bytes.
//
// helper -> parent, once: the open reply (a Status; when ok, the page count as i32).
// parent -> helper: a request (Op as u8, page index as i32, the op's arguments).
// helper -> parent: a reply (a Status; when ok, the op's result).
// The parent closing its end makes the helper exit.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ocr/ocr_engine.h"
#include "render/pdf_document.h"

namespace wenku::render::wire {

// kRecognize: a page's OCR image read by Tesseract in the helper (ocr::OcrEngine, loaded on the
// first such request and kept); kWatermark: the PDF's watermarked copy (render/watermark.h).
enum class Op : uint8_t { kText = 1, kFonts = 2, kRender = 3, kOcrImage = 4, kRecognize = 5, kWatermark = 6, kProbe = 99 };

// The helper's socket (fd 3) and the PDF it reads, opened read-only by the parent (fd 4).
inline constexpr int kSocketFd = 3;
inline constexpr int kPdfFd = 4;
// No frame is larger (a raster for OCR at its pixel limit fits well inside).
inline constexpr uint32_t kMaxFrame = 1U << 30;

class Writer {
 public:
  void put(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void put(bool v) { put(static_cast<uint8_t>(v ? 1 : 0)); }
  void put(int32_t v) { raw(static_cast<uint64_t>(static_cast<uint32_t>(v)), 4); }
  void put(int64_t v) { raw(static_cast<uint64_t>(v), 8); }
  void put(float v);
  void put(std::string_view s);
  void put(const std::vector<std::string>& list);
  std::string take() { return std::move(buf_); }

 private:
  void raw(uint64_t v, int bytes);
  std::string buf_;
};

// Reads a payload; any short or malformed field leaves ok() false and zero values.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  void get(uint8_t& v);
  void get(bool& v);
  void get(int32_t& v);
  void get(int64_t& v);
  void get(float& v);
  void get(std::string& s);
  void get(std::vector<std::string>& list);
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  uint64_t raw(int bytes);
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Every field of RenderOptions, in wire order, for writing and reading alike: a new field of
// RenderOptions is one line here (int, int64_t, bool or std::string; add a put/get overload
// for another type).
template <class Options, class F>
void for_each_field(Options& o, F&& f) {
  f(o.preview_width);
  f(o.thumb_width);
  f(o.webp_quality);
  f(o.webp_method);
  f(o.max_pixels);
  f(o.timeout_ms);
  f(o.watermark);
}

void put(Writer& w, const RenderOptions& o);
void get(Reader& r, RenderOptions& o);
// A status: ok (u8 1), or u8 0, the ErrorCode as i32 and the message.
void put_status(Writer& w, const Error* error);
// False and `error` filled when the status is an error (or unreadable).
bool get_status(Reader& r, Error& error);
void put(Writer& w, const PageImages& images);
void get(Reader& r, PageImages& images);
void put(Writer& w, const OcrImage& image);
void get(Reader& r, OcrImage& image);
void put(Writer& w, const ocr::OcrOptions& o);
void get(Reader& r, ocr::OcrOptions& o);
void put(Writer& w, const ocr::OcrPage& page);
void get(Reader& r, ocr::OcrPage& page);

// Whole frames over a blocking descriptor. write_frame: false when the peer is gone.
bool write_frame(int fd, std::string_view payload);
enum class ReadResult { kOk, kClosed, kTimedOut };
// Reads one frame before `deadline` (max(): no limit). kClosed at end of file, on an error or
// an oversized frame.
ReadResult read_frame(int fd, std::string& payload,
                      std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

}  // namespace wenku::render::wire
