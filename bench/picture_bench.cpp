// picture_bench: previews of uploaded pictures (JPEG, PNG, TIFF, WebP, HEIC) made in-process
// (image::ImageFile + render::encode_page_images) against the boxed render helper
// (BoxedDocument with BoxOptions::Kind::kImage, one helper per picture, as the pipeline now
// makes them), interleaved picture by picture so a loaded machine's drift hits both alike.
// Usage: picture_bench [--repeat N] IMAGE...
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "image/image_file.h"
#include "render/boxed_document.h"
#include "render/pdf_document.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A picture read in this process, shaped as a Document is for the loop below.
struct LocalPicture {
  std::unique_ptr<wenku::image::ImageFile> file;
  int page_count() const { return file->page_count(); }
  wenku::Result<wenku::render::PageImages> render_page(int i, const wenku::render::RenderOptions& o) const {
    WENKU_ASSIGN_OR_RETURN(auto raster, file->decode_page(i));
    return wenku::render::encode_page_images(raster, o);
  }
};

wenku::Result<std::unique_ptr<LocalPicture>> open_local(const fs::path& p) {
  WENKU_ASSIGN_OR_RETURN(auto file, wenku::image::ImageFile::open_file(p.string()));
  return std::make_unique<LocalPicture>(LocalPicture{std::move(file)});
}

wenku::Result<std::unique_ptr<wenku::render::BoxedDocument>> open_boxed(const fs::path& p) {
  wenku::render::BoxOptions box;
  box.kind = wenku::render::BoxOptions::Kind::kImage;
  wenku::render::OpenLimits limits;
  limits.max_file_bytes = 512LL << 20;  // as image::ImageFile::open_file
  return wenku::render::BoxedDocument::open(p, limits, box);
}

struct Tally {
  int pages = 0, failed = 0, opens = 0;
  size_t bytes = 0;
  double seconds = 0, open_ms = 0;
};

template <class Open>
void one(Tally& t, Open open, const fs::path& p) {
  auto o0 = Clock::now();
  auto doc = open(p);
  t.open_ms += std::chrono::duration<double, std::milli>(Clock::now() - o0).count();
  ++t.opens;
  if (doc.ok()) {
    for (int i = 0; i < (*doc)->page_count(); ++i) {
      auto img = (*doc)->render_page(i, {});
      if (!img.ok()) {
        ++t.failed;
        continue;
      }
      t.bytes += img->preview_webp.size() + img->thumb_webp.size();
      ++t.pages;
    }
  } else {
    ++t.failed;
  }
  t.seconds += std::chrono::duration<double>(Clock::now() - o0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 1;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else files.emplace_back(a);
  }
  Tally local, boxed;
  for (int r = 0; r < repeat; ++r) {
    for (const auto& p : files) {
      if (r % 2 == 0) {
        one(local, open_local, p);
        one(boxed, open_boxed, p);
      } else {
        one(boxed, open_boxed, p);
        one(local, open_local, p);
      }
    }
  }
  for (auto [name, t] : {std::pair{"in-process", &local}, std::pair{"boxed", &boxed}}) {
    std::printf("engine=%s previews=%d failed=%d seconds=%.2f previews_per_s=%.1f kb_per_preview=%.1f open_ms=%.1f\n",
                name, t->pages, t->failed, t->seconds, t->pages / t->seconds,
                static_cast<double>(t->bytes) / 1024.0 / std::max(t->pages, 1), t->open_ms / std::max(t->opens, 1));
  }
  const double start_ms = boxed.open_ms / std::max(boxed.opens, 1) - local.open_ms / std::max(local.opens, 1);
  const double local_after = local.seconds - local.open_ms / 1000;
  const double boxed_after = boxed.seconds - boxed.open_ms / 1000;
  std::printf("boxed/in-process previews_per_s_ratio=%.2f after_open_ratio=%.2f start_cost_ms_per_picture=%.1f\n",
              (boxed.pages / boxed.seconds) / std::max(local.pages / local.seconds, 1e-9),
              (boxed.pages / std::max(boxed_after, 1e-9)) / std::max(local.pages / std::max(local_after, 1e-9), 1e-9),
              start_ms);
  return 0;
}
