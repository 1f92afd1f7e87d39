// Page pixels -> the WebP preview and thumbnail (internal to render): a YUV 4:2:0 import that
// skips libwebp's colour conversion on gray rows, and a box-filtered thumbnail scaled from the
// preview's own planes. Cost and checks: bench/README.md "Rendering" (issue 15).
#pragma once

#include <webp/encode.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "render/pdf_document.h"

namespace wenku::render::detail {

// Fills `picture` (use_argb 0, YUV 4:2:0, width x height) from 8-bit rows of `channels` (1 gray,
// 3 RGB) samples, `stride` bytes apart. The planes equal WebPPictureImportRGB's for the same
// pixels (gray widened to RGB): pairs of rows without colour take their luma from a table built
// by libwebp itself and chroma 128, the other rows go through libwebp in bands.
// False when memory runs out (the picture is then freed).
bool import_yuv420(WebPPicture* picture, const uint8_t* pixels, int width, int height, ptrdiff_t stride,
                   int channels);

// `to` (allocated here, YUV 4:2:0, width x height, smaller than `from`) as the box-filtered
// (area mean) planes of `from`. False when memory runs out or a size is unusable.
bool shrink_yuv420(const WebPPicture& from, WebPPicture* to, int width, int height);

// One WebP image of `picture`. Errors: kInternal.
Result<std::string> encode_webp(WebPPicture* picture, int quality, int method);

// The preview (`preview`, already at its size) and a thumbnail options.thumb_width wide shrunk
// from it, encoded; fills images.preview_webp, thumb_webp, width and height. `preview` stays the
// caller's to free. Errors: kTooLarge (memory), kInternal.
Result<void> encode_preview_and_thumb(WebPPicture* preview, const RenderOptions& options, PageImages& images);

}  // namespace wenku::render::detail
