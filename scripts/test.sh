#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds wenku twice and runs every test:
#   1. build-debug/ (ASan + UBSan): the fast tier (unit, contract, golden tests);
#   2. build/ (release with assertions): the slow tier (integration, corpus, browser, eval).
# The suites over the shared corpus run when ../shared/corpus (or $WENKU_CORPUS) exists and
# say plainly that they skipped when it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD"
jobs=$(nproc)

# Suites write their figures (executions, iterations, requests, errors, p99, MRR) as
# FIGURES lines into one file; they are printed together at the end, pass or fail.
mkdir -p build
export WENKU_FIGURES_FILE="$PWD/build/figures.txt"
: >"$WENKU_FIGURES_FILE"
print_figures() {
  if [ -s "$WENKU_FIGURES_FILE" ]; then
    echo "== figures of this run"
    sed 's/^FIGURES //' "$WENKU_FIGURES_FILE"
  fi
}
trap print_figures EXIT

echo "== fast tier: unit, contract and golden tests (ASan + UBSan)"
cmake --preset debug -DWENKU_WERROR=ON -DWENKU_BUILD_TESTS=ON >/dev/null
cmake --build build-debug -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
  ctest --test-dir build-debug -L fast -LE reliability --output-on-failure -j "$jobs"

# The reliability suites measure time and memory of the shipped build, so they run here.
echo "== slow tier: integration, corpus, reliability and end-to-end tests (release with assertions)"
cmake --preset release -DWENKU_WERROR=ON -DWENKU_BUILD_TESTS=ON -DWENKU_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$jobs"
# CI (CI=true) leaves out the long versions of the reliability suites (label `long`: 100
# crash iterations, a minute of load) to finish within its time; run them without CI=true.
exclude=()
[ "${CI:-}" = "true" ] && exclude=(-LE long)
ctest --test-dir build -L "slow|reliability" "${exclude[@]}" --output-on-failure

echo "== fuzz: each libFuzzer target for ${WENKU_FUZZ_SECONDS:-10} s (clang, ASan + UBSan; tests/fuzz/README.md)"
bash scripts/fuzz.sh
