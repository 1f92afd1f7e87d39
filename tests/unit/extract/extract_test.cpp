// Unit tests of native text extraction on packages and texts the tests build, including
// hostile ones (zip bombs, deep XML, entity bombs, too many entries).
#include "extract/extract.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include "support/test_support.h"
#include "unit/detect/fixtures.h"

namespace wenku::extract {
namespace {

using wenku::testing::TempDir;
using wenku::testing::write_file;
using wenku::testing::wp;

Result<ExtractedText> run(const std::filesystem::path& p, const ExtractLimits& limits = {}) {
  return extract_text(p, detect::detect_file(p), limits);
}

TEST(Extract, DocxParagraphsAndTablesInReadingOrder) {
  TempDir dir;
  auto p = dir / "a.docx";
  wenku::testing::write_zip(
      p, wenku::testing::docx_members(
             wp("第一段") + "<w:tbl><w:tr><w:tc>" + wp("甲") + "</w:tc><w:tc>" + wp("乙") + "</w:tc></w:tr></w:tbl>" +
             "<w:p><w:r><w:t>第二</w:t></w:r><w:r><w:delText>删除</w:delText><w:t>段</w:t></w:r></w:p>"));
  auto r = run(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->pages.size(), 1u);
  EXPECT_FALSE(r->paged);
  EXPECT_EQ(r->title, "测试标题");
  const std::string& t = r->pages[0];
  EXPECT_LT(t.find("第一段"), t.find("甲"));
  EXPECT_LT(t.find("甲"), t.find("乙"));
  EXPECT_LT(t.find("乙"), t.find("第二段"));
  EXPECT_EQ(t.find("删除"), std::string::npos) << "deleted text is not part of the document";
}

TEST(Extract, XlsxSharedStringsResolvedSheetsInOrder) {
  TempDir dir;
  auto p = dir / "a.xlsx";
  const std::string ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                         "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
  wenku::testing::write_zip(
      p, {{"[Content_Types].xml",
           wenku::testing::content_types("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                         "xl/workbook.xml")},
          {"_rels/.rels", wenku::testing::package_rels("xl/workbook.xml")},
          {"xl/workbook.xml", "<workbook " + ns + "><sheets><sheet name=\"收入\" sheetId=\"1\" r:id=\"rId2\"/>"
                              "<sheet name=\"支出\" sheetId=\"2\" r:id=\"rId1\"/></sheets></workbook>"},
          {"xl/_rels/workbook.xml.rels",
           "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
           "<Relationship Id=\"rId2\" Target=\"worksheets/sheet2.xml\"/>"
           "<Relationship Id=\"rId3\" Target=\"sharedStrings.xml\"/></Relationships>"},
          {"xl/sharedStrings.xml", "<sst " + ns + "><si><t>工资</t></si><si><r><t>房</t></r><r><t>租</t></r></si></sst>"},
          {"xl/worksheets/sheet2.xml", "<worksheet " + ns + "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                                       "<c r=\"B1\"><v>8000</v></c></row></sheetData></worksheet>"},
          {"xl/worksheets/sheet1.xml", "<worksheet " + ns + "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c>"
                                       "<c r=\"B1\" t=\"inlineStr\"><is><t>每月</t></is></c></row></sheetData></worksheet>"}});
  auto r = run(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->pages.size(), 2u);
  EXPECT_EQ(r->pages[0], "收入\n工资\t8000");
  EXPECT_EQ(r->pages[1], "支出\n房租\t每月");
}

TEST(Extract, PptxSlidesInPresentationOrder) {
  TempDir dir;
  auto p = dir / "a.pptx";
  auto slide = [](const std::string& text) {
    return "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>" + text +
           "</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>";
  };
  wenku::testing::write_zip(
      p, {{"[Content_Types].xml", wenku::testing::content_types(
                                      "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                                      "ppt/presentation.xml")},
          {"_rels/.rels", wenku::testing::package_rels("ppt/presentation.xml")},
          {"ppt/presentation.xml", "<p:presentation xmlns:p=\"p\" xmlns:r=\"r\"><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId7\"/>"
                                   "<p:sldId id=\"257\" r:id=\"rId3\"/></p:sldIdLst></p:presentation>"},
          {"ppt/_rels/presentation.xml.rels", "<Relationships><Relationship Id=\"rId3\" Target=\"slides/slide1.xml\"/>"
                                              "<Relationship Id=\"rId7\" Target=\"/ppt/slides/slide2.xml\"/></Relationships>"},
          {"ppt/slides/slide1.xml", slide("第二张")},
          {"ppt/slides/slide2.xml", slide("第一张")}});
  auto r = run(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->pages.size(), 2u);
  EXPECT_EQ(r->pages[0], "第一张");
  EXPECT_EQ(r->pages[1], "第二张");
}

TEST(Extract, OdtAndOdsText) {
  TempDir dir;
  auto odt = dir / "a.odt";
  wenku::testing::write_zip(
      odt, {{"mimetype", "application/vnd.oasis.opendocument.text"},
            {"content.xml", "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\"><office:body><office:text>"
                            "<text:h>标题</text:h><text:p>甲<text:s text:c=\"2\"/>乙<text:tab/>丙</text:p>"
                            "</office:text></office:body></office:document-content>"}});
  auto r = run(odt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->pages.at(0), "标题\n甲  乙\t丙");
  auto ods = dir / "a.ods";
  wenku::testing::write_zip(
      ods, {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
            {"content.xml", "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"b\"><office:body>"
                            "<office:spreadsheet><table:table table:name=\"表一\"><table:table-row><table:table-cell>"
                            "<text:p>1</text:p></table:table-cell><table:table-cell table:number-columns-repeated=\"16000\"/>"
                            "<table:table-cell><text:p>二</text:p></table:table-cell></table:table-row></table:table>"
                            "<table:table table:name=\"表二\"/></office:spreadsheet></office:body></office:document-content>"}});
  auto s = run(ods);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->pages.size(), 2u);
  EXPECT_EQ(s->pages[0], "表一\n1\t二");
  EXPECT_EQ(s->pages[1], "表二");
}

TEST(Extract, EpubChaptersInSpineOrder) {
  TempDir dir;
  auto p = dir / "a.epub";
  auto chapter = [](const std::string& body) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>t</title>"
           "<style>p{color:red}</style></head><body><p>" + body + "</p><script>var x=1;</script></body></html>";
  };
  wenku::testing::write_zip(
      p, {{"mimetype", "application/epub+zip"},
          {"META-INF/container.xml", "<container><rootfiles><rootfile full-path=\"OEBPS/content.opf\"/></rootfiles></container>"},
          {"OEBPS/content.opf", "<package xmlns:dc=\"dc\"><metadata><dc:title>书名</dc:title></metadata><manifest>"
                                "<item id=\"c1\" href=\"text/c1.xhtml\"/><item id=\"c2\" href=\"text/c2.xhtml\"/></manifest>"
                                "<spine><itemref idref=\"c2\"/><itemref idref=\"c1\"/></spine></package>"},
          {"OEBPS/text/c1.xhtml", chapter("第二章内容")},
          {"OEBPS/text/c2.xhtml", chapter("第一章内容")}});
  auto r = run(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->title, "书名");
  const std::string& t = r->pages.at(0);
  EXPECT_LT(t.find("第一章内容"), t.find("第二章内容"));
  EXPECT_EQ(t.find("color"), std::string::npos);
  EXPECT_EQ(t.find("var x"), std::string::npos);
}

TEST(Extract, LegacyEncodedTextDecodesToUtf8) {
  TempDir dir;
  const std::string text = "教育部关于进一步加强中小学教师队伍建设的意见。为全面贯彻党的教育方针，落实立德树人根本任务。\r\n第二行。\n";
  for (const char* enc : {"GBK", "UTF-16LE", "UTF-16"}) {
    iconv_t cd = iconv_open(enc, "UTF-8");
    ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
    std::string in = text, out(text.size() * 4, '\0');
    char* ip = in.data();
    char* op = out.data();
    size_t il = in.size(), ol = out.size();
    ASSERT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
    iconv_close(cd);
    out.resize(out.size() - ol);
    auto p = dir / "t.txt";
    write_file(p, out);
    auto r = run(p);
    ASSERT_TRUE(r.ok()) << enc << ": " << r.error().message;
    EXPECT_EQ(r->pages.at(0), "教育部关于进一步加强中小学教师队伍建设的意见。为全面贯彻党的教育方针，落实立德树人根本任务。\n第二行。\n")
        << enc;
  }
}

TEST(Extract, HtmlBodyTextWithoutScriptOrStyle) {
  auto r = extract_html_text(
      "<html><head><title> 页面标题 </title><style>.a{}</style></head><body><h1>大标题</h1>"
      "<p>第一   段\n落</p><script>alert(1)</script><table><tr><td>甲</td><td>乙</td></tr></table></body></html>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "页面标题");
  EXPECT_EQ(r->pages.at(0), "大标题\n第一 段 落\n甲\t乙");
}

TEST(Extract, ZipBombStopsAtTheUncompressedLimit) {
  TempDir dir;
  auto p = dir / "bomb.docx";
  wenku::testing::write_zip(p, wenku::testing::docx_members(wp(std::string(8 << 20, 'a'))));
  ExtractLimits limits;
  limits.max_uncompressed_bytes = 1 << 20;
  auto r = run(p, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(run(p).ok()) << "under the default limits the same file is fine";
}

TEST(Extract, TooManyEntriesIsTooLarge) {
  TempDir dir;
  auto p = dir / "many.docx";
  auto members = wenku::testing::docx_members(wp("x"));
  for (int i = 0; i < 50; ++i) members.emplace_back("word/media/f" + std::to_string(i), "x");
  wenku::testing::write_zip(p, members);
  ExtractLimits limits;
  limits.max_zip_entries = 20;
  auto r = run(p, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
}

TEST(Extract, DeepXmlIsRejectedWithoutRecursion) {
  TempDir dir;
  auto p = dir / "deep.docx";
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<w:x>";
  for (int i = 0; i < 100000; ++i) deep += "</w:x>";
  wenku::testing::write_zip(p, wenku::testing::docx_members(deep));
  auto r = run(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
}

TEST(Extract, EntityBombIsNotExpanded) {
  TempDir dir;
  auto p = dir / "lol.docx";
  std::string dtd = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i)
    dtd += "<!ENTITY lol" + std::to_string(i) + " \"" + std::string("&lol") + (i > 1 ? std::to_string(i - 1) : "") +
           ";&lol" + (i > 1 ? std::to_string(i - 1) : "") + ";&lol" + (i > 1 ? std::to_string(i - 1) : "") + ";\">";
  dtd += "]>";
  auto members = wenku::testing::docx_members("");
  members[2].second = "<?xml version=\"1.0\"?>" + dtd +
                      "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>";
  wenku::testing::write_zip(p, members);
  auto r = run(p);
  if (r.ok()) {
    EXPECT_LT(r->pages.at(0).size(), 100u);
  } else {
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  }
}

TEST(Extract, ErrorsSayWhatAndWhere) {
  TempDir dir;
  auto p = dir / "broken.docx";
  auto members = wenku::testing::docx_members(wp("x"));
  members[2].second = "<w:document><w:body><w:p>";
  wenku::testing::write_zip(p, members);
  auto r = run(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(r.error().message.find("word/document.xml"), std::string::npos);

  detect::Detection doc;
  doc.format = "doc";
  doc.supported = doc.needs_conversion = true;
  auto c = extract_text(p, doc);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnsupportedFormat);

  detect::Detection enc = doc;
  enc.encrypted = true;
  EXPECT_EQ(extract_text(p, enc).error().code, ErrorCode::kEncrypted);
}

TEST(Extract, PdfPagesFromAHandWrittenPdf) {
  TempDir dir;
  auto p = dir / "two.pdf";
  // Two pages with a Type1 standard font; no exact xref: MuPDF repairs the table.
  std::string pdf =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/Type/Catalog>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[3 0 R 5 0 R]/Count 2>>endobj\n"
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 300]/Contents 4 0 R/Resources<</Font<</F1 7 0 R>>>>>>endobj\n"
      "4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 20 200 Td (First page) Tj ET\nendstream endobj\n"
      "5 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 300]/Contents 6 0 R/Resources<</Font<</F1 7 0 R>>>>>>endobj\n"
      "6 0 obj<</Length 45>>stream\nBT /F1 18 Tf 20 200 Td (Second page) Tj ET\nendstream endobj\n"
      "7 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
      "8 0 obj<</Title(Hand made)>>endobj\n"
      "trailer<</Root 1 0 R/Info 8 0 R>>\n%%EOF\n";
  write_file(p, pdf);
  auto r = run(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->paged);
  ASSERT_EQ(r->pages.size(), 2u);
  EXPECT_EQ(r->pages[0], "First page");
  EXPECT_EQ(r->pages[1], "Second page");
  EXPECT_EQ(r->title, "Hand made");
  ExtractLimits one;
  one.max_pages = 1;
  EXPECT_EQ(extract_pdf_text(p, one).error().code, ErrorCode::kTooLarge);
  write_file(p, "%PDF-1.4\ngarbage only\n");
  auto bad = extract_pdf_text(p);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace wenku::extract
