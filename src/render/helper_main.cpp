// wenku-render-helper: opens one PDF with MuPDF (render::PdfDocument) and answers the requests
// of its BoxedDocument over fd 3 (helper_protocol.h) until that socket closes. The PDF is fd 4,
// opened read-only by the parent.
//
// Run only by BoxedDocument, already sandboxed (sandbox/sandbox.h: no network, nothing writable,
// the data directory hidden, rlimits).
// Usage: wenku-render-helper --max-memory-bytes N --max-file-bytes N
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "render/helper_protocol.h"
#include "render/pdf_document.h"
#ifdef WENKU_RENDER_PROBE
#include <csignal>
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

std::string bad_request() {
  wire::Writer w;
  Error e = keyed_error(ErrorCode::kInternal, "pdf.malformed_request_render_helper");
  wire::put_status(w, &e);
  return w.take();
}

std::string answer(const PdfDocument& pdf, const std::string& request) {
  wire::Reader in(request);
  uint8_t op = 0;
  int32_t page = 0;
  in.get(op);
  in.get(page);
  if (!in.ok()) return bad_request();
#ifdef WENKU_RENDER_PROBE
  // Test builds only: a page whose text says WENKU-CRASH-PROBE crashes the helper, as a
  // MuPDF bug would (tests/integration/test_render_box.py).
  if (auto text = pdf.page_text(page); text.ok() && text->find("WENKU-CRASH-PROBE") != std::string::npos) {
    std::raise(SIGSEGV);
  }
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
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--max-memory-bytes") limits.max_memory_bytes = std::atoll(argv[i + 1]);
    if (key == "--max-file-bytes") limits.max_file_bytes = std::atoll(argv[i + 1]);
  }
  const int fd = wire::kSocketFd;
  // The parent's descriptor, reopened by MuPDF through /proc (mounted fresh in the box).
  auto opened = PdfDocument::open("/proc/self/fd/" + std::to_string(wire::kPdfFd), limits);
  wire::Writer w;
  if (!opened.ok()) {
    wire::put_status(w, &opened.error());
    wire::write_frame(fd, w.take());
    return 0;
  }
  const std::unique_ptr<PdfDocument> pdf = std::move(opened).value();
  wire::put_status(w, nullptr);
  w.put(static_cast<int32_t>(pdf->page_count()));
  if (!wire::write_frame(fd, w.take())) return 0;
  std::string request;
  while (wire::read_frame(fd, request) == wire::ReadResult::kOk) {
    if (!wire::write_frame(fd, answer(*pdf, request))) break;
  }
  return 0;
}
