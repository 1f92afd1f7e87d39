// MuPDF probe for PDF passwords: a custom fz_stream reads from the ByteSource.
#include "detect/pdf_probe.h"

extern "C" {
#include <mupdf/fitz.h>
}

#include <cstring>
#include <string>

namespace wenku::detect {
namespace {

struct StreamState {
  const ByteSource* src;
  uint64_t pos;
  unsigned char buf[16384];
};

int next_chunk(fz_context*, fz_stream* stm, size_t) {
  auto* s = static_cast<StreamState*>(stm->state);
  size_t n = s->src->read_at(s->pos, s->buf, sizeof(s->buf));
  s->pos += n;
  stm->rp = s->buf;
  stm->wp = s->buf + n;
  stm->pos = static_cast<int64_t>(s->pos);
  if (n == 0) return EOF;
  return *stm->rp++;
}

void seek_to(fz_context*, fz_stream* stm, int64_t offset, int whence) {
  auto* s = static_cast<StreamState*>(stm->state);
  int64_t size = static_cast<int64_t>(s->src->size());
  int64_t np = whence == SEEK_END ? size + offset : offset;  // fz_seek turns SEEK_CUR into SEEK_SET
  if (np < 0) np = 0;
  if (np > size) np = size;
  s->pos = static_cast<uint64_t>(np);
  stm->pos = np;
  stm->rp = stm->wp = s->buf;
}

void drop_state(fz_context* ctx, void* state) { fz_free(ctx, state); }

void quiet(void*, const char*) {}

}  // namespace

PdfPassword probe_pdf_password(const ByteSource& src) {
  fz_context* ctx = fz_new_context(nullptr, nullptr, 16 << 20);
  if (ctx == nullptr) return PdfPassword::kNone;
  fz_set_warning_callback(ctx, quiet, nullptr);
  fz_set_error_callback(ctx, quiet, nullptr);
  PdfPassword result = PdfPassword::kNone;
  fz_stream* volatile stm = nullptr;
  fz_document* volatile doc = nullptr;
  std::string message;
  fz_try(ctx) {
    fz_register_document_handlers(ctx);
    auto* st = static_cast<StreamState*>(fz_calloc(ctx, 1, sizeof(StreamState)));
    st->src = &src;
    stm = fz_new_stream(ctx, st, next_chunk, drop_state);
    stm->seek = seek_to;
    doc = fz_open_document_with_stream(ctx, "application/pdf", stm);
    if (fz_needs_password(ctx, doc)) result = PdfPassword::kNeeded;
  }
  fz_catch(ctx) {
    const char* m = fz_caught_message(ctx);
    std::string msg = m ? m : "";
    if (msg.find("security handler") != std::string::npos || msg.find("encryption") != std::string::npos ||
        msg.find("crypt") != std::string::npos)
      result = PdfPassword::kUnsupportedHandler;
  }
  fz_drop_document(ctx, doc);
  fz_drop_stream(ctx, stm);
  fz_drop_context(ctx);
  return result;
}

}  // namespace wenku::detect
