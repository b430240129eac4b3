#!/usr/bin/env bash
# Run every test: build build/ (RelWithDebInfo) and run ctest there, then build
# build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer (Debug) and run ctest
# again. Both runs cover both backends: CTest label sqlite and label postgresql, the latter
# on a private PostgreSQL server this script starts (scripts/pg.sh: a cluster in
# /tmp/igny8-pg on 127.0.0.1:55432; IGNY8_PG_DIR and IGNY8_PG_PORT choose another) and
# stops it at the end if it started it. Exits non-zero on any failure.
# Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

start=$(date +%s)
pg_started=0

current="installing dependencies"
step() { current="$*"; echo; echo "== $*"; }
finish() {
  rc=$?
  # Stop the server only if this run started it.
  [ "$pg_started" = 1 ] && { bash scripts/pg.sh stop || true; }
  if [ "$rc" -ne 0 ]; then
    echo
    echo "test.sh: FAILED (exit $rc) during: $current, after $(( $(date +%s) - start ))s" >&2
  fi
}
trap finish EXIT

bash scripts/deps.sh
step "PostgreSQL test server"
bash scripts/pg.sh status >/dev/null 2>&1 || pg_started=1
bash scripts/pg.sh start
export IGNY8_TEST_PG_URL; IGNY8_TEST_PG_URL=$(bash scripts/pg.sh url)
jobs=$(nproc 2>/dev/null || echo 2)

step "plain build (build/, RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIGNY8_TEST_PG_URL="$IGNY8_TEST_PG_URL"
# The Python tests are registered only when CMake finds python3: never let them drop out silently.
if ! (cd build && ctest -N -R '^python_' | grep -q 'Total Tests: [1-9]'); then
  echo "test.sh: error: no python_* tests registered (CMake did not find python3)" >&2
  exit 1
fi
cmake --build build -j"$jobs"
step "ctest in build/"
(cd build && ctest --output-on-failure -j2)
step "ABI check of build/ against abi/libigny8settings.abi"; bash scripts/abi-check.sh build
step "valgrind memcheck of the C tests in build/"; bash scripts/valgrind.sh build

step "sanitizer build (build-asan/, Debug, address,undefined)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DIGNY8_SANITIZE=address,undefined -DIGNY8_TEST_PG_URL="$IGNY8_TEST_PG_URL"
cmake --build build-asan -j"$jobs"
step "ctest in build-asan/"
(cd build-asan &&
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j2)

step "fuzzing (60 s per target)"; bash scripts/fuzz.sh 60

echo
echo "test.sh: ALL TESTS PASSED (plain and ASan+UBSan) in $(( $(date +%s) - start ))s"
