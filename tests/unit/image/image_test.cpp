// ImageFile on pictures the test makes itself: formats, EXIF orientation, header limits
// (a 30000 x 30000 PNG refused before decoding), TIFF pages counted under a bound.
#include <leptonica/allheaders.h>
#include <webp/encode.h>

#include <chrono>
#include <string>

#include "image/image_file.h"
#include "render/pdf_document.h"
#include "support/test_support.h"

using wenku::ErrorCode;
using wenku::image::ImageFile;
using wenku::image::ImageFormat;
using wenku::image::Raster;

namespace {

// A w x h 8-bit gray picture: black in its left column, white elsewhere; pixel (1,0) mid-gray.
PIX* marked(int w, int h) {
  PIX* pix = pixCreate(w, h, 8);
  pixSetAll(pix);
  for (int y = 0; y < h; ++y) pixSetPixel(pix, 0, y, 0);
  pixSetPixel(pix, 1, 0, 128);
  return pix;
}

std::string png_of(PIX* pix) {
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMemPng(&data, &size, pix, 0);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return out;
}

std::string jpeg_of(PIX* pix) {
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMemJpeg(&data, &size, pix, 95, 0);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return out;
}

// An APP1 Exif segment (big-endian TIFF header, one IFD entry: Orientation) after SOI.
std::string with_orientation(const std::string& jpeg, int orientation) {
  std::string tiff = std::string("MM\0*\0\0\0\x08", 8) + std::string("\0\x01", 2) +  // one entry
                     std::string("\x01\x12\0\x03\0\0\0\x01", 8) + std::string(1, '\0') +
                     std::string(1, static_cast<char>(orientation)) + std::string("\0\0", 2) + std::string(4, '\0');
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  size_t len = payload.size() + 2;
  std::string seg = std::string("\xFF\xE1", 2) + static_cast<char>(len >> 8) + static_cast<char>(len & 0xFF) + payload;
  return jpeg.substr(0, 2) + seg + jpeg.substr(2);
}

}  // namespace

TEST(ImageFile, SniffsFormatsByContent) {
  PIX* pix = marked(8, 4);
  EXPECT_EQ(wenku::image::sniff_format(png_of(pix)), ImageFormat::kPng);
  EXPECT_EQ(wenku::image::sniff_format(jpeg_of(pix)), ImageFormat::kJpeg);
  EXPECT_EQ(wenku::image::sniff_format("GIF89a........"), ImageFormat::kUnknown);
  pixDestroy(&pix);
  EXPECT_TRUE(wenku::image::is_image_format("heic"));
  EXPECT_FALSE(wenku::image::is_image_format("pdf"));
}

TEST(ImageFile, DecodesPngToGray) {
  PIX* pix = marked(40, 20);
  auto f = ImageFile::open(png_of(pix));
  pixDestroy(&pix);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)->page_count(), 1);
  auto r = (*f)->decode_page(0);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->width, 40);
  EXPECT_EQ(r->height, 20);
  EXPECT_EQ(r->channels, 1);
  EXPECT_EQ(r->pixels[0], 0);
  EXPECT_EQ(r->pixels[2], 255);
  EXPECT_EQ((*f)->decode_page(1).error().code, ErrorCode::kInvalidArgument);
}

TEST(ImageFile, JpegExifOrientationTurnsThePhotoUpright) {
  PIX* pix = marked(64, 32);
  std::string jpeg = jpeg_of(pix);
  pixDestroy(&pix);
  EXPECT_EQ(wenku::image::jpeg_exif_orientation(jpeg), 1);
  std::string turned = with_orientation(jpeg, 6);
  EXPECT_EQ(wenku::image::jpeg_exif_orientation(turned), 6);
  auto f = ImageFile::open(turned);
  ASSERT_TRUE(f.ok()) << f.error().message;
  auto r = (*f)->decode_page(0);
  ASSERT_TRUE(r.ok()) << r.error().message;
  // A quarter turn clockwise: 64 x 32 stored, 32 x 64 shown; the black left column is now the top row.
  EXPECT_EQ(r->width, 32);
  EXPECT_EQ(r->height, 64);
  EXPECT_LT(r->pixels[static_cast<size_t>(r->width) / 2], 60);                        // top row dark
  EXPECT_GT(r->pixels[static_cast<size_t>(r->width) * 40 + r->width / 2], 200);      // below it white
}

TEST(ImageFile, ApplyOrientationMapsEveryCase) {
  Raster r;
  r.width = 3;
  r.height = 2;
  r.channels = 1;
  r.pixels = {1, 2, 3, 4, 5, 6};
  using V = std::vector<uint8_t>;
  EXPECT_EQ(wenku::image::apply_orientation(r, 2).pixels, (V{3, 2, 1, 6, 5, 4}));
  EXPECT_EQ(wenku::image::apply_orientation(r, 3).pixels, (V{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(wenku::image::apply_orientation(r, 4).pixels, (V{4, 5, 6, 1, 2, 3}));
  EXPECT_EQ(wenku::image::apply_orientation(r, 5).pixels, (V{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(wenku::image::apply_orientation(r, 6).pixels, (V{4, 1, 5, 2, 6, 3}));
  EXPECT_EQ(wenku::image::apply_orientation(r, 7).pixels, (V{6, 3, 5, 2, 4, 1}));
  EXPECT_EQ(wenku::image::apply_orientation(r, 8).pixels, (V{3, 6, 2, 5, 1, 4}));
}

TEST(ImageFile, HugePngIsRefusedFromItsHeader) {
  // A real PNG whose IHDR is rewritten to 30000 x 30000: refused before any pixel is decoded.
  PIX* pix = marked(8, 8);
  std::string png = png_of(pix);
  pixDestroy(&pix);
  for (int i = 0; i < 2; ++i) {
    const uint32_t v = 30000;
    for (int b = 0; b < 4; ++b) png[16 + static_cast<size_t>(i) * 4 + b] = static_cast<char>((v >> (24 - 8 * b)) & 0xFF);
  }
  auto start = std::chrono::steady_clock::now();
  auto f = ImageFile::open(png);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kTooLarge);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST(ImageFile, TiffPagesAreCountedUnderTheBound) {
  PIXA* pixa = pixaCreate(0);
  for (int i = 0; i < 12; ++i) {
    PIX* p = marked(16 + i, 8);
    PIX* one = pixConvertTo1(p, 128);
    pixaAddPix(pixa, one, L_INSERT);
    pixDestroy(&p);
  }
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixaWriteMemMultipageTiff(&data, &size, pixa), 0);
  std::string tiff(reinterpret_cast<char*>(data), size);
  lept_free(data);
  pixaDestroy(&pixa);
  auto f = ImageFile::open(tiff);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)->format(), ImageFormat::kTiff);
  EXPECT_EQ((*f)->page_count(), 12);
  auto page = (*f)->decode_page(5);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->width, 21);
  wenku::image::DecodeLimits limits;
  limits.max_pages = 10;
  auto refused = ImageFile::open(tiff, limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kTooLarge);
}

TEST(ImageFile, WebpDecodesAndPreviewsAreMade) {
  std::vector<uint8_t> rgb(300 * 200 * 3, 255);
  for (int y = 0; y < 200; ++y) rgb[static_cast<size_t>(y) * 300 * 3] = 0;
  uint8_t* out = nullptr;
  size_t n = WebPEncodeLosslessRGB(rgb.data(), 300, 200, 300 * 3, &out);
  ASSERT_GT(n, 0u);
  std::string webp(reinterpret_cast<char*>(out), n);
  WebPFree(out);
  auto f = ImageFile::open(webp);
  ASSERT_TRUE(f.ok()) << f.error().message;
  auto r = (*f)->decode_page(0);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->width, 300);
  EXPECT_EQ(r->channels, 3);
  wenku::render::RenderOptions ro;
  ro.preview_width = 150;
  ro.thumb_width = 50;
  auto images = wenku::render::encode_page_images(*r, ro);
  ASSERT_TRUE(images.ok()) << images.error().message;
  EXPECT_EQ(images->width, 150);
  EXPECT_EQ(images->height, 100);
  EXPECT_EQ(images->preview_webp.substr(8, 4), "WEBP");
}

TEST(ImageFile, GarbageIsCorruptNotACrash) {
  std::string png = "\x89PNG\r\n\x1A\n" + std::string(100, '\x7f');
  auto f = ImageFile::open(png);
  if (f.ok()) {
    EXPECT_FALSE((*f)->decode_page(0).ok());
  }
  auto tiff = ImageFile::open(std::string("II*\0\x08\0\0\0", 8) + std::string(64, '\xff'));
  if (tiff.ok()) {
    EXPECT_FALSE((*tiff)->decode_page(0).ok());
  }
  EXPECT_EQ(ImageFile::open("not an image").error().code, ErrorCode::kUnsupportedFormat);
}
