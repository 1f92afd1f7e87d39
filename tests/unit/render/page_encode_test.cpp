// The page images' YUV import and thumbnail filter (render/page_encode.h) against libwebp's own.
#include "render/page_encode.h"

#include <gtest/gtest.h>
#include <webp/encode.h>

#include <cstdint>
#include <vector>

namespace wenku::render::detail {
namespace {

struct Rgb {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> px;
  void set(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
    uint8_t* p = &px[(static_cast<size_t>(y) * width + x) * 3];
    p[0] = r;
    p[1] = g;
    p[2] = b;
  }
};

// A gray page (white, a gradient, black "text") with colour where asked.
Rgb gray_page(int width, int height) {
  Rgb img{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3, 255)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const auto v = static_cast<uint8_t>(y % 7 == 3 && x % 3 != 0 ? 0 : 255 - (x * 5 + y * 3) % 200);
      img.set(x, y, v, v, v);
    }
  }
  return img;
}

void expect_same_planes(const WebPPicture& a, const WebPPicture& b) {
  ASSERT_EQ(a.width, b.width);
  ASSERT_EQ(a.height, b.height);
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      ASSERT_EQ(a.y[y * a.y_stride + x], b.y[y * b.y_stride + x]) << "luma at " << x << "," << y;
    }
  }
  for (int y = 0; y < (a.height + 1) / 2; ++y) {
    for (int x = 0; x < (a.width + 1) / 2; ++x) {
      ASSERT_EQ(a.u[y * a.uv_stride + x], b.u[y * b.uv_stride + x]) << "U at " << x << "," << y;
      ASSERT_EQ(a.v[y * a.uv_stride + x], b.v[y * b.uv_stride + x]) << "V at " << x << "," << y;
    }
  }
}

void expect_like_libwebp(const Rgb& img) {
  WebPPicture ours;
  WebPPicture theirs;
  ASSERT_TRUE(WebPPictureInit(&ours));
  ASSERT_TRUE(WebPPictureInit(&theirs));
  ASSERT_TRUE(import_yuv420(&ours, img.px.data(), img.width, img.height, img.width * 3, 3));
  theirs.use_argb = 0;
  theirs.width = img.width;
  theirs.height = img.height;
  ASSERT_TRUE(WebPPictureImportRGB(&theirs, img.px.data(), img.width * 3));
  expect_same_planes(ours, theirs);
  WebPPictureFree(&ours);
  WebPPictureFree(&theirs);
}

TEST(PageEncode, ImportOfGrayPageEqualsLibwebps) { expect_like_libwebp(gray_page(37, 51)); }

TEST(PageEncode, ImportWithColourBandsEqualsLibwebps) {
  Rgb img = gray_page(37, 51);
  for (int y = 10; y < 14; ++y) {
    for (int x = 5; x < 30; ++x) img.set(x, y, 200, 30, 40);  // a seal-red band on even rows
  }
  img.set(3, 21, 0, 0, 255);   // one blue pixel on an odd row, 8 gray rows after the band
  img.set(20, 41, 10, 200, 10);  // and one far below it
  img.set(36, 50, 1, 2, 3);    // the last (odd, single) row
  expect_like_libwebp(img);
}

TEST(PageEncode, ImportOfColourPageEqualsLibwebps) {
  Rgb img{40, 30, std::vector<uint8_t>(40 * 30 * 3)};
  for (size_t i = 0; i < img.px.size(); ++i) img.px[i] = static_cast<uint8_t>(i * 37 % 251);
  expect_like_libwebp(img);
}

TEST(PageEncode, GrayRasterImportsAsItsRgbWidening) {
  const Rgb rgb = gray_page(33, 20);
  std::vector<uint8_t> gray(static_cast<size_t>(33) * 20);
  for (size_t i = 0; i < gray.size(); ++i) gray[i] = rgb.px[i * 3];
  WebPPicture from_gray;
  WebPPicture from_rgb;
  ASSERT_TRUE(WebPPictureInit(&from_gray));
  ASSERT_TRUE(WebPPictureInit(&from_rgb));
  ASSERT_TRUE(import_yuv420(&from_gray, gray.data(), 33, 20, 33, 1));
  ASSERT_TRUE(import_yuv420(&from_rgb, rgb.px.data(), 33, 20, 33 * 3, 3));
  expect_same_planes(from_gray, from_rgb);
  WebPPictureFree(&from_gray);
  WebPPictureFree(&from_rgb);
}

TEST(PageEncode, ShrinkAveragesEachBlockAndKeepsFlatAreas) {
  // Left half a 0/255 checkerboard, right half flat 90; shrunk 4x: 128-ish and 90.
  Rgb img{64, 32, std::vector<uint8_t>(64 * 32 * 3)};
  for (int y = 0; y < 32; ++y) {
    for (int x = 0; x < 64; ++x) {
      const auto v = static_cast<uint8_t>(x < 32 ? ((x + y) % 2) * 255 : 90);
      img.set(x, y, v, v, v);
    }
  }
  WebPPicture big;
  WebPPicture small;
  ASSERT_TRUE(WebPPictureInit(&big));
  ASSERT_TRUE(WebPPictureInit(&small));
  ASSERT_TRUE(import_yuv420(&big, img.px.data(), 64, 32, 64 * 3, 3));
  ASSERT_TRUE(shrink_yuv420(big, &small, 16, 8));
  ASSERT_EQ(small.width, 16);
  ASSERT_EQ(small.height, 8);
  const int checker = (big.y[0] + big.y[1] + 1) / 2;  // the mean of a black and a white luma
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 16; ++x) {
      const int expected = x < 8 ? checker : big.y[y * 4 * big.y_stride + 40];
      EXPECT_NEAR(small.y[y * small.y_stride + x], expected, 1) << x << "," << y;
    }
  }
  for (int i = 0; i < 4 * 8; ++i) EXPECT_EQ(small.u[(i / 8) * small.uv_stride + i % 8], 128);
  EXPECT_FALSE(shrink_yuv420(small, &big, 32, 16));  // never enlarges
  WebPPictureFree(&big);
  WebPPictureFree(&small);
}

}  // namespace
}  // namespace wenku::render::detail
