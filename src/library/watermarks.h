// Watermarks: the watermarked PDF copy a download serves when the site asks for one
// (watermark_pdf_download with a watermark_text). Made once per document and text from the
// document's PDF (the original or its conversion), stored as a blob with a `derivatives`
// row, and made again only when the text changes. The page images' watermark is drawn by
// the pipeline (render_pages); this service owns the download side. May call: store, blob,
// render, site settings.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/settings.h"
#include "library/types.h"

namespace wenku::blob {
class BlobStore;
}

namespace wenku::library {

class ScratchDir;
class SiteSettings;

// The file a download serves in place of the original.
struct DownloadCopy {
  std::string blob_key;
  int64_t size = 0;
  std::string etag;  // of this copy (not the original's)
};

class Watermarks {
 public:
  Watermarks(const Settings& settings, store::MetadataStore& store, blob::BlobStore& blobs, ScratchDir& scratch,
             SiteSettings& site)
      : settings_(settings), store_(store), blobs_(blobs), scratch_(scratch), site_(site) {}

  // The watermarked PDF to serve for `doc`, made now when missing or made with another text;
  // nullopt when downloads are the original (the setting is off, there is no watermark
  // text, or the document has no PDF). Errors: kCorrupt, kTooLarge, kIo.
  Result<std::optional<DownloadCopy>> download_copy(const Document& doc);

 private:
  const Settings& settings_;
  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  ScratchDir& scratch_;
  SiteSettings& site_;
  std::mutex making_;  // one copy made at a time (each holds a PDF in memory)
};

}  // namespace wenku::library
