// OFD golden tests: one per supported feature on OFD packages the test writes itself (text
// positions, reading order, CTM, templates, annotations, images, paths, seals, embedded and
// named fonts, limits and broken files), then the corpus OFD files when the corpus is there.
#include <mupdf/fitz.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "detect/byte_source.h"
#include "detect/detect.h"
#include "ofd/ofd.h"
#include "support/test_support.h"
#include "unit/detect/fixtures.h"

namespace wenku::ofd {
namespace {

using wenku::testing::TempDir;

constexpr const char* kNs = "xmlns:ofd=\"http://www.ofdspec.org/2016\"";

struct Package {
  std::vector<std::string> pages;  // Content.xml of each page
  std::string public_res = "<ofd:Fonts><ofd:Font ID=\"1\" FontName=\"宋体\" FamilyName=\"宋体\"/></ofd:Fonts>";
  std::string document_res;
  std::string common_extra;  // more CommonData children (TemplatePage)
  std::string document_extra;  // more Document children (Annotations)
  std::string body_extra;      // more DocBody children (Signatures)
  std::vector<std::pair<std::string, std::string>> members;  // more package members

  std::vector<std::pair<std::string, std::string>> build() const {
    std::vector<std::pair<std::string, std::string>> m = members;
    m.push_back({"OFD.xml", std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD ") + kNs +
                                " DocType=\"OFD\" Version=\"1.0\"><ofd:DocBody><ofd:DocInfo><ofd:Title>测试标题</ofd:Title>"
                                "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>" +
                                body_extra + "</ofd:DocBody></ofd:OFD>"});
    std::string list;
    for (size_t i = 0; i < pages.size(); ++i) {
      list += "<ofd:Page ID=\"" + std::to_string(100 + i) + "\" BaseLoc=\"Pages/Page_" + std::to_string(i) +
              "/Content.xml\"/>";
      m.push_back({"Doc_0/Pages/Page_" + std::to_string(i) + "/Content.xml", pages[i]});
    }
    m.push_back({"Doc_0/Document.xml",
                 std::string("<ofd:Document ") + kNs +
                     "><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297"
                     "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>" +
                     (document_res.empty() ? "" : "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>") + common_extra +
                     "</ofd:CommonData><ofd:Pages>" + list + "</ofd:Pages>" + document_extra + "</ofd:Document>"});
    m.push_back({"Doc_0/PublicRes.xml", std::string("<ofd:Res ") + kNs + " BaseLoc=\"Res\">" + public_res + "</ofd:Res>"});
    if (!document_res.empty())
      m.push_back({"Doc_0/DocumentRes.xml", std::string("<ofd:Res ") + kNs + " BaseLoc=\"Res\">" + document_res + "</ofd:Res>"});
    return m;
  }
};

std::string page(const std::string& objects, const std::string& before_content = "") {
  return std::string("<ofd:Page ") + kNs + ">" + before_content + "<ofd:Content><ofd:Layer ID=\"2\">" + objects +
         "</ofd:Layer></ofd:Content></ofd:Page>";
}

// A TextObject at (x, y) on the page, `size` mm, its characters 1 em apart (or placed by
// `code_attrs`, the TextCode's X, Y, DeltaX, DeltaY).
std::string text(double x, double y, const std::string& chars, double size = 5, const std::string& attrs = "",
                 const std::string& code_attrs = "") {
  std::ostringstream o;
  o << "<ofd:TextObject ID=\"9\" Boundary=\"" << x << " " << y << " 150 " << size * 2 << "\" Font=\"1\" Size=\"" << size
    << "\" " << attrs << "><ofd:TextCode "
    << (code_attrs.empty() ? "X=\"0\" Y=\"" + std::to_string(size) + "\" DeltaX=\"g 40 " + std::to_string(size) + "\""
                           : code_attrs)
    << ">" << chars
    << "</ofd:TextCode></ofd:TextObject>";
  return o.str();
}

Result<Document> read(const Package& p, const std::filesystem::path& file, const Limits& limits = {}) {
  wenku::testing::write_zip(file, p.build());
  detect::FileSource src(file);
  return read_document(src, limits);
}

// A PNG of one colour, made with MuPDF.
std::string png(unsigned char r, unsigned char g, unsigned char b) {
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  fz_pixmap* pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), 4, 4, nullptr, 0);
  unsigned char* s = fz_pixmap_samples(ctx, pix);
  for (int i = 0; i < 16; ++i) {
    s[i * 3] = r;
    s[i * 3 + 1] = g;
    s[i * 3 + 2] = b;
  }
  fz_buffer* buf = fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
  unsigned char* data = nullptr;
  size_t n = fz_buffer_storage(ctx, buf, &data);
  std::string out(reinterpret_cast<char*>(data), n);
  fz_drop_buffer(ctx, buf);
  fz_drop_pixmap(ctx, pix);
  fz_drop_context(ctx);
  return out;
}

// A PDF as MuPDF reads it: page count, sizes, text, pixels at millimetre positions.
class RenderedPdf {
 public:
  explicit RenderedPdf(const std::filesystem::path& pdf) {
    ctx_ = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
    fz_register_document_handlers(ctx_);
    doc_ = fz_open_document(ctx_, pdf.c_str());
    pages_ = fz_count_pages(ctx_, doc_);
  }
  ~RenderedPdf() {
    for (auto& [i, p] : pix_) fz_drop_pixmap(ctx_, p);
    fz_drop_document(ctx_, doc_);
    fz_drop_context(ctx_);
  }
  int pages() const { return pages_; }
  fz_rect bounds(int i) {
    fz_page* p = fz_load_page(ctx_, doc_, i);
    fz_rect r = fz_bound_page(ctx_, p);
    fz_drop_page(ctx_, p);
    return r;
  }
  std::string text(int i) {
    fz_buffer* b = fz_new_buffer_from_page_number(ctx_, doc_, i, nullptr);
    std::string s = fz_string_from_buffer(ctx_, b);
    fz_drop_buffer(ctx_, b);
    return s;
  }
  // RGB at (x, y) millimetres, rendered at 4 pixels per mm.
  std::array<int, 3> at(int i, double x_mm, double y_mm) {
    if (!pix_.count(i)) {
      float z = static_cast<float>(4 * 25.4 / 72);
      pix_[i] = fz_new_pixmap_from_page_number(ctx_, doc_, i, fz_scale(z, z), fz_device_rgb(ctx_), 0);
    }
    fz_pixmap* p = pix_[i];
    int x = static_cast<int>(x_mm * 4), y = static_cast<int>(y_mm * 4);
    unsigned char* s = fz_pixmap_samples(ctx_, p) + y * fz_pixmap_stride(ctx_, p) + x * 3;
    return {s[0], s[1], s[2]};
  }
  // Non-white pixels in a millimetre box.
  int ink(int i, double x0, double y0, double x1, double y1) {
    at(i, x0, y0);
    int n = 0;
    for (double y = y0; y < y1; y += 0.25)
      for (double x = x0; x < x1; x += 0.25) {
        auto c = at(i, x, y);
        if (c[0] + c[1] + c[2] < 600) ++n;
      }
    return n;
  }

 private:
  fz_context* ctx_;
  fz_document* doc_;
  int pages_ = 0;
  std::map<int, fz_pixmap*> pix_;
};

std::filesystem::path pdf_of(const std::filesystem::path& ofd, const Document& doc) {
  auto out = ofd;
  out += ".pdf";
  detect::FileSource src(ofd);
  auto w = write_pdf(src, doc, out);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
  return out;
}

TEST(OfdGolden, DetectedAsOfd) {
  TempDir dir;
  Package p;
  p.pages = {page(text(10, 10, "一"))};
  wenku::testing::write_zip(dir / "a.ofd", p.build());
  detect::Detection d = detect::detect_file(dir / "a.ofd");
  EXPECT_EQ(d.format, "ofd");
  EXPECT_TRUE(d.supported);
}

TEST(OfdGolden, EveryTextCodeOfEveryPage) {
  TempDir dir;
  Package p;
  p.pages = {page(text(10, 10, "第一页文字") + text(10, 30, "Hello OFD")), page(""), page(text(10, 10, "第三页"))};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->pages.size(), 3u);
  EXPECT_EQ(doc->title, "测试标题");
  auto t = page_texts(*doc);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], "第一页文字\nHello OFD\n");
  EXPECT_EQ(t[1], "");
  EXPECT_EQ(t[2], "第三页\n");
}

TEST(OfdGolden, ReadingOrderIsLinesTopToBottomThenLeftToRight) {
  TempDir dir;
  Package p;
  // Drawn bottom line first, and the right half of the top line before its left half.
  p.pages = {page(text(10, 80, "第三行") + text(60, 20, "右边") + text(10, 20, "左边") + text(10, 50, "第二行"))};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok());
  // The gap between 左边 (ends at 20 mm) and 右边 (starts at 60 mm) is a space.
  EXPECT_EQ(page_texts(*doc)[0], "左边 右边\n第二行\n第三行\n");
}

TEST(OfdGolden, DeltaXAndDeltaYPlaceEachCharacter) {
  TempDir dir;
  Package p;
  // "g 2 5" repeats; a negative DeltaX with a DeltaY starts the next line (an invoice's
  // cipher block): ABC on one line, DEF on the next.
  p.pages = {page(text(10, 10, "ABCDEF", 5, "", "X=\"0\" Y=\"5\" DeltaX=\"g 2 5 -10 g 2 5\" DeltaY=\"0 0 6 0 0\""))};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->pages[0].texts.size(), 1u);
  const auto& g = doc->pages[0].texts[0].glyphs;
  ASSERT_EQ(g.size(), 6u);
  EXPECT_DOUBLE_EQ(g[1].x, 15);
  EXPECT_DOUBLE_EQ(g[3].x, 10);
  EXPECT_DOUBLE_EQ(g[3].y, 21);
  EXPECT_EQ(page_texts(*doc)[0], "ABC\nDEF\n");
}

TEST(OfdGolden, CtmAndBoundaryPlaceTheObject) {
  TempDir dir;
  Package p;
  // In points under a CTM of 0.3528 mm/pt: Y=100 pt is 35.28 mm below the boundary's top,
  // above the line at 50 mm although its number is larger.
  p.pages = {page(text(10, 50, "下面") + text(10, 0, "上面", 12, "CTM=\"0.3528 0 0 0.3528 0 0\"",
                                              "X=\"0\" Y=\"100\" DeltaX=\"12\""))};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(page_texts(*doc)[0], "上面\n下面\n");
  const auto& run = doc->pages[0].texts[1];
  EXPECT_NEAR(run.glyphs[0].y, 35.28, 1e-9);
  EXPECT_NEAR(run.glyphs[1].x, 10 + 12 * 0.3528, 1e-9);
}

TEST(OfdGolden, RotatedTextKeepsItsOwnOrder) {
  TempDir dir;
  Package p;
  // A watermark written bottom to top (rotated -90 degrees): its characters in code order.
  p.pages = {page(text(10, 10, "正文") +
                  text(100, 200, "测试水印", 10, "CTM=\"0 -1 1 0 0 0\"", "X=\"0\" Y=\"0\" DeltaX=\"g 3 10\""))};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(page_texts(*doc)[0], "正文\n测试水印\n");
}

TEST(OfdGolden, TemplatesAndAnnotationsAreOnThePage) {
  TempDir dir;
  Package p;
  p.common_extra = "<ofd:TemplatePage ID=\"50\" BaseLoc=\"Tpls/Tpl_0/Content.xml\"/>";
  p.members.push_back({"Doc_0/Tpls/Tpl_0/Content.xml", page(text(10, 5, "模板页眉"))});
  p.pages = {page(text(10, 40, "正文内容"), "<ofd:Template TemplateID=\"50\" ZOrder=\"Background\"/>")};
  p.document_extra = "<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>";
  p.members.push_back({"Doc_0/Annots/Annotations.xml", std::string("<ofd:Annotations ") + kNs +
                                                           "><ofd:Page PageID=\"100\"><ofd:FileLoc>Page_0/Annotation.xml"
                                                           "</ofd:FileLoc></ofd:Page></ofd:Annotations>"});
  p.members.push_back({"Doc_0/Annots/Page_0/Annotation.xml",
                       std::string("<ofd:PageAnnot ") + kNs +
                           "><ofd:Annot ID=\"60\" Type=\"Watermark\"><ofd:Appearance Boundary=\"0 100 200 50\">" +
                           text(10, 10, "水印文字") + "</ofd:Appearance></ofd:Annot></ofd:PageAnnot>"});
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(page_texts(*doc)[0], "模板页眉\n正文内容\n水印文字\n");
  // The annotation's objects sit inside its appearance box: 100 + 10 + 5 mm.
  EXPECT_NEAR(doc->pages[0].texts.back().glyphs[0].y, 115, 1e-9);
}

TEST(OfdGolden, PdfDrawsTextImagesPathsAndSeals) {
  TempDir dir;
  Package p;
  p.public_res = "<ofd:Fonts><ofd:Font ID=\"1\" FontName=\"仿宋_GB2312\"/></ofd:Fonts>";
  p.document_res = "<ofd:MultiMedias><ofd:MultiMedia ID=\"7\" Type=\"Image\" Format=\"PNG\"><ofd:MediaFile>red.png"
                   "</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias><ofd:DrawParams><ofd:DrawParam ID=\"8\" "
                   "Relative=\"8\"><ofd:StrokeColor Value=\"0 0 255\"/></ofd:DrawParam></ofd:DrawParams>";
  p.members.push_back({"Doc_0/Res/red.png", png(255, 0, 0)});
  p.pages = {page(text(10, 10, "仿宋文字", 10) +
                  "<ofd:ImageObject ID=\"20\" Boundary=\"20 100 40 30\" CTM=\"40 0 0 30 0 0\" ResourceID=\"7\"/>"
                  "<ofd:PathObject ID=\"21\" Boundary=\"100 100 60 40\" Fill=\"true\" Stroke=\"false\">"
                  "<ofd:FillColor Value=\"0 128 0\"/><ofd:AbbreviatedData>M 0 0 L 60 0 L 60 40 L 0 40 C"
                  "</ofd:AbbreviatedData></ofd:PathObject>"
                  "<ofd:PathObject ID=\"22\" Boundary=\"100 200 60 60\" DrawParam=\"8\" LineWidth=\"2\">"
                  "<ofd:AbbreviatedData>M 0 30 A 30 30 0 1 1 60 30 A 30 30 0 1 1 0 30 C</ofd:AbbreviatedData>"
                  "</ofd:PathObject>")};
  // Two signatures: one whose SES value holds a PNG seal (blue), one with none (placeholder).
  p.body_extra = "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>";
  p.members.push_back({"Doc_0/Signs/Signatures.xml", std::string("<ofd:Signatures ") + kNs +
                                                         "><ofd:Signature ID=\"1\" BaseLoc=\"Sign_0/Signature.xml\"/>"
                                                         "<ofd:Signature ID=\"2\" BaseLoc=\"Sign_1/Signature.xml\"/>"
                                                         "</ofd:Signatures>"});
  auto signature = [](const std::string& box) {
    return std::string("<ofd:Signature ") + kNs + "><ofd:SignedInfo><ofd:StampAnnot ID=\"s1\" PageRef=\"100\" Boundary=\"" +
           box + "\"/></ofd:SignedInfo><ofd:SignedValue>SignedValue.dat</ofd:SignedValue></ofd:Signature>";
  };
  p.members.push_back({"Doc_0/Signs/Sign_0/Signature.xml", signature("20 200 40 40")});
  p.members.push_back({"Doc_0/Signs/Sign_0/SignedValue.dat", std::string("\x30\x82\x01\x00\x04\x10", 6) + png(0, 0, 255)});
  p.members.push_back({"Doc_0/Signs/Sign_1/Signature.xml", signature("20 250 40 40")});
  p.members.push_back({"Doc_0/Signs/Sign_1/SignedValue.dat", std::string("\x30\x20\x0C\x0C", 4) + "测试印章" + "\x04\x00"});
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_EQ(doc->pages[0].seals.size(), 2u);
  EXPECT_EQ(doc->pages[0].seals[1].name, "测试印章");
  auto pdf = pdf_of(dir / "a.ofd", *doc);
  RenderedPdf r(pdf);
  ASSERT_EQ(r.pages(), 1);
  EXPECT_NEAR(r.bounds(0).x1, 210 * 72 / 25.4, 0.1);
  EXPECT_NEAR(r.bounds(0).y1, 297 * 72 / 25.4, 0.1);
  // The named font (仿宋_GB2312) becomes an Adobe-GB1 font: its text reads back and shows.
  EXPECT_NE(r.text(0).find("仿宋文字"), std::string::npos);
  EXPECT_GT(r.ink(0, 10, 10, 50, 20), 50);
  auto red = r.at(0, 40, 115);
  EXPECT_GT(red[0], 200);
  EXPECT_LT(red[1], 60);
  auto green = r.at(0, 130, 120);
  EXPECT_LT(green[0], 60);
  EXPECT_GT(green[1], 100);
  // The circle (an arc path, stroke colour from a DrawParam whose Relative loops to itself).
  auto ring = r.at(0, 100.5, 230);
  EXPECT_GT(ring[2], 150);
  EXPECT_LT(ring[0], 100);
  EXPECT_GT(r.ink(0, 129, 229, 131, 231), -1);
  auto centre = r.at(0, 130, 230);
  EXPECT_GT(centre[0] + centre[1] + centre[2], 700);  // the circle is stroked, not filled
  // The seal picture (blue) in its box; the placeholder names the seal.
  auto seal = r.at(0, 40, 220);
  EXPECT_LT(seal[0], 60);
  EXPECT_GT(seal[2], 200);
  EXPECT_NE(r.text(0).find("测试印章"), std::string::npos);
}

TEST(OfdGolden, EmbeddedFontsAreEmbeddedAgain) {
  const std::filesystem::path ttf = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (!std::filesystem::exists(ttf)) GTEST_SKIP() << "fonts-dejavu-core not installed";
  TempDir dir;
  Package p;
  p.public_res = "<ofd:Fonts><ofd:Font ID=\"1\" FontName=\"DejaVu Sans\"><ofd:FontFile>font_1.ttf</ofd:FontFile>"
                 "</ofd:Font></ofd:Fonts>";
  p.members.push_back({"Doc_0/Res/font_1.ttf", wenku::testing::read_file(ttf)});
  p.pages = {page(text(10, 10, "Embedded", 8, "", "X=\"0\" Y=\"8\" DeltaX=\"g 7 5\""))};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok());
  ASSERT_FALSE(doc->fonts.at("1").file.empty());
  auto pdf = pdf_of(dir / "a.ofd", *doc);
  std::string bytes = wenku::testing::read_file(pdf);
  EXPECT_NE(bytes.find("/FontFile2"), std::string::npos);
  RenderedPdf r(pdf);
  EXPECT_NE(r.text(0).find("Embedded"), std::string::npos);
  EXPECT_GT(r.ink(0, 10, 10, 50, 20), 50);
}

TEST(OfdGolden, BrokenFilesFailWithAReason) {
  TempDir dir;
  auto fails = [&](const std::vector<std::pair<std::string, std::string>>& members, ErrorCode code,
                   const std::string& words, const Limits& limits = {}) {
    wenku::testing::write_zip(dir / "b.ofd", members);
    detect::FileSource src(dir / "b.ofd");
    auto d = read_document(src, limits);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, code) << d.error().message;
    EXPECT_NE(d.error().message.find(words), std::string::npos) << d.error().message;
  };
  fails({{"OFD.xml", "<ofd:OFD/>"}}, ErrorCode::kCorrupt, "ofd.no_docbody");  // the key of the words
  fails({{"OFD.xml", "<ofd:OFD><ofd:DocBody/></ofd:OFD>"}}, ErrorCode::kCorrupt, "ofd.no_docroot");
  fails({{"OFD.xml", "<ofd:OFD><ofd:DocBody><ofd:DocRoot>D/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"}},
        ErrorCode::kCorrupt, "D/Document.xml");
  fails({{"OFD.xml", "<ofd:OFD><ofd:DocBody><ofd:DocRoot"}}, ErrorCode::kCorrupt, "OFD.xml");
  Package p;
  p.pages = {page(text(10, 10, "一"))};
  auto members = p.build();
  members.erase(std::remove_if(members.begin(), members.end(),
                               [](const auto& m) { return m.first == "Doc_0/Pages/Page_0/Content.xml"; }),
                members.end());
  fails(members, ErrorCode::kCorrupt, "Page_0/Content.xml");
  // Nesting: PageBlocks inside PageBlocks, and XML depth.
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<ofd:PageBlock>";
  for (int i = 0; i < 40; ++i) deep += "</ofd:PageBlock>";
  Package nested;
  nested.pages = {page(deep)};
  fails(nested.build(), ErrorCode::kTooLarge, "nested");
  Package many;
  many.pages = {page(""), page(""), page("")};
  Limits two;
  two.max_pages = 2;
  fails(many.build(), ErrorCode::kTooLarge, "pages", two);
  Limits few;
  few.max_objects = 10;
  Package big;
  big.pages = {page(text(10, 10, "一二三四五六七八九十一二三四五六七八九十"))};
  fails(big.build(), ErrorCode::kTooLarge, "objects", few);
  fails({{"notofd.txt", "x"}}, ErrorCode::kCorrupt, "OFD.xml");
}

TEST(OfdGolden, MissingResourcesAndLoopsStillGiveThePage) {
  TempDir dir;
  Package p;
  // An image and a font the resources do not hold, a template that names itself, a
  // DrawParam chain that loops, a missing PublicRes font file.
  p.public_res = "<ofd:Fonts><ofd:Font ID=\"1\" FontName=\"黑体\"><ofd:FontFile>missing.ttf</ofd:FontFile></ofd:Font>"
                 "</ofd:Fonts><ofd:DrawParams><ofd:DrawParam ID=\"3\" Relative=\"4\"/><ofd:DrawParam ID=\"4\" "
                 "Relative=\"3\"/></ofd:DrawParams>";
  p.common_extra = "<ofd:TemplatePage ID=\"50\" BaseLoc=\"Tpls/Tpl_0/Content.xml\"/>";
  p.members.push_back({"Doc_0/Tpls/Tpl_0/Content.xml",
                       page(text(10, 5, "模板"), "<ofd:Template TemplateID=\"50\" ZOrder=\"Background\"/>")});
  p.pages = {page("<ofd:ImageObject ID=\"5\" Boundary=\"0 0 10 10\" ResourceID=\"404\"/>" +
                      text(10, 40, "黑体正文", 5, "DrawParam=\"3\" Font=\"99\""),
                  "<ofd:Template TemplateID=\"50\"/>")};
  auto doc = read(p, dir / "a.ofd");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(page_texts(*doc)[0], "模板\n黑体正文\n");
  auto pdf = pdf_of(dir / "a.ofd", *doc);
  RenderedPdf r(pdf);
  EXPECT_EQ(r.pages(), 1);
  EXPECT_GT(r.ink(0, 10, 40, 40, 50), 30);
}

// The corpus OFD files: page count and text (every TextCode, reading order).
TEST(OfdGolden, CorpusFiles) {
  auto corpus = wenku::testing::corpus_dir();
  if (!corpus) GTEST_SKIP() << "shared corpus not present";
  struct Row {
    const char* path;
    size_t pages;
    std::vector<std::string> snippets;  // in this order on the pages
  };
  const std::vector<Row> rows = {
      {"docs/other/ofdrw__AddAttachment_relativepathversion.ofd", 1, {"这是一个带有附件的OFD文件"}},
      {"docs/other/ofdrw__DigitalSign.ofd", 1, {"你好呀，OFD Reader&Writer！"}},
      {"docs/other/ofdrw__VPage7.ofd", 5, {}},
      {"docs/other/ofdrw__page3.ofd", 1, {"3"}},
      {"docs/other/ofdrw_resources__h.ofd", 5, {}},
      {"docs/zh/other/ofdrw__AddWatermarkAnnot.ofd", 6, {"拿来主义\n鲁迅\n一\n中华民国十五年三月二十五日，就是国立"}},
      {"docs/zh/other/ofdrw__multiKeywordInTextCode.ofd", 1, {"打发打发打发打发打发哈哈打发哈哈哈哈哈哈哈哈哈打发"}},
      {"docs/zh/other/ofdrw__signout.ofd", 1, {"XX市政府文件处理", "来文文号", "市委主要领导同志调研后续落实事项的通知", "秘书股陈小明2020-06-15"}},
      {"docs/zh/other/ofdrw__文字横向-数科.ofd", 1, {"一"}},
      {"docs/zh/other/ofdrw__透明度文字.ofd", 1, {"测试水印 测试水印", "你好呀，OFD Reader&Writer！", "测试水印"}},
      {"docs/zh/other/ofdrw_resources__1.ofd", 1,
       {"浙江增值税电子普通发票", "发票代码：033002000211", "名 称：江苏京利华新材料有限公司", "价税合计（大写） 伍佰贰拾陆圆整",
        "收款人：管理员"}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.path);
    auto file = *corpus / row.path;
    detect::FileSource src(file);
    auto doc = read_document(src);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(doc->pages.size(), row.pages);
    std::string all;
    for (const auto& t : page_texts(*doc)) all += t;
    size_t at = 0;
    for (const auto& s : row.snippets) {
      size_t found = all.find(s, at);
      EXPECT_NE(found, std::string::npos) << s << "\n" << all.substr(0, 600);
      if (found != std::string::npos) at = found + s.size();
    }
    TempDir dir;
    auto w = write_pdf(src, *doc, dir / "out.pdf");
    ASSERT_TRUE(w.ok()) << w.error().message;
    RenderedPdf r(dir / "out.pdf");
    EXPECT_EQ(static_cast<size_t>(r.pages()), row.pages);
  }
}

}  // namespace
}  // namespace wenku::ofd
