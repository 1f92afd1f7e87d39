// The PDF for previews: each OFD page becomes a PDF page of the same size whose content
// stream draws the page model (mm, y downwards, under one cm to PDF points), written with
// MuPDF's PDF writer. Fonts the file embeds are embedded again (TrueType through
// pdf_add_cid_font, glyphs by CGTransform glyph ID or the font's cmap); fonts it only names
// (宋体, 仿宋_GB2312, 楷体, 黑体, ...) become non-embedded Adobe-GB1 fonts, which MuPDF draws
// with its built-in Simplified Chinese face (never a Japanese one).
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "core/strings.h"
#include "detect/zip_archive.h"
#include "ofd/ofd.h"

namespace wenku::ofd {
namespace {

constexpr double kPtPerMm = 72.0 / 25.4;

std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  std::string s = b;
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string mat(const Matrix& m) {
  return num(m.a) + " " + num(m.b) + " " + num(m.c) + " " + num(m.d) + " " + num(m.e) + " " + num(m.f);
}

std::string rgb(const Color& c, const char* op) { return num(c.r) + " " + num(c.g) + " " + num(c.b) + " " + op + "\n"; }

void hex4(std::string& out, unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04X", v & 0xFFFF);
  out += b;
}

std::string utf16_hex(char32_t c) {
  std::string s;
  if (c >= 0x10000 && c <= 0x10FFFF) {
    c -= 0x10000;
    hex4(s, 0xD800 + (static_cast<unsigned>(c) >> 10));
    hex4(s, 0xDC00 + (static_cast<unsigned>(c) & 0x3FF));
  } else {
    hex4(s, c > 0x10FFFF ? 0xFFFD : static_cast<unsigned>(c));
  }
  return s;
}

bool is_sans(const Font& f) {
  std::string n = to_lower_ascii(f.name + " " + f.family);
  for (const char* k : {"黑", "hei", "yahei", "雅黑", "arial", "helvetica", "sans", "等线", "dengxian"})
    if (n.find(k) != std::string::npos) return true;
  return false;
}

// AbbreviatedData -> PDF path operators (arcs as cubic Béziers).
std::string path_ops(const std::string& data) {
  std::vector<std::string> tok;
  for (const auto& w : split(data, ' ')) {
    std::string t = trim(w);
    // Commands glued to numbers ("M0") are split.
    while (!t.empty() && std::isalpha(static_cast<unsigned char>(t[0])) && t.size() > 1 &&
           t[0] != 'e' && t[0] != 'E') {
      tok.push_back(t.substr(0, 1));
      t = t.substr(1);
    }
    if (!t.empty()) tok.push_back(t);
  }
  std::string out;
  double cx = 0, cy = 0, sx = 0, sy = 0;
  size_t i = 0;
  auto nums = [&](int n, double* v) {
    for (int k = 0; k < n; ++k) {
      if (i >= tok.size()) return false;
      char* end = nullptr;
      v[k] = std::strtod(tok[i].c_str(), &end);
      if (end == tok[i].c_str() || !std::isfinite(v[k])) return false;
      ++i;
    }
    return true;
  };
  bool open = false;
  while (i < tok.size() && out.size() < (16u << 20)) {
    std::string c = tok[i++];
    double v[7];
    if (c == "M" || c == "S") {
      if (!nums(2, v)) break;
      out += num(v[0]) + " " + num(v[1]) + " m\n";
      cx = sx = v[0];
      cy = sy = v[1];
      open = true;
    } else if (c == "L") {
      if (!nums(2, v)) break;
      if (!open) out += num(cx) + " " + num(cy) + " m\n";
      out += num(v[0]) + " " + num(v[1]) + " l\n";
      cx = v[0];
      cy = v[1];
      open = true;
    } else if (c == "Q") {
      if (!nums(4, v)) break;
      if (!open) out += num(cx) + " " + num(cy) + " m\n";
      double c1x = cx + 2.0 / 3 * (v[0] - cx), c1y = cy + 2.0 / 3 * (v[1] - cy);
      double c2x = v[2] + 2.0 / 3 * (v[0] - v[2]), c2y = v[3] + 2.0 / 3 * (v[1] - v[3]);
      out += num(c1x) + " " + num(c1y) + " " + num(c2x) + " " + num(c2y) + " " + num(v[2]) + " " + num(v[3]) + " c\n";
      cx = v[2];
      cy = v[3];
      open = true;
    } else if (c == "B") {
      if (!nums(6, v)) break;
      if (!open) out += num(cx) + " " + num(cy) + " m\n";
      out += num(v[0]) + " " + num(v[1]) + " " + num(v[2]) + " " + num(v[3]) + " " + num(v[4]) + " " + num(v[5]) + " c\n";
      cx = v[4];
      cy = v[5];
      open = true;
    } else if (c == "A") {
      // rx ry rotation large-arc sweep x y: SVG's endpoint arc, as up to four Béziers.
      if (!nums(7, v)) break;
      if (!open) out += num(cx) + " " + num(cy) + " m\n";
      open = true;
      double rx = std::fabs(v[0]), ry = std::fabs(v[1]), phi = v[2] * M_PI / 180, x2 = v[5], y2 = v[6];
      if (rx < 1e-9 || ry < 1e-9) {
        out += num(x2) + " " + num(y2) + " l\n";
        cx = x2;
        cy = y2;
        continue;
      }
      double cp = std::cos(phi), sp = std::sin(phi);
      double dx = (cx - x2) / 2, dy = (cy - y2) / 2;
      double x1p = cp * dx + sp * dy, y1p = -sp * dx + cp * dy;
      double lam = x1p * x1p / (rx * rx) + y1p * y1p / (ry * ry);
      if (lam > 1) {
        rx *= std::sqrt(lam);
        ry *= std::sqrt(lam);
      }
      double num_ = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p;
      double den = rx * rx * y1p * y1p + ry * ry * x1p * x1p;
      double co = den > 0 ? std::sqrt(std::max(0.0, num_ / den)) : 0;
      if ((v[3] != 0) == (v[4] != 0)) co = -co;
      double cxp = co * rx * y1p / ry, cyp = -co * ry * x1p / rx;
      double ccx = cp * cxp - sp * cyp + (cx + x2) / 2, ccy = sp * cxp + cp * cyp + (cy + y2) / 2;
      auto ang = [](double ux, double uy, double vx, double vy) {
        return std::atan2(ux * vy - uy * vx, ux * vx + uy * vy);
      };
      double t1 = ang(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry);
      double dt = ang((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry);
      if (v[4] == 0 && dt > 0) dt -= 2 * M_PI;
      if (v[4] != 0 && dt < 0) dt += 2 * M_PI;
      if (!std::isfinite(dt) || !std::isfinite(ccx) || !std::isfinite(ccy) || !std::isfinite(t1)) {
        out += num(x2) + " " + num(y2) + " l\n";  // numbers too large for an arc
        cx = x2;
        cy = y2;
        continue;
      }
      int n = std::clamp(static_cast<int>(std::ceil(std::fabs(dt) / (M_PI / 2))), 1, 4);
      double step = dt / n, k = 4.0 / 3 * std::tan(step / 4);
      auto pt = [&](double t, double& px, double& py, double& tx, double& ty) {
        double ex = rx * std::cos(t), ey = ry * std::sin(t);
        px = cp * ex - sp * ey + ccx;
        py = sp * ex + cp * ey + ccy;
        double dxe = -rx * std::sin(t), dye = ry * std::cos(t);
        tx = cp * dxe - sp * dye;
        ty = sp * dxe + cp * dye;
      };
      for (int s = 0; s < n; ++s) {
        double a0 = t1 + s * step, a1 = a0 + step, p0x, p0y, t0x, t0y, p1x, p1y, t1x, t1y;
        pt(a0, p0x, p0y, t0x, t0y);
        pt(a1, p1x, p1y, t1x, t1y);
        out += num(p0x + k * t0x) + " " + num(p0y + k * t0y) + " " + num(p1x - k * t1x) + " " + num(p1y - k * t1y) +
               " " + num(p1x) + " " + num(p1y) + " c\n";
      }
      cx = x2;
      cy = y2;
    } else if (c == "C") {
      if (open) out += "h\n";
      cx = sx;
      cy = sy;
    }
    // Anything else (a stray number or command) is skipped.
  }
  return out;
}

// MuPDF state for one PDF; every MuPDF call that may throw sits in a fz_try of a function
// whose frame holds no C++ object with a destructor.
struct Pdf {
  fz_context* ctx = nullptr;
  pdf_document* doc = nullptr;
  pdf_obj* fonts = nullptr;    // the shared /Font dictionary
  pdf_obj* xobjects = nullptr; // the shared /XObject dictionary
  pdf_obj* resources = nullptr;  // owned: the indirect reference pdf_add_new_dict returned
};

bool pdf_begin(Pdf& p) {
  fz_context* ctx = p.ctx;
  bool ok = true;
  fz_try(ctx) {
    p.doc = pdf_create_document(ctx);
    p.resources = pdf_add_new_dict(ctx, p.doc, 2);
    p.fonts = pdf_dict_put_dict(ctx, p.resources, PDF_NAME(Font), 8);
    p.xobjects = pdf_dict_put_dict(ctx, p.resources, PDF_NAME(XObject), 8);
  }
  fz_catch(ctx) ok = false;
  return ok;
}

// A non-embedded Adobe-GB1 font (serif "Song" or sans "Heiti") under `name`.
bool add_cjk(Pdf& p, const char* name, int serif) {
  fz_context* ctx = p.ctx;
  fz_font* key = nullptr;
  pdf_obj* ref = nullptr;
  bool ok = true;
  fz_var(key);
  fz_var(ref);
  fz_try(ctx) {
    key = fz_new_base14_font(ctx, serif ? "Times-Roman" : "Helvetica");
    ref = pdf_add_cjk_font(ctx, p.doc, key, FZ_ADOBE_GB, 0, serif);
    pdf_dict_puts(ctx, p.fonts, name, ref);
  }
  fz_always(ctx) {
    pdf_drop_obj(ctx, ref);
    fz_drop_font(ctx, key);
  }
  fz_catch(ctx) ok = false;
  return ok;
}

// An embedded font (bytes from the package) under `name`; its fz_font kept in *out for
// glyph lookups. False when MuPDF cannot read or re-embed it.
bool add_embedded(Pdf& p, const char* name, const std::string& bytes, fz_font** out) {
  fz_context* ctx = p.ctx;
  fz_buffer* buf = nullptr;
  fz_font* font = nullptr;
  pdf_obj* ref = nullptr;
  bool ok = true;
  fz_var(buf);
  fz_var(font);
  fz_var(ref);
  fz_try(ctx) {
    buf = fz_new_buffer_from_copied_data(ctx, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    font = fz_new_font_from_buffer(ctx, nullptr, buf, 0, 0);
    if (!pdf_font_writing_supported(font)) fz_throw(ctx, FZ_ERROR_GENERIC, "font kind not writable");
    ref = pdf_add_cid_font(ctx, p.doc, font);
    pdf_dict_puts(ctx, p.fonts, name, ref);
    *out = fz_keep_font(ctx, font);
  }
  fz_always(ctx) {
    pdf_drop_obj(ctx, ref);
    fz_drop_font(ctx, font);
    fz_drop_buffer(ctx, buf);
  }
  fz_catch(ctx) ok = false;
  return ok;
}

bool add_image(Pdf& p, const char* name, const std::string& bytes) {
  fz_context* ctx = p.ctx;
  fz_buffer* buf = nullptr;
  fz_image* img = nullptr;
  pdf_obj* ref = nullptr;
  bool ok = true;
  fz_var(buf);
  fz_var(img);
  fz_var(ref);
  fz_try(ctx) {
    buf = fz_new_buffer_from_copied_data(ctx, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    img = fz_new_image_from_buffer(ctx, buf);
    if (static_cast<int64_t>(img->w) * img->h > 100'000'000) fz_throw(ctx, FZ_ERROR_GENERIC, "image too large");
    ref = pdf_add_image(ctx, p.doc, img);
    pdf_dict_puts(ctx, p.xobjects, name, ref);
  }
  fz_always(ctx) {
    pdf_drop_obj(ctx, ref);
    fz_drop_image(ctx, img);
    fz_drop_buffer(ctx, buf);
  }
  fz_catch(ctx) ok = false;
  return ok;
}

bool add_page(Pdf& p, double w_pt, double h_pt, const std::string& content) {
  fz_context* ctx = p.ctx;
  fz_buffer* buf = nullptr;
  pdf_obj* page = nullptr;
  bool ok = true;
  fz_var(buf);
  fz_var(page);
  fz_try(ctx) {
    buf = fz_new_buffer_from_copied_data(ctx, reinterpret_cast<const unsigned char*>(content.data()), content.size());
    fz_rect box = {0, 0, static_cast<float>(w_pt), static_cast<float>(h_pt)};
    page = pdf_add_page(ctx, p.doc, box, 0, p.resources, buf);
    pdf_insert_page(ctx, p.doc, -1, page);
  }
  fz_always(ctx) {
    pdf_drop_obj(ctx, page);
    fz_drop_buffer(ctx, buf);
  }
  fz_catch(ctx) ok = false;
  return ok;
}

bool save(Pdf& p, const char* path) {
  fz_context* ctx = p.ctx;
  bool ok = true;
  fz_try(ctx) {
    pdf_write_options o = pdf_default_write_options;
    o.do_compress = 1;
    o.do_compress_fonts = 1;
    o.do_garbage = 1;
    pdf_save_document(ctx, p.doc, path, &o);
  }
  fz_catch(ctx) ok = false;
  return ok;
}

class Writer {
 public:
  Writer(Pdf& p, const detect::ZipArchive& z, const Document& d, const Limits& l) : p_(p), z_(z), doc_(d), limits_(l) {}
  ~Writer() {
    for (auto& [id, f] : fonts_)
      if (f.font) fz_drop_font(p_.ctx, f.font);
  }

  Result<void> page(const Page& pg) {
    const double w = pg.width * kPtPerMm, h = pg.height * kPtPerMm;
    std::string c = "q " + num(kPtPerMm) + " 0 0 " + num(-kPtPerMm) + " 0 " + num(h) + " cm\n";
    for (const Item& it : pg.order) {
      switch (it.kind) {
        case Item::Kind::kText: text(c, pg.texts[it.index]); break;
        case Item::Kind::kPath: path(c, pg.paths[it.index]); break;
        case Item::Kind::kImage: image(c, pg.images[it.index]); break;
        case Item::Kind::kSeal: seal(c, pg.seals[it.index]); break;
      }
    }
    c += "Q\n";
    if (!add_page(p_, w, h, c)) return keyed_error(ErrorCode::kCorrupt, "ofd.could_write_pdf_page");
    return {};
  }

 private:
  struct FontUse {
    std::string name;       // resource name of the embedded font, "" when not embedded
    fz_font* font = nullptr;
    bool sans = false;
  };

  const std::string& cjk(bool sans) {
    static const std::string kSong = "FSong", kHei = "FHei";
    bool& made = sans ? hei_ : song_;
    if (!made) made = add_cjk(p_, sans ? kHei.c_str() : kSong.c_str(), sans ? 0 : 1);
    return sans ? kHei : kSong;
  }

  const FontUse& font(const std::string& id) {
    auto it = fonts_.find(id);
    if (it != fonts_.end()) return it->second;
    FontUse u;
    auto f = doc_.fonts.find(id);
    if (f != doc_.fonts.end()) {
      u.sans = is_sans(f->second);
      if (!f->second.file.empty()) {
        auto bytes = z_.read(f->second.file, limits_.max_part_bytes);
        std::string name = "FE" + std::to_string(fonts_.size());
        if (bytes.ok() && add_embedded(p_, name.c_str(), *bytes, &u.font)) u.name = name;
      }
    }
    return fonts_.emplace(id, u).first->second;
  }

  void text(std::string& c, const TextRun& r) {
    const FontUse& f = font(r.font_id);
    int mode = r.fill && r.stroke ? 2 : r.stroke ? 1 : r.fill ? 0 : 3;
    c += "q\n";
    if (r.fill_color.set) c += rgb(r.fill_color, "rg");
    if (r.stroke_color.set) c += rgb(r.stroke_color, "RG");
    c += "BT " + std::to_string(mode) + " Tr\n";
    if (mode == 1 || mode == 2) c += num(r.size * 0.02) + " w\n";
    std::string current;
    const Matrix& L = r.linear;
    double s = r.size;
    for (const Glyph& g : r.glyphs) {
      if (g.ch == U' ' || g.ch == U'\t' || g.ch == U'\r' || g.ch == U'\n') continue;
      std::string name, code;
      if (f.font) {
        int gid = g.glyph_id >= 0 ? g.glyph_id : fz_encode_character(p_.ctx, f.font, static_cast<int>(g.ch));
        if (gid > 0 && gid < 65536) {
          name = f.name;
          hex4(code, static_cast<unsigned>(gid));
        }
      }
      if (name.empty()) {
        name = cjk(f.sans);
        code = utf16_hex(g.ch);
      }
      if (name != current) {
        c += "/" + name + " 1 Tf\n";
        current = name;
      }
      c += num(s * r.hscale * L.a) + " " + num(s * r.hscale * L.b) + " " + num(-s * L.c) + " " + num(-s * L.d) + " " +
           num(g.x) + " " + num(g.y) + " Tm <" + code + "> Tj\n";
    }
    c += "ET Q\n";
  }

  void path(std::string& c, const PathItem& p) {
    std::string ops = path_ops(p.data);
    if (ops.empty() || (!p.fill && !p.stroke)) return;
    c += "q " + mat(p.m) + " cm\n";
    if (p.fill_color.set) c += rgb(p.fill_color, "rg");
    if (p.stroke_color.set) c += rgb(p.stroke_color, "RG");
    c += num(p.line_width > 0 ? p.line_width : 0.1) + " w 1 J 1 j\n" + ops;
    c += p.fill && p.stroke ? (p.even_odd ? "B*" : "B") : p.fill ? (p.even_odd ? "f*" : "f") : "S";
    c += "\nQ\n";
  }

  // The name of an image XObject for package member or bytes `key`, "" when unusable.
  std::string image_name(const std::string& key, const std::string* bytes) {
    auto it = images_.find(key);
    if (it != images_.end()) return it->second;
    std::string name = "Im" + std::to_string(images_.size());
    bool ok = false;
    if (bytes) {
      ok = add_image(p_, name.c_str(), *bytes);
    } else {
      auto data = z_.read(key, limits_.max_part_bytes);
      ok = data.ok() && add_image(p_, name.c_str(), *data);
    }
    if (!ok) name.clear();
    images_[key] = name;
    return name;
  }

  void image(std::string& c, const ImageItem& im) {
    std::string name = image_name(im.media_path, nullptr);
    if (name.empty()) return;
    c += "q " + mat(Matrix{1, 0, 0, -1, 0, 1}.then(im.m)) + " cm /" + name + " Do Q\n";
  }

  void seal(std::string& c, const SealItem& s) {
    c += "q\n";
    if (s.clip_w > 0)
      c += num(s.x + s.clip_x) + " " + num(s.y + s.clip_y) + " " + num(s.clip_w) + " " + num(s.clip_h) + " re W n\n";
    std::string name = s.picture.empty() ? "" : image_name("seal:" + std::to_string(std::hash<std::string>{}(s.picture)), &s.picture);
    if (!name.empty()) {
      c += mat(Matrix{1, 0, 0, -1, 0, 1}.then(Matrix{s.w, 0, 0, s.h, s.x, s.y})) + " cm /" + name + " Do\n";
    } else {
      // Placeholder: a red ring with the seal's name (or 电子签章) across it.
      double cx = s.x + s.w / 2, cy = s.y + s.h / 2, rx = s.w / 2 * 0.95, ry = s.h / 2 * 0.95, k = 0.5523;
      c += "0.85 0.1 0.1 RG 0.85 0.1 0.1 rg " + num(std::min(s.w, s.h) * 0.03) + " w\n";
      c += num(cx + rx) + " " + num(cy) + " m " + num(cx + rx) + " " + num(cy + k * ry) + " " + num(cx + k * rx) + " " +
           num(cy + ry) + " " + num(cx) + " " + num(cy + ry) + " c " + num(cx - k * rx) + " " + num(cy + ry) + " " +
           num(cx - rx) + " " + num(cy + k * ry) + " " + num(cx - rx) + " " + num(cy) + " c " + num(cx - rx) + " " +
           num(cy - k * ry) + " " + num(cx - k * rx) + " " + num(cy - ry) + " " + num(cx) + " " + num(cy - ry) +
           " c " + num(cx + k * rx) + " " + num(cy - ry) + " " + num(cx + rx) + " " + num(cy - k * ry) + " " +
           num(cx + rx) + " " + num(cy) + " c S\n";
      std::u32string label = utf8_to_u32(s.name.empty() ? "电子签章" : s.name);
      if (label.size() > 12) label.resize(12);
      double size = std::min(s.w * 0.8 / static_cast<double>(std::max<size_t>(label.size(), 1)), s.h / 4);
      double x = cx - size * static_cast<double>(label.size()) / 2;
      c += "BT /" + cjk(false) + " 1 Tf\n";
      for (char32_t ch : label) {
        c += num(size) + " 0 0 " + num(-size) + " " + num(x) + " " + num(cy + size * 0.35) + " Tm <" + utf16_hex(ch) +
             "> Tj\n";
        x += size * (ch < 0x2E80 ? 0.5 : 1.0);
      }
      c += "ET\n";
    }
    c += "Q\n";
  }

  Pdf& p_;
  const detect::ZipArchive& z_;
  const Document& doc_;
  const Limits& limits_;
  std::map<std::string, FontUse> fonts_;
  std::map<std::string, std::string> images_;
  bool song_ = false, hei_ = false;
};

}  // namespace

Result<void> write_pdf(const detect::ByteSource& src, const Document& doc, const std::filesystem::path& out,
                       const Limits& limits) {
  auto z = detect::ZipArchive::open(src, limits.max_zip_entries);
  if (!z.ok()) return z.take_error();
  z->set_budget(limits.max_uncompressed_bytes);
  Pdf p;
  p.ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  if (p.ctx == nullptr) return keyed_error(ErrorCode::kTooLarge, "ofd.out_memory");
  fz_set_warning_callback(p.ctx, [](void*, const char*) {}, nullptr);
  fz_set_error_callback(p.ctx, [](void*, const char*) {}, nullptr);
  Result<void> result;
  if (!pdf_begin(p)) {
    result = keyed_error(ErrorCode::kCorrupt, "ofd.could_create_pdf");
  } else {
    {
      Writer w(p, *z, doc, limits);
      for (const Page& pg : doc.pages) {
        result = w.page(pg);
        if (!result.ok()) break;
      }
    }
    if (result.ok() && !save(p, out.string().c_str()))
      result = keyed_error(ErrorCode::kIo, "ofd.cannot_write_pdf", {{"path", out.string()}});
  }
  pdf_drop_obj(p.ctx, p.resources);  // our reference to the shared resources (the pages hold theirs)
  pdf_drop_document(p.ctx, p.doc);
  fz_drop_context(p.ctx);
  return result;
}

Result<void> convert_to_pdf(const std::filesystem::path& ofd, const std::filesystem::path& out, const Limits& limits) {
  detect::FileSource src(ofd);
  if (!src.ok()) return keyed_error(ErrorCode::kIo, "ofd.cannot_read", {{"path", ofd.string()}});
  WENKU_ASSIGN_OR_RETURN(Document doc, read_document(src, limits));
  return write_pdf(src, doc, out, limits);
}

}  // namespace wenku::ofd
