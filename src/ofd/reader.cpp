// Reading an OFD package: OFD.xml -> DocBody -> Document.xml -> pages, templates,
// resources (PublicRes, DocumentRes, PageRes), annotations and signatures, into the model of
// ofd.h. Every part is size-checked, parsed without entities and with a depth check; every
// reference is resolved inside the package and followed a bounded number of times.
#include <pugixml.hpp>

#include <charconv>
#include <cmath>
#include <optional>
#include <set>

#include "core/strings.h"
#include "detect/zip_archive.h"
#include "ofd/ofd.h"

namespace wenku::ofd {

Matrix Matrix::then(const Matrix& m) const {
  Matrix r;
  r.a = a * m.a + b * m.c;
  r.b = a * m.b + b * m.d;
  r.c = c * m.a + d * m.c;
  r.d = c * m.b + d * m.d;
  r.e = e * m.a + f * m.c + m.e;
  r.f = e * m.b + f * m.d + m.f;
  return r;
}

namespace {

// `why` is a worded error's line (error_line), worded inside the outer words.
Error corrupt(const std::string& part, const std::string& why) {
  return keyed_error(ErrorCode::kCorrupt, "ofd.corrupt", {{"part", part}, {"why", why}});
}

std::string_view local(const pugi::xml_node& n) {
  std::string_view s = n.name();
  size_t p = s.find(':');
  return p == std::string_view::npos ? s : s.substr(p + 1);
}

pugi::xml_node child(const pugi::xml_node& n, std::string_view name) {
  for (auto c : n.children())
    if (local(c) == name) return c;
  return {};
}

std::string child_text(const pugi::xml_node& n, std::string_view name) { return trim(child(n, name).text().get()); }

std::vector<double> numbers(std::string_view s) {
  std::vector<double> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc() || p == s.data() + i) {
      ++i;  // skip a stray character
      continue;
    }
    if (std::isfinite(v)) out.push_back(v);
    i = static_cast<size_t>(p - s.data());
  }
  return out;
}

// DeltaX / DeltaY: numbers, where "g N d" stands for N times d.
std::vector<double> deltas(std::string_view s, size_t max) {
  std::vector<double> out;
  auto words = split(std::string(s), ' ');
  for (size_t i = 0; i < words.size() && out.size() < max; ++i) {
    std::string w = trim(words[i]);
    if (w.empty()) continue;
    if (w == "g") {
      size_t j = i + 1;
      while (j < words.size() && trim(words[j]).empty()) ++j;
      size_t k = j + 1;
      while (k < words.size() && trim(words[k]).empty()) ++k;
      if (k >= words.size()) break;
      auto n = numbers(words[j]), d = numbers(words[k]);
      if (n.empty() || d.empty()) break;
      for (double c = 0; c < n[0] && out.size() < max; c += 1) out.push_back(d[0]);
      i = k;
      continue;
    }
    auto v = numbers(w);
    if (!v.empty()) out.push_back(v[0]);
  }
  return out;
}

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  bool ok = false;
};

Box box(std::string_view s) {
  auto v = numbers(s);
  Box b;
  if (v.size() >= 4) b = {v[0], v[1], v[2], v[3], true};
  return b;
}

std::optional<Matrix> ctm(const pugi::xml_node& n) {
  auto v = numbers(n.attribute("CTM").value());
  if (v.size() < 6) return std::nullopt;
  return Matrix{v[0], v[1], v[2], v[3], v[4], v[5]};
}

bool attr_bool(const pugi::xml_node& n, const char* name, bool def) {
  auto a = n.attribute(name);
  if (!a) return def;
  std::string v = to_lower_ascii(trim(a.value()));
  return v == "true" || v == "1";
}

// "156 82 35", "#9C #52 #23", gray "128", CMYK 4 values; 8 bits per component.
Color color(const pugi::xml_node& n) {
  Color c;
  if (!n) return c;
  std::vector<double> v;
  for (const auto& w : split(trim(n.attribute("Value").value()), ' ')) {
    std::string t = trim(w);
    if (t.empty()) continue;
    if (t[0] == '#') {
      unsigned x = 0;
      auto [p, ec] = std::from_chars(t.data() + 1, t.data() + t.size(), x, 16);
      (void)p;
      if (ec == std::errc()) v.push_back(x);
    } else if (auto num = numbers(t); !num.empty()) {
      v.push_back(num[0]);
    }
  }
  auto clamp = [](double x) { return std::min(1.0, std::max(0.0, x / 255.0)); };
  if (v.size() == 1) c = {clamp(v[0]), clamp(v[0]), clamp(v[0]), true};
  else if (v.size() == 3) c = {clamp(v[0]), clamp(v[1]), clamp(v[2]), true};
  else if (v.size() >= 4) {
    double k = clamp(v[3]);
    c = {(1 - clamp(v[0])) * (1 - k), (1 - clamp(v[1])) * (1 - k), (1 - clamp(v[2])) * (1 - k), true};
  }
  return c;
}

// Package paths: "/a/b" from the root, "b" relative to the folder of the part naming it.
std::string normalize(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& seg : split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  std::string r;
  for (const auto& s : out) r += (r.empty() ? "" : "/") + s;
  return r;
}

std::string folder_of(const std::string& part) {
  size_t p = part.rfind('/');
  return p == std::string::npos ? "" : part.substr(0, p);
}

std::string resolve(const std::string& base_folder, std::string ref) {
  for (char& c : ref)
    if (c == '\\') c = '/';
  ref = trim(ref);
  if (starts_with(ref, "/")) return normalize(ref);
  return normalize(base_folder.empty() ? ref : base_folder + "/" + ref);
}

// A page side past 5 m is not a page (the default A4 stays).
constexpr double kMaxPageMm = 5000;

struct DrawParam {
  std::string relative;
  Color fill, stroke;
  std::optional<double> line_width;
};

class Reader {
 public:
  Reader(const detect::ZipArchive& z, const Limits& l) : z_(z), limits_(l) {}

  Result<Document> read();

 private:
  // A member that exists, trying the path as given then relative to the document folder
  // and the package root (producers are not always exact).
  std::string find_member(const std::string& base_folder, const std::string& ref) const {
    std::string p = resolve(base_folder, ref);
    if (z_.has(p)) return p;
    for (const std::string& alt : {resolve(doc_folder_, ref), resolve("", ref)})
      if (z_.has(alt)) return alt;
    return "";
  }

  Result<void> load(pugi::xml_document& doc, const std::string& part) {
    auto data = z_.read(part, limits_.max_part_bytes);
    if (!data.ok()) {
      if (data.error().code == ErrorCode::kNotFound) return corrupt(part, error_line("ofd.missing"));
      return data.take_error();
    }
    auto r = doc.load_buffer(data->data(), data->size(), pugi::parse_default & ~pugi::parse_doctype);
    if (!r) return corrupt(part, error_line("ofd.xml_not_well_formed", {{"detail", r.description()}}));
    // Depth check without recursion.
    int depth = 0, max_depth = 0;
    pugi::xml_node n = doc.first_child();
    while (n) {
      if (n.first_child()) {
        n = n.first_child();
        max_depth = std::max(max_depth, ++depth);
        if (max_depth > limits_.max_xml_depth)
          return keyed_error(ErrorCode::kTooLarge, "ofd.xml_too_deep", {{"part", part}});
        continue;
      }
      while (n && !n.next_sibling()) {
        n = n.parent();
        --depth;
      }
      if (n) n = n.next_sibling();
    }
    return {};
  }

  Result<void> load_res(const std::string& part);
  Result<void> read_objects(const pugi::xml_node& container, Page& page, const Matrix& base,
                            const std::string& inherited_param, int depth);
  Result<void> read_page_part(const std::string& part, Page& page, bool content_only, int depth);
  Result<void> add_text(const pugi::xml_node& n, Page& page, const Matrix& base, const DrawParam& dp);
  Result<void> count(uint64_t n) {
    objects_ += n;
    if (objects_ > limits_.max_objects)
      return keyed_error(ErrorCode::kTooLarge, "ofd.too_many_objects_in_document");
    return {};
  }
  DrawParam param(const std::string& id) const {
    DrawParam out;
    std::set<std::string> seen;
    std::string cur = id;
    // Relative chains, followed until a loop or a missing ID.
    while (!cur.empty() && seen.insert(cur).second && seen.size() < 64) {
      auto it = params_.find(cur);
      if (it == params_.end()) break;
      if (!out.fill.set) out.fill = it->second.fill;
      if (!out.stroke.set) out.stroke = it->second.stroke;
      if (!out.line_width) out.line_width = it->second.line_width;
      cur = it->second.relative;
    }
    return out;
  }

  const detect::ZipArchive& z_;
  const Limits& limits_;
  Document doc_;
  std::string doc_folder_;
  std::map<std::string, std::string> media_;  // ID -> member
  std::map<std::string, DrawParam> params_;
  std::map<std::string, std::string> templates_;  // ID -> part
  std::set<std::string> loaded_res_;
  uint64_t objects_ = 0;
};

Result<void> Reader::load_res(const std::string& part) {
  if (!loaded_res_.insert(part).second) return {};
  pugi::xml_document x;
  WENKU_TRY(load(x, part));
  pugi::xml_node res = x.first_child();
  std::string base = folder_of(part);
  if (auto bl = res.attribute("BaseLoc"); bl && *bl.value()) base = resolve(base, bl.value());
  for (auto group : res.children()) {
    std::string_view g = local(group);
    for (auto r : group.children()) {
      std::string id = r.attribute("ID").value();
      if (id.empty()) continue;
      if (g == "Fonts" && local(r) == "Font") {
        Font f;
        f.name = r.attribute("FontName").value();
        f.family = r.attribute("FamilyName").value();
        f.bold = attr_bool(r, "Bold", false);
        f.italic = attr_bool(r, "Italic", false);
        f.serif = attr_bool(r, "Serif", true);
        if (std::string file = child_text(r, "FontFile"); !file.empty()) {
          f.file = z_.has(resolve(base, file)) ? resolve(base, file) : find_member(folder_of(part), file);
        }
        doc_.fonts[id] = f;
      } else if (g == "MultiMedias" && local(r) == "MultiMedia") {
        std::string file = child_text(r, "MediaFile");
        std::string m = z_.has(resolve(base, file)) ? resolve(base, file) : find_member(folder_of(part), file);
        if (!m.empty()) media_[id] = m;
      } else if (g == "DrawParams" && local(r) == "DrawParam") {
        DrawParam p;
        p.relative = r.attribute("Relative").value();
        p.fill = color(child(r, "FillColor"));
        p.stroke = color(child(r, "StrokeColor"));
        if (auto lw = numbers(r.attribute("LineWidth").value()); !lw.empty()) p.line_width = lw[0];
        params_[id] = p;
      }
    }
  }
  return {};
}

Result<void> Reader::add_text(const pugi::xml_node& n, Page& page, const Matrix& base, const DrawParam& dp) {
  TextRun run;
  run.font_id = n.attribute("Font").value();
  auto sz = numbers(n.attribute("Size").value());
  run.size = sz.empty() ? 0 : sz[0];
  if (!(run.size > 0) || run.size > 1e5) return {};
  Box b = box(n.attribute("Boundary").value());
  Matrix m = ctm(n).value_or(Matrix{});
  Matrix place = m.then(Matrix{1, 0, 0, 1, b.x, b.y}).then(base);
  run.linear = place;
  run.linear.e = run.linear.f = 0;
  run.fill = attr_bool(n, "Fill", true);
  run.stroke = attr_bool(n, "Stroke", false);
  if (auto hs = numbers(n.attribute("HScale").value()); !hs.empty() && hs[0] > 0) run.hscale = hs[0];
  run.fill_color = color(child(n, "FillColor"));
  if (!run.fill_color.set) run.fill_color = dp.fill;
  run.stroke_color = color(child(n, "StrokeColor"));
  if (!run.stroke_color.set) run.stroke_color = dp.stroke;
  // CGTransform: code positions (over the object's characters) -> glyph IDs.
  std::map<size_t, int> glyph_of;
  size_t code_index = 0;
  std::vector<std::pair<size_t, std::vector<int>>> transforms;
  for (auto t : n.children()) {
    if (local(t) != "CGTransform") continue;
    auto pos = numbers(t.attribute("CodePosition").value());
    auto count = numbers(t.attribute("CodeCount").value());
    auto gl = numbers(child(t, "Glyphs").text().get());
    // Numbers from the file are clamped before they become integers (a cast of 1e300 is UB).
    size_t p0 = pos.empty() || !(pos[0] >= 0) ? 0 : static_cast<size_t>(std::min(pos[0], 1e7));
    size_t cc = count.empty() || !(count[0] >= 1) ? 1 : static_cast<size_t>(std::min(count[0], 1e6));
    // One glyph per code is the common case; a ligature (fewer glyphs) keeps its first.
    for (size_t k = 0; k < cc && k < gl.size(); ++k)
      if (gl[k] >= 0 && gl[k] < 65536) glyph_of[p0 + k] = static_cast<int>(gl[k]);
  }
  double x = 0, y = 0;
  for (auto tc : n.children()) {
    if (local(tc) != "TextCode") continue;
    std::u32string chars = utf8_to_u32(tc.text().get());
    if (auto xs = numbers(tc.attribute("X").value()); !xs.empty()) x = xs[0];
    if (auto ys = numbers(tc.attribute("Y").value()); !ys.empty()) y = ys[0];
    auto dx = deltas(tc.attribute("DeltaX").value(), chars.size());
    auto dy = deltas(tc.attribute("DeltaY").value(), chars.size());
    WENKU_TRY(count(chars.size() + 1));
    for (size_t i = 0; i < chars.size(); ++i) {
      Glyph g;
      g.ch = chars[i];
      if (auto it = glyph_of.find(code_index); it != glyph_of.end()) g.glyph_id = it->second;
      ++code_index;
      place.apply(x, y, g.x, g.y);
      run.glyphs.push_back(g);
      // Without DeltaX the next character follows at the font's advance: a full em for
      // CJK, half for the rest (the widths of the usual Chinese office fonts).
      x += i < dx.size() ? dx[i] : run.size * run.hscale * (chars[i] < 0x2E80 ? 0.5 : 1.0);
      if (i < dy.size()) y += dy[i];
    }
  }
  if (run.glyphs.empty()) return {};
  page.order.push_back({Item::Kind::kText, page.texts.size()});
  page.texts.push_back(std::move(run));
  return {};
}

Result<void> Reader::read_objects(const pugi::xml_node& container, Page& page, const Matrix& base,
                                  const std::string& inherited_param, int depth) {
  if (depth > limits_.max_nesting)
    return keyed_error(ErrorCode::kTooLarge, "ofd.page_objects_nested_too_deeply");
  for (auto n : container.children()) {
    std::string_view kind = local(n);
    std::string pid = n.attribute("DrawParam").value();
    if (pid.empty()) pid = inherited_param;
    if (kind == "Layer" || kind == "PageBlock") {
      WENKU_TRY(read_objects(n, page, base, pid, depth + 1));
      continue;
    }
    if (!attr_bool(n, "Visible", true)) continue;
    DrawParam dp = param(pid);
    if (kind == "TextObject") {
      WENKU_TRY(add_text(n, page, base, dp));
    } else if (kind == "PathObject") {
      WENKU_TRY(count(1));
      PathItem p;
      Box b = box(n.attribute("Boundary").value());
      p.m = ctm(n).value_or(Matrix{}).then(Matrix{1, 0, 0, 1, b.x, b.y}).then(base);
      p.data = child_text(n, "AbbreviatedData");
      p.stroke = attr_bool(n, "Stroke", true);
      p.fill = attr_bool(n, "Fill", false);
      p.even_odd = std::string_view(n.attribute("Rule").value()) == "Even-Odd";
      p.fill_color = color(child(n, "FillColor"));
      if (!p.fill_color.set) p.fill_color = dp.fill;
      p.stroke_color = color(child(n, "StrokeColor"));
      if (!p.stroke_color.set) p.stroke_color = dp.stroke;
      if (auto lw = numbers(n.attribute("LineWidth").value()); !lw.empty()) p.line_width = lw[0];
      else if (dp.line_width) p.line_width = *dp.line_width;
      if (p.data.empty()) continue;
      page.order.push_back({Item::Kind::kPath, page.paths.size()});
      page.paths.push_back(std::move(p));
    } else if (kind == "ImageObject") {
      WENKU_TRY(count(1));
      auto it = media_.find(n.attribute("ResourceID").value());
      if (it == media_.end()) continue;  // a missing image is left out, the page still shows
      Box b = box(n.attribute("Boundary").value());
      ImageItem im;
      im.m = ctm(n).value_or(Matrix{b.w, 0, 0, b.h, 0, 0}).then(Matrix{1, 0, 0, 1, b.x, b.y}).then(base);
      im.media_path = it->second;
      page.order.push_back({Item::Kind::kImage, page.images.size()});
      page.images.push_back(std::move(im));
    }
    // CompositeObject (vector graphic units) is not drawn yet.
  }
  return {};
}

Result<void> Reader::read_page_part(const std::string& part, Page& page, bool content_only, int depth) {
  pugi::xml_document x;
  WENKU_TRY(load(x, part));
  pugi::xml_node root = x.first_child();
  if (!content_only) {
    if (Box b = box(child_text(child(root, "Area"), "PhysicalBox")); b.ok && b.w > 0 && b.h > 0 && b.w < kMaxPageMm &&
                                                                        b.h < kMaxPageMm) {
      page.width = b.w;
      page.height = b.h;
    }
    if (pugi::xml_node pr = child(root, "PageRes"); pr) {
      std::string r = find_member(folder_of(part), pr.text().get());
      if (!r.empty()) WENKU_TRY(load_res(r));
    }
    for (auto pr : root.children())
      if (local(pr) == "PageRes") {
        std::string r = find_member(folder_of(part), pr.text().get());
        if (!r.empty()) WENKU_TRY(load_res(r));
      }
  }
  auto templates = [&](bool foreground) -> Result<void> {
    if (content_only) return {};  // a template's own templates are not followed
    for (auto t : root.children()) {
      if (local(t) != "Template") continue;
      bool fg = std::string_view(t.attribute("ZOrder").value()) == "Foreground";
      if (fg != foreground) continue;
      auto it = templates_.find(t.attribute("TemplateID").value());
      if (it == templates_.end()) continue;
      WENKU_TRY(read_page_part(it->second, page, true, depth + 1));
    }
    return {};
  };
  WENKU_TRY(templates(false));
  if (pugi::xml_node content = child(root, "Content"); content)
    WENKU_TRY(read_objects(content, page, Matrix{}, "", depth + 1));
  WENKU_TRY(templates(true));
  return {};
}

Result<Document> Reader::read() {
  pugi::xml_document ofd;
  WENKU_TRY(load(ofd, "OFD.xml"));
  pugi::xml_node body = child(ofd.first_child(), "DocBody");
  if (!body) return corrupt("OFD.xml", error_line("ofd.no_docbody"));
  std::string root_ref = child_text(body, "DocRoot");
  if (root_ref.empty()) return corrupt("OFD.xml", error_line("ofd.no_docroot"));
  doc_.title = child_text(child(body, "DocInfo"), "Title");
  std::string doc_part = find_member("", root_ref);
  if (doc_part.empty()) return corrupt(root_ref, error_line("ofd.missing"));
  doc_folder_ = folder_of(doc_part);
  pugi::xml_document docx;
  WENKU_TRY(load(docx, doc_part));
  pugi::xml_node document = docx.first_child();
  pugi::xml_node common = child(document, "CommonData");
  Box area = box(child_text(child(common, "PageArea"), "PhysicalBox"));
  for (auto c : common.children()) {
    std::string_view k = local(c);
    if (k == "PublicRes" || k == "DocumentRes") {
      std::string r = find_member(doc_folder_, c.text().get());
      if (!r.empty()) WENKU_TRY(load_res(r));  // a missing resource file leaves its objects out
    } else if (k == "TemplatePage") {
      std::string t = find_member(doc_folder_, c.attribute("BaseLoc").value());
      if (!t.empty()) templates_[c.attribute("ID").value()] = t;
    }
  }
  std::map<std::string, size_t> page_by_id;
  std::vector<std::string> page_folders;
  for (auto p : child(document, "Pages").children()) {
    if (local(p) != "Page") continue;
    if (static_cast<int>(doc_.pages.size()) >= limits_.max_pages)
      return keyed_error(ErrorCode::kTooLarge, "ofd.too_many_pages_in_document");
    std::string part = find_member(doc_folder_, p.attribute("BaseLoc").value());
    if (part.empty())
      return corrupt(resolve(doc_folder_, p.attribute("BaseLoc").value()), error_line("ofd.page_content_missing"));
    Page page;
    if (area.ok && area.w > 0 && area.h > 0 && area.w < kMaxPageMm && area.h < kMaxPageMm) {
      page.width = area.w;
      page.height = area.h;
    }
    WENKU_TRY(read_page_part(part, page, false, 0));
    page_by_id[p.attribute("ID").value()] = doc_.pages.size();
    doc_.pages.push_back(std::move(page));
  }
  if (doc_.pages.empty()) return corrupt(doc_part, error_line("ofd.no_pages"));

  // Annotations: watermarks, stamps and the like, drawn over the page.
  if (std::string ann = child_text(document, "Annotations"); !ann.empty()) {
    std::string list = find_member(doc_folder_, ann);
    pugi::xml_document ax;
    if (!list.empty() && load(ax, list).ok()) {
      for (auto ap : ax.first_child().children()) {
        if (local(ap) != "Page") continue;
        auto it = page_by_id.find(ap.attribute("PageID").value());
        if (it == page_by_id.end()) continue;
        std::string file = find_member(folder_of(list), child_text(ap, "FileLoc"));
        pugi::xml_document px;
        if (file.empty() || !load(px, file).ok()) continue;
        Page& page = doc_.pages[it->second];
        for (auto a : px.first_child().children()) {
          if (local(a) != "Annot" || !attr_bool(a, "Visible", true)) continue;
          for (auto app : a.children()) {
            if (local(app) != "Appearance") continue;
            Box b = box(app.attribute("Boundary").value());
            WENKU_TRY(read_objects(app, page, Matrix{1, 0, 0, 1, b.x, b.y}, "", 1));
          }
        }
      }
    }
  }

  // Signatures: each StampAnnot shows the seal picture held in the SES signature.
  if (std::string sigs = child_text(body, "Signatures"); !sigs.empty()) {
    std::string list = find_member("", sigs);
    pugi::xml_document sx;
    if (!list.empty() && load(sx, list).ok()) {
      int n = 0;
      for (auto s : sx.first_child().children()) {
        if (local(s) != "Signature" || ++n > 1000) continue;
        std::string part = find_member(folder_of(list), s.attribute("BaseLoc").value());
        pugi::xml_document one;
        if (part.empty() || !load(one, part).ok()) continue;
        pugi::xml_node sig = one.first_child();
        pugi::xml_node info = child(sig, "SignedInfo");
        std::string value;
        if (std::string v = child_text(sig, "SignedValue"); !v.empty()) {
          std::string vp = find_member(folder_of(part), v);
          if (!vp.empty()) {
            auto bytes = z_.read(vp, limits_.max_part_bytes);
            if (bytes.ok()) value = std::move(*bytes);
          }
        }
        // The seal picture: the first PNG/JPEG/GIF/BMP inside the DER structure. A seal
        // picture in another form (an OFD inside, or none) gets a placeholder.
        std::string picture, name;
        for (std::string_view magic : {std::string_view("\x89PNG\r\n\x1a\n"), std::string_view("\xFF\xD8\xFF"),
                                       std::string_view("GIF8")}) {
          size_t at = value.find(magic);
          if (at != std::string::npos) {
            picture = value.substr(at);
            break;
          }
        }
        // The seal's name: the first DER UTF8String (tag 0x0C) with at least two
        // characters, which in SESeal's ESealInfo is the seal name.
        for (size_t i = 0; i + 2 < value.size() && i < 4096 && name.empty(); ++i) {
          if (value[i] != '\x0C') continue;
          size_t len = static_cast<unsigned char>(value[i + 1]);
          if (len < 4 || len > 120 || i + 2 + len > value.size()) continue;
          std::string str = value.substr(i + 2, len);
          if (is_valid_utf8(str) && utf8_length(str) >= 2 && str.find('\0') == std::string::npos) name = str;
        }
        for (auto sa : info.children()) {
          if (local(sa) != "StampAnnot") continue;
          auto it = page_by_id.find(sa.attribute("PageRef").value());
          if (it == page_by_id.end()) continue;
          Box b = box(sa.attribute("Boundary").value());
          if (!b.ok || b.w <= 0 || b.h <= 0) continue;
          SealItem seal{b.x, b.y, b.w, b.h, 0, 0, 0, 0, picture, name};
          if (Box c = box(sa.attribute("Clip").value()); c.ok && c.w > 0 && c.h > 0) {
            seal.clip_x = c.x;
            seal.clip_y = c.y;
            seal.clip_w = c.w;
            seal.clip_h = c.h;
          }
          Page& page = doc_.pages[it->second];
          page.order.push_back({Item::Kind::kSeal, page.seals.size()});
          page.seals.push_back(std::move(seal));
        }
      }
    }
  }
  return std::move(doc_);
}

}  // namespace

Result<Document> read_document(const detect::ByteSource& src, const Limits& limits) {
  auto z = detect::ZipArchive::open(src, limits.max_zip_entries);
  if (!z.ok()) {
    if (z.error().code == ErrorCode::kTooLarge) return z.take_error();
    return corrupt("ZIP", error_line("ofd.zip_container_read"));
  }
  z->set_budget(limits.max_uncompressed_bytes);
  if (!z->has("OFD.xml")) return corrupt("OFD.xml", error_line("ofd.no_xml_entry_point"));
  try {
    Reader r(*z, limits);
    return r.read();
  } catch (const std::bad_alloc&) {
    return keyed_error(ErrorCode::kTooLarge, "ofd.document_too_large_read");
  }
}

}  // namespace wenku::ofd
