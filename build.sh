#!/usr/bin/env bash
# dirtyrace set-up on Debian 12: installs what is missing, builds, and runs.
#
#   ./build.sh run [check options]   Release build, then `dirtyrace check` on the default scenario
#   ./build.sh test                  Release build and ASan/UBSan build, every test in both
#   ./build.sh bench                 Release build, then the benchmark
#   ./build.sh format                check the formatting of every source file (clang-format)
#   ./build.sh fuzz [SECONDS]        libFuzzer on each input reader for SECONDS (default 60) each
set -euo pipefail
cd "$(dirname "$0")"

packages=(cmake make g++ pkg-config ccache clang clang-format libclang-rt-dev libabsl-dev libboost-graph-dev libcli11-dev
          libtomlplusplus-dev libxxhash-dev libz3-dev doctest-dev nlohmann-json3-dev
          libopenmpi-dev openmpi-bin)
# What the tests need besides: the viewer's browser test and `dirtyrace show --format svg`.
test_packages=(python3 chromium graphviz)
jobs=$(nproc 2>/dev/null || echo 2)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return
  echo "build.sh: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() {  # build DIR [cmake options...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -DDIRTYRACE_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

# The fuzz targets (fuzz/fuzz_TARGET.cpp), the corpus each reads (fuzz/corpus/CORPUS: the three
# that read traces share one) and the longest input each is given.
fuzz_targets=(scenario:scenario:4096 constraint:constraint:4096 trace:trace:32768
              replay:trace:32768 explain:trace:32768)

# Builds the fuzz targets with clang, ASan and UBSan in build-fuzz, then runs each for SECONDS
# from its corpus in fuzz/corpus/CORPUS. The first crash, sanitizer report, timeout or internal
# error stops it with the input saved as build-fuzz/findings/TARGET-crash-*; inputs that reach
# new coverage are merged into fuzz/corpus/CORPUS (commit them).
fuzz() {  # fuzz SECONDS
  local seconds=$1
  CXX=clang++ cmake -S . -B build-fuzz -DDIRTYRACE_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDIRTYRACE_FUZZ=ON -DDIRTYRACE_TESTS=OFF -DDIRTYRACE_BENCH=OFF >/dev/null
  local entry target corpus max_len work log targets=()
  for entry in "${fuzz_targets[@]}"; do targets+=("fuzz_${entry%%:*}"); done
  # The fuzz targets only: the libraries they need, not the program.
  cmake --build build-fuzz -j "$jobs" --target "${targets[@]}"
  mkdir -p build-fuzz/findings
  for entry in "${fuzz_targets[@]}"; do
    IFS=: read -r target corpus max_len <<<"$entry"
    corpus=fuzz/corpus/$corpus
    work=build-fuzz/corpus/$target
    log=build-fuzz/fuzz_$target.log
    mkdir -p "$work" "$corpus"
    # New inputs go to the first directory (scratch); the repo's corpus is read as seeds.
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "./build-fuzz/fuzz/fuzz_$target" "$work" "$corpus" \
      -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="build-fuzz/findings/$target-" >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      echo "build.sh: fuzz_$target found a failure; the input is in build-fuzz/findings/" >&2
      return 1
    fi
    "./build-fuzz/fuzz/fuzz_$target" -merge=1 "$corpus" "$work" >>"$log" 2>&1
    echo "fuzz_$target: $(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)," \
      "$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)," \
      "corpus $(ls "$corpus" | wc -l) files"
  done
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    exec ./build/cli/dirtyrace check --stats "$@"
    ;;
  test)
    packages+=("${test_packages[@]}")
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    ctest --test-dir build --output-on-failure -j "$jobs"
    # The same tests with AddressSanitizer and UndefinedBehaviorSanitizer, optimised so that
    # exploring state spaces stays quick, and with the model's self-checks on.
    build build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDIRTYRACE_SANITIZE=ON \
      -DDIRTYRACE_SELF_CHECK=ON -DDIRTYRACE_BENCH=OFF
    ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
    # Each fuzz target briefly: a crash fails the test command.
    fuzz 5
    ;;
  fuzz)
    install_missing
    fuzz "${1:-60}"
    ;;
  bench)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    exec ./build/bench/dirtyrace_bench "$@"
    ;;
  format)
    install_missing
    git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror
    ;;
  *)
    echo "usage: ./build.sh run|test|bench|format|fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
