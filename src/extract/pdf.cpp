// PDF text through MuPDF's structured text, page by page, in a context of its own per call.
extern "C" {
#include <mupdf/fitz.h>
}

#include "extract/internal.h"
#include "extract/pdf_text.h"

namespace wenku::extract {
namespace {

void quiet(void*, const char*) {}

struct Context {
  fz_context* ctx = fz_new_context(nullptr, nullptr, 64 << 20);
  ~Context() {
    if (ctx) fz_drop_context(ctx);
  }
};

// One page's structured text, or null when the page cannot be read. The setjmp of fz_try
// lives in this small frame, away from the caller's locals.
fz_stext_page* page_stext(fz_context* ctx, fz_document* doc, int i, const fz_stext_options* opts) {
  fz_page* volatile page = nullptr;
  fz_stext_page* volatile st = nullptr;
  fz_try(ctx) {
    page = fz_load_page(ctx, doc, i);
    st = fz_new_stext_page_from_page(ctx, page, opts);
  }
  fz_always(ctx) {
    fz_drop_page(ctx, page);
  }
  fz_catch(ctx) {
    return nullptr;
  }
  return st;
}

// Opens the document and counts its pages; the setjmp of fz_try stays in this small frame.
fz_document* open_document(fz_context* ctx, const char* path, char* message, size_t message_size, int* pages,
                           bool* needs_password) {
  fz_document* volatile doc = nullptr;
  fz_try(ctx) {
    fz_register_document_handlers(ctx);
    doc = fz_open_document(ctx, path);
    if (fz_needs_password(ctx, doc)) *needs_password = true;
    else *pages = fz_count_pages(ctx, doc);
  }
  fz_catch(ctx) {
    const char* m = fz_caught_message(ctx);
    snprintf(message, message_size, "%s", m ? m : "");
  }
  return doc;
}

void lookup_title(fz_context* ctx, fz_document* doc, char* title, int size) {
  fz_try(ctx) {
    if (fz_lookup_metadata(ctx, doc, FZ_META_INFO_TITLE, title, size) < 0) title[0] = '\0';
  }
  fz_catch(ctx) {
    title[0] = '\0';
  }
}

}  // namespace

Result<ExtractedText> extract_pdf_text(const std::filesystem::path& pdf, const ExtractLimits& limits) {
  Context c;
  fz_context* ctx = c.ctx;
  if (ctx == nullptr) return make_error(ErrorCode::kInternal, "MuPDF context");
  fz_set_warning_callback(ctx, quiet, nullptr);
  fz_set_error_callback(ctx, quiet, nullptr);
  const std::string path = pdf.string();
  char message[256] = {0};
  int pages = 0;
  bool needs_password = false;
  fz_document* doc = open_document(ctx, path.c_str(), message, sizeof(message), &pages, &needs_password);
  struct DocGuard {
    fz_context* ctx;
    fz_document* doc;
    ~DocGuard() {
      fz_drop_document(ctx, doc);
      fz_empty_store(ctx);
    }
  } guard{ctx, doc};
  if (doc == nullptr || message[0] != '\0') {
    std::string m(message);
    if (m.find("security handler") != std::string::npos || m.find("crypt") != std::string::npos)
      return keyed_error(ErrorCode::kEncrypted, "detect.encrypted_needs_password");
    return detail::corrupt_part("PDF", m.empty() ? "cannot open" : m);
  }
  if (needs_password) return keyed_error(ErrorCode::kEncrypted, "detect.encrypted_needs_password");
  if (pages > limits.max_pages)
    return keyed_error(ErrorCode::kTooLarge, "extract.pdf_too_many_pages", {{"pages", std::to_string(pages)}});
  if (pages <= 0) return detail::corrupt_part("PDF", "no pages");

  ExtractedText t;
  t.paged = true;
  uint64_t total = 0;
  int failed = 0;
  fz_stext_options opts{};
  opts.flags = FZ_STEXT_MEDIABOX_CLIP | FZ_STEXT_DEHYPHENATE;
  for (int i = 0; i < pages; ++i) {
    fz_stext_page* st = page_stext(ctx, doc, i, &opts);
    if (st == nullptr) ++failed;
    std::string clean;
    if (st != nullptr) {
      clean = paragraph_text(st);
      fz_drop_stext_page(ctx, st);
    }
    while (!clean.empty() && (clean.back() == '\n' || clean.back() == ' ')) clean.pop_back();
    total += clean.size();
    if (total > limits.max_text_bytes) return detail::too_large_text();
    t.pages.push_back(sanitize_utf8(clean));
  }
  if (failed == pages) return detail::corrupt_part("PDF", "no page could be read");
  char title[512] = {0};
  lookup_title(ctx, doc, title, sizeof(title));
  t.title = trim(sanitize_utf8(title));
  return t;
}

}  // namespace wenku::extract
