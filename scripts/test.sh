#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds wenku twice and runs every test CI runs:
#   1. build-debug/ (ASan + UBSan): the fast tier (unit, contract, golden tests);
#   2. build/ (release with assertions): the slow tier (integration, corpus, reliability,
#      browser, eval);
#   3. build-fuzz/ (clang): each libFuzzer target for a bounded time (scripts/fuzz.sh).
# The suites over the shared corpus run when ../shared/corpus (or $WENKU_CORPUS) exists and
# use the fixtures the tests make when it does not, saying plainly what they skipped.
#
#   bash scripts/test.sh          what CI runs
#   bash scripts/test.sh --long   also the long suites (label `long`: 100 crash iterations,
#                                 a minute of load, the slow hostile-file and import runs)
set -euo pipefail
cd "$(dirname "$0")/.."
long=false
for arg in "$@"; do
  case "$arg" in
    --long) long=true ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD"
jobs=$(nproc)

# Suites write their figures (executions, iterations, requests, errors, p99, MRR) as
# FIGURES lines into one file; they are printed together at the end, pass or fail.
mkdir -p build
export WENKU_FIGURES_FILE="$PWD/build/figures.txt"
: >"$WENKU_FIGURES_FILE"
# How long each stage took, printed with the figures.
stage_times=()
stage_start=0  # SECONDS counts from the start of this script: setup included
stage_done() {
  stage_times+=("$(printf 'time: %-40s %4d s' "$1" $((SECONDS - stage_start)))")
  stage_start=$SECONDS
}
print_figures() {
  if [ -s "$WENKU_FIGURES_FILE" ]; then
    echo "== figures of this run"
    sed 's/^FIGURES //' "$WENKU_FIGURES_FILE"
  fi
  if [ ${#stage_times[@]} -gt 0 ]; then
    echo "== time of each stage ($(nproc) cores)"
    printf '%s\n' "${stage_times[@]}"
  fi
}
trap print_figures EXIT
stage_done "setup (scripts/setup.sh)"
corpus=${WENKU_CORPUS:-../shared/corpus}
if [ -d "$corpus" ]; then
  echo "== shared corpus: $corpus (the corpus suites run, and the others run more cases)"
else
  echo "== no shared corpus at $corpus (set WENKU_CORPUS): the suites run on the documents the tests"
  echo "   make; skipped, each saying so: corpus_ingest, eval_segment_f1, eval_search_quality, the"
  echo "   GoogleTest cases over corpus files (listed as SKIPPED), fuzz seeds made from the corpus"
fi

echo "== fast tier: unit, contract and golden tests (ASan + UBSan)"
cmake --preset debug -DWENKU_WERROR=ON -DWENKU_BUILD_TESTS=ON >/dev/null
cmake --build build-debug -j "$jobs"
stage_done "fast tier: build (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
  ctest --test-dir build-debug -L fast -LE reliability --output-on-failure -j "$jobs"
stage_done "fast tier: tests"

# The reliability suites measure time and memory of the shipped build, so they run here.
echo "== slow tier: integration, corpus, reliability and end-to-end tests (release with assertions)"
cmake --preset release -DWENKU_WERROR=ON -DWENKU_BUILD_TESTS=ON -DWENKU_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$jobs"
stage_done "slow tier: build (release)"
# The long versions of the reliability suites (label `long`: 100 crash iterations, a minute
# of load) run only with --long; CI runs what this runs without it.
exclude=(-LE long)
if $long; then
  exclude=()
  echo "== --long: the long reliability suites run too"
fi
ctest --test-dir build -L "slow|reliability" "${exclude[@]}" --output-on-failure
stage_done "slow tier: tests$($long && echo ' (with --long)')"

echo "== fuzz: each libFuzzer target for ${WENKU_FUZZ_SECONDS:-10} s (clang, ASan + UBSan; tests/fuzz/README.md)"
bash scripts/fuzz.sh
stage_done "fuzz: build and ${WENKU_FUZZ_SECONDS:-10} s per target"
