// The watermarked PDF copy of a document, made once per text and stored (watermarks.h).
#include "library/watermarks.h"

#include <filesystem>
#include <fstream>

#include "blob/blob_store.h"
#include "core/hash.h"
#include "core/log.h"
#include "library/data_dir.h"
#include "library/site_settings.h"
#include "render/boxed_document.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKind = "watermark_pdf";

std::string hash_of_file(const fs::path& p) {
  Sha256 h;
  std::ifstream in(p, std::ios::binary);
  std::string buf(65536, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return h.hex();
}

}  // namespace

Result<std::optional<DownloadCopy>> Watermarks::download_copy(const Document& doc) {
  const SiteConfig site = site_.config();
  if (!site.watermark_pdf_download) return std::optional<DownloadCopy>();
  const std::string text = watermark_for(site, doc.id);
  const std::string source = doc.format == "pdf" ? doc.blob_key : doc.pdf_key;
  if (text.empty() || source.empty()) return std::optional<DownloadCopy>();
  // What the copy depends on: its source file and its text.
  const std::string params = source + "\n" + text;
  auto found = [&](const store::Derivative& d) {
    return std::optional<DownloadCopy>(DownloadCopy{d.blob_key, d.size, "\"wm-" + d.blob_key.substr(0, 32) + "\""});
  };
  WENKU_ASSIGN_OR_RETURN(auto have, store_.get_derivative(doc.id, kKind));
  if (have && have->params == params) return found(*have);

  std::lock_guard lock(making_);
  WENKU_ASSIGN_OR_RETURN(have, store_.get_derivative(doc.id, kKind));  // made while we waited
  if (have && have->params == params) return found(*have);
  WENKU_ASSIGN_OR_RETURN(fs::path pdf, blobs_.local_path(source, scratch_.path()));
  fs::path out = scratch_.new_file(".pdf");
  // MuPDF makes the copy in the render helper's box (the data directory, above DATA/tmp/NAME,
  // hidden): a PDF that crashes or hangs it fails this copy, not the server.
  render::BoxOptions box;
  box.hidden_dirs = {scratch_.path().parent_path().parent_path()};
  auto made = render::boxed_watermark_pdf(pdf, out, text, settings_.get_int("render_memory_mb") << 20, box);
  if (!made.ok()) {
    std::error_code ec;
    fs::remove(out, ec);
    log::warn("watermark_pdf_failed document={} error={}", doc.id, made.error().message);
    return made.error();
  }
  std::error_code ec;
  const auto size = static_cast<int64_t>(fs::file_size(out, ec));
  if (ec) return make_error(ErrorCode::kIo, "watermarked PDF: " + ec.message());
  WENKU_ASSIGN_OR_RETURN(auto key, blobs_.put_file(out, hash_of_file(out)));
  store::Derivative d{kKind, params, key, size};
  WENKU_TRY(store_.put_derivative(doc.id, d));
  // The copy made with an earlier text is no longer named by any row.
  if (have && have->blob_key != key) {
    auto used = store_.is_blob_referenced(have->blob_key);
    if (used.ok() && !*used) (void)blobs_.remove(have->blob_key);
  }
  log::info("watermark_pdf_made document={} bytes={}", doc.id, size);
  return found(d);
}

}  // namespace wenku::library
