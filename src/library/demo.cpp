// Making the demo documents: DOCX written with libzip, PDF converted from it by LibreOffice,
// TXT as UTF-8 text.
#include "library/demo.h"

#include <zip.h>

#include <fstream>

#include "convert/converter.h"
#include "core/log.h"
#include "core/strings.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>)";

constexpr std::string_view kRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>)";

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string document_xml(const std::vector<std::string>& paragraphs) {
  std::string body;
  bool first = true;
  for (const auto& p : paragraphs) {
    if (first) {
      body += R"(<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="36"/><w:lang w:eastAsia="zh-CN"/></w:rPr><w:t>)" +
              xml_escape(p) + "</w:t></w:r></w:p>";
      first = false;
      continue;
    }
    body += R"(<w:p><w:pPr><w:ind w:firstLine="480"/></w:pPr><w:r><w:rPr><w:sz w:val="24"/><w:lang w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve">)" +
            xml_escape(p) + "</w:t></w:r></w:p>";
  }
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>)" +
         body + "<w:sectPr/></w:body></w:document>";
}

}  // namespace

Result<void> write_docx(const fs::path& out, const std::vector<std::string>& paragraphs) {
  int err = 0;
  zip_t* z = zip_open(out.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (z == nullptr) return make_error(ErrorCode::kIo, "cannot create " + out.string());
  // libzip keeps the buffers until zip_close, so they must live until then.
  std::vector<std::string> contents = {std::string(kContentTypes), std::string(kRels), document_xml(paragraphs)};
  const char* names[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml"};
  for (size_t i = 0; i < contents.size(); ++i) {
    zip_source_t* src = zip_source_buffer(z, contents[i].data(), contents[i].size(), 0);
    if (src == nullptr || zip_file_add(z, names[i], src, ZIP_FL_ENC_UTF_8) < 0) {
      if (src) zip_source_free(src);
      zip_discard(z);
      return make_error(ErrorCode::kIo, "cannot write " + out.string());
    }
  }
  if (zip_close(z) != 0) {
    zip_discard(z);
    return make_error(ErrorCode::kIo, "cannot finish " + out.string());
  }
  return {};
}

Result<int> import_demo_if_empty(Library& lib) {
  store::DocumentFilter all;
  WENKU_ASSIGN_OR_RETURN(int64_t existing, lib.catalogue().count(all));
  if (existing > 0) return 0;
  fs::path dir = lib.data_dir().work() / "demo";
  std::error_code ec;
  fs::create_directories(dir, ec);
  int imported = 0;
  for (const auto& t : demo_texts()) {
    ImportRequest req;
    req.title = t.title + "." + t.format;
    req.original_name = req.title;
    req.category = t.category;
    req.uploader_name = "wenku";
    fs::path file = dir / req.title;
    if (t.format == "txt") {
      std::string text;
      for (const auto& p : t.paragraphs) text += p + "\n\n";
      std::ofstream(file, std::ios::binary) << text;
    } else {
      fs::path docx = t.format == "docx" ? file : dir / (t.title + ".docx");
      WENKU_TRY(write_docx(docx, t.paragraphs));
      if (t.format == "pdf") {
        convert::ConverterOptions o;
        o.slots = 1;
        o.work_dir = lib.data_dir().work() / "demo-convert";
        WENKU_ASSIGN_OR_RETURN(auto conv, convert::make_converter(o));
        if (auto r = conv->to_pdf(docx, "docx", file); !r.ok()) {
          log::warn("demo_pdf_failed error={}", r.error().message);
          continue;
        }
      }
    }
    auto r = lib.ingest().import_file(file, req);
    if (!r.ok()) {
      log::warn("demo_import_failed file={} error={}", file.string(), r.error().message);
      continue;
    }
    ++imported;
  }
  log::info("demo_imported documents={}", imported);
  return imported;
}

}  // namespace wenku::library
