// Fixture builders for detect/extract tests: ZIP packages (libzip), OLE2 files, re-encoded text.
#pragma once

#include <zip.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace wenku::testing {

// Writes a ZIP with the given members (deflated) to `path`.
inline void write_zip(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& members) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (z == nullptr) throw std::runtime_error("zip_open failed");
  for (const auto& [name, data] : members) {
    // libzip reads the buffer at zip_close: keep a copy alive until then.
    auto* copy = new std::string(data);
    zip_source_t* src = zip_source_buffer(z, copy->data(), copy->size(), 0);
    if (src == nullptr || zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) throw std::runtime_error("zip add");
    zip_set_file_compression(z, static_cast<zip_uint64_t>(zip_get_num_entries(z, 0) - 1), ZIP_CM_DEFLATE, 9);
    static std::vector<std::unique_ptr<std::string>> keep;
    keep.emplace_back(copy);
  }
  if (zip_close(z) != 0) throw std::runtime_error("zip_close failed");
}

inline std::string content_types(const std::string& main_type, const std::string& main_part) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
         "content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/" +
         main_part + "\" ContentType=\"" + main_type + "\"/></Types>";
}

inline std::string package_rels(const std::string& main_part) {
  return "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
         "relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
         "relationships/officeDocument\" Target=\"" + main_part + "\"/></Relationships>";
}

// A minimal DOCX whose body is `body_xml` (w:p elements and so on).
inline std::vector<std::pair<std::string, std::string>> docx_members(const std::string& body_xml) {
  return {{"[Content_Types].xml",
           content_types("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                         "word/document.xml")},
          {"_rels/.rels", package_rels("word/document.xml")},
          {"word/document.xml",
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
           "wordprocessingml/2006/main\"><w:body>" + body_xml + "</w:body></w:document>"},
          {"docProps/core.xml",
           "<?xml version=\"1.0\"?><cp:coreProperties xmlns:cp=\"x\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
           "<dc:title>测试标题</dc:title></cp:coreProperties>"}};
}

inline std::string wp(const std::string& text) { return "<w:p><w:r><w:t>" + text + "</w:t></w:r></w:p>"; }

// A compound file with one top-level stream `name` of 4096 bytes (regular sectors), whose
// first bytes are `prefix`; when `nested` the stream sits inside a storage instead.
inline std::string make_ole2(const std::string& name, const std::string& prefix, bool nested = false) {
  auto put32 = [](std::string& b, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[off + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto put16 = [](std::string& b, size_t off, uint16_t v) {
    b[off] = static_cast<char>(v & 0xFF);
    b[off + 1] = static_cast<char>(v >> 8);
  };
  const uint32_t kEnd = 0xFFFFFFFE, kFree = 0xFFFFFFFF, kFat = 0xFFFFFFFD, kNone = 0xFFFFFFFF;
  std::string f(512 * 11, '\0');  // header + FAT + directory + 8 data sectors
  f.replace(0, 8, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
  put16(f, 0x18, 0x3E);
  put16(f, 0x1A, 3);
  put16(f, 0x1C, 0xFFFE);
  put16(f, 0x1E, 9);
  put16(f, 0x20, 6);
  put32(f, 0x2C, 1);     // FAT sectors
  put32(f, 0x30, 1);     // first directory sector
  put32(f, 0x38, 4096);  // mini stream cutoff
  put32(f, 0x3C, kEnd);
  put32(f, 0x44, kEnd);
  for (int i = 0; i < 109; ++i) put32(f, 0x4C + 4 * i, i == 0 ? 0 : kFree);
  const size_t fat = 512;
  for (int i = 0; i < 128; ++i) put32(f, fat + 4 * i, kFree);
  put32(f, fat + 0, kFat);
  put32(f, fat + 4, kEnd);
  for (uint32_t s = 2; s < 9; ++s) put32(f, fat + 4 * s, s + 1);
  put32(f, fat + 4 * 9, kEnd);
  const size_t dir = 1024;
  auto entry = [&](int i, const std::string& n, int type, uint32_t child, uint32_t start, uint32_t size) {
    size_t o = dir + 128 * i;
    for (size_t k = 0; k < n.size(); ++k) f[o + 2 * k] = n[k];
    put16(f, o + 64, static_cast<uint16_t>(2 * (n.size() + 1)));
    f[o + 66] = static_cast<char>(type);
    put32(f, o + 68, kNone);
    put32(f, o + 72, kNone);
    put32(f, o + 76, child);
    put32(f, o + 116, start);
    put32(f, o + 120, size);
  };
  entry(0, "Root Entry", 5, 1, kEnd, 0);
  if (nested) {
    entry(1, "ObjectPool", 1, 2, 0, 0);
    entry(2, name, 2, kNone, 2, 4096);
  } else {
    entry(1, name, 2, kNone, 2, 4096);
    entry(2, "", 0, kNone, 0, 0);
  }
  entry(3, "", 0, kNone, 0, 0);
  f.replace(512 * 3, prefix.size(), prefix);  // sector 2 starts at (2+1)*512
  return f;
}

}  // namespace wenku::testing
