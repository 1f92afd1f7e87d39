# Every third-party dependency, found once, as imported targets. All are Debian 12 packages
# installed by scripts/setup.sh.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
# libcurl (libcurl4-openssl-dev): the S3 blob store's HTTP client.
find_package(CURL REQUIRED)
# libpq (libpq-dev): the PostgreSQL metadata store's client.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
find_package(nlohmann_json REQUIRED)
find_package(spdlog REQUIRED)
find_package(mstch REQUIRED)
# cpp-httplib is a compiled library in Debian: its pkg-config flags define the
# CPPHTTPLIB_*_SUPPORT macros that make the header match the library's class layouts.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(PUGIXML REQUIRED IMPORTED_TARGET pugixml)
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
pkg_check_modules(UCHARDET REQUIRED IMPORTED_TARGET uchardet)
pkg_check_modules(OPENCC REQUIRED IMPORTED_TARGET opencc)
pkg_check_modules(LIBSODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
# The converter box's seccomp filter (libseccomp-dev), built once and handed to bwrap.
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
# Images as documents (src/image) and OCR (src/ocr): Leptonica, libtiff, libheif, Tesseract 5.
pkg_check_modules(LEPTONICA REQUIRED IMPORTED_TARGET lept)
pkg_check_modules(LIBTIFF REQUIRED IMPORTED_TARGET libtiff-4)
pkg_check_modules(LIBHEIF REQUIRED IMPORTED_TARGET libheif)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract)
if(WENKU_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
# MuPDF (libmupdf-dev) ships only static archives: link them with their static
# dependencies plus harfbuzz and freetype (DESIGN.md §8). Used by extract/ and render/.
if(NOT TARGET wenku_mupdf)
  pkg_check_modules(MUPDF REQUIRED mupdf)
  pkg_check_modules(HARFBUZZ REQUIRED harfbuzz)
  add_library(wenku_mupdf INTERFACE)
  target_include_directories(wenku_mupdf SYSTEM INTERFACE ${MUPDF_INCLUDE_DIRS})
  target_link_directories(wenku_mupdf INTERFACE ${MUPDF_STATIC_LIBRARY_DIRS})
  target_link_libraries(wenku_mupdf INTERFACE ${MUPDF_STATIC_LIBRARIES} harfbuzz freetype)
endif()
# LibreOfficeKit (libreofficekit-dev): headers only; the helper dlopens LibreOffice at run time.
if(NOT TARGET wenku_lok)
  find_path(LOK_INCLUDE_DIR LibreOfficeKit/LibreOfficeKit.hxx REQUIRED)
  add_library(wenku_lok INTERFACE)
  target_include_directories(wenku_lok SYSTEM INTERFACE ${LOK_INCLUDE_DIR})
  target_link_libraries(wenku_lok INTERFACE ${CMAKE_DL_LIBS})
endif()
# poppler-cpp (libpoppler-cpp-dev), optional: only bench/ uses it, to compare with MuPDF.
pkg_check_modules(POPPLER_CPP IMPORTED_TARGET poppler-cpp)
# Xapian 1.4 (libxapian-dev): the SearchIndex behind xapian:// and xapian+tcp:// (src/index).
pkg_check_modules(XAPIAN REQUIRED IMPORTED_TARGET xapian-core)
