// encoder_bench: which codec the page images should use (bench/README.md "Rendering", issue 15).
// Renders each page once with MuPDF at the preview size (800 px wide, as PdfDocument), then
// encodes the same pixels with each candidate and reports CPU ms per page (one core), the median
// bytes per page, and SSIM of the decoded luma against the lossless render (8x8 windows, step 4).
// Usage: encoder_bench PDF...
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <mupdf/fitz.h>
#include <webp/decode.h>
#include <webp/encode.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<unsigned char>;

// CPU time of this thread, so that figures are per core whatever else the machine runs.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

enum class Codec { kWebp, kJpeg };

struct Candidate {
  const char* name;
  Codec codec;
  int quality;
  int webp_method = 0;
  bool jpeg_optimize = false;
};

std::string encode_webp(const unsigned char* rgb, int w, int h, const Candidate& c) {
  WebPConfig config;
  WebPConfigInit(&config);
  config.quality = static_cast<float>(c.quality);
  config.method = c.webp_method;
  WebPPicture pic;
  WebPPictureInit(&pic);
  pic.use_argb = 0;  // as PdfDocument: straight to YUV 4:2:0
  pic.width = w;
  pic.height = h;
  WebPPictureImportRGB(&pic, rgb, w * 3);
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  pic.writer = WebPMemoryWrite;
  pic.custom_ptr = &writer;
  WebPEncode(&config, &pic);
  std::string out(reinterpret_cast<const char*>(writer.mem), writer.size);
  WebPMemoryWriterClear(&writer);
  WebPPictureFree(&pic);
  return out;
}

std::string encode_jpeg(const unsigned char* rgb, int w, int h, const Candidate& c) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buf, &size);
  cinfo.image_width = static_cast<JDIMENSION>(w);
  cinfo.image_height = static_cast<JDIMENSION>(h);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, c.quality, TRUE);
  cinfo.optimize_coding = c.jpeg_optimize ? TRUE : FALSE;
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<unsigned char*>(rgb + static_cast<size_t>(cinfo.next_scanline) * w * 3);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(buf), size);
  free(buf);
  jpeg_destroy_compress(&cinfo);
  return out;
}

Bytes luma(const unsigned char* rgb, size_t pixels) {
  Bytes y(pixels);
  for (size_t i = 0; i < pixels; ++i) {
    y[i] = static_cast<unsigned char>((rgb[3 * i] * 299 + rgb[3 * i + 1] * 587 + rgb[3 * i + 2] * 114 + 500) / 1000);
  }
  return y;
}

Bytes decoded_luma(const std::string& data, Codec codec, int w, int h) {
  if (codec == Codec::kWebp) {
    int dw = 0;
    int dh = 0;
    uint8_t* rgb = WebPDecodeRGB(reinterpret_cast<const uint8_t*>(data.data()), data.size(), &dw, &dh);
    Bytes y = luma(rgb, static_cast<size_t>(dw) * dh);
    WebPFree(rgb);
    return y;
  }
  jpeg_decompress_struct d;
  jpeg_error_mgr err;
  d.err = jpeg_std_error(&err);
  jpeg_create_decompress(&d);
  jpeg_mem_src(&d, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  jpeg_read_header(&d, TRUE);
  d.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&d);
  Bytes y(static_cast<size_t>(w) * h);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = y.data() + static_cast<size_t>(d.output_scanline) * w;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  jpeg_destroy_decompress(&d);
  return y;
}

double ssim(const Bytes& a, const Bytes& b, int w, int h) {
  const double c1 = 6.5025;
  const double c2 = 58.5225;
  double sum = 0;
  int windows = 0;
  for (int by = 0; by + 8 <= h; by += 4) {
    for (int bx = 0; bx + 8 <= w; bx += 4) {
      double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;
      for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x) {
          ma += a[(by + y) * w + bx + x];
          mb += b[(by + y) * w + bx + x];
        }
      }
      ma /= 64;
      mb /= 64;
      for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x) {
          const double p = a[(by + y) * w + bx + x] - ma;
          const double q = b[(by + y) * w + bx + x] - mb;
          va += p * p;
          vb += q * q;
          cov += p * q;
        }
      }
      va /= 63;
      vb /= 63;
      cov /= 63;
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      ++windows;
    }
  }
  return windows > 0 ? sum / windows : 1.0;
}

// MuPDF's fz_try is setjmp: kept in small functions so no caller's local is clobbered.
fz_document* open_pdf(fz_context* ctx, const char* path, int* pages) {
  fz_document* doc = nullptr;
  fz_var(doc);
  fz_try(ctx) {
    doc = fz_open_document(ctx, path);
    *pages = fz_count_pages(ctx, doc);
  }
  fz_catch(ctx) {
    fz_drop_document(ctx, doc);
    doc = nullptr;
  }
  return doc;
}

fz_pixmap* render_preview(fz_context* ctx, fz_document* doc, int index) {
  fz_pixmap* pm = nullptr;
  fz_page* page = nullptr;
  fz_var(pm);
  fz_var(page);
  fz_try(ctx) {
    page = fz_load_page(ctx, doc, index);
    const fz_rect b = fz_bound_page(ctx, page);
    const float scale = std::min(1.5f, 800.0f / (b.x1 - b.x0));  // the preview width, as PdfDocument
    pm = fz_new_pixmap_from_page(ctx, page, fz_scale(scale, scale), fz_device_rgb(ctx), 0);
  }
  fz_always(ctx) { fz_drop_page(ctx, page); }
  fz_catch(ctx) { pm = nullptr; }
  return pm;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: encoder_bench PDF...\n");
    return 2;
  }
  const std::vector<Candidate> candidates = {
      {"webp q75 m0 (today)", Codec::kWebp, 75, 0},
      {"webp q75 m2", Codec::kWebp, 75, 2},
      {"webp q60 m0", Codec::kWebp, 60, 0},
      {"jpeg q75", Codec::kJpeg, 75},
      {"jpeg q75 optimized", Codec::kJpeg, 75, 0, true},
      {"jpeg q50 optimized", Codec::kJpeg, 50, 0, true},
  };
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  fz_register_document_handlers(ctx);
  fz_set_warning_callback(ctx, [](void*, const char*) {}, nullptr);
  fz_set_error_callback(ctx, [](void*, const char*) {}, nullptr);
  std::vector<double> ms(candidates.size());
  std::vector<double> ssim_sum(candidates.size());
  std::vector<std::vector<size_t>> sizes(candidates.size());
  double render_ms = 0;
  int pages = 0;
  for (int a = 1; a < argc; ++a) {
    int count = 0;
    fz_document* doc = open_pdf(ctx, argv[a], &count);
    if (doc == nullptr) continue;
    for (int i = 0; i < count; ++i) {
      const double start = cpu_ms();
      fz_pixmap* pm = render_preview(ctx, doc, i);
      if (pm == nullptr) continue;
      render_ms += cpu_ms() - start;
      const int w = fz_pixmap_width(ctx, pm);
      const int h = fz_pixmap_height(ctx, pm);
      if (fz_pixmap_stride(ctx, pm) != w * 3) {
        fz_drop_pixmap(ctx, pm);
        continue;
      }
      const unsigned char* rgb = fz_pixmap_samples(ctx, pm);
      const Bytes reference = luma(rgb, static_cast<size_t>(w) * h);
      ++pages;
      for (size_t k = 0; k < candidates.size(); ++k) {
        const double t = cpu_ms();
        const std::string out = candidates[k].codec == Codec::kWebp ? encode_webp(rgb, w, h, candidates[k])
                                                                      : encode_jpeg(rgb, w, h, candidates[k]);
        ms[k] += cpu_ms() - t;
        sizes[k].push_back(out.size());
        ssim_sum[k] += ssim(reference, decoded_luma(out, candidates[k].codec, w, h), w, h);
      }
      fz_drop_pixmap(ctx, pm);
    }
    fz_drop_document(ctx, doc);
  }
  if (pages == 0) {
    std::fprintf(stderr, "no page rendered\n");
    return 1;
  }
  std::printf("pages %d, MuPDF render %.1f CPU ms/page (800 px RGB)\n", pages, render_ms / pages);
  for (size_t k = 0; k < candidates.size(); ++k) {
    std::vector<size_t> v = sizes[k];
    std::sort(v.begin(), v.end());
    std::printf("%-22s encode %6.2f CPU ms/page (%.2fx today's)  median %6.1f KB  SSIM %.4f\n", candidates[k].name,
                ms[k] / pages, ms[0] / ms[k], static_cast<double>(v[v.size() / 2]) / 1024.0, ssim_sum[k] / pages);
  }
  fz_drop_context(ctx);
  return 0;
}
