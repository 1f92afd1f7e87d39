#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds wenku and serves it with the demo library at
# http://127.0.0.1:8080 (data in ./wenku-data unless WENKU_DATA or --data say otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release -DWENKU_BUILD_TESTS=OFF -DWENKU_BUILD_BENCH=OFF >/dev/null
cmake --build build --target wenku wenku-convert-helper wenku-render-helper
exec build/wenku serve --demo "$@"
