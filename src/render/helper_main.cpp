// wenku-render-helper: opens one PDF with MuPDF (render::PdfDocument), or one picture with
// image::ImageFile (--image-max-pixels given), and answers the requests of its BoxedDocument
// over fd 3 (helper_protocol.h) until that socket closes: text, fonts, page images, OCR images,
// OCR itself (Tesseract, ocr::OcrEngine) and the watermarked copy of a PDF. The file is fd 4,
// opened read-only by the parent.
//
// Run only by BoxedDocument, already sandboxed (sandbox/sandbox.h: no network, nothing writable,
// the data directory hidden, rlimits).
// Usage: wenku-render-helper --max-memory-bytes N --max-file-bytes N
//        [--image-max-pixels N --image-max-side N --image-max-pages N]
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "image/image_file.h"
#include "ocr/ocr_engine.h"
#include "render/helper_protocol.h"
#include "render/pdf_document.h"
#include "render/watermark.h"
#ifdef WENKU_RENDER_PROBE
#include <csignal>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sandbox/sandbox_probe.h"
#endif

namespace {

using namespace wenku;
using namespace wenku::render;

template <class T>
std::string reply(const Result<T>& result, void (*put_value)(wire::Writer&, const T&)) {
  wire::Writer w;
  if (!result.ok()) {
    wire::put_status(w, &result.error());
    return w.take();
  }
  wire::put_status(w, nullptr);
  put_value(w, *result);
  return w.take();
}

void put_text(wire::Writer& w, const std::string& s) { w.put(std::string_view(s)); }
void put_list(wire::Writer& w, const std::vector<std::string>& v) { w.put(v); }
void put_images(wire::Writer& w, const PageImages& v) { wire::put(w, v); }
void put_ocr(wire::Writer& w, const OcrImage& v) { wire::put(w, v); }

void put_ocr_page(wire::Writer& w, const ocr::OcrPage& v) { wire::put(w, v); }

// A picture as a Document: its pages decoded by image::ImageFile, previews scaled from them (no
// text, no fonts), the decoded page itself as what OCR reads.
class ImagePages final : public Document {
 public:
  explicit ImagePages(std::unique_ptr<image::ImageFile> file) : file_(std::move(file)) {}
  int page_count() const override { return file_->page_count(); }
  Result<std::string> page_text(int) const override { return std::string(); }
  Result<std::vector<std::string>> page_fonts(int) const override { return std::vector<std::string>(); }
  Result<PageImages> render_page(int page_index, const RenderOptions& options) const override {
    WENKU_ASSIGN_OR_RETURN(auto raster, file_->decode_page(page_index));
    return encode_page_images(raster, options);
  }
  Result<OcrImage> ocr_image(int page_index, int, int64_t, int, bool) const override {
    WENKU_ASSIGN_OR_RETURN(auto raster, file_->decode_page(page_index));
    return OcrImage{std::move(raster), true};
  }

 private:
  std::unique_ptr<image::ImageFile> file_;
};

// The OCR engine, made by the first kRecognize request with its options and kept for the
// document's later pages (made again if they differ).
struct Engine {
  std::unique_ptr<ocr::OcrEngine> engine;
  std::string key;
};

std::string options_key(const ocr::OcrOptions& o) {
  wire::Writer w;
  wire::put(w, o);
  return w.take();
}

Result<ocr::OcrPage> recognize(Engine& e, const Document& doc, int page, int dpi, int64_t max_pixels,
                               const ocr::OcrOptions& options) {
  WENKU_ASSIGN_OR_RETURN(auto image, doc.ocr_image(page, dpi, max_pixels));
  if (!e.engine || e.key != options_key(options)) {
    e.engine.reset();
    WENKU_ASSIGN_OR_RETURN(e.engine, ocr::OcrEngine::create(options));
    e.key = options_key(options);
  }
  return e.engine->recognize(image.raster);
}

std::string bad_request() {
  wire::Writer w;
  Error e = keyed_error(ErrorCode::kInternal, "pdf.malformed_request_render_helper");
  wire::put_status(w, &e);
  return w.take();
}

#ifdef WENKU_RENDER_PROBE
// Test builds only: what the file's bytes ask of the helper (tests/integration/test_image_box.py).
// WENKU-CRASH-PROBE: crash at every request (as a decoder bug would); WENKU-HANG-PROBE: never
// answer; WENKU-OCRCRASH-PROBE: crash when OCR is asked for (as a Tesseract bug would).
// Dies of SIGSEGV as a bug would (also in sanitizer builds, whose handler would exit instead).
[[noreturn]] void crash() {
  std::signal(SIGSEGV, SIG_DFL);
  std::raise(SIGSEGV);
  std::abort();
}

std::string file_bytes() {
  std::ifstream in("/proc/self/fd/" + std::to_string(wire::kPdfFd), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void probe_bytes(const std::string& bytes, uint8_t op) {
  if (bytes.find("WENKU-CRASH-PROBE") != std::string::npos) crash();
  if (bytes.find("WENKU-OCRCRASH-PROBE") != std::string::npos && op == static_cast<uint8_t>(wire::Op::kRecognize)) {
    crash();
  }
  if (bytes.find("WENKU-HANG-PROBE") != std::string::npos) {
    for (;;) pause();
  }
}
#endif

std::string answer(const Document& pdf, bool image, Engine& engine, const std::string& request) {
  wire::Reader in(request);
  uint8_t op = 0;
  int32_t page = 0;
  in.get(op);
  in.get(page);
  if (!in.ok()) return bad_request();
#ifdef WENKU_RENDER_PROBE
  // Test builds only: a page whose text says WENKU-CRASH-PROBE crashes the helper, as a
  // MuPDF bug would (tests/integration/test_render_box.py); a picture's bytes likewise.
  if (auto text = pdf.page_text(page); text.ok() && text->find("WENKU-CRASH-PROBE") != std::string::npos) crash();
  if (image) probe_bytes(file_bytes(), op);
#endif
  switch (static_cast<wire::Op>(op)) {
    case wire::Op::kText:
      return reply<std::string>(pdf.page_text(page), put_text);
    case wire::Op::kFonts:
      return reply<std::vector<std::string>>(pdf.page_fonts(page), put_list);
    case wire::Op::kRender: {
      RenderOptions options;
      wire::get(in, options);
      if (!in.ok()) return bad_request();
      return reply<PageImages>(pdf.render_page(page, options), put_images);
    }
    case wire::Op::kOcrImage: {
      int32_t dpi = 0;
      int64_t max_pixels = 0;
      int32_t timeout_ms = 0;
      bool use_embedded = true;
      in.get(dpi);
      in.get(max_pixels);
      in.get(timeout_ms);
      in.get(use_embedded);
      if (!in.ok()) return bad_request();
      return reply<OcrImage>(pdf.ocr_image(page, dpi, max_pixels, timeout_ms, use_embedded), put_ocr);
    }
    case wire::Op::kRecognize: {
      int32_t dpi = 0;
      int64_t max_pixels = 0;
      ocr::OcrOptions options;
      in.get(dpi);
      in.get(max_pixels);
      wire::get(in, options);
      if (!in.ok()) return bad_request();
      return reply<ocr::OcrPage>(recognize(engine, pdf, page, dpi, max_pixels, options), put_ocr_page);
    }
    case wire::Op::kWatermark: {
      std::string text;
      int64_t max_memory = 0;
      in.get(text);
      in.get(max_memory);
      if (!in.ok() || image) return bad_request();
      return reply<std::string>(
          watermark_pdf_bytes("/proc/self/fd/" + std::to_string(wire::kPdfFd), text, max_memory), put_text);
    }
#ifdef WENKU_RENDER_PROBE
    case wire::Op::kProbe: {
      // Test builds only (wenku-render-helper-probe): sandbox/sandbox_probe.h's list, run here.
      std::string list;
      in.get(list);
      std::istringstream lines(list);
      return reply<std::string>(sandbox::run_probes(lines), put_text);
    }
#endif
    default:
      return bad_request();
  }
}

}  // namespace

int main(int argc, char** argv) {
  OpenLimits limits;
  image::DecodeLimits image_limits;
  bool image = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const int64_t value = std::atoll(argv[i + 1]);
    if (key == "--max-memory-bytes") limits.max_memory_bytes = value;
    if (key == "--max-file-bytes") limits.max_file_bytes = value;
    if (key == "--image-max-pixels") {
      image_limits.max_pixels = value;
      image = true;  // a picture, not a PDF
    }
    if (key == "--image-max-side") image_limits.max_side = static_cast<int>(value);
    if (key == "--image-max-pages") image_limits.max_pages = static_cast<int>(value);
  }
  const int fd = wire::kSocketFd;
  // The parent's descriptor, reopened through /proc (mounted fresh in the box).
  const std::string path = "/proc/self/fd/" + std::to_string(wire::kPdfFd);
  Result<std::unique_ptr<Document>> opened = make_error(ErrorCode::kInternal, "");
  if (image) {
    auto file = image::ImageFile::open_file(path, image_limits, limits.max_file_bytes);
    opened = file.ok() ? Result<std::unique_ptr<Document>>(std::make_unique<ImagePages>(std::move(file).value()))
                       : Result<std::unique_ptr<Document>>(file.take_error());
  } else {
    auto pdf = PdfDocument::open(path, limits);
    opened = pdf.ok() ? Result<std::unique_ptr<Document>>(std::move(pdf).value())
                      : Result<std::unique_ptr<Document>>(pdf.take_error());
  }
  wire::Writer w;
  if (!opened.ok()) {
    wire::put_status(w, &opened.error());
    wire::write_frame(fd, w.take());
    return 0;
  }
  const std::unique_ptr<Document> doc = std::move(opened).value();
  wire::put_status(w, nullptr);
  w.put(static_cast<int32_t>(doc->page_count()));
  if (!wire::write_frame(fd, w.take())) return 0;
  Engine engine;
  std::string request;
  while (wire::read_frame(fd, request) == wire::ReadResult::kOk) {
    if (!wire::write_frame(fd, answer(*doc, image, engine, request))) break;
  }
  return 0;
}
