// BoxedDocument: a PDF read by MuPDF in a sandboxed helper process (wenku-render-helper), one
// helper per open document, confined like the converter's helpers (sandbox/sandbox.h: bubblewrap,
// seccomp, rlimits). A helper that crashes fails its document with the reason, never the
// caller's process; one that outlives a request's time limit is killed (kTimeout).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/image_file.h"
#include "ocr/ocr_engine.h"
#include "render/pdf_document.h"

namespace wenku::render {

struct BoxOptions {
  // What the helper opens: a PDF (MuPDF), or a picture (image::ImageFile: JPEG, PNG, TIFF pages,
  // WebP, HEIC) whose pages it decodes, previews (render_page: the picture scaled, no text) and
  // hands to OCR (ocr_image, recognize). The decoders and Tesseract run in the box either way.
  enum class Kind { kPdf, kImage };
  Kind kind = Kind::kPdf;
  image::DecodeLimits image_limits;  // kImage: pixels, side, pages
  // The helper executable; empty = $WENKU_RENDER_HELPER, else `wenku-render-helper` next to
  // the running executable.
  std::filesystem::path helper_path;
  // Directories the helper must not see besides the always hidden ones (the data directory).
  std::vector<std::filesystem::path> hidden_dirs;
  // RLIMIT_CPU of one helper, i.e. of one open document (seconds).
  int cpu_seconds = 1800;
  // Address space of a helper beyond OpenLimits::max_memory_bytes (libraries, WebP encoder).
  int64_t extra_memory_bytes = 1LL << 30;
  // Added to a request's own time limit before the helper is killed (its watchdog answers
  // kTimeout itself when MuPDF checks its cookie; this catches what does not).
  int grace_ms = 5'000;
  // Time limit of opening the PDF (the page tree) in the helper.
  int open_timeout_ms = 60'000;
};

class BoxedDocument final : public Document {
 public:
  // Starts a helper for `pdf` (opened here read-only and handed over as a descriptor: the
  // helper sees no path of ours). Errors: those of PdfDocument::open; kUnavailable when the
  // box does not start (and neither WENKU_RENDER_SANDBOX=none nor WENKU_CONVERT_SANDBOX=none
  // is set) or the helper cannot be started; kCorrupt when the helper crashes on the file;
  // kTimeout past open_timeout_ms.
  static Result<std::unique_ptr<BoxedDocument>> open(const std::filesystem::path& pdf,
                                                     const OpenLimits& limits = {},
                                                     const BoxOptions& box = {});
  ~BoxedDocument() override;
  BoxedDocument(const BoxedDocument&) = delete;
  BoxedDocument& operator=(const BoxedDocument&) = delete;

  int page_count() const override { return pages_; }
  Result<std::string> page_text(int page_index) const override;
  Result<PageImages> render_page(int page_index, const RenderOptions& options) const override;
  Result<OcrImage> ocr_image(int page_index, int render_dpi, int64_t max_pixels, int timeout_ms = 20'000,
                             bool use_embedded = true) const override;
  Result<std::vector<std::string>> page_fonts(int page_index) const override;
  bool failed() const override { return dead_.has_value(); }

  // The text of page `page_index` read by OCR inside the helper: its ocr_image(render_dpi,
  // max_pixels) given to an ocr::OcrEngine made with `options` (made on the first call, kept for
  // the document's later pages). The wall-clock limit is twice the image's 20 s, four times the
  // engine's timeout_ms (its CPU limit) and grace_ms. Errors: those of ocr_image and
  // OcrEngine::recognize/create; kCorrupt when the helper crashes; kTimeout.
  Result<ocr::OcrPage> recognize(int page_index, const ocr::OcrOptions& options, int render_dpi,
                                 int64_t max_pixels) const;
  // A copy of the PDF with `text` drawn over every page (render::watermark_pdf, in the box,
  // under a MuPDF budget of `max_memory_bytes`): the new PDF's bytes. Errors: as watermark_pdf,
  // kCorrupt when the helper crashes, kTimeout past `timeout_ms`.
  Result<std::string> watermark_pdf(const std::string& text, int64_t max_memory_bytes, int timeout_ms) const;

  // For tests: the helper's process (bwrap's, when boxed); -1 when none runs.
  pid_t helper_pid() const { return pid_; }
  // For tests with wenku-render-helper-probe: runs a sandbox_probe.h list inside the box.
  Result<std::string> probe(const std::string& list) const;

 private:
  BoxedDocument(int pdf_fd, OpenLimits limits, BoxOptions box);
  Result<void> spawn() const;  // starts the helper and reads its open reply
  // Kills the helper and waits for it; `let_it_end`: give one whose socket closed half a second
  // to end by itself first, so its own exit status (a signal) is what is reported.
  void reap(bool let_it_end = false) const;
  std::string how_it_ended() const;
  bool is_image() const { return box_.kind == BoxOptions::Kind::kImage; }
  // The helper as errors name it: "PDF 渲染进程" / "PDF render helper", or the image one.
  // Sends one request and returns the reply's payload after its status.
  Result<std::string> call(const std::string& request, int timeout_ms) const;

  int pdf_fd_;
  OpenLimits limits_;
  BoxOptions box_;
  std::filesystem::path helper_;
  mutable int pages_ = 0;
  mutable pid_t pid_ = -1;
  mutable int fd_ = -1;
  mutable int exit_status_ = 0;
  mutable int restarts_ = 0;
  mutable std::optional<Error> dead_;  // set when the helper crashed: every call fails so
};

// How the library pipeline opens a PDF (or, with box.kind kImage, a picture): BoxedDocument::open,
// as the Document interface.
Result<std::unique_ptr<Document>> open_document(const std::filesystem::path& pdf, const OpenLimits& limits,
                                                const BoxOptions& box);

// render::watermark_pdf run in the box: the copy is made by the helper and written to `out` here.
// A helper that crashes or hangs fails this copy only (kCorrupt, kTimeout after `timeout_ms`).
Result<void> boxed_watermark_pdf(const std::filesystem::path& in, const std::filesystem::path& out,
                                 const std::string& text, int64_t max_memory_bytes, const BoxOptions& box,
                                 int timeout_ms = 600'000);

}  // namespace wenku::render
