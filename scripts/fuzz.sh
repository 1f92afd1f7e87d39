#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang + ASan + UBSan in build-fuzz/, runs
# each for a bounded time from the repository's seeds (tests/fuzz/seeds/, regressions/) and,
# when the shared corpus is there, seeds made out of it too, and prints one line per
# target (executions, coverage, crashes) plus a total. Exits non-zero when a target crashed,
# leaked, ran out of memory or timed out; the reproducer's path is in the output.
#
#   WENKU_FUZZ_SECONDS  seconds per target (default 10: CI gives the whole stage ~5 min)
#   WENKU_FUZZ_TARGETS  space-separated subset (default: all)
#   WENKU_CORPUS        the shared corpus (default ../shared/corpus)
#   WENKU_FUZZ_BUILD    build directory (default build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${WENKU_FUZZ_SECONDS:-10}
build=${WENKU_FUZZ_BUILD:-build-fuzz}
corpus=${WENKU_CORPUS:-../shared/corpus}
all_targets=(detect extract zip ole2 text_decode multipart manifest query ofd image pdf)
read -r -a targets <<< "${WENKU_FUZZ_TARGETS:-${all_targets[*]}}"

# Per-target input size limit and dictionary (tests/fuzz/dicts/).
declare -A max_len=([detect]=262144 [extract]=262144 [zip]=262144 [ole2]=262144 [text_decode]=65536
                    [multipart]=65536 [manifest]=16384 [query]=16384 [ofd]=262144 [image]=262144
                    [pdf]=262144)
declare -A dict=([detect]=zip [extract]=xml [zip]=zip [multipart]=multipart [manifest]=manifest [query]=query [ofd]=xml [pdf]=pdf)

export CCACHE_BASEDIR="$PWD"
# -O1 -g1: quicker to build than -O2 -g, and line tables are enough for the sanitizers' traces.
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DWENKU_FUZZ=ON -DWENKU_SANITIZE=ON -DWENKU_BUILD_BENCH=OFF -DWENKU_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
build_start=$SECONDS
cmake --build "$build" --target $(printf '%s_fuzz ' "${targets[@]}") -j "$(nproc)" >"$build/fuzz-build.log" 2>&1 || {
  tail -n 40 "$build/fuzz-build.log"
  echo "fuzz: build failed (log: $build/fuzz-build.log)"
  exit 1
}
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - build_start)) s"

# Seeds: made fresh each run from the corpus, plus the in-repo seeds and regressions.
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
if [ -d "$corpus/docs" ]; then
  /usr/bin/python3 tests/fuzz/make_seeds.py "$corpus" "$seeds" 6 | sed 's/^/fuzz: seeds /'
else
  echo "fuzz: no corpus at $corpus (set WENKU_CORPUS): using only the seeds in tests/fuzz/"
fi

status=0
total_execs=0
total_cov=0
summary=()
for t in "${targets[@]}"; do
  work="$build/fuzz-corpus/$t"     # what the fuzzer finds; kept between local runs
  artifacts="$build/fuzz-artifacts/$t/"
  log="$build/fuzz-logs/$t.log"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")" "$seeds/$t"
  dirs=("$work" "$seeds/$t")
  for d in "tests/fuzz/seeds/$t" "tests/fuzz/regressions/$t"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  opts=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="${max_len[$t]}"
        -print_final_stats=1 -artifact_prefix="$artifacts")
  [ -n "${dict[$t]:-}" ] && opts+=(-dict="tests/fuzz/dicts/${dict[$t]}.dict")
  rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/${t}_fuzz" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  # slow-unit-* files are libFuzzer's reports of inputs that took over 10 s on a busy machine,
  # not failures (a hang is a timeout-* file): they are listed with their time when replayed.
  crashes=$(find "$artifacts" -type f ! -name 'slow-unit-*' | wc -l)
  for slow in $(find "$artifacts" -type f -name 'slow-unit-*'); do
    start=$(date +%s%N)
    "$build/${t}_fuzz" "$slow" >/dev/null 2>&1 || crashes=$((crashes + 1))
    echo "fuzz: $t: slow unit $slow replays in $((($(date +%s%N) - start) / 1000000)) ms"
  done
  verdict=ok
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    verdict=FAILED
    status=1
    echo "---- $t: exit $rc; last lines of $log:"
    grep -E 'ERROR|SUMMARY|ALARM|leak|out-of-memory|Test unit written|artifact' "$log" | head -n 20 || true
    tail -n 15 "$log"
    find "$artifacts" -type f | sed 's/^/fuzz: reproducer /'
  fi
  total_execs=$((total_execs + ${execs:-0}))
  total_cov=$((total_cov + ${cov:-0}))
  summary+=("$(printf 'fuzz: %-12s %-6s %10s execs %7s/s  cov %6s  ft %6s  corpus %5s  rss %5s MB  crashes %s' \
    "$t" "$verdict" "${execs:-0}" "${rate:-0}" "${cov:-0}" "${ft:-0}" "${corp:-0}" "${rss:-0}" "$crashes")")
done
summary+=("$(printf 'fuzz: total        %-6s %10s execs in %s s per target, cov %s (summed over targets)' \
  "$([ $status -eq 0 ] && echo ok || echo FAILED)" "$total_execs" "$seconds" "$total_cov")")
printf '%s\n' "${summary[@]}"
# scripts/test.sh prints every suite's FIGURES lines together at the end of the run.
if [ -n "${WENKU_FIGURES_FILE:-}" ]; then
  printf 'FIGURES %s\n' "${summary[@]}" >>"$WENKU_FIGURES_FILE"
fi
exit $status
