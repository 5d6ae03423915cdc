#!/usr/bin/env bash
# dirtyrace set-up on Debian 12: installs what is missing, builds, and runs.
#
#   ./build.sh run [check options]   Release build, then `dirtyrace check` on the default scenario
#   ./build.sh test                  Release build and ASan/UBSan build, every test in both
#   ./build.sh bench                 Release build, then the benchmark
#   ./build.sh format                check the formatting of every source file (clang-format)
set -euo pipefail
cd "$(dirname "$0")"

packages=(cmake make g++ pkg-config ccache clang-format libabsl-dev libboost-graph-dev libcli11-dev
          libtomlplusplus-dev libxxhash-dev libz3-dev doctest-dev nlohmann-json3-dev)
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
    echo "usage: ./build.sh run|test|bench|format" >&2
    exit 2
    ;;
esac
