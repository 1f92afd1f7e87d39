// DOCX/ODT fixtures written with libzip.
#include "docx_fixture.h"

#include <zip.h>

#include <stdexcept>
#include <utility>

namespace wenku::testing {

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

void write_zip(const std::filesystem::path& path,
               const std::vector<std::pair<std::string, std::string>>& members) {
  int err = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (zip == nullptr) throw std::runtime_error("zip_open failed");
  for (const auto& [name, data] : members) {
    zip_source_t* src = zip_source_buffer(zip, data.data(), data.size(), 0);
    zip_int64_t idx = zip_file_add(zip, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) throw std::runtime_error("zip_file_add failed");
    // ODF wants its mimetype member first and stored.
    if (name == "mimetype") zip_set_file_compression(zip, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) throw std::runtime_error("zip_close failed");
}

}  // namespace

void write_docx(const std::filesystem::path& path, const std::vector<std::string>& paragraphs,
                const std::string& extra_body_xml, const std::string& extra_rels) {
  std::string body;
  for (const auto& p : paragraphs) {
    body += "<w:p><w:r><w:rPr><w:lang w:eastAsia=\"zh-CN\"/></w:rPr><w:t xml:space=\"preserve\">" +
            xml_escape(p) + "</w:t></w:r></w:p>";
  }
  body += extra_body_xml;
  std::string document =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
      "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" "
      "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
      "xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
      "<w:body>" + body + "</w:body></w:document>";
  std::string content_types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Default Extension=\"png\" ContentType=\"image/png\"/>"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
      "</Types>";
  std::string rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
      "</Relationships>";
  std::string doc_rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
      extra_rels + "</Relationships>";
  write_zip(path, {{"[Content_Types].xml", content_types},
                   {"_rels/.rels", rels},
                   {"word/document.xml", document},
                   {"word/_rels/document.xml.rels", doc_rels}});
}

void write_odt_with_autorun_macro(const std::filesystem::path& path,
                                  const std::filesystem::path& marker, bool with_comment) {
  // A comment (office:annotation) makes LibreOfficeKit's Writer view build a comment window,
  // which needs a UI file Debian's writer-nogui lacks: the helper's soffice fallback loads it.
  const std::string comment =
      with_comment ? "<office:annotation><dc:creator>审阅</dc:creator><text:p>批注 comment</text:p>"
                     "</office:annotation>"
                   : "";
  std::string content =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
      "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
      "xmlns:script=\"urn:oasis:names:tc:opendocument:xmlns:script:1.0\" "
      "xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "office:version=\"1.2\">"
      "<office:scripts><office:event-listeners>"
      "<script:event-listener script:language=\"ooo:script\" script:event-name=\"dom:load\" "
      "xlink:href=\"vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document\"/>"
      "</office:event-listeners></office:scripts>"
      "<office:body><office:text><text:p>宏测试 macro test" + comment +
      "</text:p></office:text></office:body>"
      "</office:document-content>";
  std::string module =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<!DOCTYPE script:module PUBLIC \"-//OpenOffice.org//DTD OfficeDocument 1.0//EN\" \"module.dtd\">"
      "<script:module xmlns:script=\"http://openoffice.org/2000/script\" script:name=\"Module1\" "
      "script:language=\"StarBasic\">Sub Main\n"
      "  Dim n As Integer\n  n = FreeFile\n"
      "  Open \"" + xml_escape(marker.string()) + "\" For Output As #n\n"
      "  Print #n, \"macro ran\"\n  Close #n\nEnd Sub\n</script:module>";
  std::string lib_index =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<!DOCTYPE library:library PUBLIC \"-//OpenOffice.org//DTD OfficeDocument 1.0//EN\" \"library.dtd\">"
      "<library:library xmlns:library=\"http://openoffice.org/2000/library\" library:name=\"Standard\" "
      "library:readonly=\"false\" library:passwordprotected=\"false\">"
      "<library:element library:name=\"Module1\"/></library:library>";
  std::string libs =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<!DOCTYPE library:libraries PUBLIC \"-//OpenOffice.org//DTD OfficeDocument 1.0//EN\" \"libraries.dtd\">"
      "<library:libraries xmlns:library=\"http://openoffice.org/2000/library\" "
      "xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
      "<library:library library:name=\"Standard\" library:link=\"false\"/></library:libraries>";
  std::string manifest =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">"
      "<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
      "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
      "<manifest:file-entry manifest:full-path=\"Basic/script-lc.xml\" manifest:media-type=\"text/xml\"/>"
      "<manifest:file-entry manifest:full-path=\"Basic/Standard/script-lb.xml\" manifest:media-type=\"text/xml\"/>"
      "<manifest:file-entry manifest:full-path=\"Basic/Standard/Module1.xml\" manifest:media-type=\"text/xml\"/>"
      "</manifest:manifest>";
  write_zip(path, {{"mimetype", "application/vnd.oasis.opendocument.text"},
                   {"content.xml", content},
                   {"Basic/script-lc.xml", libs},
                   {"Basic/Standard/script-lb.xml", lib_index},
                   {"Basic/Standard/Module1.xml", module},
                   {"META-INF/manifest.xml", manifest}});
}

}  // namespace wenku::testing
