// Watermarks: a line of text (CJK or Latin) tiled diagonally and semi-transparent over a page
// image or a PDF page, drawn by MuPDF with its CJK font.
#pragma once

#include <string>

#include "core/result.h"
#include "image/raster.h"

namespace wenku::render {

// The watermark's colour (a seal red, far from black text and white paper) and opacity.
inline constexpr float kWatermarkRgb[3] = {0.78f, 0.12f, 0.12f};
inline constexpr float kWatermarkAlpha = 0.22f;

// Draws `text` over `page` in place (gray or RGB). Errors: kInvalidArgument (empty raster),
// kInternal (MuPDF).
Result<void> watermark_raster(image::Raster& page, const std::string& text);

// Writes a copy of the PDF `in` to `out` with `text` drawn over every page (a new PDF: the
// pages run through MuPDF's PDF writer). Errors: kEncrypted, kCorrupt, kTooLarge, kIo.
Result<void> watermark_pdf(const std::string& in, const std::string& out, const std::string& text,
                           int64_t max_memory_bytes);
// The same copy in memory (what the render helper sends back from its box, boxed_document.h).
Result<std::string> watermark_pdf_bytes(const std::string& in, const std::string& text, int64_t max_memory_bytes);

}  // namespace wenku::render
