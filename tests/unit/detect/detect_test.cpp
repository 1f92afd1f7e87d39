// Unit tests of format detection on fixtures the tests build: ZIP packages, OLE2 files, PDFs
// and text in legacy encodings.
#include "detect/detect.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include "detect/ole2.h"
#include "detect/text_encoding.h"
#include "support/test_support.h"
#include "unit/detect/fixtures.h"

namespace wenku::detect {
namespace {

using wenku::testing::TempDir;
using wenku::testing::write_file;

// Re-encodes UTF-8 with glibc iconv, as another program on the machine would.
std::string iconv_from_utf8(const std::string& utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv_open");
  std::string in = utf8, out(utf8.size() * 4 + 16, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  if (iconv(cd, &ip, &il, &op, &ol) == static_cast<size_t>(-1)) throw std::runtime_error("iconv");
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

const std::string kChinese =
    "中华人民共和国教育部关于进一步加强中小学教师队伍建设的意见。各省、自治区、直辖市教育厅（教委），"
    "新疆生产建设兵团教育局：为全面贯彻党的教育方针，落实立德树人根本任务，现就进一步加强中小学教师队伍建设提出如下意见。\n";

TEST(Detect, DocxNamedDocIsDocx) {
  TempDir dir;
  auto p = dir / "讲话稿.doc";
  wenku::testing::write_zip(p, wenku::testing::docx_members(wenku::testing::wp("你好")));
  Detection d = detect_file(p);
  EXPECT_EQ(d.format, "docx");
  EXPECT_TRUE(d.supported);
  EXPECT_TRUE(d.needs_conversion);
  EXPECT_FALSE(d.encrypted);
}

TEST(Detect, OoxmlKindsComeFromContentTypes) {
  TempDir dir;
  auto x = dir / "a.bin";
  wenku::testing::write_zip(
      x, {{"[Content_Types].xml",
           wenku::testing::content_types("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                         "xl/workbook.xml")},
          {"xl/workbook.xml", "<workbook/>"}});
  EXPECT_EQ(detect_file(x).format, "xlsx");
  auto y = dir / "b.bin";
  wenku::testing::write_zip(
      y, {{"[Content_Types].xml",
           wenku::testing::content_types(
               "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
               "ppt/presentation.xml")},
          {"ppt/presentation.xml", "<p:presentation xmlns:p=\"p\"/>"}});
  EXPECT_EQ(detect_file(y).format, "pptx");
  auto theme_only = dir / "c.docx";
  wenku::testing::write_zip(theme_only, {{"[Content_Types].xml", "<Types/>"}, {"theme/theme1.xml", "<t/>"}});
  Detection d = detect_file(theme_only);
  EXPECT_EQ(d.format, "ooxml-other");
  EXPECT_FALSE(d.supported);
  EXPECT_TRUE(parse_error_line(d.reason).has_value()) << d.reason;  // worded by http/cli
}

TEST(Detect, OdfEpubAndOfdByMembers) {
  TempDir dir;
  auto odt = dir / "x";
  wenku::testing::write_zip(odt, {{"mimetype", "application/vnd.oasis.opendocument.text"}, {"content.xml", "<a/>"}});
  EXPECT_EQ(detect_file(odt).format, "odt");
  auto enc = dir / "y";
  wenku::testing::write_zip(enc, {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
                                  {"META-INF/manifest.xml", "<m><manifest:encryption-data/></m>"}});
  Detection e = detect_file(enc);
  EXPECT_EQ(e.format, "ods");
  EXPECT_TRUE(e.encrypted);
  EXPECT_FALSE(e.supported);
  auto epub = dir / "z";
  wenku::testing::write_zip(epub, {{"mimetype", "application/epub+zip"}, {"META-INF/container.xml", "<c/>"}});
  EXPECT_EQ(detect_file(epub).format, "epub");
  auto ofd = dir / "w";
  wenku::testing::write_zip(ofd, {{"OFD.xml", "<ofd:OFD/>"}, {"Doc_0/Document.xml", "<d/>"}});
  EXPECT_EQ(detect_file(ofd).format, "ofd");
  EXPECT_TRUE(detect_file(ofd).supported);
  EXPECT_FALSE(detect_file(ofd).needs_conversion);  // the ofd module makes its PDF
}

TEST(Detect, Ole2ByTopLevelStreamNames) {
  TempDir dir;
  auto check = [&](const std::string& stream, const std::string& prefix, bool nested) {
    auto p = dir / "f.bin";
    write_file(p, wenku::testing::make_ole2(stream, prefix, nested));
    return detect_file(p);
  };
  EXPECT_EQ(check("WordDocument", std::string(32, '\0'), false).format, "doc");
  EXPECT_EQ(check("PowerPoint Document", "", false).format, "ppt");
  // BOF record then EOF: an ordinary workbook.
  std::string bof("\x09\x08\x04\x00\x00\x06\x05\x00\x0A\x00\x00\x00", 12);
  Detection xls = check("Workbook", bof, false);
  EXPECT_EQ(xls.format, "xls");
  EXPECT_FALSE(xls.encrypted);
  // A stream that only exists inside an embedded object storage does not decide the format.
  Detection nested = check("WordDocument", "", true);
  EXPECT_NE(nested.format, "doc");
  EXPECT_FALSE(nested.supported);
  // Microsoft Works: a CONTENTS stream starting CHNKWKS, or Works' MN0 stream; converted
  // by LibreOffice's Works import.
  Detection works = check("CONTENTS", "CHNKWKS", false);
  EXPECT_EQ(works.format, "works");
  EXPECT_TRUE(works.supported);
  EXPECT_TRUE(works.needs_conversion);
  EXPECT_EQ(check("MN0", "", false).format, "works");
  EXPECT_EQ(check("CONTENTS", "CHNKINK ", false).format, "works");  // Works 2000+
  EXPECT_NE(check("CONTENTS", "CHNKINK ", true).format, "works");   // inside a storage: Publisher's
}

TEST(Detect, EncryptedOle2Files) {
  TempDir dir;
  auto p = dir / "f.bin";
  std::string fib(32, '\0');
  fib[11] = 0x01;  // FIB flags 0x0100: fEncrypted
  write_file(p, wenku::testing::make_ole2("WordDocument", fib));
  Detection doc = detect_file(p);
  EXPECT_EQ(doc.format, "doc");
  EXPECT_TRUE(doc.encrypted);
  EXPECT_FALSE(doc.supported);
  EXPECT_NE(doc.reason.find("encrypted"), std::string::npos) << doc.reason;
  // BOF then FILEPASS (0x002F): an encrypted workbook.
  write_file(p, wenku::testing::make_ole2("Workbook", std::string("\x09\x08\x04\x00\x00\x06\x05\x00\x2F\x00\x02\x00\x01\x00", 14)));
  Detection xls = detect_file(p);
  EXPECT_EQ(xls.format, "xls");
  EXPECT_TRUE(xls.encrypted);
  write_file(p, wenku::testing::make_ole2("EncryptedPackage", ""));
  EXPECT_EQ(detect_file(p).format, "ole") << "EncryptionInfo missing: not an encrypted package";
}

TEST(Detect, Ole2ReaderReadsStreamContent) {
  std::string f = wenku::testing::make_ole2("WordDocument", "hello world");
  MemorySource src(f);
  auto r = Ole2Reader::open(src);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Ole2Entry* e = r->find("worddocument");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->size, 4096u);
  auto data = r->read_stream(*e, 4096);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->size(), 4096u);
  EXPECT_EQ(data->substr(0, 11), "hello world");
}

TEST(Detect, CorruptOle2FallsBackToNamesOrSaysCorrupt) {
  std::string f = wenku::testing::make_ole2("WordDocument", "");
  f[0x30] = '\x7F';  // first directory sector far outside the file
  MemorySource src(f);
  EXPECT_FALSE(Ole2Reader::open(src).ok());
  Detection d = detect_source(src);
  EXPECT_EQ(d.format, "doc");  // the stream name is still in the bytes: LibreOffice may recover it
  std::string junk = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + std::string(100, 'x');
  MemorySource j(junk);
  Detection dj = detect_source(j);
  EXPECT_FALSE(dj.supported);
  EXPECT_NE(dj.reason.find("corrupt"), std::string::npos);
}

TEST(Detect, PdfWithJunkBeforeHeader) {
  TempDir dir;
  auto p = dir / "x.txt";
  write_file(p, std::string(600, 'j') + "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
  Detection d = detect_file(p);
  EXPECT_EQ(d.format, "pdf");
  EXPECT_FALSE(d.needs_conversion);
  write_file(p, std::string(1100, 'j') + "%PDF-1.4\n");
  EXPECT_NE(detect_file(p).format, "pdf") << "a header past the first KB is not a PDF header";
}

TEST(Detect, LegacyChineseEncodingsAreDetected) {
  TempDir dir;
  const std::string text = kChinese + kChinese;
  struct Case {
    const char* iconv_name;
    std::string expect;
  } cases[] = {{"GBK", "GB18030"}, {"GB18030", "GB18030"}, {"BIG5", "Big5"}, {"UTF-16LE", "UTF-16LE"},
               {"UTF-16BE", "UTF-16BE"}, {"UTF-32LE", "UTF-32LE"}};
  for (const auto& c : cases) {
    auto p = dir / "t.txt";
    std::string bytes = iconv_from_utf8(c.iconv_name == std::string("BIG5") ? "中華民國教育部關於進一步加強中小學教師隊伍建設的意見。各縣市政府教育局處：為全面貫徹教育方針，落實立德樹人根本任務，現就進一步加強中小學教師隊伍建設提出如下意見。\n" : text, c.iconv_name);
    write_file(p, bytes);
    Detection d = detect_file(p);
    EXPECT_EQ(d.format, "txt") << c.iconv_name;
    EXPECT_EQ(d.encoding, c.expect) << c.iconv_name;
  }
  auto bom = dir / "bom.txt";
  write_file(bom, "\xFF\xFE" + iconv_from_utf8(text, "UTF-16LE"));
  EXPECT_EQ(detect_file(bom).encoding, "UTF-16LE");
  auto u8 = dir / "u8.txt";
  write_file(u8, text);
  EXPECT_EQ(detect_file(u8).encoding, "UTF-8");
}

TEST(Detect, MarkupKinds) {
  EXPECT_EQ(detect_text("<!DOCTYPE html><html><body>x</body></html>", true).format, "html");
  EXPECT_EQ(detect_text("<?xml version=\"1.0\"?>\n<!-- c -->\n<html><body/></html>", true).format, "html");
  EXPECT_EQ(detect_text("<?xml version=\"1.0\"?><rss><channel>x</channel></rss>", true).format, "xml");
  Detection w = detect_text("<?xml version=\"1.0\"?><?mso-application progid=\"Word.Document\"?><w:wordDocument/>", true);
  EXPECT_EQ(w.format, "wordml");
  EXPECT_TRUE(w.supported);
  EXPECT_TRUE(w.needs_conversion);
  Detection x = detect_text("<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook "
                            "xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet/></Workbook>",
                            true);
  EXPECT_EQ(x.format, "xmlss");
  EXPECT_TRUE(x.needs_conversion);
  // Without the processing instruction the root element still tells.
  EXPECT_EQ(detect_text("<?xml version=\"1.0\"?><w:wordDocument xmlns:w=\"http://schemas.microsoft.com/office/"
                        "word/2003/wordml\"><w:body/></w:wordDocument>",
                        true)
                .format,
            "wordml");
  // Flat ODF and Word 2007 flat OPC keep the generic name, still laid out by LibreOffice.
  Detection f = detect_text("<?xml version=\"1.0\"?><office:document xmlns:office=\"o\"/>", true);
  EXPECT_EQ(f.format, "xml");
  EXPECT_TRUE(f.needs_conversion);
  EXPECT_EQ(detect_text("# 标题\n\n正文", true).format, "txt");
  Detection m = detect_text("MIME-Version: 1.0\nContent-Type: multipart/related; boundary=x\n\n--x", true);
  EXPECT_EQ(m.format, "mhtml");
  EXPECT_TRUE(m.supported);
  EXPECT_EQ(detect_text("From: a@b\nSubject: hi\n\nbody", true).format, "txt");
}

TEST(Detect, MagicOfOtherFormats) {
  EXPECT_EQ(detect_text("{\\rtf1\\ansi hello}", true).format, "txt");  // detect_text alone does not sniff RTF
  auto check = [](const std::string& bytes) {
    MemorySource s(bytes);
    return detect_source(s);
  };
  EXPECT_EQ(check("{\\rtf1\\ansi hello}").format, "rtf");
  EXPECT_EQ(check(std::string("\xDB\xA5\x2D\x00", 4) + std::string(60, '\0')).format, "doc");
  EXPECT_EQ(check("\xFFWPC" + std::string(60, '\0')).format, "wordperfect");
  EXPECT_EQ(check("\x89PNG\r\n\x1A\n" + std::string(60, '\0')).format, "png");
  Detection empty = check("");
  EXPECT_EQ(empty.format, "unknown");
  EXPECT_FALSE(empty.supported);
  EXPECT_EQ(check(std::string("\x00\x01\x02\x03\xFF\xFE\x00\x00\x10", 9) + std::string(100, '\x01')).format, "unknown");
}

TEST(Detect, ImagesAreDocumentsByTheirMagic) {
  auto check = [](const std::string& bytes) {
    MemorySource s(bytes);
    return detect_source(s);
  };
  const std::string pad(64, '\0');
  EXPECT_EQ(check("\xFF\xD8\xFF\xE0" + pad).format, "jpeg");
  EXPECT_EQ(check("\x89PNG\r\n\x1A\n" + pad).format, "png");
  EXPECT_EQ(check(std::string("II*\0", 4) + pad).format, "tiff");
  EXPECT_EQ(check(std::string("MM\0*", 4) + pad).format, "tiff");
  EXPECT_EQ(check(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16) + pad).format, "webp");
  EXPECT_EQ(check(std::string("\0\0\0\x18" "ftypheic", 12) + pad).format, "heic");
  EXPECT_EQ(check(std::string("\0\0\0\x18" "ftypmif1", 12) + pad).format, "heic");
  Detection png = check("\x89PNG\r\n\x1A\n" + pad);
  EXPECT_TRUE(png.supported);
  EXPECT_FALSE(png.needs_conversion);
  Detection gif = check("GIF89a" + pad);
  EXPECT_EQ(gif.format, "image");
  EXPECT_FALSE(gif.supported);
  // An MP4 is an ISO box file too, but not a picture.
  EXPECT_NE(check(std::string("\0\0\0\x18" "ftypisom", 12) + pad).format, "heic");
}

// Found by detect_fuzz from its seeds alone: a RIFF header shorter than the 12 bytes that
// name its kind threw std::out_of_range out of detect_source.
TEST(Detect, ShortRiffHeaderIsNotACrash) {
  auto check = [](const std::string& bytes) {
    MemorySource s(bytes);
    return detect_source(s);
  };
  for (size_t n = 4; n < 12; ++n) {
    SCOPED_TRACE(n);
    EXPECT_NE(check(std::string("RIFF\x1b\0\0\0WEBP", 12).substr(0, n)).format, "webp");
  }
  EXPECT_EQ(check(std::string("RIFF\x1b\0\0\0WEBPVP8 ", 16)).format, "webp");
}

TEST(Detect, TruncatedZipIsCorruptNotACrash) {
  TempDir dir;
  auto p = dir / "a.docx";
  wenku::testing::write_zip(p, wenku::testing::docx_members(wenku::testing::wp("x")));
  std::string bytes = wenku::testing::read_file(p);
  write_file(p, bytes.substr(0, bytes.size() / 2));
  Detection d = detect_file(p);
  EXPECT_FALSE(d.supported);
  EXPECT_NE(d.reason.find("corrupt"), std::string::npos);
}

TEST(Detect, MissingFileIsUnknownWithReason) {
  Detection d = detect_file("/nonexistent/wenku/file.docx");
  EXPECT_EQ(d.format, "unknown");
  EXPECT_FALSE(d.reason.empty());
}

TEST(TextEncoding, DecodesGbkAndBig5ToUtf8) {
  auto gbk = iconv_from_utf8(kChinese, "GBK");
  auto r = decode_to_utf8(gbk, "GB18030", 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kChinese);
  auto too_small = decode_to_utf8(gbk, "GB18030", 10);
  ASSERT_FALSE(too_small.ok());
  EXPECT_EQ(too_small.error().code, ErrorCode::kTooLarge);
  EXPECT_FALSE(decode_to_utf8("abc", "no-such-encoding-xyz", 100).ok());
  EXPECT_EQ(declared_charset("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"), "gb2312");
}

}  // namespace
}  // namespace wenku::detect
