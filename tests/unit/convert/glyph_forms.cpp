// Glyph-outline comparison between a PDF's embedded CJK glyphs and the installed SC/JP faces.
#include "glyph_forms.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <mupdf/fitz.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace wenku::testing {

namespace {

struct Use {
  fz_font* font;
  int gid;
};

struct CollectDevice {
  fz_device super;
  std::map<int, Use>* uses;  // ucs -> first use
};

void collect_text(fz_context* ctx, fz_device* dev, const fz_text* text) {
  auto* self = reinterpret_cast<CollectDevice*>(dev);
  for (fz_text_span* span = text->head; span != nullptr; span = span->next) {
    for (int i = 0; i < span->len; ++i) {
      int ucs = span->items[i].ucs;
      int gid = span->items[i].gid;
      if (ucs >= 0x4E00 && ucs <= 0x9FFF && gid >= 0 && !self->uses->count(ucs)) {
        (*self->uses)[ucs] = Use{fz_keep_font(ctx, span->font), gid};
      }
    }
  }
}

void fill_text(fz_context* ctx, fz_device* dev, const fz_text* text, fz_matrix, fz_colorspace*,
               const float*, float, fz_color_params) {
  collect_text(ctx, dev, text);
}

// Points and contours of a glyph, unscaled: equal for the same design, different otherwise.
std::vector<long> outline_signature(FT_Face face, unsigned gid) {
  if (FT_Load_Glyph(face, gid, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING) != 0) return {};
  const FT_Outline& o = face->glyph->outline;
  std::vector<long> sig = {o.n_contours, o.n_points};
  for (int i = 0; i < o.n_points; ++i) {
    sig.push_back(o.points[i].x);
    sig.push_back(o.points[i].y);
  }
  return sig;
}

bool fc_match(const std::string& family, std::string* file, int* index) {
  std::string cmd = "fc-match -f '%{file}\\n%{index}\\n' '" + family + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return false;
  char buf[1024];
  std::string out;
  while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  pclose(p);
  auto nl = out.find('\n');
  if (nl == std::string::npos) return false;
  *file = out.substr(0, nl);
  *index = std::atoi(out.c_str() + nl + 1);
  return true;
}

}  // namespace

GlyphFormCount count_glyph_forms(const std::filesystem::path& pdf, int page_index) {
  GlyphFormCount result;
  FT_Library lib = nullptr;
  FT_Init_FreeType(&lib);
  // Serif and sans: whichever the document used, one pair will match.
  std::vector<std::pair<FT_Face, FT_Face>> pairs;
  for (const char* style : {"Serif", "Sans"}) {
    std::string sc_file, jp_file;
    int sc_idx = 0, jp_idx = 0;
    if (!fc_match(std::string("Noto ") + style + " CJK SC", &sc_file, &sc_idx) ||
        !fc_match(std::string("Noto ") + style + " CJK JP", &jp_file, &jp_idx)) {
      continue;
    }
    FT_Face sc = nullptr, jp = nullptr;
    if (FT_New_Face(lib, sc_file.c_str(), sc_idx, &sc) == 0 &&
        FT_New_Face(lib, jp_file.c_str(), jp_idx, &jp) == 0) {
      pairs.emplace_back(sc, jp);
    }
  }
  if (pairs.empty()) {
    result.error = "Noto CJK SC/JP faces not found";
    return result;
  }
  std::map<int, Use> uses;
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  fz_register_document_handlers(ctx);
  fz_document* doc = nullptr;
  fz_page* page = nullptr;
  fz_var(doc);
  fz_var(page);
  fz_try(ctx) {
    doc = fz_open_document(ctx, pdf.c_str());
    page = fz_load_page(ctx, doc, page_index);
    auto* dev = fz_new_derived_device(ctx, CollectDevice);
    dev->uses = &uses;
    dev->super.fill_text = fill_text;
    fz_run_page(ctx, page, &dev->super, fz_identity, nullptr);
    fz_close_device(ctx, &dev->super);
    fz_drop_device(ctx, &dev->super);
  }
  fz_catch(ctx) { result.error = fz_caught_message(ctx); }
  for (auto& [ucs, use] : uses) {
    auto* face = static_cast<FT_Face>(fz_font_ft_face(ctx, use.font));
    if (face != nullptr && result.error.empty()) {
      auto embedded = outline_signature(face, static_cast<unsigned>(use.gid));
      for (auto [sc, jp] : pairs) {
        auto sc_sig = outline_signature(sc, FT_Get_Char_Index(sc, static_cast<FT_ULong>(ucs)));
        auto jp_sig = outline_signature(jp, FT_Get_Char_Index(jp, static_cast<FT_ULong>(ucs)));
        if (sc_sig == jp_sig || sc_sig.empty()) continue;
        if (embedded == sc_sig) {
          ++result.compared;
          ++result.match_sc;
        } else if (embedded == jp_sig) {
          ++result.compared;
          ++result.match_jp;
        }
      }
    }
    fz_drop_font(ctx, use.font);
  }
  fz_drop_page(ctx, page);
  fz_drop_document(ctx, doc);
  fz_drop_context(ctx);
  for (auto [sc, jp] : pairs) {
    FT_Done_Face(sc);
    FT_Done_Face(jp);
  }
  FT_Done_FreeType(lib);
  return result;
}

}  // namespace wenku::testing
