#!/usr/bin/env bash
# Installs every Debian 12 package wenku needs to build, run and test. Idempotent:
# quiet when nothing is missing. Run as root or as a user who can sudo.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev clang-format clang-tidy
  # libraries
  libsqlite3-dev sqlite3 libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  libcurl4-openssl-dev libpq-dev
  nlohmann-json3-dev libmstch-dev libspdlog-dev libfmt-dev
  libzip-dev libpugixml-dev libxml2-dev libuchardet-dev libicu-dev
  libopencc-dev opencc libsodium-dev
  libwebp-dev libpng-dev libjpeg-dev
  libpoppler-cpp-dev libxapian-dev
  libmupdf-dev libmujs-dev libgumbo-dev libopenjp2-7-dev libjbig2dec0-dev
  libharfbuzz-dev libfreetype-dev
  libreofficekit-dev libreoffice-core-nogui libreoffice-writer-nogui
  libreoffice-calc-nogui libreoffice-impress-nogui
  bubblewrap libseccomp-dev
  # OCR (src/ocr) and image documents (src/image): Tesseract 5 with its Chinese, vertical,
  # English and orientation models; Leptonica decodes JPEG/PNG/TIFF/WebP, libheif HEIC
  libtesseract-dev libleptonica-dev libheif-dev
  tesseract-ocr-chi-sim tesseract-ocr-chi-sim-vert tesseract-ocr-chi-tra tesseract-ocr-chi-tra-vert
  tesseract-ocr-osd tesseract-ocr-eng
  # segmentation dictionary and keyword IDF weights
  python3-jieba
  # fonts: Chinese glyphs in previews
  fonts-noto-cjk fonts-wqy-zenhei fontconfig
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev googletest
  python3 curl mupdf-tools poppler-utils wrk nginx-light postgresql-15 xapian-tools
  tesseract-ocr python3-levenshtein python3-pil
  chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js drives the browser tests; a machine may already have it from elsewhere.
command -v npm >/dev/null || missing+=(nodejs npm)

# npm test helpers from their lock files, when missing: playwright-core for the browser
# tests (tests/e2e), @apidevtools/swagger-parser for the OpenAPI check (tests/api), s3rver
# for the S3 blob store's tests (tests/s3).
e2e_deps() {
  local dir module
  for pair in "tests/e2e:playwright-core" "tests/api:@apidevtools/swagger-parser" "tests/s3:s3rver"; do
    dir="$(dirname "$0")/../${pair%%:*}"; module="${pair#*:}"
    if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules/$module" ] && command -v npm >/dev/null; then
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null || echo "setup: npm ci for ${pair%%:*} failed" >&2
    fi
  done
}
[ ${#missing[@]} -eq 0 ] && { e2e_deps; exit 0; }

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "setup: these packages are missing: ${missing[*]}" >&2
  echo "setup: run this script as root, or as a user who may use sudo." >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
e2e_deps
