// Internal to render: the MuPDF drawing of a watermark, shared by page images and PDFs.
#pragma once

#include <mupdf/fitz.h>

#include <string>

namespace wenku::render::detail {

// Draws `text` tiled diagonally over `area` (device space, y down) into `dev`. Throws MuPDF
// errors: call inside fz_try. An empty text draws nothing.
void draw_watermark(fz_context* ctx, fz_device* dev, fz_rect area, const std::string& text);

}  // namespace wenku::render::detail
